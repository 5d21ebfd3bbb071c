/**
 * Differential test of the basic-block translator: the same programs run on a machine with
 * translation off (the interpreter) and on (several hotness thresholds) must agree on every stop
 * reason, the saved state, RAM, dirty/exec pages, UART output and the executed-pc sets, at random
 * exact icounts, with breakpoints and watchpoints set at random and snapshots restored.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Machine, RAM_BASE, type InputPort, type ProgramImage, type StopReason, type Watchpoint } from '../../../src/core';
import { readElf } from '../../../src/elf';
import { randomProgram as replayRandomProgram } from '../replay/randomProgram';
import * as E from './enc';
import { DATA, randomProgram, rng } from './randomProgram';

/** The same sequence of inputs for both machines. */
function inputPort(seed: number): InputPort {
  let clock = 1_700_000_000_000_000_000 / 1000 + seed;
  const r = rng(seed ^ 0x5eed);
  return { rtcNanoseconds: () => (clock += 1234567), seedEntropy: () => r() & 0xffff };
}

interface Pair { a: Machine; b: Machine; txA: number[]; txB: number[] }

function pair(image: ProgramImage, seed: number, threshold: number, ramSize: number, tracking: boolean): Pair {
  const a = new Machine({ ramSize, translate: false, input: inputPort(seed) });
  const b = new Machine({ ramSize, translateThreshold: threshold, input: inputPort(seed) });
  const txA: number[] = [], txB: number[] = [];
  a.onUartTx = (x) => txA.push(x);
  b.onUartTx = (x) => txB.push(x);
  for (const m of [a, b]) {
    m.execTracking = tracking;
    m.load(image);
  }
  return { a, b, txA, txB };
}

function sameBytes(x: Uint8Array, y: Uint8Array): boolean {
  return Buffer.compare(x, y) === 0;
}

/** Compares the machines; RAM by the pages either marks dirty (then clears those marks on both). */
function check(p: Pair, where: string): void {
  const { a, b } = p;
  expect(b.icount, where).toBe(a.icount);
  expect(b.pc, where).toBe(a.pc);
  if (!sameBytes(a.saveState(), b.saveState())) {
    expect(Array.from(new Float64Array(b.saveState().buffer)), `${where}: saveState`).toEqual(Array.from(new Float64Array(a.saveState().buffer)));
  }
  expect(sameBytes(a.dirtyPages, b.dirtyPages), `${where}: dirtyPages`).toBe(true);
  expect(sameBytes(a.execPages, b.execPages), `${where}: execPages`).toBe(true);
  for (let pg = 0; pg < a.dirtyPages.length; pg++) {
    if (a.dirtyPages[pg] === 0) continue;
    const lo = pg * 4096;
    if (!sameBytes(a.ram.subarray(lo, lo + 4096), b.ram.subarray(lo, lo + 4096))) {
      throw new Error(`${where}: RAM page 0x${(RAM_BASE + lo).toString(16)} differs`);
    }
  }
  a.clearDirtyPages(); b.clearDirtyPages();
  expect(p.txB.length, `${where}: UART output`).toBe(p.txA.length);
  expect(p.txB, `${where}: UART output`).toEqual(p.txA);
}

interface DriveOptions {
  steps: number;
  maxStep: number;
  /** Candidate breakpoint addresses (also grown from the pcs seen at stops). */
  code: number[];
  /** Candidate watched addresses. */
  data: () => number[];
  hits: boolean;
  tracking: boolean;
  /** Feed UART input when idle or now and then. */
  input?: number[];
  /** Percent of steps that snapshot (state + RAM copy) for a later restore. */
  savePercent?: number;
}

