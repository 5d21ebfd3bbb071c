/** Binary encodings of what the stores hold (all little-endian, all ArrayBuffers). */
import { EventLog, isEventKind } from '../replay/eventLog';
import { hashWords, hashToHex, type Hash64 } from '../replay/hash';
import type { OutputLog } from '../replay/outputLog';
import type { OutputSource } from './repository';

/** Events [from, to) of `log`: per event f64 icount, u8 kind, f64 payload, u32 data length, data. */
export function encodeEvents(log: EventLog, from: number, to: number): ArrayBuffer {
  let size = 0;
  for (let i = from; i < to; i++) size += 21 + (log.dataAt(i)?.length ?? 0);
  const buf = new ArrayBuffer(size);
  const view = new DataView(buf);
  const bytes = new Uint8Array(buf);
  let at = 0;
  for (let i = from; i < to; i++) {
    view.setFloat64(at, log.icountAt(i), true);
    view.setUint8(at + 8, log.kindAt(i));
    view.setFloat64(at + 9, log.payloadAt(i), true);
    const d = log.dataAt(i);
    view.setUint32(at + 17, d ? d.length : 0, true);
    at += 21;
    if (d) { bytes.set(d, at); at += d.length; }
  }
  return buf;
}

/** Appends the events of one chunk to `log`; throws on a malformed chunk. */
export function decodeEvents(buf: ArrayBuffer, count: number, log: EventLog): void {
  const view = new DataView(buf);
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 21 > buf.byteLength) throw new Error('stored event log chunk is truncated');
    const icount = view.getFloat64(at, true);
    const kind = view.getUint8(at + 8);
    const payload = view.getFloat64(at + 9, true);
    const len = view.getUint32(at + 17, true);
    at += 21;
    if (!isEventKind(kind) || at + len > buf.byteLength) throw new Error('stored event log chunk is corrupt');
    log.append(icount, kind, payload, len > 0 ? new Uint8Array(buf, at, len) : undefined);
    at += len;
  }
}

/** Output bytes [from, to): f64 icounts then the bytes. */
export function encodeOutput(out: OutputSource, from: number, to: number): ArrayBuffer {
  const n = to - from;
  const buf = new ArrayBuffer(n * 9);
  const ic = new Float64Array(buf, 0, n);
  const b = new Uint8Array(buf, n * 8, n);
  for (let i = 0; i < n; i++) { ic[i] = out.icountAt(from + i); b[i] = out.byteAt(from + i); }
  return buf;
}

export function decodeOutput(buf: ArrayBuffer, count: number, into: OutputLog): void {
  if (buf.byteLength !== count * 9) throw new Error('stored output chunk is corrupt');
  const ic = new Float64Array(buf, 0, count);
  const b = new Uint8Array(buf, count * 8, count);
  for (let i = 0; i < count; i++) into.append(ic[i]!, b[i]!);
}

export interface ExpectedHash { icount: number; logIndex: number; hash: Hash64 }

export function encodeHashes(list: readonly ExpectedHash[]): ArrayBuffer {
  const buf = new ArrayBuffer(list.length * 20);
  const view = new DataView(buf);
  list.forEach((h, i) => {
    view.setFloat64(i * 20, h.icount, true);
    view.setUint32(i * 20 + 8, h.logIndex, true);
    view.setUint32(i * 20 + 12, h.hash.hi, true);
    view.setUint32(i * 20 + 16, h.hash.lo, true);
  });
  return buf;
}

export function decodeHashes(buf: ArrayBuffer): ExpectedHash[] {
  const view = new DataView(buf);
  const out: ExpectedHash[] = [];
  for (let at = 0; at + 20 <= buf.byteLength; at += 20) {
    out.push({ icount: view.getFloat64(at, true), logIndex: view.getUint32(at + 8, true), hash: { hi: view.getUint32(at + 12, true), lo: view.getUint32(at + 16, true) } });
  }
  return out;
}
/** An exact-size copy of a Uint32Array's contents. */
export function u32Buffer(a: Uint32Array): ArrayBuffer {
  const out = new Uint32Array(a.length);
  out.set(a);
  return out.buffer;
}

/** Union of two sorted page lists. */
export function unionSorted(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0, j = 0, n = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a[i]! : Infinity;
    const y = j < b.length ? b[j]! : Infinity;
    const v = Math.min(x, y);
    if (x === v) i++;
    if (y === v) j++;
    out[n++] = v;
  }
  return out.slice(0, n);
}

/**
 * A page's storage key: its 64-bit store hash and a second, independently seeded 64-bit hash
 * of the same words, so two different pages sharing a key is out of practical reach.
 */
export function pageKey(bytes: Uint8Array, hash: Hash64): string {
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  return hashToHex(hash) + hashToHex(hashWords(words, 0x5bd1e995, 0x68e31da4));
}

export function newSessionId(): string {
  const r = new Uint32Array(2);
  crypto.getRandomValues(r);
  return `s-${Date.now().toString(36)}-${r[0]!.toString(36)}${r[1]!.toString(36)}`;
}
