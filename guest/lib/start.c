/* C part of program start; crt0.S has set sp, gp and tp. */
#include <stdlib.h>
#include "internal.h"

extern char **environ;
int main(int argc, char **argv, char **envp);

/*
 * initial_sp points at the Linux initial stack:
 *   argc, argv[0..argc-1], NULL, envp[0..], NULL, auxv pairs..., AT_NULL.
 */
void __uniform_start(long *initial_sp)
{
    int argc = (int)initial_sp[0];
    char **argv = (char **)(initial_sp + 1);
    char **envp = argv + argc + 1;

    environ = envp;
    /* Registered first so it runs last, after the program's own handlers. */
    atexit(__uniform_stdio_flush);
    exit(main(argc, argv, envp));
}