/** Runs both machines through the same random sequence of runs and debugger actions. */
function drive(p: Pair, seed: number, o: DriveOptions): { stops: Record<string, number> } {
  const { a, b } = p;
  const r = rng(seed * 7919 + 17);
  const code = [...o.code];
  const stops: Record<string, number> = {};
  let saved: { state: Uint8Array; ram: Uint8Array; tx: number } | null = null;
  let inputAt = 0;
  for (let step = 0; step < o.steps; step++) {
    const where = `seed ${seed} step ${step} icount ${a.icount}`;
    if (o.hits) {
      const c = r() % 100;
      if (c < 12 && code.length > 0) {
        const bps = Array.from({ length: 1 + (r() % 3) }, () => code[r() % code.length]!);
        a.setBreakpoints(bps); b.setBreakpoints(bps);
      } else if (c < 22) {
        a.setBreakpoints([]); b.setBreakpoints([]);
      } else if (c < 30) {
        const data = o.data();
        const ws: Watchpoint[] = Array.from({ length: 1 + (r() % 2) }, () => ({
          addr: data[r() % data.length]! + (r() % 8), len: 1 + (r() % 8), kind: (['read', 'write', 'access'] as const)[r() % 3]!,
        }));
        a.setWatchpoints(ws); b.setWatchpoints(ws);
      } else if (c < 42) {
        a.setWatchpoints([]); b.setWatchpoints([]);
      }
    }
    if (o.tracking) {
      const c = r() % 100;
      if (c < 25) {
        // Translated loops may note the rest of their block early (a superset); every pc the
        // interpreter noted must be there.
        const pa = a.takeExecutedPcs(), pb = new Set(b.takeExecutedPcs());
        const missing = Array.from(pa).filter((v) => !pb.has(v));
        if (missing.length) expect(missing, `${where}: executed pcs missing from the translated run`).toEqual([]);
      } else if (c < 30) {
        a.resetExecutedPcs(); b.resetExecutedPcs();
      }
    }
    const c = r() % 100;
    const sp = o.savePercent ?? 4;
    if (c < sp) {
      saved = { state: a.saveState(), ram: a.ram.slice(), tx: p.txA.length };
    } else if (c >= 4 && c < 7 && saved !== null) {
      for (const m of [a, b]) {
        m.restoreState(saved.state);
        m.ram.set(saved.ram);
        m.clearDirtyPages();
      }
      p.txA.length = saved.tx; p.txB.length = saved.tx;
    } else if (c < 9 && o.input !== undefined && a.uartRxSpace() > 0) {
      const byte = o.input[inputAt++ % o.input.length]!;
      expect(b.uartRxSpace()).toBe(a.uartRxSpace());
      a.uartReceive(byte); b.uartReceive(byte);
    }
    const len = r() % 10 === 0 ? 1 + (r() % 8) : 1 + (r() % o.maxStep);
    const target = a.icount + len;
    const skip = r() % 5 !== 0;
    const ra: StopReason = a.run(target, skip);
    const rb: StopReason = b.run(target, skip);
    expect(rb, where).toEqual(ra);
    stops[ra.kind] = (stops[ra.kind] ?? 0) + 1;
    check(p, where);
    if (code.length < 400) code.push(a.pc);
    if (ra.kind === 'exit') break;
    if (ra.kind === 'idle') {
      if (o.input === undefined || a.uartRxSpace() <= 0) break;
      const byte = o.input[inputAt++ % o.input.length]!;
      a.uartReceive(byte); b.uartReceive(byte);
    }
  }
  expect(sameBytes(a.ram, b.ram), `seed ${seed}: whole RAM`).toBe(true);
  return { stops };
}

const THRESHOLDS = [0, 1, 3, 32];

describe('translator: random programs, translation on vs off', () => {
  let translated = 0, total = 0;
  for (let seed = 1; seed <= 48; seed++) {
    const hits = seed % 3 !== 0;
    const tracking = seed % 2 === 0;
    const threshold = THRESHOLDS[seed % THRESHOLDS.length]!;
    it(`seed ${seed} (threshold ${threshold}${hits ? ', breakpoints/watchpoints' : ''}${tracking ? ', exec tracking' : ''})`, () => {
      const prog = randomProgram(seed, {
        timer: seed % 5 !== 0, functions: 2 + (seed % 4), bodyLength: 20 + (seed % 40), mainIterations: 300,
        slowShare: seed % 4 === 0 ? 1 : 0.15,
      });
      const p = pair(prog, seed, threshold, 1 << 20, tracking);
      const code = [...prog.labels.values()];
      for (let k = 0; k < 40; k++) code.push(RAM_BASE + 2 * (rng(seed + k)() % ((prog.codeEnd - RAM_BASE) / 2)));
      drive(p, seed, {
        steps: 300, maxStep: 4000, code, hits, tracking,
        data: () => [DATA, DATA + 0x40, DATA + 0xff8, DATA + 0x1000, prog.labels.get('cdata')!, RAM_BASE + 0x20000],
      });
      translated += p.b.translatedInstructions;
      total += p.b.icount;
    });
  }
  it('ran most instructions in blocks', () => {
    expect(total).toBeGreaterThan(1_000_000);
    expect(translated / total).toBeGreaterThan(0.4);
  });
});

