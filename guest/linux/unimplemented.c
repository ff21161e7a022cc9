/*
 * Makes a system call the emulator's Linux layer does not implement
 * (rt_sigaction, 134: there are no signal handlers) twice and prints both
 * raw results.  For the Java tests of that layer only (linux/src/test): a
 * real Linux serves rt_sigaction, so this program is not in
 * expected/manifest.  Expected there: "rt_sigaction -38" twice (-ENOSYS),
 * the call counted twice and logged once.
 */
#include <stdio.h>
#include <uniform.h>

#define SYS_rt_sigaction 134

int main(void)
{
    long first = uk_syscall(SYS_rt_sigaction, 0, 0, 0, 0, 0, 0);
    long second = uk_syscall(SYS_rt_sigaction, 0, 0, 0, 0, 0, 0);
    printf("rt_sigaction %ld\nrt_sigaction %ld\n", first, second);
    return 0;
}
