// Differential test: Rewind's disassembler against `riscv64-unknown-elf-objdump -d` (binutils 2.40),
// with objdump's default aliases and with `-M no-aliases`.

import { existsSync, readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Disassembler } from '../../../src/isa';
import { AS, gnuAvailable, gnuBuild, objdumpLines, objdumpSymbolizer, privSpecOf, readElf32, readelfSymbols } from './gnu';
import { xorshift } from './generate';

const hasGnu = gnuAvailable();

/** Assembles `.insn` words with GNU as and returns objdump's text for each, in order. */
function objdumpOfWords(words: number[], noAliases: boolean): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-dis-'));
  const s = join(dir, 'w.s');
  const o = join(dir, 'w.o');
  writeFileSync(s, words.map((w) => `.insn 0x${w.toString(16)}\n`).join(''));
  execFileSync(AS, ['-march=rv32imac_zicsr_zifencei', '-mabi=ilp32', s, '-o', o]);
  return objdumpLines(o, noAliases).map(([, t]) => t.replace(/ <[^>]*>/g, ''));
}

function compareWords(words: number[], sizes: number[]): void {
  for (const noAliases of [false, true]) {
    const expected = objdumpOfWords(words, noAliases);
    expect(expected.length).toBe(words.length);
    const d = new Disassembler({ aliases: !noAliases });
    let pc = 0;
    const mismatches: string[] = [];
    words.forEach((w, k) => {
      const got = d.disassemble(w, pc);
      if (got !== expected[k]) mismatches.push(`${w.toString(16)}: objdump "${expected[k]}" rewind "${got}"`);
      pc += sizes[k] ?? 4;
    });
    expect(mismatches.slice(0, 20), `${mismatches.length} mismatches (no-aliases: ${noAliases})`).toEqual([]);
  }
}

/** objdump -d of an ELF against Rewind's Disassembler over the same bytes and symbols. */
function compareElf(elfPath: string): number {
  const elf = readElf32(new Uint8Array(readFileSync(elfPath)));
  const syms = readelfSymbols(elfPath);
  const symbolize = objdumpSymbolizer(syms);
  const gp = syms.find((s) => s.name === '__global_pointer$')?.value;
  const privSpec = privSpecOf(elfPath);
  // Data inside code ($d mapping symbols) is printed as .word etc. by objdump: skip those ranges.
  const mapping = syms.filter((s) => /^\$[xd]/.test(s.name)).sort((a, b) => a.value - b.value);
  const isData = (addr: number): boolean => {
    let kind = 'x';
    for (const m of mapping) { if (m.value <= addr) kind = m.name[1] ?? 'x'; else break; }
    return kind === 'd';
  };
  const read = (addr: number): number => {
    for (const s of elf.sections) {
      if (s.type === 1 && addr >= s.addr && addr + 2 <= s.addr + s.size) {
        const o = addr - s.addr;
        const b = (k: number): number => s.data[o + k] ?? 0;
        return (b(0) | (b(1) << 8) | (b(2) << 16) | (b(3) << 24)) >>> 0;
      }
    }
    throw new Error(`no bytes at ${addr.toString(16)}`);
  };
  let compared = 0;
  for (const noAliases of [false, true]) {
    const d = new Disassembler({ aliases: !noAliases, symbolize, gp, privSpec });
    const mismatches: string[] = [];
    for (const [addr, text] of objdumpLines(elfPath, noAliases)) {
      if (isData(addr)) continue;
      const got = d.disassemble(read(addr), addr);
      if (got !== text) mismatches.push(`${addr.toString(16)}: objdump "${text}" rewind "${got}"`);
      compared++;
    }
    expect(mismatches.slice(0, 20), `${mismatches.length} mismatches in ${elfPath} (no-aliases: ${noAliases})`).toEqual([]);
  }
  return compared;
}

describe.skipIf(!hasGnu)('disassembler vs objdump', () => {
  it('every 16-bit encoding', () => {
    const words: number[] = [];
    for (let w = 0; w < 0x10000; w++) if ((w & 3) !== 3) words.push(w);
    compareWords(words, words.map(() => 2));
  });

  it('random 32-bit encodings of every major opcode', () => {
    const next = xorshift(2024);
    const opcodes = [0x37, 0x17, 0x6f, 0x67, 0x63, 0x03, 0x23, 0x13, 0x33, 0x0f, 0x73, 0x2f];
    const csrs = [0xc00, 0xc01, 0xc02, 0xc80, 0xc81, 0xc82, 0x300, 0x310, 0xc03, 0x7b0, 0x015, 0x000, 0x102];
    const words: number[] = [];
    for (let k = 0; k < 20000; k++) {
      let w = (next() & ~0x7f) | (opcodes[next() % opcodes.length] as number);
      const r = next() % 10;
      if (r < 2) w &= ~(0x1f << 15);
      else if (r < 4) w &= ~(0x1f << 7);
      else if (r < 5) w &= ~(0xfff << 20);
      if ((w & 0x7f) === 0x73 && next() % 2) w = (w & 0xfffff) | ((csrs[next() % csrs.length] as number) << 20);
      if ((w & 0x7f) === 0x0f && next() % 2) w &= 0x0ff0707f;
      if ((w & 0x7f) === 0x33 && next() % 2) w = (w & 0x01ffffff) | ([0, 1, 0x20][next() % 3] as number) << 25;
      if ((w & 0x7f) === 0x2f && next() % 2) w = (w & ~0x7000) | 0x2000;
      words.push(w >>> 0);
    }
    compareWords(words, words.map(() => 4));
  });

  const corpusDir = join(__dirname, 'corpus');
  for (const f of readdirSync(corpusDir).filter((x) => x.endsWith('.s')).sort()) {
    it(`corpus ${f} (GNU-built ELF)`, () => {
      const gnu = gnuBuild(readFileSync(join(corpusDir, f), 'utf8'), f.replace(/\W/g, '_'));
      expect(gnu.ok, gnu.stderr).toBe(true);
      expect(compareElf(gnu.elfPath)).toBeGreaterThan(0);
    });
  }

  const examples = join(__dirname, '../../../examples/build');
  const elfs = existsSync(examples) ? readdirSync(examples).filter((x) => x.endsWith('.elf')).sort() : [];
  for (const f of elfs) {
    it(`example ${f}`, () => {
      expect(compareElf(join(examples, f))).toBeGreaterThan(0);
    });
  }
});
