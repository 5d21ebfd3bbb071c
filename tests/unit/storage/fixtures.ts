/** Programs for the storage and worker tests: the example ELFs and small assembled loops. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readElf } from '../../../src/elf';
import { assemble } from '../../../src/asm';
import type { ProgramImage } from '../../../src/core';
import { Timeline, type LiveInputs } from '../../../src/replay';
import { SessionPersister, type Repository, type SessionRecord, type ProgramRecord, type PersistState } from '../../../src/storage';
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

let dbCounter = 0;
/** A fresh database name (fake-indexeddb keeps them in this process). */
export function dbName(): string { return `rewind-test-${process.pid}-${dbCounter++}`; }

export function programRecord(id: string, image: ProgramImage): ProgramRecord {
  return {
    id,
    image: { entry: image.entry, segments: image.segments.map((s) => ({ addr: s.addr, memSize: s.memSize, data: s.data.slice().buffer as ArrayBuffer })) },
    symbols: [], source: null,
  };
}

export function recordOf(id: string, tl: Timeline): SessionRecord {
  return {
    id, name: tl.name, createdAt: 1, updatedAt: Date.now(), replayOnly: tl.replayOnly, ramSize: tl.machine.ramSize,
    snapshotInterval: tl.interval, frontier: tl.frontier, exit: tl.exit, position: tl.icount, breakpoints: [...tl.breakpoints],
    watchpoints: tl.watchpoints, replayBreak: tl.replayBreak, logEvents: 0, outputBytes: 0, outputHigh: tl.output.high,
    expectedHashes: null, snapshotCount: 0, snapshotsDropped: false,
  };
}

/** A recording timeline with a persister attached, as the worker sets it up. */
export function persisted(repo: Repository, id: string, image: ProgramImage, opts: { interval: number; budget?: number; ramSize?: number; delayMs?: number; intervalMs?: number }) {
  const tl = new Timeline(image, {
    live: fixedInputs(), snapshotInterval: opts.interval, name: id,
    ...(opts.budget !== undefined ? { memoryBudget: opts.budget } : {}), ...(opts.ramSize !== undefined ? { ramSize: opts.ramSize } : {}),
  });
  const notices: string[] = [];
  const waiters: { cond: (s: PersistState) => boolean; resolve: (s: PersistState) => void }[] = [];
  const p = new SessionPersister(repo, id, tl.snapshots, { record: () => recordOf(id, tl), program: programRecord(id, image), log: tl.log, output: tl.output, hashes: tl.stateHashes },
    { logEvents: 0, outputBytes: 0, snapshotCount: 0, snapshotsDropped: false }, {
      delayMs: opts.delayMs ?? 5, intervalMs: opts.intervalMs ?? 500, notify: (_l, m) => notices.push(m),
      onState: (s) => { for (const w of waiters.splice(0)) { if (w.cond(s)) w.resolve(s); else waiters.push(w); } },
    });
  tl.snapshots.sink = p;
  /** Resolves at the persister's first state report (or the current state) that satisfies `cond`. */
  const until = (cond: (s: PersistState) => boolean): Promise<PersistState> => {
    const now = p.state();
    return cond(now) ? Promise.resolve(now) : new Promise((resolve) => waiters.push({ cond, resolve }));
  };
  return { tl, p, notices, until };
}
