// Bounded resources: long symbol chains, deep expressions, huge sizes and long statements end in
// correct output or in one clear diagnostic, in linear time and without recursion limits.

import { describe, expect, it } from 'vitest';
import { assemble, type AssembleResult } from '../../../src/asm';
import { work } from '../../../src/asm/expr';
import { MAX_STATEMENT_TOKENS } from '../../../src/asm/lexer';
import { MAX_DIAGNOSTICS } from '../../../src/asm/diagnostics';

const MiB = 1024 * 1024;
const errors = (r: AssembleResult) => r.diagnostics.filter((d) => d.severity === 'error');

/** The 32-bit little-endian words of the data segment (the last segment). */
function dataWords(r: AssembleResult): number[] {
  const seg = r.segments[r.segments.length - 1];
  if (!seg) throw new Error(`no segments: ${JSON.stringify(r.diagnostics.slice(0, 3))}`);
  const out: number[] = [];
  for (let o = 0; o + 4 <= seg.data.length; o += 4) {
    out.push(((seg.data[o] ?? 0) | ((seg.data[o + 1] ?? 0) << 8) | ((seg.data[o + 2] ?? 0) << 16) | ((seg.data[o + 3] ?? 0) << 24)) >>> 0);
  }
  return out;
}

/** Problems no hostile input may cause: an exception escaping, the internal-error safety net. */
function clean(r: AssembleResult): void {
  for (const d of r.diagnostics) {
    expect(d.message).not.toMatch(/internal assembler error|Maximum call stack/);
    expect(d.endColumn).toBeGreaterThan(d.column);
    expect(d.line).toBeGreaterThanOrEqual(1);
  }
}

// Each symbol defined from the next one (forward references) or from the previous one.
const forward = (n: number, root = '0'): string => {
  const l = ['.data', '.word sym0'];
  for (let i = 0; i < n; i++) l.push(`.equ sym${i}, sym${i + 1} + 1`);
  l.push(`.equ sym${n}, ${root}`);
  return l.join('\n');
};
const backward = (n: number, root = '0'): string => {
  const l = [`.equ sym0, ${root}`];
  for (let i = 1; i <= n; i++) l.push(`.equ sym${i}, sym${i - 1} + 1`);
  l.push('.data', `.word sym${n}`);
  return l.join('\n');
};
const withLabel = (src: string): string => `lbl: nop\n${src}`;

function steps(src: string): number {
  work.steps = 0;
  const r = assemble(src);
  expect(errors(r)).toEqual([]);
  return work.steps;
}

