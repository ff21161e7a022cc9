/*
 * A bounded fork bomb: every process down to DEPTH levels forks FANOUT
 * children before waiting for any, so the whole tree (63 processes by
 * default) is alive at once; each exits with the size of its subtree, so
 * the root learns how many processes were reaped.  Every process exits,
 * so it ends under any Linux.  usage: fork_bomb [DEPTH [FANOUT]], default
 * 5 2; the tree must stay below 256 processes (exit statuses carry counts).
 */
#include "check.h"

static int depth_limit = 5, fanout = 2;

/* Returns the number of processes in this subtree, this one included;
 * *failed counts forks and waits that went wrong in it. */
static int grow(int depth, int *failed)
{
    pid_t children[16];
    int forked = 0, size = 1;
    if (depth < depth_limit) {
        for (int i = 0; i < fanout; i++) {
            pid_t pid = fork_flushed();
            if (pid == 0) {
                int child_failed = 0;
                int child_size = grow(depth + 1, &child_failed);
                _exit(child_failed ? 0 : child_size); /* 0: something failed below */
            }
            children[forked++] = pid;
        }
    }
    for (int i = 0; i < forked; i++) {
        int status = reap(children[i]);
        if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) == 0)
            (*failed)++;
        else
            size += WEXITSTATUS(status);
    }
    return size;
}

static long tree_size(void)
{
    long level = 1, total = 1;
    for (int d = 0; d < depth_limit; d++) {
        level *= fanout;
        total += level;
    }
    return total;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        depth_limit = atoi(argv[1]);
    if (argc > 2)
        fanout = atoi(argv[2]);
    if (depth_limit < 0 || fanout < 1 || fanout > 16 || tree_size() > 255) {
        printf("usage: fork_bomb [DEPTH [FANOUT]] with at most 255 processes\n");
        return 2;
    }
    printf("fork bomb: depth %d, fanout %d\n", depth_limit, fanout);
    int failed = 0;
    int size = grow(0, &failed);
    printf("reaped %d descendants\n", size - 1);
    check(failed == 0, "every fork and wait succeeded");
    check(size == tree_size(), "the whole tree ran");
    check_errno(wait(NULL), ECHILD, "no children left");
    return finish("fork_bomb");
}
