#!/bin/bash
# Runs every program listed in expected/manifest under qemu and compares
# exit status (and stdout, for user programs) with the expectations.  User
# programs run in a fresh temporary directory each (some create files in
# their working directory), never in the repository.  That directory holds
# bin/NAME.elf for every ELF of ELF_DIR/posix: a shell wrapper that runs the
# ELF under qemu-riscv32, so that a guest execve("bin/NAME.elf") works (the
# host kernel cannot run a RISC-V ELF without binfmt_misc; qemu-riscv32
# hands execve to it).  A uniform kernel's file system holds the ELFs
# themselves at the same paths.
# usage: scripts/check.sh ELF_DIR [--regenerate]   (run from guest/)
#   --regenerate rewrites expected/*.out from the current run.
set -uo pipefail

elf_dir=$1
regenerate=${2:-}
ulimit -c 0 # the fault test would otherwise leave qemu core dumps
failures=0
qemu=$(command -v qemu-riscv32)

# Writes DIR/bin/NAME.elf for every ELF_DIR/posix/NAME.elf.  qemu's -0 sets
# the guest's argv[0] to the path the wrapper was run by ($0).
make_exec_wrappers() {
    mkdir -p "$1/bin"
    for target in "$elf_dir"/posix/*.elf; do
        [ -e "$target" ] || continue
        printf '#!/bin/sh\nexec %s -0 "$0" %s "$@"\n' "$qemu" "$(realpath "$target")" \
            >"$1/bin/$(basename "$target")"
        chmod +x "$1/bin/$(basename "$target")"
    done
}

while read -r program status stdin args_text; do
    case $program in ''|'#'*) continue ;; esac
    eval "args=($args_text)" # the manifest quotes arguments shell-style
    [ "$stdin" = - ] && stdin=/dev/null
    stdin=$(realpath "$stdin")
    elf=$(realpath "$elf_dir/$program")
    golden=expected/${program%.elf}.out
    actual=$(mktemp)
    case $program in
        bare/*)
            timeout 30 qemu-system-riscv32 -machine spike -nographic -bios none \
                -kernel "$elf" <"$stdin" >"$actual" 2>&1
            ;;
        *)
            # A subshell, so a signal death is reported as 128 + signal;
            # the outer redirection hides bash's "Segmentation fault" notice.
            workdir=$(mktemp -d)
            make_exec_wrappers "$workdir"
            { (cd "$workdir" && timeout 120 "$qemu" "$elf" "${args[@]}" <"$stdin" >"$actual" 2>/dev/null); } 2>/dev/null
            ;;
    esac
    got=$?
    [ "${program%%/*}" = bare ] || rm -rf "$workdir"
    verdict=pass
    [ "$got" -eq "$status" ] || verdict="FAIL (status $got, expected $status)"
    if [ "${program%%/*}" != bare ]; then
        if [ "$regenerate" = --regenerate ]; then
            mkdir -p "$(dirname "$golden")" && cp "$actual" "$golden"
        elif ! cmp -s "$actual" "$golden"; then
            verdict="FAIL (stdout differs from $golden)"
        fi
    fi
    rm -f "$actual"
    printf '%-32s %s\n' "$program" "$verdict"
    [ "$verdict" = pass ] || failures=$((failures + 1))
done <expected/manifest

if [ $failures -ne 0 ]; then
    echo "check: $failures program(s) failed"
    exit 1
fi
echo "check: all programs passed"
