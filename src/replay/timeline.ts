import { Machine, type ProgramImage, type Watchpoint, type StopReason } from '../core';
import { EventLog, EventKind, EVENT_KIND_NAMES, isBoundaryEvent } from './eventLog';
import { ReplayInputPort, type LiveInputs } from './inputPort';
import { SnapshotIndex, RAM_BASE, sortedHas, type Snapshot } from './snapshots';
import { PAGE_SIZE } from './pageStore';
import { type Hash64, hashEquals } from './hash';
import type { HashEntry } from './fileRecords';
import type { InfoReplay, Operation, Progress, Stop, StopCause } from './types';
import { complete } from './types';
import { OutputLog } from './outputLog';

export interface TimelineOptions {
  /** The log's name, shown by info replay. */
  name?: string;
  /** Instructions between periodic snapshots (replaying one interval takes a few ms). */
  snapshotInterval?: number;
  /** Bytes snapshots may hold before old ones are thinned. */
  memoryBudget?: number;
  /** Instructions per time slice of a long operation. */
  sliceInstructions?: number;
  ramSize?: number;
  /** Where live inputs come from while recording; null for a replay-only session. */
  live?: LiveInputs | null;
  /** Hits in one interval after which reverse continue searches backwards from the end (tuning). */
  denseHits?: number;
  /** UART output bytes kept in `output` (default DEFAULT_OUTPUT_LIMIT; 0 when only onOutput is wanted). */
  outputLimit?: number;
}

type AdvanceEnd =
  | { kind: 'limit' }
  | { kind: 'hit'; cause: StopCause }
  | { kind: 'exit'; code: number }
  | { kind: 'idle' }
  | { kind: 'end-of-log' }
  | { kind: 'divergence'; message: string };

const DEFAULT_INTERVAL = 4_000_000;
const DEFAULT_BUDGET = 64 * 1024 * 1024;
const DEFAULT_SLICE = 2_000_000;
/** While host input waits at the frontier, offer it to the UART this often. */
const INPUT_POLL = 10_000;
const MAX_ICOUNT = Number.MAX_SAFE_INTEGER;
/** Hits in one interval after which reverse continue searches backwards from the end instead. */
const DENSE_HITS = 64;

interface Hit { icount: number; cause: StopCause }

interface ExpectedHash { logIndex: number; hash: Hash64; checked: boolean }

/**
 * A session's timeline: the machine, the event log, the snapshots, and the operations that
 * move through them (DESIGN.md section 3). Deterministic and synchronous; long operations
 * are generators that the caller drives in time slices.
 */
export class Timeline {
  readonly machine: Machine;
  readonly log: EventLog;
  readonly snapshots: SnapshotIndex;
  readonly port: ReplayInputPort;
  readonly output: OutputLog;
  readonly image: ProgramImage;
  readonly replayOnly: boolean;
  name: string;
  /** The furthest icount recorded; in a replay-only session the end of the log. */
  frontier: number;
  /** Set once the guest exited while recording: the frontier cannot move past it. */
  exit: { icount: number; code: number } | null = null;

  readonly breakpoints = new Set<number>();
  watchpoints: Watchpoint[] = [];
  replayBreak: number | null = null;
  /** Host UART input waiting to enter the guest at the frontier. */
  private readonly pendingInput = new ByteQueue();
  /** State hashes the replay must reproduce (from a replay file), by icount, in increasing logIndex. */
  private readonly expected = new Map<number, ExpectedHash[]>();
  /** The icounts of `expected`, sorted: the replay stops at each to check it. */
  private readonly expectedAt: number[] = [];
  private expectedCount = 0;
  /**
   * The state hash of each periodic snapshot position the first time it was reached, in
   * increasing icount: what a replay file records, kept when thinning drops the snapshots.
   */
  readonly stateHashes: HashEntry[] = [];
  /**
   * Set for a log recovered from a cut recording: whether the guest exited at its end is not
   * known, so reaching the end of the log with the guest exited there is not a divergence.
   */
  endUnknown = false;
  private frontierState: HashEntry | null = null;
  /** Called with every UART byte the guest writes the first time that instruction runs. */
  onOutput: ((byte: number, icount: number) => void) | null = null;

  readonly interval: number;
  memoryBudget: number;
  private readonly denseHits: number;
  /** Instructions per time slice of a long operation (the worker tunes it between slices). */
  slice: number;

