/**
 * The payloads of the replay file's records (docs/replay-format.md): configuration, name,
 * program image, symbols, source, event batches, state-hash batches, checkpoints and the
 * final record. Readers validate every field before they allocate anything sized by the file.
 */
import type { ProgramImage } from '../core';
import { EventLog, EventKind, isEventKind } from './eventLog';
import type { Hash64 } from './hash';
import { RAM_BASE } from './snapshots';
import { ByteReader, ByteWriter, hex } from './fileBytes';

export const MAX_SEGMENTS = 64;
export const MAX_NAME = 4096;
export const MAX_SOURCE = 16 * 1024 * 1024;
export const MAX_MEMWRITE = 64 * 1024;
/** The largest RAM a replay file may configure: the machine allocates it (lazily) before replaying. */
export const MAX_RAM_SIZE = 1024 * 1024 * 1024;
export const MIN_RAM_SIZE = 64 * 1024;
export const ISA = 'rv32imac_zicsr_zifencei';
export const BOARD = 'virt';
/** Bytes of one event without its data: f64 icount, u8 kind, f64 payload, u32 data length. */
export const EVENT_BYTES = 21;
/** Bytes of one state hash entry: f64 icount, u32 log index, u32 hi, u32 lo. */
export const HASH_ENTRY_BYTES = 20;

export interface ReplaySymbol { name: string; value: number; size: number }
export interface HashEntry { icount: number; logIndex: number; hash: Hash64 }
export interface Conf { ramSize: number; snapshotInterval: number }

const utf8 = new TextEncoder();

// ------------------------------------------------------------------ static records

export function writeConf(w: ByteWriter, c: Conf): void {
  w.u32(c.ramSize); w.u32(c.snapshotInterval);
  w.u8(ISA.length); w.ascii(ISA);
  w.u8(BOARD.length); w.ascii(BOARD);
}

export function readConf(r: ByteReader): Conf {
  const ramSize = r.u32('ramSize');
  if (ramSize < MIN_RAM_SIZE || ramSize > MAX_RAM_SIZE || ramSize % 4096 !== 0) {
    r.fail(`ramSize ${ramSize} must be a multiple of 4096 from 64 KiB to 1 GiB`, r.pos - 4);
  }
  const snapshotInterval = r.u32('snapshotInterval');
  if (snapshotInterval < 1000 || snapshotInterval > 1e9) r.fail(`snapshotInterval ${snapshotInterval} must be from 1000 to 1e9`, r.pos - 4);
  const isa = r.text(r.u8('isa length'), 'isa');
  if (isa !== ISA) r.fail(`isa is ${JSON.stringify(isa)}; this Rewind replays ${ISA}`);
  const board = r.text(r.u8('board length'), 'board');
  if (board !== BOARD) r.fail(`board is ${JSON.stringify(board)}; this Rewind replays ${BOARD}`);
  r.done();
  return { ramSize, snapshotInterval };
}

export function writeName(w: ByteWriter, name: string): void {
  let n = utf8.encode(name);
  if (n.length > MAX_NAME) n = utf8.encode(truncateUtf8(name, MAX_NAME));
  w.u16(n.length); w.bytes(n);
}

export function readName(r: ByteReader): string {
  const len = r.u16('name length');
  if (len > MAX_NAME) r.fail(`name length ${len} exceeds ${MAX_NAME}`, r.pos - 2);
  const name = r.text(len, 'name');
  r.done();
  return name;
}

export function writeImage(w: ByteWriter, image: ProgramImage): void {
  w.u32(image.entry); w.u32(image.segments.length);
  for (const s of image.segments) { w.u32(s.addr); w.u32(s.memSize); w.u32(s.data.length); w.bytes(s.data); }
}

export function readImage(r: ByteReader, ramSize: number): ProgramImage {
  const entry = r.u32('entry');
  const segCount = r.u32('segment count');
  if (segCount === 0 || segCount > MAX_SEGMENTS) r.fail(`segment count ${segCount} must be from 1 to ${MAX_SEGMENTS}`, r.pos - 4);
  const segments: { addr: number; data: Uint8Array; memSize: number }[] = [];
  const ramEnd = RAM_BASE + ramSize;
  for (let i = 0; i < segCount; i++) {
    const at = r.pos;
    const addr = r.u32(`segment ${i} address`);
    const memSize = r.u32(`segment ${i} memory size`);
    const fileSize = r.u32(`segment ${i} data size`);
    if (fileSize > memSize) r.fail(`segment ${i} has ${fileSize} data bytes but a memory size of ${memSize}`, at);
    if (addr < RAM_BASE || addr + memSize > ramEnd) r.fail(`segment ${i} (0x${hex(addr)}+${memSize}) lies outside RAM 0x${hex(RAM_BASE)}-0x${hex(ramEnd)}`, at);
    for (const s of segments) {
      if (addr < s.addr + s.memSize && s.addr < addr + memSize) r.fail(`segment ${i} at 0x${hex(addr)} overlaps the segment at 0x${hex(s.addr)}`, at);
    }
    segments.push({ addr, memSize, data: r.raw(fileSize, `segment ${i} data`) });
  }
  r.done();
  return { entry, segments };
}

