// Random mutations of a valid ELF: readElf must either throw ElfError or return a program
// that satisfies every promise the reader makes. Seeded, so a failure reproduces.
import { describe, expect, it } from 'vitest';
import { ElfError, readElf, type ElfProgram } from '../../../src/elf';
import { exampleElf } from '../../unit/elf/fixture';

const RAM_BASE = 0x8000_0000;
const RAM_SIZE = 128 * 1024 * 1024;
const MUTATIONS = 4000;

/** mulberry32: small, fast, good enough to pick mutations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkInvariants(p: ElfProgram, fileLength: number): void {
  expect(p.segments.length).toBeGreaterThan(0);
  let end = 0;
  for (const s of p.segments) {
    expect(s.addr).toBeGreaterThanOrEqual(RAM_BASE);
    expect(s.addr + s.memSize).toBeLessThanOrEqual(RAM_BASE + RAM_SIZE);
    expect(s.data.length).toBeLessThanOrEqual(s.memSize);
    expect(s.data.length).toBeLessThanOrEqual(fileLength);
    expect(s.addr).toBeGreaterThanOrEqual(end); // sorted, no overlap
    end = s.addr + s.memSize;
  }
  expect(p.segments.some((s) => p.entry >= s.addr && p.entry < s.addr + s.memSize)).toBe(true);
  expect(p.symbols.length).toBeLessThanOrEqual(fileLength / 16);
  for (const sym of p.symbols) expect(typeof sym.name).toBe('string');
}

describe('readElf fuzz', () => {
  for (const [name, seed] of [['hello', 1], ['timer', 2]] as const) {
    it(`${MUTATIONS} mutations of ${name}.elf give a valid program or an ElfError`, () => {
      const base = exampleElf(name);
      const view = new DataView(base.buffer, base.byteOffset, base.byteLength);
      const phoff = view.getUint32(28, true);
      const shoff = view.getUint32(32, true);
      const shnum = view.getUint16(48, true);
      // Bias mutations towards the parts the reader interprets.
      const regions: [number, number][] = [[0, 52], [phoff, phoff + 64], [shoff, shoff + 40 * shnum], [0, base.length]];
      const interesting = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, base.length, base.length - 1, RAM_BASE, RAM_BASE + RAM_SIZE - 4, 52, 32, 40, 16];
      const rand = prng(seed);
      const pick = (n: number) => Math.floor(rand() * n);
      let loaded = 0;
      let rejected = 0;
      const started = performance.now();

      for (let m = 0; m < MUTATIONS; m++) {
        let bytes = base.slice();
        const edits = 1 + pick(4);
        for (let e = 0; e < edits; e++) {
          const [lo, hi] = regions[pick(regions.length)]!;
          const at = lo + pick(Math.max(1, hi - lo));
          const dv = new DataView(bytes.buffer);
          switch (pick(5)) {
            case 0: if (at < bytes.length) bytes[at] = pick(256); break;
            case 1: if (at < bytes.length) bytes[at]! ^= 1 << pick(8); break;
            case 2: if (at + 4 <= bytes.length) dv.setUint32(at & ~3, interesting[pick(interesting.length)]! >>> 0, true); break;
            case 3: if (at + 2 <= bytes.length) dv.setUint16(at & ~1, interesting[pick(interesting.length)]! & 0xffff, true); break;
            case 4: bytes = bytes.slice(0, pick(bytes.length + 1)); break;
          }
        }
        try {
          checkInvariants(readElf(bytes), bytes.length);
          loaded++;
        } catch (err) {
          if (!(err instanceof ElfError)) {
            throw new Error(`mutation ${m} (seed ${seed}) threw ${String(err)}`, { cause: err });
          }
          expect(err.message).toMatch(/^\S.* = .+: .+/);
          rejected++;
        }
      }
      // Both outcomes must actually occur, or the mutations are not exercising the reader.
      expect(loaded).toBeGreaterThan(MUTATIONS / 20);
      expect(rejected).toBeGreaterThan(MUTATIONS / 20);
      expect(performance.now() - started).toBeLessThan(10_000);
    });
  }
});
