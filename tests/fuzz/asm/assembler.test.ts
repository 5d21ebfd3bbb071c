// Fuzz test: random, mutated and hostile sources (long symbol chains, deep nesting, huge sizes)
// never make the assembler throw, every diagnostic is well-formed, no statement hits the
// internal-error safety net, the work done stays linear in the source size and the image stays
// within the RAM size. Where the answer is known, the output is checked. Deterministic (seeded).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, type AssembleOptions, type AssembleResult } from '../../../src/asm';
import { work } from '../../../src/asm/expr';
import { decode, disassemble, DIRECTIVES, MNEMONICS, PSEUDO_INSTRUCTIONS, REGISTER_NAMES } from '../../../src/isa';

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s;
  };
}

const VOCAB = [
  ...MNEMONICS, ...PSEUDO_INSTRUCTIONS, ...DIRECTIVES, ...REGISTER_NAMES,
  ',', ',', ',', '(', ')', ':', ';', '+', '-', '*', '/', '%', '<<', '>>', '|', '&', '^', '~', '!', '=', '.',
  '0', '1', '-1', '4', '31', '32', '2047', '2048', '-2048', '0x80000000', '0xffffffff', '0x7ff', '4096', '99999999999',
  '1b', '1f', '2b', '1:', '2:', 'lbl', 'lbl:', '_start', '_start:', 'undefined', '"str"', '"unterminated', "'c'", "'",
  '%hi(lbl)', '%lo(lbl)', '%pcrel_hi(lbl)', '%pcrel_lo(1b)', '%bad(', '#', '//', '/*', '*/', 'mstatus', 'cycle', 'rw', 'iorw',
  '.text', '.data', '.bss', '.rodata', '.option', 'rvc', 'norvc', 'push', 'pop', '\t', '\\', '@', '$', '[', ']',
];

function randomSource(next: () => number): string {
  const lines: string[] = [];
  const n = 1 + (next() % 30);
  for (let i = 0; i < n; i++) {
    const words: string[] = [];
    const m = next() % 8;
    for (let k = 0; k < m; k++) words.push(VOCAB[next() % VOCAB.length] as string);
    lines.push(words.join(next() % 3 === 0 ? '' : ' '));
  }
  return lines.join('\n');
}

function mutate(src: string, next: () => number): string {
  let s = src;
  const edits = 1 + (next() % 6);
  for (let k = 0; k < edits; k++) {
    const at = s.length === 0 ? 0 : next() % s.length;
    switch (next() % 6) {
      case 0: s = s.slice(0, at) + s.slice(at + 1 + (next() % 8)); break;                 // delete
      case 1: s = s.slice(0, at) + (VOCAB[next() % VOCAB.length] as string) + s.slice(at); break; // insert token
      case 2: s = s.slice(0, at) + String.fromCharCode(next() % 128) + s.slice(at + 1); break; // replace char
      case 3: { const lines = s.split('\n'); const i = next() % lines.length; lines.splice(next() % lines.length, 0, lines[i] ?? ''); s = lines.join('\n'); break; }
      case 4: { const lines = s.split('\n'); lines.splice(next() % lines.length, 1); s = lines.join('\n'); break; }
      default: s = s.slice(0, at) + s.slice(at).replace(/[0-9]+/, String(next() % 70000 - 5000));
    }
  }
  return s;
}

/**
 * Expression and symbol work allowed per source character: a deep operand costs up to ~8 (each
 * form tried evaluates it); quadratic work would be n times more.
 */
const STEPS_PER_CHAR = 16;

const shown = (src: string): string => (src.length > 2000 ? `${src.slice(0, 1000)}\n...\n${src.slice(-500)}` : src);

