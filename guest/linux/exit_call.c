/*
 * Ends the process with a raw exit (93) or exit_group (94) call:
 *   exit_call exit|exit_group STATUS
 * Prints "about to exit" (flushed) first, then leaves an unflushed partial
 * line in the stdio buffer: a raw call bypasses exit(), so it is never
 * written.  For the Java tests of the Linux layer (linux/src/test).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uniform.h>

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "exit") != 0 && strcmp(argv[1], "exit_group") != 0)) {
        fprintf(stderr, "usage: exit_call exit|exit_group STATUS\n");
        return 2;
    }
    long call = strcmp(argv[1], "exit") == 0 ? UK_SYS_exit : UK_SYS_exit_group;
    long status = strtol(argv[2], NULL, 0);
    printf("about to %s(%ld)\n", argv[1], status);
    printf("never written");
    uk_syscall(call, status, 0, 0, 0, 0, 0);
    printf("\nFAIL: %s returned\n", argv[1]);
    return 1;
}
