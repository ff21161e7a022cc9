#!/bin/bash
# Rebuilds everything into a temporary directory and compares it byte for
# byte with the committed ELFs in elf/.  usage: scripts/verify.sh (from guest/)
set -uo pipefail

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if ! make -s -j"$(nproc)" OUT="$scratch/elf" BUILD="$scratch/build" all >"$scratch/log" 2>&1; then
    cat "$scratch/log"
    echo "verify: rebuild failed"
    exit 1
fi

differ=0
for built in $(cd "$scratch/elf" && find . -name '*.elf' | sort); do
    if ! cmp -s "$scratch/elf/$built" "elf/$built"; then
        echo "differs: elf/${built#./}"
        differ=1
    fi
done
for committed in $(cd elf && find . -name '*.elf' | sort); do
    [ -e "$scratch/elf/$committed" ] || { echo "stale: elf/${committed#./} has no source"; differ=1; }
done
[ $differ -eq 0 ] && echo "verify: committed ELFs match a fresh build"
exit $differ
