/**
 * Non-cryptographic 64-bit hashing of machine state, as two 32-bit lanes.
 * Used for content-addressed pages and for the determinism check; not for security.
 */

/** A 64-bit hash as a pair of unsigned 32-bit lanes. */
export interface Hash64 { hi: number; lo: number }

const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const P3 = 0xc2b2ae3d | 0;

function fmix(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, P2);
  h ^= h >>> 13; h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h;
}

/**
 * Hash of `words` (a 4-byte aligned view). Two independent lanes give 64 bits;
 * the length is mixed in so that trailing zeros matter.
 */
export function hashWords(words: Int32Array, seedHi = 0x1b873593, seedLo = 0x27d4eb2f): Hash64 {
  let a = seedHi | 0;
  let b = seedLo | 0;
  const n = words.length;
  for (let i = 0; i < n; i++) {
    const w = words[i]! | 0;
    a = Math.imul(a ^ w, P1); a = (a << 13) | (a >>> 19);
    b = Math.imul(b + w, P3) ^ (b >>> 15);
  }
  return { hi: fmix(a ^ n) >>> 0, lo: fmix(b + Math.imul(n, P2)) >>> 0 };
}

/** Hash of arbitrary bytes (copied to a word buffer when unaligned or of odd length). */
export function hashBytes(bytes: Uint8Array): Hash64 {
  const wordLen = bytes.length >>> 2;
  let words: Int32Array;
  if ((bytes.byteOffset & 3) === 0) {
    words = new Int32Array(bytes.buffer, bytes.byteOffset, wordLen);
  } else {
    words = new Int32Array(wordLen);
    new Uint8Array(words.buffer).set(bytes.subarray(0, wordLen * 4));
  }
  const h = hashWords(words, 0x1b873593 ^ bytes.length, 0x27d4eb2f);
  let tail = 0;
  for (let i = wordLen * 4; i < bytes.length; i++) tail = (tail << 8) | bytes[i]!;
  return { hi: fmix(h.hi ^ tail) >>> 0, lo: fmix(h.lo + tail) >>> 0 };
}

/** Mixes a page's index into its content hash, for the order-independent RAM digest. */
export function mixPage(index: number, h: Hash64): Hash64 {
  return {
    hi: fmix(h.hi ^ Math.imul(index + 1, P1)) >>> 0,
    lo: fmix(h.lo + Math.imul(index + 1, P2)) >>> 0,
  };
}

/** Lane-wise addition modulo 2^32: a digest that can be updated page by page. */
export function addHash(a: Hash64, b: Hash64): Hash64 {
  return { hi: (a.hi + b.hi) >>> 0, lo: (a.lo + b.lo) >>> 0 };
}

export function subHash(a: Hash64, b: Hash64): Hash64 {
  return { hi: (a.hi - b.hi) >>> 0, lo: (a.lo - b.lo) >>> 0 };
}

export function combineHash(a: Hash64, b: Hash64): Hash64 {
  return { hi: fmix(a.hi ^ Math.imul(b.lo, P1)) >>> 0, lo: fmix(a.lo + Math.imul(b.hi, P3)) >>> 0 };
}

export function hashEquals(a: Hash64, b: Hash64): boolean {
  return a.hi === b.hi && a.lo === b.lo;
}

export function hashToHex(h: Hash64): string {
  return h.hi.toString(16).padStart(8, '0') + h.lo.toString(16).padStart(8, '0');
}

export const ZERO_HASH: Hash64 = Object.freeze({ hi: 0, lo: 0 });

/**
 * A running digest of the event log (icount, kind, payload and data of each event, in order):
 * a replay file records it at its checkpoints and at its end, so an altered input is caught
 * when the file is loaded, before any state is shown.
 */
export class LogDigest {
  private a = 0x243f6a88 | 0;
  private b = 0x85a308d3 | 0;
  /** Events added so far. */
  count = 0;
  private readonly f64 = new Float64Array(1);
  private readonly words = new Int32Array(this.f64.buffer);

  add(icount: number, kind: number, payload: number, data: Uint8Array | undefined): void {
    this.f64[0] = icount;
    this.mix(this.words[0]!); this.mix(this.words[1]!);
    this.mix(kind);
    this.f64[0] = payload;
    this.mix(this.words[0]!); this.mix(this.words[1]!);
    if (data) {
      const h = hashBytes(data);
      this.mix(data.length); this.mix(h.hi); this.mix(h.lo);
    } else {
      this.mix(0);
    }
    this.count++;
  }

  value(): Hash64 {
    return { hi: fmix(this.a ^ this.count) >>> 0, lo: fmix(this.b + Math.imul(this.count, P2)) >>> 0 };
  }

  private mix(w: number): void {
    let a = Math.imul(this.a ^ w, P1);
    this.a = (a << 13) | (a >>> 19);
    a = this.b;
    this.b = Math.imul(a + w, P3) ^ (a >>> 15);
  }
}
