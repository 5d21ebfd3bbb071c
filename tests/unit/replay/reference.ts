/**
 * An independent reference for the replay tests: a plain Machine fed straight from an event
 * log, stepped one instruction at a time, with memory accesses worked out by decoding each
 * instruction (not by the core's watchpoint logic).
 */
import { Machine, type InputPort, type ProgramImage, type Watchpoint } from '../../../src/core';
import { decode, expand } from '../../../src/isa';
import { EventKind, type EventLog } from '../../../src/replay/eventLog';
import { hashBytes, combineHash, type Hash64 } from '../../../src/replay/hash';

export interface Access { addr: number; size: number; read: boolean; write: boolean }

/** Full state hash: machine state plus every RAM byte (no incremental tricks). */
export function fullStateHash(m: Machine): Hash64 {
  return combineHash(hashBytes(m.saveState()), hashBytes(m.ram));
}

export interface StraightRun {
  /** pc(t) for every position t < end. */
  pcs: number[];
  /** The memory access of instruction t, if any. */
  accesses: (Access | null)[];
  hashes: Map<number, Hash64>;
  end: number;
  exitCode: number | null;
}

/** Replays `log` on a fresh machine, recording pc and accesses at every position and full hashes at `samples`. */
export function straightRun(image: ProgramImage, log: EventLog, ramSize: number, end: number, samples: Set<number>): StraightRun {
  let cursor = 0;
  // eslint-disable-next-line prefer-const -- assigned after the port that reads it is built
  let m: Machine;
  const take = (kind: EventKind): number => {
    const e = log.at(cursor);
    if (e.icount !== m.icount || e.kind !== kind) throw new Error(`reference: expected kind ${kind} at ${m.icount}, log has ${e.kind}@${e.icount}`);
    cursor++;
    return e.payload;
  };
  const port: InputPort = { rtcNanoseconds: () => take(EventKind.Rtc), seedEntropy: () => take(EventKind.Seed) };
  m = new Machine({ ramSize, input: port });
  m.load(image);
  const pcs: number[] = [];
  const accesses: (Access | null)[] = [];
  const hashes = new Map<number, Hash64>();
  let exitCode: number | null = null;
  for (let t = 0; t <= end; t++) {
    while (cursor < log.length && log.icountAt(cursor) === t && log.kindAt(cursor) === EventKind.UartRx) {
      if (!m.uartReceive(log.payloadAt(cursor))) throw new Error('reference: UART FIFO full');
      cursor++;
    }
    if (samples.has(t)) hashes.set(t, fullStateHash(m));
    if (t === end) break;
    pcs.push(m.pc);
    accesses.push(accessOf(m));
    const r = m.run(t + 1);
    if (r.kind === 'exit') {
      exitCode = r.code;
      if (samples.has(m.icount)) hashes.set(m.icount, fullStateHash(m));
      break;
    }
    if (r.kind !== 'limit') throw new Error(`reference: unexpected stop ${r.kind} at ${t}`);
  }
  return { pcs, accesses, hashes, end, exitCode };
}

/** The data access instruction pc(t) is about to make, from its decoding and the registers. */
function accessOf(m: Machine): Access | null {
  const bytes = m.readMemory(m.pc, 4);
  const word = bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24);
  const d0 = decode(word);
  if (!d0) return null;
  const d = expand(d0);
  const o = d.operands;
  const reg = (r: number | undefined): number => (r === undefined ? 0 : m.x[r]! >>> 0);
  const name = d.name;
  const loads: Record<string, number> = { lb: 1, lbu: 1, lh: 2, lhu: 2, lw: 4 };
  const stores: Record<string, number> = { sb: 1, sh: 2, sw: 4 };
  if (name in loads) return { addr: (reg(o.rs1) + (o.imm12 ?? 0)) >>> 0, size: loads[name]!, read: true, write: false };
  if (name in stores) return { addr: (reg(o.rs1) + (o.simm12 ?? 0)) >>> 0, size: stores[name]!, read: false, write: true };
  if (name.startsWith('amo')) return { addr: reg(o.rs1), size: 4, read: true, write: true };
  if (name.startsWith('lr.')) return { addr: reg(o.rs1), size: 4, read: true, write: false };
  return null;
}

export function watchHits(w: Watchpoint, a: Access | null): boolean {
  if (!a) return false;
  const overlaps = a.addr < w.addr + w.len && w.addr < a.addr + a.size;
  if (!overlaps) return false;
  return w.kind === 'access' ? a.read || a.write : w.kind === 'read' ? a.read : a.write;
}

/** Whether a forward continue would stop at position t (breakpoint at pc(t) or watched access by instruction t). */
export function isHit(run: StraightRun, t: number, bps: Set<number>, wps: readonly Watchpoint[]): boolean {
  if (bps.has(run.pcs[t]!)) return true;
  return wps.some((w) => watchHits(w, run.accesses[t]!));
}