  constructor(image: ProgramImage, options: TimelineOptions = {}, replayLog?: { log: EventLog; end: number }) {
    this.image = image;
    this.name = options.name ?? 'session';
    this.interval = options.snapshotInterval ?? DEFAULT_INTERVAL;
    this.memoryBudget = options.memoryBudget ?? DEFAULT_BUDGET;
    this.slice = options.sliceInstructions ?? DEFAULT_SLICE;
    this.denseHits = options.denseHits ?? DENSE_HITS;
    this.output = new OutputLog(options.outputLimit);
    this.log = replayLog ? replayLog.log : new EventLog();
    this.replayOnly = replayLog !== undefined || options.live === null;
    this.frontier = replayLog ? replayLog.end : 0;
    let machine: Machine | null = null;
    this.port = new ReplayInputPort(this.log, this.replayOnly ? null : options.live ?? null, () => machine!.icount);
    this.port.frontier = this.replayOnly ? MAX_ICOUNT : 0;
    const machineOptions = options.ramSize !== undefined ? { ramSize: options.ramSize, input: this.port } : { input: this.port };
    machine = new Machine(machineOptions);
    this.machine = machine;
    machine.onUartTx = (byte) => this.uartTx(byte);
    machine.execTracking = true;
    machine.load(image);
    this.snapshots = new SnapshotIndex(machine);
    this.snapshots.take(true, 0);
  }

  get icount(): number { return this.machine.icount; }
  get pc(): number { return this.machine.pc; }

  /** Whether the machine is at the frontier of a recording (new inputs are live). */
  get recording(): boolean { return !this.replayOnly && this.machine.icount >= this.frontier; }

  infoReplay(): InfoReplay {
    const mode = this.recording ? 'recording' : 'replaying';
    const icount = this.machine.icount;
    const verb = mode === 'recording' ? 'Recording' : 'Replaying';
    return { mode, name: this.name, icount, frontier: this.frontier, text: `${verb} execution '${this.name}': instruction count = ${icount}` };
  }

  /** The determinism check value of the current state. */
  stateHash(): Hash64 { return this.snapshots.currentStateHash(); }

  /**
   * A state hash the replay must reproduce: the state before instruction `icount` with the
   * first `logIndex` events of the log consumed. Checked the first time the replay passes it.
   */
  expectHash(icount: number, logIndex: number, hash: Hash64): void {
    let list = this.expected.get(icount);
    if (!list) {
      list = [];
      this.expected.set(icount, list);
      const at = this.expectedAt;
      let i = at.length;
      while (i > 0 && at[i - 1]! > icount) i--;
      at.splice(i, 0, icount);
    }
    let k = list.length;
    while (k > 0 && list[k - 1]!.logIndex > logIndex) k--;
    if (list[k - 1]?.logIndex === logIndex) throw new RangeError(`two state hashes for icount ${icount} after event ${logIndex}`);
    list.splice(k, 0, { logIndex, hash: { hi: hash.hi >>> 0, lo: hash.lo >>> 0 }, checked: false });
    this.expectedCount++;
  }

  /** How many state hashes the replay checks. */
  get expectedHashCount(): number { return this.expectedCount; }

  /**
   * The state hash at the frontier with the whole log consumed, when known: computed while the
   * machine is there, and kept when it leaves (a recording's end, as a replay file records it).
   */
  frontierHash(): HashEntry | null {
    const c = this.frontierState;
    if (c && c.icount === this.frontier && c.logIndex === this.log.length) return c;
    const m = this.machine;
    if (m.icount === this.frontier && this.port.cursor === this.log.length) {
      this.frontierState = { icount: m.icount, logIndex: this.log.length, hash: this.stateHash() };
      return this.frontierState;
    }
    const known = this.expected.get(this.frontier)?.find((e) => e.logIndex === this.log.length);
    return known ? { icount: this.frontier, logIndex: known.logIndex, hash: known.hash } : null;
  }

  /** Queues host input for the guest's UART (taken when the guest is at the frontier). */
  sendInput(bytes: Iterable<number>): void {
    if (this.replayOnly) throw new Error('this session replays a recording: it takes no new input');
    for (const b of bytes) this.pendingInput.push(b & 0xff);
  }

