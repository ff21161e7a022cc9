/*
 * Makes a system call the emulator's Linux layer does not implement
 * (getpid, 172) twice and prints both raw results.  For the Java tests of
 * that layer only (linux/src/test): a real Linux serves getpid, so this
 * program is not in expected/manifest.  Expected there: "getpid -38" twice
 * (-ENOSYS) and a single warning on stderr.
 */
#include <stdio.h>
#include <uniform.h>

#define SYS_getpid 172

int main(void)
{
    long first = uk_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
    long second = uk_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0);
    printf("getpid %ld\ngetpid %ld\n", first, second);
    return 0;
}
