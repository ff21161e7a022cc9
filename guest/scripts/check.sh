#!/bin/bash
# Runs every program listed in expected/manifest under qemu and compares
# exit status (and stdout, for user programs) with the expectations.  User
# programs run in a fresh temporary directory each (some create files in
# their working directory), never in the repository.
# usage: scripts/check.sh ELF_DIR [--regenerate]   (run from guest/)
#   --regenerate rewrites expected/*.out from the current run.
set -uo pipefail

elf_dir=$1
regenerate=${2:-}
ulimit -c 0 # the fault test would otherwise leave qemu core dumps
failures=0

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
            { (cd "$workdir" && timeout 120 qemu-riscv32 "$elf" "${args[@]}" <"$stdin" >"$actual" 2>/dev/null); } 2>/dev/null
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