  /** Bytes of host input not yet taken by the guest. */
  get pendingInputLength(): number { return this.pendingInput.length; }

  setReplayBreak(icount: number): void {
    if (!Number.isSafeInteger(icount) || icount < 0) throw new RangeError(`replay break must be a non-negative instruction count, not ${icount}`);
    this.replayBreak = icount;
  }

  deleteReplayBreak(): void { this.replayBreak = null; }

  /** A snapshot at the current position, kept by thinning (e.g. when a debugger attaches). */
  pinSnapshot(): Snapshot { return this.snapshots.take(true, this.port.cursor); }

  // ---------------------------------------------------------------- debugger writes

  /** Writes guest memory. Only at the frontier of a recording: the write becomes a logged input. */
  writeMemory(addr: number, bytes: Uint8Array): void {
    this.assertCanChange('memory');
    const off = (addr >>> 0) - RAM_BASE;
    if (off < 0 || off + bytes.length > this.machine.ramSize || bytes.length === 0 || bytes.length > 65536) {
      throw new RangeError(`cannot write ${bytes.length} bytes at 0x${(addr >>> 0).toString(16)}: the debugger writes up to 64 KiB of RAM at a time`);
    }
    this.machine.writeMemory(addr, bytes);
    this.appendBoundaryEvent(EventKind.MemWrite, addr >>> 0, bytes);
  }

  /** Writes a register: 0-31 = x, 32 = pc, 0x1000 + n = CSR n. Only at the frontier. */
  writeRegister(regno: number, value: number): void {
    this.assertCanChange('registers');
    applyRegWrite(this.machine, regno, value >>> 0);
    this.appendBoundaryEvent(EventKind.RegWrite, regno * 2 ** 32 + (value >>> 0));
  }

  // ---------------------------------------------------------------- operations

  /** Forward continue: stops at the first hit t > s, the replay break, exit, idle, or end of log. */
  *continueForward(): Operation {
    const s = this.machine.icount;
    let target = MAX_ICOUNT;
    if (this.replayBreak !== null && this.replayBreak > s) target = this.replayBreak;
    const end = yield* this.advance(target, true, true, 'continue', s);
    if (end.kind === 'limit') return this.stop({ kind: 'replay-break' });
    return this.stopFromEnd(end);
  }

  /** One instruction forward. */
  *step(): Operation {
    const end = yield* this.advance(this.machine.icount + 1, false, true, 'step', this.machine.icount);
    return this.stopFromEnd(end.kind === 'limit' ? { kind: 'hit', cause: { kind: 'step' } } : end);
  }

  /** One instruction back; at 0 it stays and reports the beginning of the log. */
  *reverseStep(): Operation {
    const s = this.machine.icount;
    if (s === 0) return this.stop({ kind: 'beginning-of-log' });
    // Stepping back usually repeats: leave a snapshot near the target so the next steps
    // replay a sixteenth of an interval instead of up to a whole one.
    const t = s - 1;
    const base = this.snapshots.at(this.snapshots.indexAtOrBefore(t))!.icount;
    const sub = Math.max(1, Math.floor(this.interval / 16));
    const near = t - ((t - base) % sub);
    if (near - base >= sub) {
      const e = yield* this.seekTo(near);
      if (e) return this.stopFromEnd(e);
      this.snapshots.take(false, this.port.cursor);
      if (this.snapshots.memoryBytes > this.memoryBudget) this.snapshots.thin(this.memoryBudget, near);
    }
    const end = yield* this.seekTo(t);
    if (end) return this.stopFromEnd(end);
    return this.stop({ kind: 'step' });
  }

  /** Moves to exactly position t (0 <= t <= frontier). */
  *seek(t: number): Operation {
    this.checkSeekTarget(t);
    const end = yield* this.seekTo(t);
    if (end) return this.stopFromEnd(end);
    return this.stop({ kind: 'seek' });
  }

  /**
   * Reverse continue: the largest t < s where a forward continue would have stopped for a
   * breakpoint or watchpoint (state just before instruction t), else position 0. Intervals
   * whose summaries rule out a hit are skipped without replaying them.
   */
  *reverseContinue(): Operation {
    const s = this.machine.icount;
    let done = false;
    try {
      const stop = yield* this.searchBackwards(s);
      done = true;
      return stop;
    } finally {
      // Cancelled midway: go back to where the user was rather than some replay position.
      if (!done) complete(this.seekOperation(s));
    }
  }