/** Problems with one source (empty when fine). */
function check(src: string, options: AssembleOptions = {}, onResult?: (r: AssembleResult) => string[]): string[] {
  const problems: string[] = [];
  let r: ReturnType<typeof assemble> | undefined;
  work.steps = 0;
  try {
    r = assemble(src, options);
    if (r.ok) r.listing();
  } catch (err) {
    return [`threw ${String(err)} on:\n${shown(src)}`];
  }
  if (work.steps > STEPS_PER_CHAR * src.length + 1000) problems.push(`${work.steps} steps for ${src.length} characters on:\n${shown(src)}`);
  const limit = options.ramSize ?? 128 * 1024 * 1024;
  const bytes = r.segments.reduce((n, g) => n + g.data.length, 0);
  if (bytes > limit) problems.push(`image of ${bytes} bytes over the ${limit}-byte limit on:\n${shown(src)}`);
  const lines = src.split(/\r?\n/).length;
  for (const d of r.diagnostics) {
    if (/internal assembler error/.test(d.message)) problems.push(`${d.message} on:\n${src}`);
    if (!(d.line >= 1 && d.line <= lines)) problems.push(`line ${d.line} of ${lines}: ${d.message}`);
    if (!(d.column >= 1 && d.endColumn > d.column)) problems.push(`columns ${d.column}..${d.endColumn}: ${d.message}`);
    if (d.message.length < 10) problems.push(`terse message '${d.message}'`);
    if (d.message.length > 500) problems.push(`long message '${d.message.slice(0, 100)}...'`);
  }
  if (onResult) for (const p of onResult(r)) problems.push(`${p} on:\n${shown(src)}`);
  return problems;
}

/** The 32-bit words of the last segment (the data segment in these programs). */
function words(r: AssembleResult): number[] {
  const seg = r.segments[r.segments.length - 1];
  const out: number[] = [];
  if (!seg) return out;
  const dv = new DataView(seg.data.buffer, seg.data.byteOffset, seg.data.byteLength);
  for (let o = 0; o + 4 <= seg.data.length; o += 4) out.push(dv.getUint32(o, true));
  return out;
}

/**
 * A random symbol graph: each symbol defined from one other symbol (+ a constant), a constant,
 * the label `lbl`, or nothing (undefined); in random order, so most references are forward.
 * Returns the source and, from a separate simple resolver, each used symbol's expected word or
 * the kind of error expected.
 */
function symbolGraph(next: () => number): { src: string; expect: 'loop' | 'undefined' | number[] } {
  const n = 1 + (next() % 10000);
  const dep: number[] = [];
  const add: number[] = [];
  const root: ('const' | 'label' | 'none' | 'sym')[] = [];
  const chainy = next() % 2 === 0; // long chains (i -> i±1) or random links
  const down = next() % 2 === 0;
  for (let i = 0; i < n; i++) {
    const r = next() % 1000;
    root.push(r < 3 ? 'const' : r < 5 ? 'label' : r < 6 && next() % 4 === 0 ? 'none' : 'sym');
    dep.push(chainy ? (down ? i + 1 : i - 1) : next() % n);
    add.push((next() % 200) - 100);
  }
  // Chain ends are roots.
  root[down ? n - 1 : 0] = next() % 3 === 0 ? 'label' : 'const';
  const used = Array.from({ length: 1 + (next() % 5) }, () => next() % n);
  // Expected values, resolved iteratively (an independent, simple walk along the links).
  const value = new Map<number, number | 'loop' | 'undefined'>();
  const resolve = (start: number): number | 'loop' | 'undefined' => {
    const path: number[] = [];
    const onPath = new Set<number>();
    let x = start;
    let result: number | 'loop' | 'undefined';
    for (;;) {
      const known = value.get(x);
      if (known !== undefined) { result = known; break; }
      if (onPath.has(x)) { result = 'loop'; break; }
      const kind = root[x];
      if (kind === 'const') { result = add[x] as number; value.set(x, result); break; }
      if (kind === 'label') { result = (0x80000000 + (add[x] as number)) >>> 0; value.set(x, result); break; }
      if (kind === 'none') { result = 'undefined'; break; }
      onPath.add(x);
      path.push(x);
      x = dep[x] as number;
    }
    for (let k = path.length - 1; k >= 0; k--) {
      const p = path[k] as number;
      if (typeof result === 'number') result = (result + (add[p] as number)) >>> 0;
      value.set(p, result);
    }
    return value.get(start) ?? result;
  };
  const results = used.map(resolve);
  const order = Array.from({ length: n }, (_, i) => i);
  if (!chainy) for (let i = n - 1; i > 0; i--) { const j = next() % (i + 1); [order[i], order[j]] = [order[j] as number, order[i] as number]; }
  const lines = ['lbl:', '  nop', '  .data', ...used.map((u) => `  .word s${u}`)];
  for (const i of order) {
    const a = add[i] as number;
    if (root[i] === 'const') lines.push(`  .equ s${i}, ${a}`);
    else if (root[i] === 'label') lines.push(`  .set s${i}, lbl + ${a}`);
    else if (root[i] === 'sym') lines.push(`  s${i} = s${dep[i]} + ${a}`);
  }
  // Any loop in the graph is an error (used or not), as in GNU as.
  const anyLoop = Array.from({ length: n }, (_, i) => i).some((i) => resolve(i) === 'loop');
  const expect = anyLoop ? 'loop' : results.includes('undefined') ? 'undefined' : results as number[];
  return { src: lines.join('\n'), expect };
}

