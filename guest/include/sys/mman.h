/* <sys/mman.h> for uniform (picolibc has none): anonymous and file memory
 * mappings.  The values are Linux's, passed to the kernel unchanged. */
#ifndef UNIFORM_SYS_MMAN_H
#define UNIFORM_SYS_MMAN_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PROT_NONE  0x0
#define PROT_READ  0x1
#define PROT_WRITE 0x2
#define PROT_EXEC  0x4

#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
#define MAP_ANON      MAP_ANONYMOUS
#define MAP_NORESERVE 0x4000

#define MAP_FAILED ((void *)-1)

/* offset must be a multiple of 4096 (rv32 Linux takes it in pages). */
void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
int munmap(void *addr, size_t length);
int mprotect(void *addr, size_t length, int prot);

#ifdef __cplusplus
}
#endif

#endif
