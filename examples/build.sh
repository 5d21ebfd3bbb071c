#!/usr/bin/env bash
# Builds the example programs into examples/build/*.elf and copies the ELFs to
# public/examples/ for the web app. Needs Debian's gcc-riscv64-unknown-elf.
# The built ELFs are committed, so nothing else needs a cross compiler.
# Usage: examples/build.sh [NAME...]   (no names: all of them)
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

only=("$@")
wanted() { # name
  ((${#only[@]} == 0)) && return 0
  local n; for n in "${only[@]}"; do [[ "$n" == "$1" ]] && return 0; done
  return 1
}

build() { # name sources... [-- extra flags]
  local name="$1"; shift
  wanted "$name" || return 0
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
build rtos "$here/rtos.c" "$here/rtos-switch.S"
# Benchmark variants: same sources, about 1e9 instructions (tests/bench uses them); rtos-bench:
# 25,000 timer ticks, about 1.4e8 instructions of system code (traps, CSRs, MMIO).
build compute-bench "$here/compute.c" -- -DBENCH
build memory-bench "$here/memory.c" -- -DBENCH
build rtos-bench "$here/rtos.c" "$here/rtos-switch.S" -- -DRUN_TICKS=25000u

# The ELFs the web app loads (public/examples/index.json lists them with their sources' repository
# paths; keep it in sync by hand).
for name in hello compute memory echo timer traps fib-asm rtos; do
  if wanted "$name"; then cp "$out/$name.elf" "$pub/$name.elf"; fi
done
if wanted echo; then cp "$here/inputs/echo.txt" "$pub/echo.input.txt"; fi
