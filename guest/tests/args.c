/* Prints argc and the arguments (argv[0] is only checked: it is a path
 * chosen by whoever runs the program), and checks the initial-stack layout. */
#include <stdio.h>

int main(int argc, char **argv, char **envp)
{
    int ok = 1;
    printf("argc = %d\n", argc);
    if (argc < 1 || argv[0] == NULL) {
        printf("argv[0] missing\n");
        ok = 0;
    }
    for (int i = 1; i < argc; i++)
        printf("argv[%d] = \"%s\"\n", i, argv[i]);
    if (argv[argc] != NULL) {
        printf("argv[argc] is not NULL\n");
        ok = 0;
    }
    /* envp must directly follow argv's terminator and be NULL-terminated;
     * its contents vary with the host, so they are not printed.  Walking
     * to the terminator is the check that it exists. */
    if (envp != argv + argc + 1) {
        printf("envp does not follow argv\n");
        ok = 0;
    }
    for (char **e = envp; *e != NULL; e++)
        continue;
    printf(ok ? "PASS args\n" : "FAIL args\n");
    return ok ? 0 : 1;
}