/** A random expression of + - * & | ^ ~ unary minus and parentheses, with its value mod 2^32 (BigInt). */
function deepExpression(next: () => number, budget: number): { text: string; value: bigint } {
  const M = 1n << 32n;
  const mod = (v: bigint): bigint => ((v % M) + M) % M;
  // Built bottom-up with an explicit stack: a sequence of random moves.
  const stack: { text: string; value: bigint }[] = [];
  for (let i = 0; i < budget; i++) {
    const r = next() % 10;
    if (stack.length < 2 || r < 3) {
      const v = BigInt(next() % 1000);
      stack.push({ text: String(v), value: v });
    } else if (r < 5) {
      const a = stack.pop() as { text: string; value: bigint };
      const k = next() % 3;
      stack.push(k === 0 ? { text: `-${a.text}`, value: mod(-a.value) } : k === 1 ? { text: `~${a.text}`, value: mod(-a.value - 1n) } : { text: `(${a.text})`, value: a.value });
    } else {
      const b = stack.pop() as { text: string; value: bigint };
      const a = stack.pop() as { text: string; value: bigint };
      // Parenthesized so the value does not depend on precedence (checked elsewhere).
      const ops: [string, (x: bigint, y: bigint) => bigint][] = [['+', (x, y) => x + y], ['-', (x, y) => x - y], ['*', (x, y) => x * y],
        ['&', (x, y) => x & y], ['|', (x, y) => x | y], ['^', (x, y) => x ^ y]];
      const [op, f] = ops[next() % ops.length] as [string, (x: bigint, y: bigint) => bigint];
      stack.push({ text: `(${a.text} ${op} ${b.text})`, value: mod(f(a.value, b.value)) });
    }
  }
  while (stack.length > 1) {
    const b = stack.pop() as { text: string; value: bigint };
    const a = stack.pop() as { text: string; value: bigint };
    stack.push({ text: `(${a.text} + ${b.text})`, value: mod(a.value + b.value) });
  }
  return stack[0] ?? { text: '0', value: 0n };
}

/** Directives that allocate in proportion to an operand, with hostile operands. */
function hugeSizes(next: () => number): string {
  const hostile = ['-1', '0x1000000', '0x7fffffff', '0x80000000', '0xffffffff', '0x100000000', '1 << 31', '99999999999999999999',
    '-0x80000000', '4096 * 4096', '(1 << 20) + 1'];
  const size = (): string => (next() % 4 === 0 ? hostile[next() % hostile.length] as string : String(next() % (next() % 2 ? 64 : 0x4000)));
  const lines: string[] = [];
  const n = 1 + (next() % 70);
  for (let i = 0; i < n; i++) {
    let line: string;
    switch (next() % 12) {
      case 0: line = `.space ${size()}`; break;
      case 1: line = `.skip ${size()}, ${next() % 256}`; break;
      case 2: line = `.zero ${size()}`; break;
      case 3: line = `.fill ${size()}, ${next() % 10}, ${size()}`; break;
      case 4: line = `.balign ${next() % 3 === 0 ? size() : 2 ** (next() % 32)}`; break;
      case 5: line = `.p2align ${next() % 40}${next() % 2 ? `, 0, ${size()}` : ''}`; break;
      case 6: line = `.align ${next() % 40}`; break;
      case 7: line = ['.text', '.data', '.bss', '.section .rodata', '.section .sbss'][next() % 5] as string; break;
      case 8: line = `.byte ${next() % 256}`; break;
      case 9: line = 'nop'; break;
      case 10: line = `.word l${next() % n}`; break;
      default: line = `beqz a0, l${next() % n}`;
    }
    lines.push(`l${i}: ${line}`);
  }
  return lines.join('\n');
}

