#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real (GNU as/objdump, QEMU, gdb, Chromium)
# when they are missing. As root it installs them with apt-get; otherwise it says what to install.
set -euo pipefail

declare -A need=(
  [riscv64-unknown-elf-as]=binutils-riscv64-unknown-elf
  [riscv64-unknown-elf-gcc]=gcc-riscv64-unknown-elf
  [qemu-system-riscv32]=qemu-system-misc
  [qemu-img]=qemu-utils
  [gdb-multiarch]=gdb-multiarch
  [chromium]=chromium
)
missing=()
for cmd in "${!need[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "ensure-tools: installing ${missing[*]}" >&2
if [ "$(id -u)" = 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q "${missing[@]}" >&2
elif command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -q >&2
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
else
  echo "ensure-tools: please install these Debian packages: ${missing[*]}" >&2
  exit 1
fi