describe('symbol chains', () => {
  it('100,000-long chains resolve in both orders, with constant and label roots', () => {
    const n = 100_000;
    for (const src of [forward(n), backward(n)]) {
      const r = assemble(src);
      clean(r);
      expect(errors(r)).toEqual([]);
      expect(dataWords(r)).toEqual([n]);
    }
    const m = 20_000;
    for (const src of [withLabel(forward(m, 'lbl')), withLabel(backward(m, 'lbl'))]) {
      const r = assemble(src);
      expect(errors(r)).toEqual([]);
      expect(dataWords(r)).toEqual([0x80000000 + m]);
    }
  });

  it('costs work linear in the chain length', () => {
    const shapes = [forward, backward, (n: number) => withLabel(forward(n, 'lbl')), (n: number) => withLabel(backward(n, 'lbl'))];
    for (const shape of shapes) {
      const a = steps(shape(2000));
      const b = steps(shape(4000));
      // Quadratic resolution (each symbol re-resolving the chain) would make this ratio ~4.
      expect(b / a).toBeLessThan(2.2);
      expect(b / 4000).toBeLessThan(40);
    }
  });

  it('a definition loop is one error at the first definition, with the loop', () => {
    const r = assemble('  .equ a, b\n  .equ b, a\n  li a0, a\n');
    expect(errors(r)).toEqual([expect.objectContaining({ line: 1, column: 8, endColumn: 9 })]);
    expect(errors(r)[0]?.message).toMatch(/symbol definition loop: a -> b -> a/);
    const self = errors(assemble('x = x + 1\n.data\n.word x\n'));
    expect(self).toEqual([expect.objectContaining({ line: 1, column: 1, message: expect.stringContaining('x -> x') })]);
  });

  it('a 100,000-symbol loop is reported once, its path shortened', () => {
    const n = 100_000;
    const l = ['.data', '.word sym5'];
    for (let i = 0; i < n; i++) l.push(`.equ sym${i}, sym${(i + 1) % n} + 1`);
    const r = assemble(l.join('\n'));
    clean(r);
    expect(errors(r)).toHaveLength(1);
    expect(errors(r)[0]).toMatchObject({ line: 3, column: 6 });
    expect(errors(r)[0]?.message).toMatch(/sym0 -> sym1 -> .*\(100000 symbols\)/);
    expect(errors(r)[0]?.message.length).toBeLessThan(300);
  });

  it('an undefined symbol at the end of a used chain is reported once, where it is written', () => {
    const l = ['.data', '.word sym0', '.word sym0'];
    for (let i = 0; i < 1000; i++) l.push(`.equ sym${i}, sym${i + 1} + 1`);
    const r = assemble(l.join('\n'));
    expect(errors(r)).toEqual([expect.objectContaining({ line: 1003, column: 14, endColumn: 21, message: expect.stringMatching(/undefined symbol 'sym1000' in the value of 'sym999'/) })]);
    // Unused, it is no error (GNU as: no relocation, nothing for ld to resolve).
    expect(errors(assemble('.equ a, b + 1\nnop\n'))).toEqual([]);
  });

  it('a definition is a constant as soon as the last symbol it waits for is', () => {
    // `.space` needs a constant at that point: a, b and c must be known when their last dependency is.
    const r = assemble('.equ K, 1\n.equ a, K + b + c\n.equ b, c * 2\n.equ c, 3\n.data\n.space a\n.byte 0xff\n');
    expect(errors(r)).toEqual([]);
    expect(r.segments[0]?.data.length).toBe(1 + 6 + 3 + 1);
    // One that depends on a label is never a constant, even through another symbol.
    const l = assemble('.equ a, b + 1\n.equ b, lbl\nlbl: nop\n.data\n.space a\n');
    expect(errors(l)).toEqual([expect.objectContaining({ line: 5, message: expect.stringContaining('must be a constant known at this point') })]);
  });

  it('redefinitions keep what earlier expressions referred to (GNU as)', () => {
    // Checked against GNU as 2.40: a forward reference binds the first definition.
    expect(dataWords(assemble('.data\n.word x\n.set x, 1\n.set x, 2\n'))).toEqual([1]);
    expect(dataWords(assemble('.equ a, b + c\n.equ b, 1\n.set b, 10\n.equ c, 1\n.data\n.word a\n'))).toEqual([2]);
    expect(dataWords(assemble('.equ a, b + c\n.equ b, 1\n.equ c, 1\n.set b, 10\n.data\n.word a\n'))).toEqual([2]);
    // `.set x, x + 1` on a label-relative x is x's old value + 1, not a loop.
    expect(dataWords(assemble('lbl: nop\n.set x, lbl\n.set x, x + 1\n.data\n.word x\n'))).toEqual([0x80000001]);
  });
});