describe('assembler fuzz', () => {
  it('random token soup', () => {
    const next = xorshift(0xfeed);
    const problems: string[] = [];
    for (let i = 0; i < 1000; i++) problems.push(...check(randomSource(next)));
    expect(problems.slice(0, 5)).toEqual([]);
  });

  it('mutated corpus programs', () => {
    const dir = join(__dirname, '../../differential/asm/corpus');
    const corpus = readdirSync(dir).filter((f) => f.endsWith('.s')).map((f) => readFileSync(join(dir, f), 'utf8'));
    const next = xorshift(0xbeef);
    const problems: string[] = [];
    for (let i = 0; i < 200; i++) problems.push(...check(mutate(corpus[i % corpus.length] as string, next)));
    expect(problems.slice(0, 5)).toEqual([]);
  });

  it('hostile symbol graphs: chains up to 10,000 long, loops, undefined ends, any order', () => {
    const next = xorshift(0x5eed);
    const problems: string[] = [];
    for (let i = 0; i < 30; i++) {
      const { src, expect: want } = symbolGraph(next);
      problems.push(...check(src, {}, (r) => {
        const errs = r.diagnostics.filter((d) => d.severity === 'error');
        if (want === 'loop') return errs.some((d) => /symbol definition loop/.test(d.message)) ? [] : [`no loop error (${errs[0]?.message})`];
        if (want === 'undefined') return errs.some((d) => /undefined symbol/.test(d.message)) ? [] : [`no undefined-symbol error (${errs[0]?.message})`];
        if (errs.length > 0) return [`unexpected error ${errs[0]?.line}: ${errs[0]?.message}`];
        const got = words(r);
        return got.join() === want.join() ? [] : [`words ${got.join()} instead of ${want.join()}`];
      }));
    }
    expect(problems.slice(0, 3)).toEqual([]);
  });

  it('deep random expressions (up to 100,000 operations) evaluate exactly', () => {
    const next = xorshift(0xdee9);
    const problems: string[] = [];
    for (let i = 0; i < 30; i++) {
      const { text, value } = deepExpression(next, 1 + (next() % (i < 5 ? 100_000 : 5_000)));
      problems.push(...check(`.data\n.word ${text}\n`, {}, (r) => {
        const got = words(r);
        return r.ok && got.length === 1 && BigInt(got[0] as number) === value ? [] : [`got ${got.join()} (${r.diagnostics[0]?.message}) instead of ${value}`];
      }));
    }
    expect(problems.slice(0, 3)).toEqual([]);
  });

  it('huge and hostile sizes stay within the RAM size, or are an error', () => {
    const next = xorshift(0x517e);
    const problems: string[] = [];
    for (let i = 0; i < 150; i++) {
      const ramSize = [4096, 1 << 20, undefined][i % 3];
      problems.push(...check(hugeSizes(next), ramSize === undefined ? {} : { ramSize }));
    }
    expect(problems.slice(0, 3)).toEqual([]);
  });

  it('hostile nesting and long lines: unbalanced parentheses, operator runs, token-limit lines', () => {
    const next = xorshift(0x10e9);
    const pieces = ['(', ')', '-', '~', '!', '+', '1', 'x', '%hi(', '%lo(', '%pcrel_lo(', ',', '<<', '*', '"', "'", ';', '#', '/*', '*/', ' '];
    const problems: string[] = [];
    for (let i = 0; i < 40; i++) {
      const n = i < 3 ? 1_100_000 : 1 + (next() % 50_000);
      let body = '';
      const run = pieces[next() % pieces.length] as string;
      for (let k = 0; k < n; k++) body += next() % 4 === 0 ? pieces[next() % pieces.length] : run;
      const head = ['.word ', 'addi a0, a0, ', 'li a0, ', '.equ q, ', 'lw a0, ', 'beq a0, a1, ', ''][next() % 7] as string;
      problems.push(...check(`${head}${body}\nnop\n`));
    }
    expect(problems.slice(0, 3)).toEqual([]);
  });

  it('disassembler accepts any word', () => {
    const next = xorshift(7);
    const problems: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const w = next();
      try {
        const text = disassemble(w, next() & ~1, { aliases: (i & 1) === 0, symbolize: (a) => (a & 4 ? `s+0x${a.toString(16)}` : undefined) });
        if (text.length === 0) problems.push(`empty text for ${w.toString(16)}`);
        decode(w);
      } catch (err) {
        problems.push(`${w.toString(16)}: ${String(err)}`);
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });
});
