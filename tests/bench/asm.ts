// Assembler and disassembler benchmarks (called by tests/bench/run.ts).

import { performance } from 'node:perf_hooks';
import { assemble } from '../../src/asm';
import { Disassembler } from '../../src/isa';

/** A realistic 10,000-line program: functions with loops, branches, calls, pseudo-instructions and data. */
export function benchSource(lines = 10_000): string {
  const out: string[] = ['\t.text', '\t.globl _start', '_start:'];
  let f = 0;
  while (out.length < lines - 40) {
    out.push(`func${f}:`, '\taddi sp, sp, -16', '\tsw ra, 12(sp)', '\tsw s0, 8(sp)', '\tli s0, 0x12345678',
      `1:\tlw a0, %lo(data${f % 50})(s0)`, '\taddi a0, a0, 1', '\tandi a1, a0, 0xff', '\tslli a2, a1, 3', '\tadd a3, a2, s0',
      '\tbeqz a0, 2f', '\tmul a4, a3, a2', '\tcsrr t0, mcycle', `\tbltu a4, t0, 1b`, `\tla t1, data${f % 50}`,
      '\tsw a4, 0(t1)', `2:\tcall func${Math.max(0, f - 1)}`, '\tlw ra, 12(sp)', '\tlw s0, 8(sp)', '\taddi sp, sp, 16', '\tret');
    f++;
  }
  out.push('\t.data');
  for (let d = 0; d < 50; d++) out.push(`data${d}:`, `\t.word ${d}, data${d}`);
  while (out.length < lines) out.push('\t.byte 0');
  return out.join('\n') + '\n';
}

/** `.equ s0, s1 + 1` ... `.equ sN, 0`: every symbol defined from the next one (forward references). */
export function chainSource(n: number): string {
  const out = ['\t.data', '\t.word s0'];
  for (let i = 0; i < n; i++) out.push(`\t.equ s${i}, s${i + 1} + 1`);
  out.push(`\t.equ s${n}, 0`);
  return out.join('\n') + '\n';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

export function benchAssembler(): { name: string; value: number; unit: string }[] {
  const src = benchSource(10_000);
  const t0 = performance.now();
  const cold = assemble(src);
  const coldMs = performance.now() - t0;
  if (!cold.ok) throw new Error(`benchmark source has errors: ${cold.diagnostics[0]?.message}`);
  for (let i = 0; i < 4; i++) assemble(src); // warm up the JIT
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 9; i++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    assemble(src);
    wall.push(performance.now() - w0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const bytes = cold.segments.reduce((n, s) => n + s.data.length, 0);
  const text = cold.segments[0];
  const d = new Disassembler({ symbolize: () => undefined });
  let n = 0;
  const d0 = performance.now();
  if (text) {
    for (let rep = 0; rep < 5; rep++) {
      for (let o = 0; o + 4 <= text.data.length;) {
        const w = (text.data[o] ?? 0) | ((text.data[o + 1] ?? 0) << 8) | ((text.data[o + 2] ?? 0) << 16) | ((text.data[o + 3] ?? 0) << 24);
        d.disassemble(w, text.addr + o);
        o += (w & 3) === 3 ? 4 : 2;
        n++;
      }
    }
  }
  const disMs = performance.now() - d0;
  const chain = chainSource(100_000);
  const c0 = performance.now();
  const chained = assemble(chain);
  const chainMs = performance.now() - c0;
  if (!chained.ok) throw new Error(`chain source has errors: ${chained.diagnostics[0]?.message}`);
  return [
    { name: 'assemble 10,000 lines (median of 9, warm)', value: median(wall), unit: 'ms' },
    { name: '  CPU time (median)', value: median(cpu), unit: 'ms' },
    { name: '  first run (cold JIT)', value: coldMs, unit: 'ms' },
    { name: '  output bytes', value: bytes, unit: 'B' },
    { name: '100,000-symbol forward .equ chain', value: chainMs, unit: 'ms' },
    { name: 'disassemble', value: n / disMs / 1000, unit: 'M instructions/s' },
  ];
}

// `npx tsx tests/bench/asm.ts` prints the figures.
if (process.argv[1]?.endsWith('bench/asm.ts')) {
  for (const f of benchAssembler()) console.log(`${f.name.padEnd(40)} ${f.value.toFixed(2)} ${f.unit}`);
}
