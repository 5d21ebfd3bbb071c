// Differential test of hostile but valid programs: long symbol chains (both orders, forward
// references), deep expressions, large alignments and sizes, symbol redefinitions. Where GNU as
// accepts them, Rewind's sections must hold GNU's bytes; where GNU as rejects them, so does Rewind.

import { describe, expect, it } from 'vitest';
import { assemble } from '../../../src/asm';
import { gnuAvailable, gnuBuild } from './gnu';

const hasGnu = gnuAvailable();
const OUT = ['.text', '.rodata', '.data', '.sdata', '.sbss', '.bss'];

/**
 * GNU's output sections as [name, address, size, bytes (hex; empty for NOBITS)], and Rewind's
 * (as in assembler.test.ts, the sections GNU's ELF has: Rewind may keep an empty .bss's padding).
 */
function compare(source: string, name: string): void {
  const gnu = gnuBuild(source, name);
  expect(gnu.ok, gnu.stderr).toBe(true);
  const mine = assemble(source);
  expect(mine.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const theirs = (gnu.elf?.sections ?? []).filter((s) => OUT.includes(s.name) && s.size > 0)
    .map((s) => [s.name, s.addr.toString(16), s.size, s.type === 8 ? '' : Buffer.from(s.data).toString('hex')]);
  const ours = OUT.filter((out) => theirs.some((t) => t[0] === out)).flatMap((out) => {
    const parts = mine.sections.filter((s) => `.${s.kind}` === out && s.size > 0);
    if (parts.length === 0) return [];
    const start = Math.min(...parts.map((p) => p.addr));
    const end = Math.max(...parts.map((p) => p.addr + p.size));
    const nobits = out === '.bss' || out === '.sbss';
    const bytes = new Uint8Array(nobits ? 0 : end - start);
    if (!nobits) for (const p of parts) if (p.data) bytes.set(p.data, p.addr - start);
    return [[out, start.toString(16), end - start, Buffer.from(bytes).toString('hex')]];
  });
  expect(ours).toEqual(theirs);
}

const chain = (n: number, forward: boolean, root: string): string => {
  const l = ['lbl: nop', '.data', `.word s${forward ? 0 : n}`];
  const defs: string[] = [];
  for (let i = 0; i < n; i++) defs.push(forward ? `.equ s${i}, s${i + 1} + 1` : `.equ s${i + 1}, s${i} + 1`);
  return [...l, ...(forward ? [...defs, `.equ s${n}, ${root}`] : [`.equ s0, ${root}`, ...defs])].join('\n');
};

describe.skipIf(!hasGnu)('hostile but valid programs: same bytes as GNU as + ld', () => {
  it('3,000-long .equ chains, forward and backward, constant and label roots', () => {
    for (const forward of [true, false]) {
      for (const root of ['5', 'lbl']) compare(chain(3000, forward, root), `chain_${forward}_${root}`);
    }
  });

  it('deep expressions: 10,000 parentheses, 20,000 unary operators, long operator chains', () => {
    compare(`.data\n.word ${'('.repeat(10_000)}7${')'.repeat(10_000)}\n`, 'parens');
    compare(`.data\n.word ${'-'.repeat(20_001)}7, ${'~'.repeat(20_001)}7, ${'-~'.repeat(10_000)}7\n`, 'unary');
    compare(`.data\n.word 1${' + 3 * 2 - 1'.repeat(10_000)}, 0x7fff${' << 1 >> 1'.repeat(5_000)}\n`, 'ops');
    compare(`addi a0, a0, ${'('.repeat(5_000)}-3${')'.repeat(5_000)}\nlui a1, %hi(${'('.repeat(5_000)}lbl${')'.repeat(5_000)})\nlbl: nop\n`, 'operands');
  });

  it('alignments up to 1 MiB and large .bss', () => {
    compare('.data\n.byte 1\n.p2align 20\n.byte 2\n.balign 0x40000\n.byte 3\n', 'align');
    compare('.text\nnop\n.p2align 16\nnop\n.bss\n.space 0x7000000\n', 'bss');
  });

  it('redefinitions bind what earlier expressions referred to', () => {
    compare('.data\n.word x\n.set x, 1\n.set x, 2\n.word x\n', 'redef_forward');
    compare('.equ a, b + c\n.equ b, 1\n.set b, 10\n.equ c, 1\n.data\n.word a, b\n', 'redef_pending');
    compare('lbl: nop\n.set x, lbl\n.set x, x + 1\n.data\n.word x\n', 'redef_self');
  });

  it('definition loops: both reject', () => {
    for (const [i, src] of ['.equ a, b\n.equ b, a\n.data\n.word a\n', 'x = x + 1\n.data\n.word x\n'].entries()) {
      expect(gnuBuild(src, `loop${i}`).ok).toBe(false);
      expect(assemble(src).diagnostics).toEqual([expect.objectContaining({ severity: 'error', line: 1, message: expect.stringContaining('symbol definition loop') })]);
    }
  });
});
