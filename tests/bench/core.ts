// Core speed (MIPS) on hand-encoded guest loops and on examples/build/compute-bench.elf,
// with the basic-block translator (the default) and with the interpreter alone.
import { existsSync, readFileSync } from 'node:fs';
import { Machine, RAM_BASE } from '../../src/core';
import { readElf } from '../../src/elf';
import {
  add, addi, and, assemble, bne, jal, li, lw, mul, slli, srli, sub, sw, xor, cAddi, cAdd, cBnez, type Insn,
} from '../unit/core/enc';

function machineWith(code: Insn[], translate: boolean): Machine {
  const m = new Machine({ translate });
  const bytes = assemble(code);
  m.load({ entry: RAM_BASE, segments: [{ addr: RAM_BASE, data: bytes, memSize: bytes.length }] });
  return m;
}

/** MIPS by wall clock and by this process's CPU time (the machine is shared; CPU time is steadier). */
function measure(m: Machine, insns: number): { wall: number; cpu: number } {
  m.run(m.icount + Math.min(insns / 10, 2_000_000));   // warm up (JIT)
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = m.run(m.icount + insns);
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (r.kind !== 'limit') throw new Error(`bench stopped early: ${JSON.stringify(r)}`);
  return { wall: insns / ms / 1000, cpu: insns / ((c.user + c.system) / 1000) / 1000 };
}

/** Compute loop: ALU ops, a multiply, compressed ops, a taken branch (never finishes). */
export function computeLoop(): Insn[] {
  return [
    ...li(5, 0x7fffffff), addi(10, 0, 1), addi(11, 0, 3),
    // loop:
    add(10, 10, 5), xor(11, 11, 10), slli(12, 11, 3), sub(13, 12, 10), mul(14, 13, 11), srli(15, 14, 7),
    and(16, 15, 10), cAddi(11, 1), cAdd(10, 16), addi(5, 5, -1),
    bne(5, 0, -(4 * 8 + 2 * 2)),
    jal(0, 0),
  ];
}

/** Memory loop: sums and rewrites a 64 KiB buffer word by word, forever. */
export function memoryLoop(): Insn[] {
  return [
    ...li(8, RAM_BASE + 0x10000),   // s0 = buffer
    // outer:
    addi(9, 8, 0), ...li(6, 16384),
    // inner:
    lw(7, 9, 0), add(10, 10, 7), addi(7, 7, 1), sw(7, 9, 0), lw(12, 9, 4), xor(10, 10, 12), addi(9, 9, 4), cAddi(6, -1),
    cBnez(6, -(4 * 7 + 2)),
    jal(0, -(4 * 3 + 4 * 7 + 2 + 2)),
  ];
}

/** Runs an ELF to its exit; MIPS by CPU time. */
function measureElf(path: string, translate: boolean): { cpu: number; icount: number } {
  const m = new Machine({ translate });
  m.load(readElf(readFileSync(path)));
  const c0 = process.cpuUsage();
  let r;
  do r = m.run(m.icount + 50_000_000); while (r.kind === 'limit');
  const c = process.cpuUsage(c0);
  if (r.kind !== 'exit') throw new Error(`${path} stopped with ${JSON.stringify(r)}`);
  return { cpu: m.icount / ((c.user + c.system) / 1000) / 1000, icount: m.icount };
}

export function benchCore(): { name: string; value: number; unit: string }[] {
  const out: { name: string; value: number; unit: string }[] = [];
  for (const translate of [false, true]) {   // interpreter first: its JIT state is then not shaped by the blocks
    const mode = translate ? 'translator' : 'interpreter only';
    const n = translate ? 1_000_000_000 : 300_000_000;
    const c = measure(machineWith(computeLoop(), translate), n);
    const mem = measure(machineWith(memoryLoop(), translate), n);
    out.push(
      { name: `compute loop, ${mode} (wall clock)`, value: c.wall, unit: 'MIPS' },
      { name: `compute loop, ${mode} (CPU time)`, value: c.cpu, unit: 'MIPS' },
      { name: `memory loop, lw/sw, ${mode} (wall clock)`, value: mem.wall, unit: 'MIPS' },
      { name: `memory loop, lw/sw, ${mode} (CPU time)`, value: mem.cpu, unit: 'MIPS' },
    );
    const elf = 'examples/build/compute-bench.elf';
    if (existsSync(elf)) out.push({ name: `compute-bench.elf, ${mode} (CPU time)`, value: measureElf(elf, translate).cpu, unit: 'MIPS' });
    // System code: timer ticks, traps, CSR instructions every ~45 instructions.
    const rtos = 'examples/build/rtos-bench.elf';
    if (existsSync(rtos)) out.push({ name: `rtos-bench.elf, ${mode} (CPU time)`, value: measureElf(rtos, translate).cpu, unit: 'MIPS' });
  }
  return out;
}

if (process.argv[1]?.endsWith('core.ts')) {
  for (const r of benchCore()) console.log(`${r.name}: ${r.value.toFixed(1)} ${r.unit}`);
}