export function writeSymbols(w: ByteWriter, symbols: readonly ReplaySymbol[]): void {
  w.u32(symbols.length);
  for (const s of symbols) {
    let n = utf8.encode(s.name);
    if (n.length > 0xffff) n = utf8.encode(truncateUtf8(s.name, 0xffff));
    w.u32(s.value); w.u32(s.size); w.u16(n.length); w.bytes(n);
  }
}

export function readSymbols(r: ByteReader): ReplaySymbol[] {
  const count = r.u32('symbol count');
  if (count * 10 > r.remaining) r.fail(`symbol count ${count} cannot fit in ${r.remaining} bytes`, r.pos - 4);
  const symbols: ReplaySymbol[] = [];
  for (let i = 0; i < count; i++) {
    const value = r.u32(`symbol ${i} value`);
    const size = r.u32(`symbol ${i} size`);
    const len = r.u16(`symbol ${i} name length`);
    symbols.push({ value, size, name: r.text(len, `symbol ${i} name`) });
  }
  r.done();
  return symbols;
}

export function writeSource(w: ByteWriter, src: { fileName: string; text: string }): void {
  const n = utf8.encode(truncateUtf8(src.fileName, 0xffff)); w.u16(n.length); w.bytes(n);
  const t = utf8.encode(src.text); w.u32(t.length); w.bytes(t);
}

export function readSource(r: ByteReader): { fileName: string; text: string } {
  const fileName = r.text(r.u16('source file name length'), 'source file name');
  const len = r.u32('source length');
  if (len > MAX_SOURCE) r.fail(`source length ${len} exceeds ${MAX_SOURCE}`, r.pos - 4);
  const text = r.text(len, 'source text');
  r.done();
  return { fileName, text };
}

// ------------------------------------------------------------------ events

/** Events [from, to) of `log`. */
export function writeEvents(w: ByteWriter, log: EventLog, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    w.f64(log.icountAt(i)); w.u8(log.kindAt(i)); w.f64(log.payloadAt(i));
    const d = log.dataAt(i);
    w.u32(d ? d.length : 0);
    if (d) w.bytes(d);
  }
}

/**
 * Reads `count` events into `log` (which holds the events before them), checking order and
 * every payload. `maxIcount` bounds the icounts when the end of the log is known.
 */
export function readEvents(r: ByteReader, log: EventLog, count: number, ramSize: number, maxIcount: number): void {
  if (count * EVENT_BYTES > r.remaining) r.fail(`event count ${count} cannot fit in ${r.remaining} bytes`, r.pos - 4);
  const ramEnd = RAM_BASE + ramSize;
  let prev = log.length > 0 ? log.lastIcount : 0;
  for (let k = 0; k < count; k++) {
    const i = log.length;
    const at = r.pos;
    const icount = r.count(`event ${i} icount`);
    if (icount < prev) r.fail(`event ${i} icount ${icount} is before the previous event's ${prev}`, at);
    if (icount > maxIcount) r.fail(`event ${i} icount ${icount} is past the end of the log (${maxIcount})`, at);
    prev = icount;
    const rawKind = r.u8(`event ${i} kind`);
    if (!isEventKind(rawKind)) r.fail(`event ${i} kind ${rawKind} is not one of 1-5`, r.pos - 1);
    const kind = rawKind as EventKind;
    const payload = r.f64(`event ${i} payload`);
    const dataLen = r.u32(`event ${i} data length`);
    checkPayload(r, i, kind, payload, dataLen, ramEnd);
    const data = dataLen > 0 ? r.raw(dataLen, `event ${i} data`) : undefined;
    log.append(icount, kind, payload, data);
  }
}

