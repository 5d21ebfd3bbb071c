// GDB remote serial protocol framing: `$payload#cs`, acks, the interrupt byte, escaping and
// run-length encoding. Byte strings are latin1 strings (one char per byte, 0..255).

/** The interrupt request gdb sends (Ctrl-C) while the target runs. */
export const INTERRUPT = '\x03';

/** Modulo-256 sum of the characters' byte values. */
export function checksum(data: string): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum = (sum + data.charCodeAt(i)) & 0xff;
  return sum;
}

/** Escapes the bytes that cannot appear raw in binary data: `$ # } *` become `}` + (byte ^ 0x20). */
export function escapeBinary(data: string): string {
  let out = '';
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (c === '$' || c === '#' || c === '}' || c === '*') out += '}' + String.fromCharCode(c.charCodeAt(0) ^ 0x20);
    else out += c;
  }
  return out;
}

/** A complete packet for `payload` (already escaped where the packet is binary). */
export function framePacket(payload: string): string {
  return `$${payload}#${checksum(payload).toString(16).padStart(2, '0')}`;
}

/**
 * The length of `raw` (a packet body, bytes as char codes) once escapes and run-length encoding
 * (`X*n` = X repeated n-29 more times) are undone, counted without producing it; -1 when the
 * body is malformed (dangling escape, run without a character to repeat, or a run count outside
 * the printable range the protocol allows).
 */
export function decodedLength(raw: ArrayLike<number>, length = raw.length): number {
  let n = 0;
  for (let i = 0; i < length; i++) {
    const c = raw[i]!;
    if (c === 0x7d) { // '}'
      if (++i >= length) return -1;
      n++;
    } else if (c === 0x2a) { // '*'
      if (++i >= length || n === 0) return -1;
      const run = raw[i]! - 29;
      // The count character must be printable (0x20..0x7e); '#' and '$' are excluded by framing.
      if (run < 3 || run > 0x7e - 29) return -1;
      n += run;
    } else {
      n++;
    }
  }
  return n;
}

/** Undoes escaping and run-length encoding into `out` (sized by decodedLength); returns `out`. */
function decodeInto(raw: ArrayLike<number>, length: number, out: Uint8Array): Uint8Array {
  let o = 0;
  for (let i = 0; i < length; i++) {
    const c = raw[i]!;
    if (c === 0x7d) {
      out[o++] = raw[++i]! ^ 0x20;
    } else if (c === 0x2a) {
      const run = raw[++i]! - 29;
      out.fill(out[o - 1]!, o, o + run);
      o += run;
    } else {
      out[o++] = c;
    }
  }
  return out;
}

/** Bytes as a latin1 string (one char per byte), in chunks that stay within argument limits. */
export function bytesToLatin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x2000) s += String.fromCharCode(...bytes.subarray(i, i + 0x2000));
  return s;
}

/**
 * Undoes escaping and run-length encoding of a packet body (a latin1 string). Returns null when
 * the body is malformed, or when it would decode to more than `maxLength` bytes (checked
 * before anything is produced).
 */
export function decodeBody(raw: string, maxLength = Number.POSITIVE_INFINITY): string | null {
  if (raw.indexOf('}') < 0 && raw.indexOf('*') < 0) return raw.length <= maxLength ? raw : null;
  const codes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) codes[i] = raw.charCodeAt(i);
  const n = decodedLength(codes);
  if (n < 0 || n > maxLength) return null;
  return bytesToLatin1(decodeInto(codes, codes.length, new Uint8Array(n)));
}

/** Run-length encodes a reply body (runs of 4 or more of a character). Not used on binary data. */
export function runLengthEncode(data: string): string {
  let out = '';
  let i = 0;
  while (i < data.length) {
    const c = data[i]!;
    let j = i + 1;
    while (j < data.length && data[j] === c) j++;
    let run = j - i;
    out += c;
    run--;
    while (run > 0) {
      // Counts 3..97 map to ' '..'~' except '#' (6) and '$' (7), which frame packets.
      let n = Math.min(run, 97);
      if (n < 3) { out += c.repeat(n); break; }
      if (n === 6 || n === 7) n = 5;
      out += '*' + String.fromCharCode(n + 29);
      run -= n;
      if (run > 0) { out += c; run--; }
    }
    i = j;
  }
  return out;
}

export type ReaderEvent =
  | { kind: 'packet'; data: string }
  | { kind: 'ack' }
  | { kind: 'nack' }
  | { kind: 'interrupt' }
  /** A complete packet whose checksum did not match (or was not two hex digits). */
  | { kind: 'bad-checksum' }
  /**
   * A complete packet longer than the reader accepts, as sent (`length`) or once its run-length
   * encoding is expanded (`decodedLength`, counted, never produced). Nothing of it was decoded.
   */
  | { kind: 'oversized'; length: number; decodedLength: number }
  /**
   * A packet still without its end after `length` bytes, far beyond any packet the reader
   * accepts: the reader has dropped it and waits for the next `$`.
   */
  | { kind: 'overlong'; length: number }
  /** A packet that ended early (a new `$` inside it) or whose escapes or runs are invalid. */
  | { kind: 'malformed' };

const enum State { Idle, Body, Sum1, Sum2 }

/** Bytes without an end after which a packet is given up as not a packet at all (`overlong`). */
export const OVERLONG_PACKET = 1 << 20;

