/**
 * UART output with the icount of the instruction that wrote each byte, kept compactly
 * (9 bytes per output byte in growable typed arrays) and bounded: past `limit` bytes the
 * output is still delivered to listeners but no longer kept, and `dropped` says from where.
 */

/** Output bytes kept by default: 8 Mi bytes, 72 MiB with their icounts. */
export const DEFAULT_OUTPUT_LIMIT = 8 * 1024 * 1024;

export class OutputLog {
  private icounts = new Float64Array(1024);
  private data = new Uint8Array(1024);
  private n = 0;
  /** Output before this icount has been seen (kept, or counted in `dropped`). */
  high = 0;
  /** Set once output was not kept for lack of room: the icount of the first byte not kept, and how many. */
  dropped: { fromIcount: number; bytes: number } | null = null;

  /** At most this many bytes are kept (0 keeps none). */
  constructor(readonly limit: number = DEFAULT_OUTPUT_LIMIT) {}

  get length(): number { return this.n; }
  icountAt(i: number): number { return this.icounts[i]!; }
  byteAt(i: number): number { return this.data[i]!; }

  /** Records a byte written by instruction `icount` (icounts must not decrease). */
  append(icount: number, byte: number): void {
    if (this.n >= this.limit) {
      if (this.dropped) this.dropped.bytes++;
      else this.dropped = { fromIcount: icount, bytes: 1 };
      return;
    }
    if (this.n === this.data.length) this.grow(Math.min(this.limit, this.n * 2));
    this.icounts[this.n] = icount;
    this.data[this.n] = byte;
    this.n++;
  }

  /** Index of the first kept byte written at or after `icount` (length if none). */
  lowerBound(icount: number): number {
    let lo = 0, hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.icounts[mid]! < icount) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** The kept bytes [from, to) (a view: copy it to keep it). */
  bytes(from = 0, to = this.n): Uint8Array { return this.data.subarray(from, to); }

  /** Bytes written by instructions before `icount`, as a view. */
  bytesBefore(icount: number): Uint8Array { return this.data.subarray(0, this.lowerBound(icount)); }

  /** Text written by instructions before `icount`, decoded as UTF-8 as the console does. */
  textBefore(icount: number): string { return new TextDecoder().decode(this.bytesBefore(icount)); }

  private grow(cap: number): void {
    const ic = new Float64Array(cap); ic.set(this.icounts.subarray(0, this.n)); this.icounts = ic;
    const d = new Uint8Array(cap); d.set(this.data.subarray(0, this.n)); this.data = d;
  }
}
