#!/usr/bin/env bash
# Builds the example programs into examples/build/*.elf and copies the ELFs to
# public/examples/ for the web app. Needs Debian's gcc-riscv64-unknown-elf.
# The built ELFs are committed, so nothing else needs a cross compiler.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/build"
pub="$root/public/examples"
CC="${CC:-riscv64-unknown-elf-gcc}"
CFLAGS=(-march=rv32imac_zicsr -mabi=ilp32 -O2 -nostdlib -ffreestanding -static
  -fno-tree-loop-distribute-patterns -fno-pic -g -Wall -Wextra -I"$here/runtime")
LDFLAGS=(-T "$here/runtime/link.ld" -Wl,--build-id=none -Wl,--no-warn-rwx-segments -lgcc)
RUNTIME=("$here/runtime/crt0.S" "$here/runtime/rt.c")

mkdir -p "$out" "$pub"

build() { # name sources... [-- extra flags]
  local name="$1"; shift
  local srcs=() extra=()
  while (($#)); do
    if [[ "$1" == "--" ]]; then shift; extra=("$@"); break; fi
    srcs+=("$1"); shift
  done
  "$CC" "${CFLAGS[@]}" "${extra[@]}" -o "$out/$name.elf" "${RUNTIME[@]}" "${srcs[@]}" "${LDFLAGS[@]}"
  echo "built $out/$name.elf"
}

build hello "$here/hello.c"
build compute "$here/compute.c"
build memory "$here/memory.c"
build echo "$here/echo.c"
build timer "$here/timer.c"
build traps "$here/traps.c"
build fib-asm "$here/fib.S"
# Benchmark variants: same sources, about 1e9 instructions (tests/bench uses them).
build compute-bench "$here/compute.c" -- -DBENCH
build memory-bench "$here/memory.c" -- -DBENCH

# The ELFs the web app loads (public/examples/index.json lists them with their sources' repository
# paths; keep it in sync by hand).
for name in hello compute memory echo timer traps fib-asm; do
  cp "$out/$name.elf" "$pub/$name.elf"
done
cp "$here/inputs/echo.txt" "$pub/echo.input.txt"
