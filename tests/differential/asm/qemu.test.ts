// The ELF Rewind's assembler writes runs on QEMU's virt board (qemu-system-riscv32 -M virt -bios none -kernel).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, toElf } from '../../../src/asm';

const QEMU = '/usr/bin/qemu-system-riscv32';
const hasQemu = existsSync(QEMU);
if (!hasQemu && process.env.CI) throw new Error(`${QEMU} missing: the QEMU run of assembled programs must run in CI`);
if (!hasQemu) console.warn('SKIP: qemu-system-riscv32 not installed; assembled ELFs not run on QEMU');

function runOnQemu(source: string): { status: number | null; out: string } {
  const r = assemble(source);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const dir = mkdtempSync(join(tmpdir(), 'rewind-qemu-'));
  const elf = join(dir, 'prog.elf');
  writeFileSync(elf, toElf(r));
  const q = spawnSync(QEMU, ['-M', 'virt', '-bios', 'none', '-nographic', '-monitor', 'none', '-serial', 'stdio', '-kernel', elf],
    { encoding: 'latin1', timeout: 20_000 });
  return { status: q.status, out: q.stdout };
}

describe.skipIf(!hasQemu)('assembled ELF on QEMU virt', () => {
  it('prints through the UART and exits through the test device', () => {
    const { status, out } = runOnQemu(readFileSync(join(__dirname, 'corpus/hello.s'), 'utf8'));
    expect(out).toBe('Hello from Rewind!\n');
    expect(status).toBe(0);
  });

  it('exits with the code written to the test device (compressed code, data and bss)', () => {
    const src = [
      '  .globl _start',
      '_start:',
      '  la a0, table',
      '  li a1, 0',          // sum
      '  li a2, 4',
      '1: lw a3, 0(a0)',
      '  add a1, a1, a3',
      '  addi a0, a0, 4',
      '  addi a2, a2, -1',
      '  bnez a2, 1b',
      '  la a4, result',
      '  sw a1, 0(a4)',
      '  lw a1, 0(a4)',
      '  slli a1, a1, 16',
      '  li a5, 0x3333',
      '  or a1, a1, a5',
      '  li t0, 0x100000',
      '  sw a1, 0(t0)',
      '2: j 2b',
      '  .section .rodata',
      'table: .word 1, 2, 3, 36',
      '  .bss',
      'result: .zero 4',
    ].join('\n');
    const { status } = runOnQemu(src);
    expect(status).toBe(42);
  });
});