/**
 * Splits a byte stream into protocol events. Bytes outside packets other than `+ - \x03` are
 * ignored, as the protocol says. Memory is bounded: at most `maxPacket` bytes of one packet are
 * kept (in one buffer, reused), and a packet is decoded only when its decoded length, counted
 * first, is within `maxPacket` too, so a run-length bomb costs a count, not an expansion.
 */
export class PacketReader {
  private state = State.Idle;
  private readonly raw: Uint8Array;
  private length = 0;
  private sum = 0;
  private sumText = '';
  /** No escape or run in the packet so far: its bytes are its data. */
  private plain = true;
  /** Bytes produced by decoding packets so far (for tests and diagnostics). */
  decodedBytes = 0;

  constructor(readonly maxPacket: number) {
    this.raw = new Uint8Array(maxPacket);
  }

  /** True while a packet has started but not ended. */
  get inPacket(): boolean { return this.state !== State.Idle; }

  /** All events of `chunk`. */
  push(chunk: string): ReaderEvent[] {
    const events: ReaderEvent[] = [];
    this.feed(chunk, 0, (ev) => { events.push(ev); return true; });
    return events;
  }

  /**
   * Reads `chunk` from `start`, passing each event to `onEvent`; stops right after an event for
   * which `onEvent` returns false. Returns the index of the first byte not read.
   */
  feed(chunk: string, start: number, onEvent: (ev: ReaderEvent) => boolean): number {
    for (let i = start; i < chunk.length; i++) {
      const code = chunk.charCodeAt(i) & 0xff;
      let ev: ReaderEvent | null = null;
      switch (this.state) {
        case State.Idle:
          if (code === 0x24) this.start(); // '$'
          else if (code === 0x2b) ev = { kind: 'ack' };
          else if (code === 0x2d) ev = { kind: 'nack' };
          else if (code === 0x03) ev = { kind: 'interrupt' };
          break;
        case State.Body:
          if (code === 0x23) { // '#'
            this.state = State.Sum1;
          } else if (code === 0x24) {
            ev = { kind: 'malformed' };
            this.start();
          } else {
            this.sum = (this.sum + code) & 0xff;
            if (code === 0x7d || code === 0x2a) this.plain = false;
            if (this.length < this.maxPacket) this.raw[this.length] = code;
            this.length++;
            if (this.length > OVERLONG_PACKET) {
              this.state = State.Idle;
              ev = { kind: 'overlong', length: this.length };
            }
          }
          break;
        case State.Sum1:
          this.sumText = chunk[i]!;
          this.state = State.Sum2;
          break;
        case State.Sum2:
          this.sumText += chunk[i]!;
          this.state = State.Idle;
          ev = this.finish();
          break;
      }
      if (ev && !onEvent(ev)) return i + 1;
    }
    return chunk.length;
  }

  private start(): void {
    this.state = State.Body;
    this.length = 0;
    this.sum = 0;
    this.plain = true;
  }

  private finish(): ReaderEvent {
    if (!/^[0-9a-fA-F]{2}$/.test(this.sumText) || parseInt(this.sumText, 16) !== this.sum) return { kind: 'bad-checksum' };
    if (this.length > this.maxPacket) return { kind: 'oversized', length: this.length, decodedLength: this.length };
    const n = decodedLength(this.raw, this.length);
    if (n < 0) return { kind: 'malformed' };
    if (n > this.maxPacket) return { kind: 'oversized', length: this.length, decodedLength: n };
    this.decodedBytes += n;
    const bytes = this.plain ? this.raw.subarray(0, n) : decodeInto(this.raw, this.length, new Uint8Array(n));
    return { kind: 'packet', data: bytesToLatin1(bytes) };
  }
}

// ---------------------------------------------------------------------------------- hex

const HEX = /^[0-9a-fA-F]+$/;

/** Bytes as lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Hex digits to bytes, or null if the text is not an even number of hex digits. */
export function fromHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || (text.length > 0 && !HEX.test(text))) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
  return out;
}

/** A latin1 string as hex (e.g. console output in `O` packets). */
export function textToHex(text: string): string {
  let s = '';
  for (let i = 0; i < text.length; i++) s += (text.charCodeAt(i) & 0xff).toString(16).padStart(2, '0');
  return s;
}

/** Hex to a latin1 string, or null. */
export function hexToText(hex: string): string | null {
  const b = fromHex(hex);
  return b === null ? null : bytesToLatin1(b);
}

/** A hex number of at most `maxDigits` digits (leading zeros beyond that are an error too), or null. */
export function parseHexNumber(text: string, maxDigits = 8): number | null {
  if (text.length === 0 || text.length > maxDigits || !HEX.test(text)) return null;
  return parseInt(text, 16);
}

/** A 32-bit value as the target's little-endian register bytes in hex. */
export function le32Hex(value: number): string {
  const v = value >>> 0;
  let s = '';
  for (let i = 0; i < 4; i++) s += ((v >>> (8 * i)) & 0xff).toString(16).padStart(2, '0');
  return s;
}

/** Little-endian hex (exactly 8 digits) to a 32-bit value, or null. */
export function parseLe32Hex(text: string): number | null {
  const b = fromHex(text);
  if (b === null || b.length !== 4) return null;
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}
