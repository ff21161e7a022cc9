/*
 * execve.  A child execs bin/exec_target.elf with its own argv and envp:
 * the new image sees them, keeps the pid, keeps descriptors except the
 * FD_CLOEXEC ones (set by dup3 and by fcntl), and its exit status is what
 * waitpid reports.  execv passes environ (changed with setenv).  execve of
 * a text file, an empty file and a bare ELF header fails with ENOEXEC, of
 * missing files with ENOENT, and the caller carries on.
 *
 * The target is found by the relative path bin/exec_target.elf: under qemu
 * scripts/check.sh puts a wrapper there that runs the ELF with qemu-riscv32
 * (the host cannot run a RISC-V ELF itself); a uniform kernel's file system
 * holds the ELF itself.  See guest/README.md.
 */
#include <fcntl.h>
#include <uniform.h>
#include "check.h"

#define TARGET "bin/exec_target.elf"
#define KEPT_FD 20
#define CLOEXEC_DUP3_FD 21
#define CLOEXEC_FCNTL_FD 22

static void write_file(const char *name, const void *content, size_t length, mode_t mode)
{
    unlink(name);
    int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, mode);
    if (fd < 0 || write(fd, content, length) != (ssize_t)length || close(fd) != 0)
        die("write_file");
}

static void set_up_descriptors(void)
{
    write_file("inherited.txt", "kept across execve\n", 19, 0644);
    int fd = open("inherited.txt", O_RDONLY | O_CLOEXEC);
    check(fd >= 0, "open inherited.txt with O_CLOEXEC");
    check(dup2(fd, KEPT_FD) == KEPT_FD && fcntl(KEPT_FD, F_GETFD) == 0, "dup2 to fd 20 clears FD_CLOEXEC");
    check(dup3(fd, CLOEXEC_DUP3_FD, O_CLOEXEC) == CLOEXEC_DUP3_FD
          && fcntl(CLOEXEC_DUP3_FD, F_GETFD) == FD_CLOEXEC, "dup3 to fd 21 with O_CLOEXEC");
    check(dup2(fd, CLOEXEC_FCNTL_FD) == CLOEXEC_FCNTL_FD && fcntl(CLOEXEC_FCNTL_FD, F_SETFD, FD_CLOEXEC) == 0
          && fcntl(CLOEXEC_FCNTL_FD, F_GETFD) == FD_CLOEXEC, "fd 22 marked FD_CLOEXEC by fcntl");
    close(fd);
}

static void exec_with_everything(void)
{
    pid_t pid = fork_flushed();
    if (pid == 0) {
        char pid_option[32];
        snprintf(pid_option, sizeof pid_option, "--pid=%d", (int)getpid());
        char *argv[] = { TARGET, "--exit=7", pid_option, "--open=20", "--closed=21", "--closed=22",
                         "--env=GREETING", "--env=EMPTY", "--env=MISSING", "two words", "", NULL };
        char *envp[] = { "GREETING=hello from exec", "EMPTY=", NULL };
        execve(TARGET, argv, envp);
        die("execve " TARGET);
    }
    int status = reap(pid);
    printf("exec'd child: %s\n", describe(status));
    check(WIFEXITED(status) && WEXITSTATUS(status) == 7, "waitpid sees the exec'd program's exit status");
}

static void exec_with_environ(void)
{
    pid_t pid = fork_flushed();
    if (pid == 0) {
        setenv("EXEC_MODE", "execv passes environ", 1);
        char *argv[] = { TARGET, "--env=EXEC_MODE", NULL };
        execv(TARGET, argv);
        die("execv " TARGET);
    }
    int status = reap(pid);
    printf("execv child: %s\n", describe(status));
    check(status == 0, "execv");
}

static void exec_failures(void)
{
    static const char elf_header_only[64] = { 0x7f, 'E', 'L', 'F' };
    write_file("not-elf.txt", "just some text\n", 15, 0755);
    write_file("empty", "", 0, 0755);
    write_file("bad.elf", elf_header_only, sizeof elf_header_only, 0755);
    char *argv[] = { "x", NULL };
    char *envp[] = { NULL };
    check_errno(execve("not-elf.txt", argv, envp), ENOEXEC, "execve of a text file is ENOEXEC");
    check_errno(execve("empty", argv, envp), ENOEXEC, "execve of an empty file is ENOEXEC");
    check_errno(execve("bad.elf", argv, envp), ENOEXEC, "execve of a bare ELF header is ENOEXEC");
    check_errno(execve("bin/no-such-program.elf", argv, envp), ENOENT, "execve of a missing file is ENOENT");
    check_errno(execve("no-such-dir/program.elf", argv, envp), ENOENT, "execve in a missing directory is ENOENT");
    check(1, "the caller continues after failed execve");
    unlink("not-elf.txt");
    unlink("empty");
    unlink("bad.elf");
}

int main(void)
{
    set_up_descriptors();
    exec_with_everything();
    exec_with_environ();
    exec_failures();
    for (int fd = KEPT_FD; fd <= CLOEXEC_FCNTL_FD; fd++)
        close(fd);
    unlink("inherited.txt");
    return finish("exec");
}
