/**
 * The event log: every nondeterministic input, in icount order. Replaying it from the
 * program image reproduces every state bit for bit. Events at the same icount keep their order.
 *
 * Two families: "boundary" events are applied before instruction `icount` runs (UART input,
 * debugger writes made at the frontier); "instruction" events are values that instruction
 * `icount` read while it ran (RTC, seed).
 */

export const EventKind = {
  /** A byte entered the UART receive FIFO; payload = the byte. */
  UartRx: 1,
  /** The instruction read the Goldfish RTC; payload = nanoseconds. */
  Rtc: 2,
  /** The instruction read the Zkr `seed` CSR; payload = 16 bits of entropy. */
  Seed: 3,
  /** The debugger wrote guest memory; payload = address, data = the bytes. */
  MemWrite: 4,
  /** The debugger wrote a register; payload = regno * 2^32 + value (regno: 0-31 x, 32 pc, 0x1000 + csr). */
  RegWrite: 5,
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

export const EVENT_KIND_NAMES: Record<EventKind, string> = {
  1: 'uart-rx', 2: 'rtc', 3: 'seed', 4: 'mem-write', 5: 'reg-write',
};

export function isEventKind(k: number): k is EventKind {
  return k >= 1 && k <= 5 && Number.isInteger(k);
}

/** Whether the event is applied between instructions (rather than read by one). */
export function isBoundaryEvent(kind: EventKind): boolean {
  return kind === EventKind.UartRx || kind === EventKind.MemWrite || kind === EventKind.RegWrite;
}

export interface LogEvent { icount: number; kind: EventKind; payload: number; data?: Uint8Array }

export class EventLog {
  private icounts = new Float64Array(256);
  private kinds = new Uint8Array(256);
  private payloads = new Float64Array(256);
  private readonly blobs = new Map<number, Uint8Array>();
  private n = 0;

  get length(): number { return this.n; }
  /** The icount of the last event (-1 when empty). */
  get lastIcount(): number { return this.n === 0 ? -1 : this.icounts[this.n - 1]!; }

  /** Appends an event; icounts must not decrease. */
  append(icount: number, kind: EventKind, payload: number, data?: Uint8Array): void {
    if (this.n > 0 && icount < this.icounts[this.n - 1]!) {
      throw new RangeError(`event at icount ${icount} is before the last logged event (${this.icounts[this.n - 1]})`);
    }
    if (this.n === this.icounts.length) this.grow();
    this.icounts[this.n] = icount;
    this.kinds[this.n] = kind;
    this.payloads[this.n] = payload;
    if (data) this.blobs.set(this.n, data.slice());
    this.n++;
  }

  /** Drops the events from index `n` on. */
  truncate(n: number): void {
    if (n < 0 || n > this.n) throw new RangeError(`cannot truncate a log of ${this.n} events to ${n}`);
    for (const k of [...this.blobs.keys()]) if (k >= n) this.blobs.delete(k);
    this.n = n;
  }

  icountAt(i: number): number { return this.icounts[i]!; }
  kindAt(i: number): EventKind { return this.kinds[i] as EventKind; }
  payloadAt(i: number): number { return this.payloads[i]!; }
  dataAt(i: number): Uint8Array | undefined { return this.blobs.get(i); }
  at(i: number): LogEvent {
    if (i < 0 || i >= this.n) throw new RangeError(`event index ${i} out of range`);
    const e: LogEvent = { icount: this.icounts[i]!, kind: this.kinds[i] as EventKind, payload: this.payloads[i]! };
    const d = this.blobs.get(i);
    if (d) e.data = d;
    return e;
  }

  /** Index of the first event whose icount is >= `icount` (length if none). */
  lowerBound(icount: number): number {
    let lo = 0, hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.icounts[mid]! < icount) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** Number of events of `kind` with icount in [from, to). */
  countKind(kind: EventKind, from = 0, to = Infinity): number {
    let c = 0;
    for (let i = this.lowerBound(from); i < this.n && this.icounts[i]! < to; i++) if (this.kinds[i] === kind) c++;
    return c;
  }

  *events(): IterableIterator<LogEvent> {
    for (let i = 0; i < this.n; i++) yield this.at(i);
  }

  private grow(): void {
    const cap = this.icounts.length * 2;
    const ic = new Float64Array(cap); ic.set(this.icounts); this.icounts = ic;
    const k = new Uint8Array(cap); k.set(this.kinds); this.kinds = k;
    const p = new Float64Array(cap); p.set(this.payloads); this.payloads = p;
  }
}
