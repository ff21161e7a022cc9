/* Exits with status 42 through exit(); the unterminated output line and
 * the atexit handler's line must both be flushed on the way out. */
#include <stdio.h>
#include <stdlib.h>

static void say_goodbye(void)
{
    printf(" - atexit handler ran\n");
}

int main(void)
{
    atexit(say_goodbye);
    printf("exiting with status 42");
    exit(42);
}