  /** An operation to position t, for internal completions. */
  private *seekOperation(t: number): Operation {
    yield* this.seekTo(t);
    return this.stop({ kind: 'cancelled' });
  }

  private *searchBackwards(s: number): Generator<Progress, Stop> {
    if (s === 0) return this.stop({ kind: 'beginning-of-log' });
    if (this.breakpoints.size > 0 || this.watchpoints.length > 0) {
      const snaps = this.snapshots;
      let i = snaps.indexAtOrBefore(s - 1);
      let end = s;
      while (i >= 0) {
        const start = snaps.at(i)!;
        const summary = snaps.at(i + 1);
        if (!summary || this.intervalMayHit(summary)) {
          const hit = yield* this.lastHitIn(i, end);
          if (hit) {
            const e = yield* this.seekTo(hit.icount);
            if (e) return this.stopFromEnd(e);
            return this.stop(hit.cause);
          }
        }
        end = start.icount;
        i--;
        yield { phase: 'reverse-continue', done: s - end, total: s };
      }
    }
    const e = yield* this.seekTo(0);
    if (e) return this.stopFromEnd(e);
    return this.stop({ kind: 'beginning-of-log' });
  }

  /** Whether instructions between the predecessor of `summary` and `summary` may hit. */
  private intervalMayHit(summary: Snapshot): boolean {
    for (const bp of this.breakpoints) {
      if (ramPage(bp, this.machine.ramSize) < 0 || sortedHas(summary.execPcs, bp >>> 0)) return true;
    }
    for (const w of this.watchpoints) {
      if (w.kind !== 'write') return true; // no read summaries: replay to be sure
      const first = ramPage(w.addr, this.machine.ramSize);
      const last = ramPage(w.addr + w.len - 1, this.machine.ramSize);
      if (first < 0 || last < 0) return true;
      for (let p = first; p <= last; p++) if (sortedHas(summary.written, p)) return true;
    }
    return false;
  }

  /**
   * Replays [snapshot i, end) and returns the last hit in it, if any. When hits turn out to be
   * dense (a breakpoint in a hot loop), stopping at each would cost more than replaying, so the
   * search switches to windows that grow backwards from `end`.
   */
  private *lastHitIn(i: number, end: number): Generator<Progress, Hit | null> {
    this.restoreSnapshot(i);
    const start = this.machine.icount;
    let last: Hit | null = null;
    let skip = false;
    let count = 0;
    while (this.machine.icount < end) {
      const r = yield* this.advance(end, true, skip, 'reverse-continue', start);
      if (r.kind !== 'hit') break;
      last = { icount: this.machine.icount, cause: r.cause };
      skip = true;
      if (++count === this.denseHits) return yield* this.lastHitBackwards(last, end);
    }
    return last;
  }

  /** The last hit in (known.icount, end), else `known`, scanning windows backwards from `end`. */
  private *lastHitBackwards(known: Hit, end: number): Generator<Progress, Hit> {
    let hi = end;
    for (let size = 4096; hi > known.icount + 1; size *= 4) {
      const lo = Math.max(known.icount + 1, hi - size);
      const e = yield* this.seekTo(lo);
      if (e) return known;
      let last: Hit | null = null;
      let skip = false;
      while (this.machine.icount < hi) {
        const r = yield* this.advance(hi, true, skip, 'reverse-continue', lo);
        if (r.kind !== 'hit') break;
        last = { icount: this.machine.icount, cause: r.cause };
        skip = true;
      }
      if (last) return last;
      hi = lo;
    }
    return known;
  }

  // ---------------------------------------------------------------- machinery

  private checkSeekTarget(t: number): void {
    if (!Number.isSafeInteger(t) || t < 0) throw new RangeError(`cannot seek to ${t}: positions are instruction counts from 0`);
    if (t > this.frontier) {
      throw new RangeError(this.replayOnly
        ? `cannot seek to ${t}: the replay log ends at instruction count ${this.frontier}`
        : `cannot seek to ${t}: the recording reaches instruction count ${this.frontier}; continue to record further`);
    }
  }