describe('deep expressions', () => {
  const word = (expr: string): AssembleResult => assemble(`.data\n.word ${expr}\n`);

  it('10,000 and 400,000 nested parentheses', () => {
    for (const n of [10_000, 400_000]) {
      const r = word(`${'('.repeat(n)}7${')'.repeat(n)}`);
      clean(r);
      expect(dataWords(r)).toEqual([7]);
    }
  });

  it('100,000 unary minus and ~, and long operator chains', () => {
    expect(dataWords(word(`${'-'.repeat(100_001)}5`))).toEqual([(-5) >>> 0]);
    expect(dataWords(word(`${'~'.repeat(100_000)}5`))).toEqual([5]);
    expect(dataWords(word(`${'- ~'.repeat(50_000)}5`))).toEqual([5 + 50_000]); // -~x = x + 1
    expect(dataWords(word(`1${' - 1'.repeat(100_000)}`))).toEqual([(1 - 100_000) >>> 0]);
    expect(dataWords(word(`2${' * 1'.repeat(50_000)} | 1${' << 0'.repeat(50_000)}`))).toEqual([3]);
    // Precedence still holds at depth: 1 + 2 * 3 repeated.
    expect(dataWords(word(Array.from({ length: 20_000 }, () => '1 + 2 * 3').join(' + ')))).toEqual([140_000]);
  });

  it('deep expressions in instruction operands and relocation operators', () => {
    const r = assemble(`addi a0, a0, ${'('.repeat(20_000)}1${')'.repeat(20_000)}\nlui a1, %hi(${'('.repeat(20_000)}lbl${')'.repeat(20_000)})\nlbl: nop\n`);
    clean(r);
    expect(errors(r)).toEqual([]);
    expect(r.sections[0]?.size).toBe(2 + 4 + 2); // c.addi, lui, c.nop
  });

  it('unbalanced deep nesting is a clean error with its column', () => {
    const r = word(`${'('.repeat(100_000)}1`);
    expect(errors(r)).toEqual([expect.objectContaining({ line: 2, message: "missing ')'" })]);
    const r2 = word(`1${')'.repeat(100_000)}`);
    expect(errors(r2)).toEqual([expect.objectContaining({ line: 2, column: 8, message: "unexpected ')' after expression" })]);
  });

  it('a statement longer than the token limit is one error, and the next statement still assembles', () => {
    const n = MAX_STATEMENT_TOKENS + 10;
    const r = assemble(`.data\n.word ${'-'.repeat(n)}1; .word 5\n.word 6\n`);
    clean(r);
    expect(errors(r)).toEqual([expect.objectContaining({ line: 2, message: expect.stringMatching(/statement too long: more than 1,000,000 tokens/) })]);
    expect(dataWords(r)).toEqual([5, 6]);
    // A ';' inside a string or character constant of the dropped statement does not end it.
    const r2 = assemble(`.data\n.word ${'1+'.repeat(n / 2)}";;" ';' 1; .word 7\n`);
    expect(errors(r2)).toHaveLength(1);
    expect(dataWords(r2)).toEqual([7]);
  });
});

