/**
 * The replay file: one self-contained, versioned, checksummed binary (docs/replay-format.md).
 * The reader validates every field before it allocates anything sized by the file.
 */
import type { ProgramImage } from '../core';
import { EventLog, EventKind, isEventKind } from './eventLog';
import type { Hash64 } from './hash';
import { RAM_BASE } from './snapshots';

export const REPLAY_MAGIC = 'REWINDRR';
export const REPLAY_VERSION = 1;
export const REPLAY_MAX_BYTES = 512 * 1024 * 1024;
const HEADER_BYTES = 16;
const MAX_SEGMENTS = 64;
const MAX_NAME = 4096;
const MAX_SOURCE = 16 * 1024 * 1024;
const MAX_MEMWRITE = 64 * 1024;
const ISA = 'rv32imac_zicsr_zifencei';
const BOARD = 'virt';

export interface ReplaySymbol { name: string; value: number; size: number }

export interface ReplayFile {
  ramSize: number;
  snapshotInterval: number;
  name: string;
  image: ProgramImage;
  symbols: ReplaySymbol[];
  source: { fileName: string; text: string } | null;
  log: EventLog;
  /** The end of the log: the instruction count the recording reached. */
  finalIcount: number;
  exit: { code: number } | null;
  /** State hashes at snapshot positions, increasing icount. */
  hashes: { icount: number; logIndex: number; hash: Hash64 }[];
}

/** A replay file that cannot be loaded; the message names the field and what is wrong. */
export class ReplayFileError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`invalid replay file: ${message} (at byte ${offset})`);
    this.name = 'ReplayFileError';
  }
}

// ---------------------------------------------------------------------------------- write

class Writer {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void { this.ensure(1); this.view.setUint8(this.length, v); this.length += 1; }
  u16(v: number): void { this.ensure(2); this.view.setUint16(this.length, v, true); this.length += 2; }
  u32(v: number): void { this.ensure(4); this.view.setUint32(this.length, v >>> 0, true); this.length += 4; }
  i32(v: number): void { this.ensure(4); this.view.setInt32(this.length, v | 0, true); this.length += 4; }
  f64(v: number): void { this.ensure(8); this.view.setFloat64(this.length, v, true); this.length += 8; }
  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.length); this.length += b.length; }
  patchU32(at: number, v: number): void { this.view.setUint32(at, v >>> 0, true); }
  result(): Uint8Array { return this.buf.slice(0, this.length); }
}

const utf8 = new TextEncoder();

export function writeReplayFile(f: ReplayFile): Uint8Array {
  const w = new Writer();
  w.bytes(utf8.encode(REPLAY_MAGIC));
  w.u16(REPLAY_VERSION);
  w.u16(0);
  const countAt = w.length;
  w.u32(0);
  let sections = 0;
  const section = (tag: string, body: () => void): void => {
    w.bytes(utf8.encode(tag));
    const lenAt = w.length;
    w.u32(0);
    const start = w.length;
    body();
    w.patchU32(lenAt, w.length - start);
    sections++;
  };
  section('CONF', () => {
    w.u32(f.ramSize); w.u32(f.snapshotInterval);
    const isa = utf8.encode(ISA); w.u8(isa.length); w.bytes(isa);
    const board = utf8.encode(BOARD); w.u8(board.length); w.bytes(board);
  });
  section('NAME', () => { const n = utf8.encode(f.name); w.u16(n.length); w.bytes(n); });
  section('IMAG', () => {
    w.u32(f.image.entry); w.u32(f.image.segments.length);
    for (const s of f.image.segments) { w.u32(s.addr); w.u32(s.memSize); w.u32(s.data.length); w.bytes(s.data); }
  });
  section('SYMS', () => {
    w.u32(f.symbols.length);
    for (const s of f.symbols) { const n = utf8.encode(s.name); w.u32(s.value); w.u32(s.size); w.u16(n.length); w.bytes(n); }
  });
  if (f.source) {
    const src = f.source;
    section('SRC_', () => {
      const n = utf8.encode(src.fileName); w.u16(n.length); w.bytes(n);
      const t = utf8.encode(src.text); w.u32(t.length); w.bytes(t);
    });
  }
  section('LOG_', () => {
    w.u32(f.log.length);
    for (let i = 0; i < f.log.length; i++) {
      w.f64(f.log.icountAt(i)); w.u8(f.log.kindAt(i)); w.f64(f.log.payloadAt(i));
      const d = f.log.dataAt(i);
      w.u32(d ? d.length : 0);
      if (d) w.bytes(d);
    }
  });
  section('FINL', () => { w.f64(f.finalIcount); w.u8(f.exit ? 1 : 0); w.i32(f.exit ? f.exit.code : 0); });
  section('HASH', () => {
    w.u32(f.hashes.length);
    for (const h of f.hashes) { w.f64(h.icount); w.u32(h.logIndex); w.u32(h.hash.hi); w.u32(h.hash.lo); }
  });
  w.patchU32(countAt, sections);
  const body = w.result();
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, crc32(body), true);
  return out;
}