  /** Moves to t by restoring the nearest snapshot at or before it (unless already on the way) and replaying. */
  private *seekTo(t: number): Generator<Progress, AdvanceEnd | null> {
    const m = this.machine;
    if (m.icount === t) return null;
    const i = this.snapshots.indexAtOrBefore(t);
    const snap = this.snapshots.at(i)!;
    if (!(m.icount < t && m.icount >= snap.icount)) this.restoreSnapshot(i);
    const end = yield* this.advance(t, false, true, 'seek', m.icount);
    return end.kind === 'limit' ? null : end;
  }

  /** Puts the machine at snapshot i, keeping the frontier's state hash if it leaves the frontier. */
  private restoreSnapshot(i: number): void {
    if (!this.replayOnly) this.frontierHash();
    this.snapshots.restore(i);
    this.port.cursor = this.snapshots.anchor!.logIndex;
    this.port.divergence = null;
  }

  /**
   * Runs forward to `target` or an earlier stop, doing the bookkeeping at every boundary:
   * verifying existing snapshots, taking new ones, applying logged boundary events, and
   * feeding host input at the frontier.
   */
  private *advance(target: number, hits: boolean, skipFirstHit: boolean, phase: string, from: number): Generator<Progress, AdvanceEnd> {
    const m = this.machine;
    m.setBreakpoints(hits ? this.breakpoints : []);
    m.setWatchpoints(hits ? this.watchpoints : []);
    let skip = skipFirstHit;
    let sliceEnd = m.icount + this.slice;
    const total = target === MAX_ICOUNT ? 0 : target - from;
    for (;;) {
      const t = m.icount;
      const problem = this.atBoundary(t);
      if (problem) return { kind: 'divergence', message: problem };
      if (t >= target) return { kind: 'limit' };
      if (m.exited) {
        const wrong = this.unrecordedExit(m.exitCode);
        return wrong ? { kind: 'divergence', message: wrong } : { kind: 'exit', code: m.exitCode };
      }
      if (this.replayOnly && t >= this.frontier) {
        if (this.exit) return { kind: 'divergence', message: `replay diverged at icount ${t}: the recording ends with the guest exiting (code ${this.exit.code}), but it has not exited` };
        return { kind: 'end-of-log' };
      }
      if (t >= sliceEnd) {
        sliceEnd = t + this.slice;
        yield { phase, done: t - from, total };
      }
      const next = this.nextBoundary(t, Math.min(target, sliceEnd));
      const reason: StopReason = m.run(next, skip);
      skip = false;
      if (!this.replayOnly && m.icount > this.frontier) this.port.frontier = this.frontier = m.icount;
      if (this.port.divergence) return { kind: 'divergence', message: this.port.divergence.message };
      switch (reason.kind) {
        case 'limit': break;
        case 'breakpoint': return { kind: 'hit', cause: { kind: 'breakpoint', pc: reason.pc } };
        case 'watchpoint': {
          const watch = this.watchpoints[reason.index]!;
          return { kind: 'hit', cause: { kind: 'watchpoint', addr: reason.addr, size: reason.size, access: reason.access, watch } };
        }
        case 'exit': {
          const wrong = this.unrecordedExit(reason.code);
          if (wrong) return { kind: 'divergence', message: wrong };
          if (!this.replayOnly && !this.exit) this.exit = { icount: m.icount, code: reason.code };
          if (m.icount >= target) return { kind: 'limit' };
          return { kind: 'exit', code: reason.code };
        }
        case 'idle': {
          const atFrontier = !this.replayOnly && m.icount >= this.frontier;
          if (atFrontier && this.pendingInput.length > 0 && m.uartRxSpace() > 0) break;
          const next = this.nextLoggedBoundaryEvent(m.icount - 1);
          if (next === m.icount) break;
          if (m.icount < this.frontier) {
            // While recording, the guest idling means the recording stopped there until input came,
            // and that input is logged at this icount: idling anywhere else did not happen.
            return {
              kind: 'divergence',
              message: `replay diverged at icount ${m.icount}: the guest waits for an interrupt, but the recording continues to icount ${this.frontier}`
                + (next >= 0 ? ` (its next input is at icount ${next})` : ''),
            };
          }
          if (this.replayOnly) return { kind: 'end-of-log' };
          return { kind: 'idle' };
        }
      }
    }
  }

