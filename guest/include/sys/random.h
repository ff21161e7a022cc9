/* <sys/random.h> for uniform (picolibc has none). */
#ifndef UNIFORM_SYS_RANDOM_H
#define UNIFORM_SYS_RANDOM_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GRND_NONBLOCK 0x1
#define GRND_RANDOM   0x2

ssize_t getrandom(void *buffer, size_t length, unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif
