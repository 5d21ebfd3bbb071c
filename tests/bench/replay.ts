/**
 * Replay engine benchmarks (issue: record/replay): on a recording of about 1e9 instructions of
 * a compute workload, the latency of reverse step, seek, reverse continue (previous hit one
 * interval back, and only hit half the recording back), recording overhead against a plain
 * run of the same program, and snapshot memory.
 */
import { performance } from 'node:perf_hooks';
import { Machine, type ProgramImage } from '../../src/core';
import { encode } from '../../src/isa';
import { Timeline, complete } from '../../src/replay';

export interface Figure { name: string; value: number; unit: string; target?: string }

/**
 * A compute loop of `outer` x about 1M instructions: xorshift/multiply mixing in registers, a
 * call to `tick` after every fourth inner loop (about one snapshot interval), and one call to
 * `middle` halfway through.
 */
export function computeWorkload(outer: number): { image: ProgramImage; tick: number; middle: number } {
  const w: number[] = [];
  const at = (): number => 0x80000000 + w.length * 4;
  // s0 = outer counter, s1 = outer/2, a0 = x, a1 = acc
  w.push(encode('addi', { rd: 8, rs1: 0, imm12: 0 }));
  w.push(encode('lui', { rd: 9, uimm20: (outer >>> 1) >>> 12 }), encode('addi', { rd: 9, rs1: 9, imm12: (outer >>> 1) & 0x7ff }));
  w.push(encode('lui', { rd: 10, uimm20: 0x12345 }), encode('addi', { rd: 11, rs1: 0, imm12: 0 }));
  const outerTop = w.length;
  w.push(encode('lui', { rd: 18, uimm20: 0x18 })); // s2 = 98304 inner iterations of 10 instructions
  const innerTop = w.length;
  w.push(
    encode('slli', { rd: 5, rs1: 10, shamt: 13 }), encode('xor', { rd: 10, rs1: 10, rs2: 5 }),
    encode('srli', { rd: 5, rs1: 10, shamt: 17 }), encode('xor', { rd: 10, rs1: 10, rs2: 5 }),
    encode('slli', { rd: 5, rs1: 10, shamt: 5 }), encode('xor', { rd: 10, rs1: 10, rs2: 5 }),
    encode('mul', { rd: 6, rs1: 10, rs2: 10 }), encode('add', { rd: 11, rs1: 11, rs2: 6 }),
    encode('addi', { rd: 18, rs1: 18, imm12: -1 }),
  );
  w.push(encode('bne', { rs1: 18, rs2: 0, bimm: (innerTop - w.length) * 4 }));
  // tick every 4th outer iteration: about one snapshot interval (4M instructions) apart
  w.push(encode('andi', { rd: 7, rs1: 8, imm12: 3 }), encode('addi', { rd: 28, rs1: 0, imm12: 3 }));
  w.push(encode('bne', { rs1: 7, rs2: 28, bimm: 8 }));
  const callTick = w.length; w.push(0);
  w.push(encode('bne', { rs1: 8, rs2: 9, bimm: 8 }));
  const callMiddle = w.length; w.push(0);
  w.push(encode('addi', { rd: 8, rs1: 8, imm12: 1 }));
  w.push(encode('lui', { rd: 19, uimm20: outer >>> 12 }), encode('addi', { rd: 19, rs1: 19, imm12: outer & 0x7ff }));
  w.push(encode('bne', { rs1: 8, rs2: 19, bimm: (outerTop - w.length) * 4 }));
  // exit through the SiFive test device
  w.push(encode('lui', { rd: 5, uimm20: 0x100 }), encode('lui', { rd: 6, uimm20: 0x5 }), encode('addi', { rd: 6, rs1: 6, imm12: 0x555 }));
  w.push(encode('sw', { rs2: 6, rs1: 5, simm12: 0 }), encode('jal', { rd: 0, jimm: 0 }));
  // The functions sit right after the loop, in the same page and cache lines as the hot code.
  const tick = at();
  w.push(encode('addi', { rd: 11, rs1: 11, imm12: 3 }), encode('jalr', { rd: 0, rs1: 1, imm12: 0 }));
  const middle = at();
  w.push(encode('xori', { rd: 11, rs1: 11, imm12: 0x55 }), encode('jalr', { rd: 0, rs1: 1, imm12: 0 }));
  w[callTick] = encode('jal', { rd: 1, jimm: tick - (0x80000000 + callTick * 4) });
  w[callMiddle] = encode('jal', { rd: 1, jimm: middle - (0x80000000 + callMiddle * 4) });
  const data = new Uint8Array(new Uint32Array(w).buffer);
  return { image: { entry: 0x80000000, segments: [{ addr: 0x80000000, data, memSize: data.length }] }, tick, middle };
}