describe('translator: the replay tests\' random programs', () => {
  let translated = 0;
  for (let seed = 1; seed <= 12; seed++) {
    it(`seed ${seed}`, () => {
      const prog = replayRandomProgram(seed, { iterations: 40 });
      const p = pair(prog, seed, THRESHOLDS[seed % 4]!, 1 << 20, seed % 2 === 1);
      drive(p, seed, {
        steps: 200, maxStep: 500, code: [RAM_BASE, RAM_BASE + 0x40, RAM_BASE + 0x80], hits: true, tracking: seed % 2 === 1,
        data: () => [0x80004000, 0x80005000, 0x80004020],
      });
      translated += p.b.translatedInstructions;
    });
  }
  it('ran some of them in blocks', () => expect(translated).toBeGreaterThan(10_000));
});

describe('translator: example ELFs, translation on vs off', () => {
  const dir = 'examples/build';
  const elfs = readdirSync(dir).filter((f) => f.endsWith('.elf') && !f.includes('-bench'));
  it('has examples', () => expect(elfs.length).toBeGreaterThanOrEqual(5));
  for (const name of elfs) {
    for (const variant of [0, 1]) {
      it(`${name} (${variant === 0 ? 'plain runs' : 'breakpoints, watchpoints, exec tracking'})`, () => {
        const image = readElf(readFileSync(`${dir}/${name}`));
        const seed = name.length * 31 + variant;
        const p = pair(image, seed, variant === 0 ? 32 : 2, 128 * 1024 * 1024, variant === 1);
        const text = image.segments.map((s) => s.addr >>> 0).filter((x) => x >= RAM_BASE);
        const res = drive(p, seed, {
          steps: variant === 0 ? 400 : 600, maxStep: variant === 0 ? 60_000 : 20_000, code: text, hits: variant === 1, tracking: variant === 1,
          data: () => [p.a.x[2]! >>> 0, (p.a.x[2]! + 16) >>> 0, (p.a.x[3]! >>> 0) || RAM_BASE + 0x2000, (p.a.x[10]! >>> 0)]
            .filter((x) => x >= RAM_BASE && x < RAM_BASE + 128 * 1024 * 1024 - 16),
          input: [...'hello, world\nsecond line\n'].map((ch) => ch.charCodeAt(0)), savePercent: 1,
        });
        expect(Object.keys(res.stops).length).toBeGreaterThan(0);
      });
    }
  }
});

