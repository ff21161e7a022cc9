package io.uniform.cpu.elf;

/**
 * The bytes are not an executable this machine can run: not ELF, the wrong class, byte order
 * or architecture, or a malformed header, segment or section. The message names the field and
 * the value at fault, so a user can tell what to fix; kernels turn it into ENOEXEC.
 */
public final class ElfFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public ElfFormatException(String message) {
        super(message);
    }
}