  /** The next icount after t at which the run must pause for bookkeeping, capped at `cap`. */
  private nextBoundary(t: number, cap: number): number {
    let next = cap;
    const snaps = this.snapshots;
    const following = snaps.at(snaps.indexAtOrBefore(t) + 1);
    if (following) next = Math.min(next, following.icount);
    else next = Math.min(next, (Math.floor(t / this.interval) + 1) * this.interval);
    const ev = this.nextLoggedBoundaryEvent(t);
    if (ev >= 0) next = Math.min(next, ev);
    const at = this.expectedAt;
    if (at.length > 0 && at[at.length - 1]! > t) {
      let lo = 0, hi = at.length;
      while (lo < hi) { const mid = (lo + hi) >>> 1; if (at[mid]! <= t) lo = mid + 1; else hi = mid; }
      next = Math.min(next, at[lo]!);
    }
    if (!this.replayOnly) {
      if (t < this.frontier) next = Math.min(next, this.frontier);
      else if (this.pendingInput.length > 0) next = Math.min(next, t + INPUT_POLL);
    } else {
      next = Math.min(next, this.frontier);
    }
    return Math.max(next, t + 1);
  }

  /** The icount of the first logged boundary event after position t, or -1. */
  private nextLoggedBoundaryEvent(t: number): number {
    const log = this.log;
    for (let k = this.port.cursor; k < log.length; k++) {
      const at = log.icountAt(k);
      if (at > t && isBoundaryEvent(log.kindAt(k))) return at;
    }
    return -1;
  }

  /**
   * Bookkeeping at position t; returns a divergence description or null. Boundary events at t
   * are applied in log order; an existing snapshot at t is verified, a new one taken, and the
   * recording's state hashes at t checked, each at the log index where its state was captured.
   */
  private atBoundary(t: number): string | null {
    const snaps = this.snapshots;
    const m = this.machine;
    const log = this.log;
    const port = this.port;
    const s = snaps.at(snaps.indexAtOrBefore(t));
    let verify = s && s.icount === t && snaps.anchor !== s ? s : null;
    let take = !s || s.icount !== t ? t % this.interval === 0 && t > (snaps.last?.icount ?? -1) : false;
    const expected = this.expected.get(t);
    let k = 0;
    if (expected) while (k < expected.length && expected[k]!.logIndex < port.cursor) k++;
    for (;;) {
      if (verify && port.cursor === verify.logIndex) {
        const problem = snaps.verifyAndAnchor(snaps.indexAtOrBefore(t));
        if (problem) return `replay diverged: ${problem}`;
        verify = null;
      }
      if (expected) {
        for (; k < expected.length && expected[k]!.logIndex === port.cursor; k++) {
          const e = expected[k]!;
          // A periodic snapshot due here is taken at the first recorded hash's log index, as recorded.
          if (take) { take = false; this.takePeriodic(t); }
          if (e.checked) continue;
          const exact = snaps.exactly(t);
          const hash = exact && exact.logIndex === port.cursor && snaps.anchor === exact ? exact.stateHash : snaps.currentStateHash();
          if (!hashEquals(e.hash, hash)) return `replay diverged: the state at icount ${t} (after input event ${e.logIndex}) does not match the recording's state hash`;
          e.checked = true;
        }
      }
      if (port.cursor >= log.length) break;
      const i = port.cursor;
      const at = log.icountAt(i);
      const kind = log.kindAt(i);
      if (at > t || (at === t && !isBoundaryEvent(kind))) break; // later, or read by instruction t
      if (at < t) return `replay diverged at icount ${t}: the log has an unused ${EVENT_KIND_NAMES[kind]} event at icount ${at}`;
      const payload = log.payloadAt(i);
      if (kind === EventKind.UartRx) {
        if (!m.uartReceive(payload)) return `replay diverged at icount ${t}: the UART receive FIFO was full for a logged byte`;
      } else if (kind === EventKind.MemWrite) {
        m.writeMemory(payload, log.dataAt(i) ?? new Uint8Array(0));
      } else {
        const regno = Math.floor(payload / 2 ** 32);
        try {
          applyRegWrite(m, regno, payload >>> 0);
        } catch (e) {
          return `replay diverged at icount ${t}: input event ${i} writes register ${regno}, which this machine cannot (${e instanceof Error ? e.message : String(e)})`;
        }
      }
      port.cursor++;
    }
    if (verify) return `replay diverged at icount ${t}: the log ends before the snapshot's input (event ${verify.logIndex})`;
    if (expected && k < expected.length) {
      return `replay diverged at icount ${t}: the recording's state hash there follows input event ${expected[k]!.logIndex}, which the replay does not reach at this icount`;
    }
    if (!this.replayOnly && t >= this.frontier && port.cursor >= log.length) {
      while (this.pendingInput.length > 0 && m.uartRxSpace() > 0) {
        const b = this.pendingInput.shift();
        m.uartReceive(b);
        log.append(t, EventKind.UartRx, b);
        port.cursor = log.length;
      }
    }
    if (take) this.takePeriodic(t);
    return null;
  }