// ---------------------------------------------------------------------------------- read

class Reader {
  private readonly view: DataView;
  pos: number;
  constructor(private readonly bytes: Uint8Array, start: number, readonly end: number, private readonly what: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }
  fail(msg: string, at = this.pos): never { throw new ReplayFileError(`${this.what}: ${msg}`, at); }
  need(n: number, field: string): void {
    if (n < 0 || this.pos + n > this.end) this.fail(`${field} needs ${n} bytes but only ${this.end - this.pos} remain`);
  }
  u8(field: string): number { this.need(1, field); return this.view.getUint8(this.pos++); }
  u16(field: string): number { this.need(2, field); const v = this.view.getUint16(this.pos, true); this.pos += 2; return v; }
  u32(field: string): number { this.need(4, field); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  i32(field: string): number { this.need(4, field); const v = this.view.getInt32(this.pos, true); this.pos += 4; return v; }
  f64(field: string): number { this.need(8, field); const v = this.view.getFloat64(this.pos, true); this.pos += 8; return v; }
  /** A non-negative integer stored as f64, exact (< 2^53). */
  count(field: string): number {
    const at = this.pos;
    const v = this.f64(field);
    if (!Number.isSafeInteger(v) || v < 0) this.fail(`${field} must be a whole number from 0 to 2^53, not ${v}`, at);
    return v;
  }
  raw(n: number, field: string): Uint8Array { this.need(n, field); const b = this.bytes.slice(this.pos, this.pos + n); this.pos += n; return b; }
  text(n: number, field: string): string {
    const at = this.pos;
    try { return new TextDecoder('utf-8', { fatal: true }).decode(this.raw(n, field)); } catch (e) {
      if (e instanceof ReplayFileError) throw e;
      return this.fail(`${field} is not valid UTF-8`, at);
    }
  }
  done(): void { if (this.pos !== this.end) this.fail(`${this.end - this.pos} unexpected bytes after the last field`); }
}

const REQUIRED = ['CONF', 'NAME', 'IMAG', 'SYMS', 'LOG_', 'FINL', 'HASH'] as const;

export function readReplayFile(bytes: Uint8Array): ReplayFile {
  if (bytes.length > REPLAY_MAX_BYTES) throw new ReplayFileError(`file is ${bytes.length} bytes; the limit is ${REPLAY_MAX_BYTES}`, 0);
  if (bytes.length < HEADER_BYTES + 4) throw new ReplayFileError(`file is ${bytes.length} bytes, too short for a header and checksum`, 0);
  const magic = new TextDecoder('latin1').decode(bytes.subarray(0, 8));
  if (magic !== REPLAY_MAGIC) throw new ReplayFileError(`magic is ${JSON.stringify(magic)}, expected "${REPLAY_MAGIC}": not a Rewind replay file`, 0);
  const hv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = hv.getUint16(8, true);
  if (version !== REPLAY_VERSION) throw new ReplayFileError(`format version ${version} is not supported (this Rewind reads version ${REPLAY_VERSION})`, 8);
  const flags = hv.getUint16(10, true);
  if (flags !== 0) throw new ReplayFileError(`header flags are 0x${flags.toString(16)}; version 1 defines none`, 10);
  const bodyEnd = bytes.length - 4;
  const stored = hv.getUint32(bodyEnd, true);
  const actual = crc32(bytes.subarray(0, bodyEnd));
  if (stored !== actual) {
    throw new ReplayFileError(`checksum mismatch (stored 0x${hex(stored)}, computed 0x${hex(actual)}): the file is damaged or truncated`, bodyEnd);
  }
  const sectionCount = hv.getUint32(12, true);
  if (sectionCount > 16) throw new ReplayFileError(`section count ${sectionCount} is more than the format has`, 12);
  const sections = new Map<string, Reader>();
  const top = new Reader(bytes, HEADER_BYTES, bodyEnd, 'header');
  for (let i = 0; i < sectionCount; i++) {
    const at = top.pos;
    const tag = new TextDecoder('latin1').decode(top.raw(4, `section ${i} tag`));
    const len = top.u32(`section ${tag} length`);
    top.need(len, `section ${tag}`);
    if (!(REQUIRED as readonly string[]).includes(tag) && tag !== 'SRC_') top.fail(`unknown section ${JSON.stringify(tag)}`, at);
    if (sections.has(tag)) top.fail(`section ${tag} appears twice`, at);
    sections.set(tag, new Reader(bytes, top.pos, top.pos + len, `section ${tag}`));
    top.pos += len;
  }
  top.done();
  for (const tag of REQUIRED) if (!sections.has(tag)) throw new ReplayFileError(`required section ${tag} is missing`, HEADER_BYTES);
  const get = (tag: string): Reader => sections.get(tag)!;

  // CONF
  const c = get('CONF');
  const ramSize = c.u32('ramSize');
  if (ramSize < 0x10000 || ramSize > 0x40000000 || ramSize % 4096 !== 0) c.fail(`ramSize ${ramSize} must be a multiple of 4096 from 64 KiB to 1 GiB`, c.pos - 4);
  const snapshotInterval = c.u32('snapshotInterval');
  if (snapshotInterval < 1000 || snapshotInterval > 1e9) c.fail(`snapshotInterval ${snapshotInterval} must be from 1000 to 1e9`, c.pos - 4);
  const isa = c.text(c.u8('isa length'), 'isa');
  if (isa !== ISA) c.fail(`isa is ${JSON.stringify(isa)}; this Rewind replays ${ISA}`);
  const board = c.text(c.u8('board length'), 'board');
  if (board !== BOARD) c.fail(`board is ${JSON.stringify(board)}; this Rewind replays ${BOARD}`);
  c.done();

  // NAME
  const n = get('NAME');
  const nameLen = n.u16('name length');
  if (nameLen > MAX_NAME) n.fail(`name length ${nameLen} exceeds ${MAX_NAME}`);
  const name = n.text(nameLen, 'name');
  n.done();

  // IMAG
  const im = get('IMAG');
  const entry = im.u32('entry');
  const segCount = im.u32('segment count');
  if (segCount === 0 || segCount > MAX_SEGMENTS) im.fail(`segment count ${segCount} must be from 1 to ${MAX_SEGMENTS}`, im.pos - 4);
  const segments: { addr: number; data: Uint8Array; memSize: number }[] = [];
  const ramEnd = RAM_BASE + ramSize;
  for (let i = 0; i < segCount; i++) {
    const at = im.pos;
    const addr = im.u32(`segment ${i} address`);
    const memSize = im.u32(`segment ${i} memory size`);
    const fileSize = im.u32(`segment ${i} data size`);
    if (fileSize > memSize) im.fail(`segment ${i} has ${fileSize} data bytes but a memory size of ${memSize}`, at);
    if (addr < RAM_BASE || addr + memSize > ramEnd) im.fail(`segment ${i} (0x${hex(addr)}+${memSize}) lies outside RAM 0x${hex(RAM_BASE)}-0x${hex(ramEnd)}`, at);
    for (const s of segments) {
      if (addr < s.addr + s.memSize && s.addr < addr + memSize) im.fail(`segment ${i} at 0x${hex(addr)} overlaps the segment at 0x${hex(s.addr)}`, at);
    }
    segments.push({ addr, memSize, data: im.raw(fileSize, `segment ${i} data`) });
  }
  im.done();

  // SYMS
  const sy = get('SYMS');
  const symCount = sy.u32('symbol count');
  if (symCount * 10 > sy.end - sy.pos) sy.fail(`symbol count ${symCount} cannot fit in ${sy.end - sy.pos} bytes`, sy.pos - 4);
  const symbols: ReplaySymbol[] = [];
  for (let i = 0; i < symCount; i++) {
    const value = sy.u32(`symbol ${i} value`);
    const size = sy.u32(`symbol ${i} size`);
    const len = sy.u16(`symbol ${i} name length`);
    symbols.push({ value, size, name: sy.text(len, `symbol ${i} name`) });
  }
  sy.done();

  // SRC_
  let source: ReplayFile['source'] = null;
  const sr = sections.get('SRC_');
  if (sr) {
    const fileName = sr.text(sr.u16('source file name length'), 'source file name');
    const len = sr.u32('source length');
    if (len > MAX_SOURCE) sr.fail(`source length ${len} exceeds ${MAX_SOURCE}`, sr.pos - 4);
    source = { fileName, text: sr.text(len, 'source text') };
    sr.done();
  }

  // FINL (read before the log so event icounts can be checked against it)
  const fi = get('FINL');
  const finalIcount = fi.count('final instruction count');
  const exited = fi.u8('exited flag');
  if (exited > 1) fi.fail(`exited flag is ${exited}, must be 0 or 1`, fi.pos - 1);
  const exitCode = fi.i32('exit code');
  fi.done();

  // LOG_
  const lg = get('LOG_');
  const evCount = lg.u32('event count');
  if (evCount * 21 > lg.end - lg.pos) lg.fail(`event count ${evCount} cannot fit in ${lg.end - lg.pos} bytes`, lg.pos - 4);
  const log = new EventLog();
  let prev = 0;
  for (let i = 0; i < evCount; i++) {
    const at = lg.pos;
    const icount = lg.count(`event ${i} icount`);
    if (icount < prev) lg.fail(`event ${i} icount ${icount} is before the previous event's ${prev}`, at);
    if (icount > finalIcount) lg.fail(`event ${i} icount ${icount} is past the end of the log (${finalIcount})`, at);
    prev = icount;
    const rawKind = lg.u8(`event ${i} kind`);
    if (!isEventKind(rawKind)) lg.fail(`event ${i} kind ${rawKind} is not one of 1-5`, lg.pos - 1);
    const kind = rawKind as EventKind;
    const payload = lg.f64(`event ${i} payload`);
    const dataLen = lg.u32(`event ${i} data length`);
    checkPayload(lg, i, kind, payload, dataLen, ramEnd);
    const data = dataLen > 0 ? lg.raw(dataLen, `event ${i} data`) : undefined;
    log.append(icount, kind, payload, data);
  }
  lg.done();

  // HASH
  const hs = get('HASH');
  const hashCount = hs.u32('hash count');
  if (hashCount * 20 !== hs.end - hs.pos) hs.fail(`hash count ${hashCount} does not match the section size`, hs.pos - 4);
  const hashes: ReplayFile['hashes'] = [];
  let prevHash = -1;
  for (let i = 0; i < hashCount; i++) {
    const at = hs.pos;
    const icount = hs.count(`hash ${i} icount`);
    if (icount <= prevHash || icount > finalIcount) hs.fail(`hash ${i} icount ${icount} is out of order or past the end of the log`, at);
    prevHash = icount;
    const logIndex = hs.u32(`hash ${i} log index`);
    if (logIndex > log.length) hs.fail(`hash ${i} log index ${logIndex} is past the ${log.length} events of the log`, hs.pos - 4);
    hashes.push({ icount, logIndex, hash: { hi: hs.u32(`hash ${i}`), lo: hs.u32(`hash ${i}`) } });
  }
  hs.done();

  return {
    ramSize, snapshotInterval, name, image: { entry, segments }, symbols, source, log, finalIcount,
    exit: exited ? { code: exitCode } : null, hashes,
  };
}

function checkPayload(r: Reader, i: number, kind: EventKind, payload: number, dataLen: number, ramEnd: number): void {
  const ok = (cond: boolean, what: string): void => { if (!cond) r.fail(`event ${i} (${what}) has payload ${payload}`); };
  const needData = kind === EventKind.MemWrite;
  if (!needData && dataLen !== 0) r.fail(`event ${i} of kind ${kind} carries ${dataLen} data bytes; only memory writes do`);
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
      ok(regno <= 32 || (regno >= 0x1000 && regno < 0x2000), 'register number');
      break;
    }
  }
}

// ---------------------------------------------------------------------------------- crc

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3), as zlib computes it. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function hex(v: number): string { return (v >>> 0).toString(16); }
