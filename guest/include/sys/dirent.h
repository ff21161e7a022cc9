/*
 * <sys/dirent.h> for uniform.  picolibc's <dirent.h> declares opendir,
 * readdir, ... and includes <sys/dirent.h> for the types, but its own copy
 * only says "#error not supported"; this one, found first on the include
 * path, supplies them.  The library implements opendir, fdopendir, readdir,
 * rewinddir, dirfd and closedir over getdents64.
 */
#ifndef UNIFORM_SYS_DIRENT_H
#define UNIFORM_SYS_DIRENT_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* d_type values (Linux's): DT_UNKNOWN when the file system does not say. */
#define DT_UNKNOWN 0
#define DT_FIFO    1
#define DT_CHR     2
#define DT_DIR     4
#define DT_BLK     6
#define DT_REG     8
#define DT_LNK    10
#define DT_SOCK   12

#define _DIRENT_HAVE_D_TYPE 1

struct dirent {
    ino_t d_ino;
    off_t d_off;              /* the kernel's cookie, truncated to off_t */
    unsigned short d_reclen;  /* sizeof(struct dirent) */
    unsigned char d_type;     /* DT_* */
    char d_name[256];
};

/* An open directory stream (opaque; see lib/dirs.c). */
typedef struct uniform_dir DIR;

#ifdef __cplusplus
}
#endif

#endif