  private takePeriodic(t: number): void {
    const snap = this.snapshots.take(false, this.port.cursor);
    const hashes = this.stateHashes;
    const last = hashes[hashes.length - 1];
    if (!last || t > last.icount) hashes.push({ icount: t, logIndex: snap.logIndex, hash: snap.stateHash });
    if (this.snapshots.memoryBytes > this.memoryBudget) this.snapshots.thin(this.memoryBudget, t);
  }

  /** Why an exit of the guest at the current icount with `code` did not happen in the recording, or null. */
  private unrecordedExit(code: number): string | null {
    const t = this.machine.icount;
    if (t < this.frontier) return `replay diverged at icount ${t}: the guest exits (code ${code}), but the recording continues to icount ${this.frontier}`;
    if (!this.replayOnly || this.endUnknown) return null;
    if (!this.exit) return `replay diverged at icount ${t}: the guest exits (code ${code}) where the recording ends without an exit`;
    if (this.exit.code !== code) return `replay diverged at icount ${t}: the guest exits with code ${code}, the recording with ${this.exit.code}`;
    return null;
  }

  private uartTx(byte: number): void {
    const t = this.machine.icount;
    const out = this.output;
    if (t < out.high) return;
    out.append(t, byte);
    out.high = t + 1;
    this.onOutput?.(byte, t);
  }

  private assertCanChange(what: string): void {
    if (this.replayOnly) throw new Error(`cannot change ${what}: this session replays a recording`);
    if (this.machine.icount < this.frontier) {
      throw new Error(`cannot change ${what} in the past (instruction count ${this.machine.icount}); the recording reaches ${this.frontier}`);
    }
  }

  private appendBoundaryEvent(kind: EventKind, payload: number, data?: Uint8Array): void {
    this.log.append(this.machine.icount, kind, payload, data);
    this.port.cursor = this.log.length;
  }

  private stopFromEnd(end: AdvanceEnd): Stop {
    switch (end.kind) {
      case 'hit': return this.stop(end.cause);
      case 'exit': return this.stop({ kind: 'exit', code: end.code });
      case 'idle': return this.stop({ kind: 'idle' });
      case 'end-of-log': return this.stop({ kind: 'end-of-log' });
      case 'divergence': return this.stop({ kind: 'divergence', message: end.message });
      case 'limit': return this.stop({ kind: 'seek' });
    }
  }

  private stop(cause: StopCause): Stop {
    return { icount: this.machine.icount, pc: this.machine.pc, cause };
  }
}

/** Applies a logged register write: 0-31 = x, 32 = pc, 0x1000 + n = CSR n. */
export function applyRegWrite(m: Machine, regno: number, value: number): void {
  if (regno >= 1 && regno < 32) m.x[regno] = value | 0;
  else if (regno === 32) m.pc = value >>> 0;
  else if (regno >= 0x1000 && regno < 0x2000) m.writeCsr(regno - 0x1000, value >>> 0);
  else if (regno !== 0) throw new RangeError(`no register number ${regno}`);
}

function ramPage(addr: number, ramSize: number): number {
  const off = (addr >>> 0) - RAM_BASE;
  return off >= 0 && off < ramSize ? Math.floor(off / PAGE_SIZE) : -1;
}


/** A FIFO of bytes with O(1) push and shift. */
class ByteQueue {
  private buf: number[] = [];
  private head = 0;
  get length(): number { return this.buf.length - this.head; }
  push(b: number): void { this.buf.push(b); }
  shift(): number {
    const b = this.buf[this.head++] ?? 0;
    if (this.head > 4096 && this.head * 2 > this.buf.length) { this.buf = this.buf.slice(this.head); this.head = 0; }
    return b;
  }
}
