// Fuzz test: random and mutated sources never make the assembler throw or hang, every diagnostic
// is well-formed, and no statement hits the internal-error safety net. Deterministic (seeded).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../../src/asm';
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

/** Problems with one source (empty when fine). */
function check(src: string): string[] {
  const problems: string[] = [];
  const t0 = performance.now();
  let r: ReturnType<typeof assemble> | undefined;
  try {
    r = assemble(src);
    if (r.ok) r.listing();
  } catch (err) {
    return [`threw ${String(err)} on:\n${src}`];
  }
  const ms = performance.now() - t0;
  if (ms > 1000) problems.push(`slow (${ms.toFixed(0)} ms) on:\n${src}`);
  const lines = src.split(/\r?\n/).length;
  for (const d of r.diagnostics) {
    if (/internal assembler error/.test(d.message)) problems.push(`${d.message} on:\n${src}`);
    if (!(d.line >= 1 && d.line <= lines)) problems.push(`line ${d.line} of ${lines}: ${d.message}`);
    if (!(d.column >= 1 && d.endColumn > d.column)) problems.push(`columns ${d.column}..${d.endColumn}: ${d.message}`);
    if (d.message.length < 10) problems.push(`terse message '${d.message}'`);
  }
  return problems;
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