function checkPayload(r: ByteReader, i: number, kind: EventKind, payload: number, dataLen: number, ramEnd: number): void {
  const ok = (cond: boolean, what: string): void => { if (!cond) r.fail(`event ${i} (${what}) has payload ${payload}`); };
  if (kind !== EventKind.MemWrite && dataLen !== 0) r.fail(`event ${i} of kind ${kind} carries ${dataLen} data bytes; only memory writes do`);
  switch (kind) {
    case EventKind.UartRx: ok(Number.isInteger(payload) && payload >= 0 && payload <= 255, 'UART byte'); break;
    case EventKind.Rtc: ok(Number.isInteger(payload) && payload >= 0 && payload < 2 ** 64, 'RTC nanoseconds'); break;
    case EventKind.Seed: ok(Number.isInteger(payload) && payload >= 0 && payload <= 0xffff, 'seed entropy'); break;
    case EventKind.MemWrite:
      ok(Number.isInteger(payload) && payload >= 0 && payload <= 0xffffffff, 'memory address');
      if (dataLen === 0 || dataLen > MAX_MEMWRITE) r.fail(`event ${i} memory write of ${dataLen} bytes must be 1 to ${MAX_MEMWRITE}`);
      if (payload < RAM_BASE || payload + dataLen > ramEnd) r.fail(`event ${i} memory write at 0x${hex(payload)} is outside RAM`);
      break;
    case EventKind.RegWrite: {
      ok(Number.isSafeInteger(payload) && payload >= 0, 'register write');
      const regno = Math.floor(payload / 2 ** 32);
      // Which CSRs exist is checked against the machine when the timeline is built.
      ok(regno <= 32 || (regno >= 0x1000 && regno < 0x2000), 'register number');
      break;
    }
  }
}

// ------------------------------------------------------------------ state hashes

export function writeHashes(w: ByteWriter, list: readonly HashEntry[]): void {
  for (const h of list) { w.f64(h.icount); w.u32(h.logIndex); w.u32(h.hash.hi); w.u32(h.hash.lo); }
}

/** Reads `count` entries; the caller checks them against the log and each other. */
export function readHashes(r: ByteReader, count: number, firstIndex: number): HashEntry[] {
  if (count * HASH_ENTRY_BYTES !== r.remaining) r.fail(`hash count ${count} does not match the record's ${r.remaining} bytes`, r.pos - 4);
  const out: HashEntry[] = [];
  for (let k = 0; k < count; k++) {
    const i = firstIndex + k;
    const icount = r.count(`hash ${i} icount`);
    const logIndex = r.u32(`hash ${i} log index`);
    out.push({ icount, logIndex, hash: { hi: r.u32(`hash ${i}`), lo: r.u32(`hash ${i}`) } });
  }
  return out;
}

// ------------------------------------------------------------------ checkpoints and the end

/** A point the recording was safely on disk: the state after `logIndex` events at `icount`. */
export interface Checkpoint extends HashEntry {
  /** Digest of events [0, logIndex) (hash.ts LogDigest). */
  logDigest: Hash64;
}

export const CHECKPOINT_BYTES = 28;

export function writeCheckpoint(w: ByteWriter, c: Checkpoint): void {
  w.f64(c.icount); w.u32(c.logIndex); w.u32(c.hash.hi); w.u32(c.hash.lo); w.u32(c.logDigest.hi); w.u32(c.logDigest.lo);
}

export function readCheckpoint(r: ByteReader): Checkpoint {
  const icount = r.count('icount');
  const logIndex = r.u32('log index');
  const hash = { hi: r.u32('state hash'), lo: r.u32('state hash') };
  const logDigest = { hi: r.u32('log digest'), lo: r.u32('log digest') };
  r.done();
  return { icount, logIndex, hash, logDigest };
}

/** The end of a complete recording. */
export interface Final {
  finalIcount: number;
  eventCount: number;
  logDigest: Hash64;
  exit: { code: number } | null;
  /** Whether the state hashes include the state at the end (finalIcount, after every event). */
  endHashed: boolean;
}

export const FINAL_BYTES = 25;

export function writeFinal(w: ByteWriter, f: Final): void {
  w.f64(f.finalIcount); w.u32(f.eventCount); w.u32(f.logDigest.hi); w.u32(f.logDigest.lo);
  w.u8((f.exit ? 1 : 0) | (f.endHashed ? 2 : 0)); w.i32(f.exit ? f.exit.code : 0);
}

export function readFinal(r: ByteReader): Final {
  const finalIcount = r.count('final instruction count');
  const eventCount = r.u32('event count');
  const logDigest = { hi: r.u32('log digest'), lo: r.u32('log digest') };
  const flags = r.u8('flags');
  if (flags > 3) r.fail(`flags are 0x${flags.toString(16)}; only bits 0 (exited) and 1 (end hashed) are defined`, r.pos - 1);
  const code = r.i32('exit code');
  r.done();
  return { finalIcount, eventCount, logDigest, exit: flags & 1 ? { code } : null, endHashed: (flags & 2) !== 0 };
}

/** The longest prefix of `s` whose UTF-8 encoding fits in `max` bytes. */
function truncateUtf8(s: string, max: number): string {
  if (utf8.encode(s).length <= max) return s;
  let lo = 0, hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (utf8.encode(s.slice(0, mid)).length <= max) lo = mid; else hi = mid - 1;
  }
  // Do not end on half of a surrogate pair.
  const last = s.charCodeAt(lo - 1);
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? lo - 1 : lo);
}