const hostInputs = { rtcNanoseconds: () => Date.now() * 1e6, seedEntropy: () => (Math.random() * 0x10000) | 0 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function time(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

/** xorshift32 for reproducible positions. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
}

export function benchReplay(outer = 1000): Figure[] {
  const { image, tick, middle } = computeWorkload(outer);
  const figures: Figure[] = [];

  const plain = new Machine();
  plain.load(image);
  const plainMs = time(() => { plain.run(Number.MAX_SAFE_INTEGER); });
  const total = plain.icount;
  figures.push({ name: 'workload length', value: total, unit: 'instructions' });
  figures.push({ name: 'plain run', value: total / plainMs / 1000, unit: 'MIPS' });

  const tl = new Timeline(image, { live: hostInputs, name: 'bench' });
  const recMs = time(() => { complete(tl.continueForward()); });
  figures.push({ name: 'recording', value: total / recMs / 1000, unit: 'MIPS' });
  figures.push({ name: 'recording overhead vs plain run', value: (recMs / plainMs - 1) * 100, unit: '%', target: '<= 25 %' });
  figures.push({ name: 'snapshots', value: tl.snapshots.count, unit: '' });
  figures.push({ name: 'snapshot memory', value: tl.snapshots.memoryBytes / 2 ** 20, unit: 'MiB', target: '<= 64 MiB' });

  const next = rng(12345);
  const end = tl.frontier;
  const rs: number[] = [];
  for (let k = 0; k < 60; k++) {
    complete(tl.seek(1 + Math.floor(next() * (end - 1))));
    rs.push(time(() => complete(tl.reverseStep())));
  }
  figures.push({ name: 'reverse step (median of 60)', value: median(rs), unit: 'ms', target: '<= 5 ms' });
  figures.push({ name: 'reverse step (max)', value: Math.max(...rs), unit: 'ms' });

  const sk: number[] = [];
  for (let k = 0; k < 60; k++) {
    const t = Math.floor(next() * end);
    sk.push(time(() => complete(tl.seek(t))));
  }
  figures.push({ name: 'seek to a random position (median of 60)', value: median(sk), unit: 'ms', target: '<= 20 ms' });
  figures.push({ name: 'seek to a random position (max)', value: Math.max(...sk), unit: 'ms' });

  // Previous hit about one interval back: `tick` runs every ~4M instructions.
  tl.breakpoints.add(tick);
  const rcNear: number[] = [];
  for (let k = 0; k < 10; k++) {
    complete(tl.seek(Math.floor(end * (0.2 + 0.6 * next()))));
    rcNear.push(time(() => complete(tl.reverseContinue())));
  }
  figures.push({ name: 'reverse continue, previous hit ~1 interval back (median)', value: median(rcNear), unit: 'ms', target: '<= 200 ms' });
  tl.breakpoints.clear();

  // The only earlier hit is half the recording back: `middle` runs once, at the halfway point.
  tl.breakpoints.add(middle);
  complete(tl.seek(end - 1));
  let landed = 0;
  const rcFar = time(() => { landed = complete(tl.reverseContinue()).icount; });
  figures.push({ name: 'reverse continue, only hit half the recording back', value: rcFar, unit: 'ms', target: '<= 200 ms' });
  figures.push({ name: '  (landed at icount)', value: landed, unit: '' });
  tl.breakpoints.clear();
  return figures;
}
