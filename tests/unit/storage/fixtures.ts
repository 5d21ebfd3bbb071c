/** Programs for the storage and worker tests: the example ELFs and small assembled loops. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readElf } from '../../../src/elf';
import { assemble } from '../../../src/asm';
import type { ProgramImage } from '../../../src/core';
import type { LiveInputs } from '../../../src/replay';
import { SPIN_SOURCE } from '../../e2e/fixtures/programs';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export function exampleBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${root}examples/build/${name}.elf`));
}

export function exampleImage(name: string): ProgramImage {
  const elf = readElf(exampleBytes(name));
  return { entry: elf.entry, segments: elf.segments };
}

export function asmImage(source: string): ProgramImage {
  const r = assemble(source);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}: ${d.message}`).join('\n'));
  return { entry: r.entry, segments: r.segments };
}

/** Deterministic live inputs: a clock that advances and a counter for entropy. */
export function fixedInputs(): LiveInputs {
  let t = 1_700_000_000_000_000_000;
  let seed = 0;
  return { rtcNanoseconds: () => (t += 1024), seedEntropy: () => (seed = (seed * 75 + 74) % 65537) & 0xffff };
}

/** A spin loop that keeps rewriting two pages of RAM (new page contents every interval). */
export const SPIN_WRITER = SPIN_SOURCE;

/** A loop that ends: counts to N then exits through the SiFive test device. */
export function countTo(n: number): string {
  return `
  .text
  .globl _start
_start:
  li   t0, 0
  li   t1, ${n}
again:
  addi t0, t0, 1
  bne  t0, t1, again
  li   t2, 0x100000
  li   t3, 0x5555
  sw   t3, 0(t2)
  j    .
`;
}