describe('translator: targeted cases', () => {
  const loop = (): E.Insn[] => [
    ...E.li(5, 1000), E.addi(10, 0, 0),
    // loop: 5 instructions
    E.addi(10, 10, 3), E.xor(11, 11, 10), E.cSlli(11, 1), E.addi(5, 5, -1), E.bne(5, 0, -14),
    E.jal(0, 0),
  ];

  it('stops at every exact icount inside a self-looping block', () => {
    const ref = E.boot(loop());
    ref.translate = false;
    for (let t = 7; t < 300; t++) {
      const m = E.boot(loop());
      m.run(200);   // hot: translated
      const r = m.run(t + 200);
      ref.run(t + 200);
      expect(r.kind).toBe('limit');
      expect(m.saveState()).toEqual(ref.saveState());
      if (t === 299) expect(m.translatedInstructions).toBeGreaterThan(0);
    }
  });

  it('translate: false never runs a block, and the property can be switched', () => {
    const m = new Machine({ ramSize: 1 << 20, translate: false });
    const bytes = E.assemble(loop());
    m.load({ entry: RAM_BASE, segments: [{ addr: RAM_BASE, data: bytes, memSize: bytes.length }] });
    m.run(3000);
    expect(m.translatedInstructions).toBe(0);
    m.load({ entry: RAM_BASE, segments: [{ addr: RAM_BASE, data: bytes, memSize: bytes.length }] });
    m.translate = true;
    m.run(3000);
    expect(m.translatedInstructions).toBeGreaterThan(2000);
  });

  it('a breakpoint set after a block was translated stops inside it, exactly', () => {
    const m = E.boot(loop());
    m.run(300);
    const bp = RAM_BASE + 20;   // the c.slli in the loop body
    m.setBreakpoints([bp]);
    const r = m.run(10_000);
    expect(r).toEqual({ kind: 'breakpoint', pc: bp });
    const ref = E.boot(loop());
    ref.translate = false;
    ref.run(300);
    ref.setBreakpoints([bp]);
    expect(ref.run(10_000)).toEqual(r);
    expect(m.saveState()).toEqual(ref.saveState());
  });

  it('a watchpoint set after a block was translated triggers', () => {
    const code = [
      ...E.li(8, RAM_BASE + 0x4000), E.addi(5, 0, 200),
      E.sw(5, 8, 0), E.lw(6, 8, 4), E.addi(8, 8, 8), E.addi(5, 5, -1), E.bne(5, 0, -16), E.jal(0, 0),
    ];
    const m = E.boot(code);
    m.run(400);
    expect(m.translatedInstructions).toBeGreaterThan(0);
    m.setWatchpoints([{ addr: RAM_BASE + 0x4000 + 8 * 150 + 4, len: 4, kind: 'read' }]);
    const r = m.run(10_000);
    expect(r).toMatchObject({ kind: 'watchpoint', access: 'read', addr: RAM_BASE + 0x4000 + 8 * 150 + 4 });
    expect(m.x[5]).toBe(50);
  });

  it('a store that rewrites the next instruction of its own running block takes effect at once', () => {
    // The loop stores to a data page, except when t0 == 10: then to the instruction right after
    // the store (addi a0,a0,1 becomes addi a0,a0,100), inside the block that is running.
    const patched = E.addi(10, 10, 100);
    const head = [...E.li(6, patched), ...E.li(5, 50), ...E.li(8, RAM_BASE + 0x4000), E.auipc(7, 0), E.sub(9, 7, 8)];
    const auipcAt = E.size(head) - 8;
    const body1 = [E.addi(28, 28, 1), E.addi(29, 5, -10), E.sltiu(29, 29, 1), E.mul(29, 29, 9), E.add(30, 8, 29)];
    const patchAt = E.size(head) + 4 + E.size(body1) + 4;   // after addi s1 and the sw
    const code = [
      ...head, E.addi(9, 9, patchAt - auipcAt),
      // loop:
      ...body1, E.sw(6, 30, 0), E.addi(10, 10, 1), E.addi(5, 5, -1), E.bne(5, 0, -(E.size(body1) + 12)), E.jal(0, 0),
    ];
    const bytes = E.assemble(code);
    for (const translate of [false, true]) {
      const m = new Machine({ ramSize: 1 << 20, translate, translateThreshold: 2 });
      m.load({ entry: RAM_BASE, segments: [{ addr: RAM_BASE, data: bytes, memSize: bytes.length }] });
      m.run(6 + 9 + 50 * 9 + 5);
      expect(m.x[28]).toBe(50);
      expect(m.x[10]).toBe(40 + 10 * 100);
      if (translate) expect(m.translatedInstructions).toBeGreaterThan(300);
    }
  });

  it('misaligned, MMIO and faulting accesses inside a hot block go through the interpreter exactly', () => {
    const code = [
      ...E.li(8, RAM_BASE + 0x4ffe), ...E.li(9, 0x10000000), ...E.li(20, 0x40000000), E.addi(5, 0, 200),
      ...E.li(6, RAM_BASE + 0x300), E.csrrw(0, 0x305, 6),
      // loop
      E.lw(10, 8, 0), E.sh(10, 8, 1), E.lbu(11, 9, 5), E.lw(12, 20, 0), E.add(13, 10, 11), E.addi(5, 5, -1), E.bne(5, 0, -24),
      E.jal(0, 0),
    ];
    const handler = [E.csrrs(28, 0x341, 0), E.addi(28, 28, 4), E.csrrw(0, 0x341, 28), E.mret()];
    const run = (translate: boolean): Machine => {
      const m = E.boot(code);
      m.translate = translate;
      m.writeMemory(RAM_BASE + 0x300, E.assemble(handler));
      for (let t = 50; t < 4000; t += 37) m.run(t);
      return m;
    };
    const a = run(false), b = run(true);
    expect(b.saveState()).toEqual(a.saveState());
    expect(Buffer.compare(a.ram, b.ram)).toBe(0);
  });
});
