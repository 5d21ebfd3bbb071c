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
 * Undoes escaping and run-length encoding (`X*n` = X repeated n-29 more times) of a packet body.
 * Returns null when the body is malformed (dangling escape, run without a character to repeat,
 * or a run count outside the printable range the protocol allows).
 */
export function decodeBody(raw: string): string | null {
  if (raw.indexOf('}') < 0 && raw.indexOf('*') < 0) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '}') {
      if (i + 1 >= raw.length) return null;
      out += String.fromCharCode(raw.charCodeAt(++i) ^ 0x20);
    } else if (c === '*') {
      if (i + 1 >= raw.length || out.length === 0) return null;
      const n = raw.charCodeAt(++i) - 29;
      // The count character must be printable (0x20..0x7e); '#' and '$' are excluded by framing.
      if (n < 3 || n > 0x7e - 29) return null;
      out += out[out.length - 1]!.repeat(n);
    } else {
      out += c;
    }
  }
  return out;
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
  /** A complete packet longer than the reader accepts; its contents were discarded. */
  | { kind: 'oversized'; length: number }
  /** A packet that ended early (a new `$` inside it) or whose escapes or runs are invalid. */
  | { kind: 'malformed' };

const enum State { Idle, Body, Sum1, Sum2 }

/**
 * Splits a byte stream into protocol events. Bytes outside packets other than `+ - \x03` are
 * ignored, as the protocol says. Keeps at most `maxPacket` body bytes of one packet in memory.
 */
export class PacketReader {
  private state = State.Idle;
  private body = '';
  private length = 0;
  private sum = 0;
  private sumText = '';

  constructor(readonly maxPacket: number) {}

  /** True while a packet has started but not ended. */
  get inPacket(): boolean { return this.state !== State.Idle; }

  push(chunk: string): ReaderEvent[] {
    const events: ReaderEvent[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      switch (this.state) {
        case State.Idle:
          if (c === '$') this.start();
          else if (c === '+') events.push({ kind: 'ack' });
          else if (c === '-') events.push({ kind: 'nack' });
          else if (c === INTERRUPT) events.push({ kind: 'interrupt' });
          break;
        case State.Body:
          if (c === '#') {
            this.state = State.Sum1;
          } else if (c === '$') {
            events.push({ kind: 'malformed' });
            this.start();
          } else {
            this.sum = (this.sum + c.charCodeAt(0)) & 0xff;
            this.length++;
            if (this.length <= this.maxPacket) this.body += c;
          }
          break;
        case State.Sum1:
          this.sumText = c;
          this.state = State.Sum2;
          break;
        case State.Sum2: {
          this.sumText += c;
          this.state = State.Idle;
          events.push(this.finish());
          break;
        }
      }
    }
    return events;
  }

  private start(): void {
    this.state = State.Body;
    this.body = '';
    this.length = 0;
    this.sum = 0;
  }

  private finish(): ReaderEvent {
    const body = this.body;
    this.body = '';
    if (!/^[0-9a-fA-F]{2}$/.test(this.sumText) || parseInt(this.sumText, 16) !== this.sum) return { kind: 'bad-checksum' };
    if (this.length > this.maxPacket) return { kind: 'oversized', length: this.length };
    const data = decodeBody(body);
    return data === null ? { kind: 'malformed' } : { kind: 'packet', data };
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
  return b === null ? null : String.fromCharCode(...b);
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
