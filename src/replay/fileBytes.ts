/**
 * Byte-level reading and writing for the replay file: a growable little-endian writer, a
 * bounds-checked reader whose errors name the field and the byte offset, and CRC-32.
 */

/** A replay file that cannot be loaded; the message names the field and what is wrong. */
export class ReplayFileError extends Error {
  constructor(message: string, readonly offset: number | null) {
    super(`invalid replay file: ${message}${offset === null ? '' : ` (at byte ${offset})`}`);
    this.name = 'ReplayFileError';
  }
}

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;
  constructor(capacity = 1 << 12) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }
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
  ascii(s: string): void { for (let i = 0; i < s.length; i++) this.u8(s.charCodeAt(i) & 0xff); }
  patchU32(at: number, v: number): void { this.view.setUint32(at, v >>> 0, true); }
  /** A view of the bytes written from `from` (valid until the next write). */
  view8(from = 0, to = this.length): Uint8Array { return this.buf.subarray(from, to); }
  /** A copy of everything written. */
  result(): Uint8Array { return this.buf.slice(0, this.length); }
  reset(): void { this.length = 0; }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

export class ByteReader {
  private readonly view: DataView;
  pos: number;
  constructor(private readonly bytes: Uint8Array, start: number, readonly end: number, private readonly what: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }
  get remaining(): number { return this.end - this.pos; }
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
  ascii(n: number, field: string): string { this.need(n, field); const s = latin1.decode(this.bytes.subarray(this.pos, this.pos + n)); this.pos += n; return s; }
  text(n: number, field: string): string {
    const at = this.pos;
    this.need(n, field);
    try {
      const s = utf8Decoder.decode(this.bytes.subarray(this.pos, this.pos + n));
      this.pos += n;
      return s;
    } catch {
      return this.fail(`${field} is not valid UTF-8`, at);
    }
  }
  done(): void { if (this.pos !== this.end) this.fail(`${this.end - this.pos} unexpected bytes after the last field`); }
}

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

export function hex(v: number): string { return (v >>> 0).toString(16); }
