package io.uniform.process.files;

/**
 * One name in a directory listing: the name, its inode, and its file type as the S_IFMT bits
 * of a mode ({@link FileStatus#S_IFREG}, {@link FileStatus#S_IFDIR}, ...), of the entry itself
 * (a symbolic link is a link).
 */
public record DirectoryEntry(String name, long inode, int fileType) {}
