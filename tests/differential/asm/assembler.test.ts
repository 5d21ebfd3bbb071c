// Differential test: Rewind's assembler against GNU as + ld (the reference toolchain).
// For every corpus program the bytes and addresses of every output section must be identical to
// `riscv64-unknown-elf-as -march=rv32imac_zicsr_zifencei -mabi=ilp32 -mno-relax` linked by
// `riscv64-unknown-elf-ld -m elf32lriscv --no-relax -Ttext=0x80000000`.

import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, toElf } from '../../../src/asm';
import { gnuAvailable, gnuBuild, objdumpLines, readElf32 } from './gnu';
import { randomProgram } from './generate';

const CORPUS = join(__dirname, 'corpus');
const EXAMPLES = join(__dirname, '../../../examples');
const hasGnu = gnuAvailable();

function corpus(): [string, string][] {
  const files: [string, string][] = readdirSync(CORPUS).filter((f) => f.endsWith('.s')).sort()
    .map((f) => [f, readFileSync(join(CORPUS, f), 'utf8')]);
  if (existsSync(EXAMPLES)) {
    for (const f of readdirSync(EXAMPLES).filter((x) => x.endsWith('.s') || x.endsWith('.S')).sort()) {
      files.push([`examples/${f}`, readFileSync(join(EXAMPLES, f), 'utf8')]);
    }
  }
  files.push(['generated-rvc.s', randomProgram(1, 6, true)]);
  files.push(['generated-norvc.s', randomProgram(2, 6, false)]);
  return files;
}

const OUT = new Set(['.text', '.rodata', '.data', '.sdata', '.sbss', '.bss']);

describe.skipIf(!hasGnu)('assembler vs GNU as + ld', () => {
  for (const [name, source] of corpus()) {
    it(`${name}: identical section bytes and addresses`, (ctx) => {
      const gnu = gnuBuild(source, name.replace(/\W/g, '_'));
      if (name.startsWith('examples/') && /undefined reference/.test(gnu.stderr)) {
        // Examples linked with the C runtime are not standalone programs: nothing to compare.
        ctx.skip();
        return;
      }
      expect(gnu.ok, gnu.stderr).toBe(true);
      const mine = assemble(source);
      expect(mine.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const elf = gnu.elf;
      if (!elf) throw new Error('no ELF');
      let compared = 0;
      for (const s of elf.sections.filter((x) => OUT.has(x.name) && x.size > 0)) {
        const parts = mine.sections.filter((x) => `.${x.kind}` === s.name && x.size > 0);
        expect(parts.length, `${s.name} missing`).toBeGreaterThan(0);
        const start = Math.min(...parts.map((p) => p.addr));
        const end = Math.max(...parts.map((p) => p.addr + p.size));
        expect([s.name, start.toString(16), end - start]).toEqual([s.name, s.addr.toString(16), s.size]);
        if (s.type === 8) continue;
        const bytes = new Uint8Array(s.size);
        for (const p of parts) if (p.data) bytes.set(p.data, p.addr - start);
        // Compare as hex lines so a failure shows where.
        const hex = (b: Uint8Array): string[] => Array.from({ length: Math.ceil(b.length / 16) }, (_, k) =>
          `${(s.addr + k * 16).toString(16)}: ${[...b.subarray(k * 16, k * 16 + 16)].map((x) => x.toString(16).padStart(2, '0')).join(' ')}`);
        expect(hex(bytes)).toEqual(hex(s.data));
        compared += s.size;
      }
      expect(compared).toBeGreaterThan(0);
      // GNU ld takes the entry from a global _start only.
      if (/\.globa?l\s+_start/.test(source)) expect(mine.entry.toString(16)).toBe(elf.entry.toString(16));
    });
  }

  for (const [name, source] of corpus().filter(([n]) => !n.startsWith('examples/'))) {
    it(`${name}: Rewind's ELF disassembles (objdump -d) like the GNU one`, () => {
      const gnu = gnuBuild(source, `${name.replace(/\W/g, '_')}_elf`);
      expect(gnu.ok, gnu.stderr).toBe(true);
      const mine = assemble(source);
      const path = join(gnu.dir, 'mine.elf');
      writeFileSync(path, toElf(mine));
      // Symbol names may differ (GNU keeps local numeric labels); addresses and instructions may not.
      const strip = (l: [number, string][]): string[] => l.map(([a, t]) => `${a.toString(16)} ${t.replace(/ ?<[^>]*>/g, '')}`);
      for (const noAliases of [false, true]) {
        expect(strip(objdumpLines(path, noAliases))).toEqual(strip(objdumpLines(gnu.elfPath, noAliases)));
      }
      const ours = readElf32(toElf(mine));
      if (/\.globa?l\s+_start/.test(source)) expect(ours.entry).toBe(gnu.elf?.entry);
      expect(ours.flags).toBe(gnu.elf?.flags);
    });
  }
});
