/* <sys/utsname.h> for uniform (picolibc has none): Linux's struct
 * new_utsname, filled by the kernel as it is. */
#ifndef UNIFORM_SYS_UTSNAME_H
#define UNIFORM_SYS_UTSNAME_H

#ifdef __cplusplus
extern "C" {
#endif

#define _UTSNAME_LENGTH 65

struct utsname {
    char sysname[_UTSNAME_LENGTH];
    char nodename[_UTSNAME_LENGTH];
    char release[_UTSNAME_LENGTH];
    char version[_UTSNAME_LENGTH];
    char machine[_UTSNAME_LENGTH];
    char domainname[_UTSNAME_LENGTH];
};

int uname(struct utsname *name);

#ifdef __cplusplus
}
#endif

#endif