describe('image size limit', () => {
  it('64 x .space 0x1000000: one error where the image passes the RAM size, nothing allocated', () => {
    const src = ['.data', ...Array.from({ length: 64 }, () => '  .space 0x1000000')].join('\n');
    const r = assemble(src);
    clean(r);
    expect(errors(r)).toHaveLength(1);
    const e = errors(r)[0];
    expect(e).toMatchObject({ line: 10, column: 3 }); // the 9th .space passes 128 MiB
    expect(e?.message).toContain('1,073,741,824 bytes (1 GiB)');
    expect(e?.message).toContain('134,217,728 bytes (128 MiB)');
    expect(r.segments).toEqual([]);
    expect(r.sections.every((s) => s.data === null)).toBe(true);
    expect(r.listing().length).toBeLessThan(50_000);
  });

  it('the limit is AssembleOptions.ramSize, .bss included, exact at the boundary', () => {
    const ramSize = MiB;
    const fits = assemble('.data\n.word 1\n.bss\n.space 0x100000 - 4\n', { ramSize });
    expect(errors(fits)).toEqual([]);
    expect(fits.segments[0]?.memSize).toBe(MiB);
    const over = assemble('.data\n.word 1\n.bss\n.space 0x100000 - 3\n', { ramSize });
    expect(errors(over)).toEqual([expect.objectContaining({ line: 4, message: expect.stringContaining('1,048,576 bytes (1 MiB)') })]);
  });

  it('bounds every directive that allocates in proportion to an operand', () => {
    const ramSize = MiB;
    const cases: [string, number, number][] = [
      ['.space 0x100001', 1, 8],
      ['.skip 0x100001, 1', 1, 7],
      ['.zero 0x100001', 1, 7],
      ['.fill 0x40001, 4, 1', 1, 7],
      ['.fill 1, 9, 1', 1, 10],
      ['.fill -1, 1, 1', 1, 7],
      ['.space -1', 1, 8],
    ];
    for (const [line, l, col] of cases) {
      const r = assemble(`.data\n${line}\n`, { ramSize });
      clean(r);
      expect(errors(r), line).toEqual([expect.objectContaining({ line: l + 1, column: col })]);
    }
    // Sizes that fit one by one but not together, and alignment padding.
    for (const src of ['.space 0x80000\n.space 0x80000\n.byte 1', '.byte 1\n.balign 0x100000\n.byte 2', '.byte 1\n.p2align 20\n.byte 2', '.byte 1\n.align 31', '.fill 0x20000, 8, -1\n.byte 1']) {
      const r = assemble(`.data\n${src}\n`, { ramSize });
      clean(r);
      expect(errors(r), src).toEqual([expect.objectContaining({ message: expect.stringContaining('more than the RAM size of 1,048,576 bytes (1 MiB)') })]);
    }
    // Alignments that GNU as accepts (up to 2^31) are accepted when the program fits.
    const big = assemble('.data\n.byte 1\n.p2align 20\n.byte 2\n');
    expect(errors(big)).toEqual([]);
    expect(big.sections.find((s) => s.name === '.data')?.size).toBe(MiB + 1);
    expect(errors(assemble('.data\n.p2align 32\n'))).toEqual([expect.objectContaining({ message: expect.stringContaining('0..31') })]);
    expect(errors(assemble('.data\n.balign 0x100000000\n'))).toHaveLength(1);
  });

  it('fills large areas with the right pattern', () => {
    const r = assemble('.data\n.fill 100000, 4, 0x11223344\n.fill 3, 8, -1\n.space 5, 0xab\n', { ramSize: MiB });
    const seg = r.segments[0];
    expect(seg?.data.length).toBe(400_000 + 24 + 5);
    const words = dataWords(r);
    expect(words.slice(0, 100_000).every((w) => w === 0x11223344)).toBe(true);
    expect(words.slice(100_000, 100_006)).toEqual([0xffffffff, 0, 0xffffffff, 0, 0xffffffff, 0]);
    expect([...(seg?.data.subarray(400_024) ?? [])]).toEqual([0xab, 0xab, 0xab, 0xab, 0xab]);
  });

  it('past the end of the 32-bit address space is an error', () => {
    const r = assemble('nop\n.data\n.space 0x100000\n', { textBase: 0xfff00000 });
    expect(errors(r)).toEqual([expect.objectContaining({ line: 3, message: expect.stringContaining('32-bit address space') })]);
  });
});

describe('hostile input in general', () => {
  it('keeps at most MAX_DIAGNOSTICS problems and says how many more there were', () => {
    const r = assemble('bogus\n'.repeat(5000));
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toHaveLength(MAX_DIAGNOSTICS + 1);
    expect(r.diagnostics[MAX_DIAGNOSTICS]).toMatchObject({ severity: 'error', line: MAX_DIAGNOSTICS + 1, message: expect.stringContaining('4000 more not shown') });
  });

  it('shortens messages that quote huge source text', () => {
    const r = assemble(`${'x'.repeat(1_000_000)} a0\n.section "${'s'.repeat(300_000)}"\n`);
    clean(r);
    expect(errors(r)).toHaveLength(2);
    for (const d of r.diagnostics) expect(d.message.length).toBeLessThan(500);
  });

  it('thousands of sections and a large .byte line', () => {
    // More sections than a function call takes arguments (Math.max(...sections) would throw).
    const secs = Array.from({ length: 150_000 }, (_, i) => `.section .data.s${i}\n.byte ${i & 0xff}`).join('\n');
    const r = assemble(secs);
    clean(r);
    expect(errors(r)).toEqual([]);
    expect(r.segments[0]?.data.length).toBe(150_000);
    const line = assemble(`.data\n.byte ${Array.from({ length: 400_000 }, (_, i) => i & 0x7f).join(',')}\n`);
    expect(line.segments[0]?.data.length).toBe(400_000);
    expect(line.segments[0]?.data[399_999]).toBe(399_999 & 0x7f);
    // Listed as its first bytes and its size.
    expect(line.listing().split('\n').length).toBeLessThan(20);
  });
});
