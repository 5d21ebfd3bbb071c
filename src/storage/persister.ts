/**
 * Persists one live session behind execution, in two lanes that never wait for each other:
 *
 * - the journal: the session record with the new log, output and state-hash chunks, in one
 *   small write-only transaction. Any change (a recording advancing, a stop, a breakpoint) is
 *   written at most `intervalMs` after it happened plus the time of one write: the journal is
 *   never queued behind snapshot writes (disjoint transaction scopes), and its cost does not
 *   grow with the recording.
 * - snapshots: a SnapshotSink that copies each new overlay's pages into reused buffers and
 *   queues it; a batch writes the queued overlays (and merges for thinned ones) in one
 *   transaction, in a fixed number of read rounds. Only overlays the stored journal covers are
 *   written (icount and log index within the stored frontier and log), so the stored snapshots
 *   never run ahead of the stored record: whatever is cut, what is stored is one consistent
 *   recording up to the stored frontier.
 *
 * When the quota is exceeded, stored snapshots are dropped (other sessions' first, then this
 * one's) and the write retried: the log, output and record are kept.
 */
import type { Snapshot, SnapshotSink, SnapshotIndex } from '../replay/snapshots';
import type { PageId } from '../replay/pageStore';
import type { Hash64 } from '../replay/hash';
import type { EventLog } from '../replay/eventLog';
import type { Repository, SnapshotOp, OutputSource } from './repository';
import { isQuotaError, type SessionRecord, type ProgramRecord } from './schema';
import { pageKey, type ExpectedHash } from './codec';

const PAGE_SIZE = 4096;
const POOL_SLAB_PAGES = 64;
/** After a failed write (not the quota), the next attempt waits this long (ms). */
const RETRY_MS = 2000;

export type NoticeLevel = 'info' | 'warning' | 'error';

/** What the persister reads from the live session when it writes. */
export interface PersistSource {
  /** The session record as of now (the stream counts and snapshot fields are the persister's). */
  record(): SessionRecord;
  /** The program record, written with the first journal of a new session. */
  program: ProgramRecord | null;
  log: EventLog;
  output: OutputSource;
  /** Periodic state hashes, append only (Timeline.stateHashes). */
  hashes: readonly ExpectedHash[];
}

/** What of the session is stored. */
export interface PersistState {
  /** The frontier of the last committed journal: the record, log and output up to it are stored. */
  frontier: number;
  /** Snapshot records stored. */
  snapshots: number;
  /** Something changed since the last journal, or snapshots wait to be written. */
  pending: boolean;
  /** Journals committed so far. */
  journals: number;
}

export interface PersisterOptions {
  /** Delay between a single change (a stop, a breakpoint) and its journal (ms). */
  delayMs?: number;
  /** While changes keep coming (a recording runs), the longest a change waits for its journal to start (ms). */
  intervalMs?: number;
  notify?: (level: NoticeLevel, message: string) => void;
  /** Told after each committed write and when `pending` turns true. */
  onState?: (state: PersistState) => void;
}

/** What is already stored of a session that is reopened (zeros for a new one). */
export interface StoredCounts {
  logEvents: number;
  outputBytes: number;
  snapshotCount: number;
  snapshotsDropped: boolean;
  /** The stored frontier (-1: nothing stored yet). */
  frontier?: number;
  hashCount?: number;
}

/** 4 KiB page buffers carved from reused slabs (fresh buffers are much slower to fill). */
class PagePool {
  private readonly free: Uint8Array[] = [];
  take(): Uint8Array {
    const b = this.free.pop();
    if (b) return b;
    const slab = new ArrayBuffer(POOL_SLAB_PAGES * PAGE_SIZE);
    for (let i = 1; i < POOL_SLAB_PAGES; i++) this.free.push(new Uint8Array(slab, i * PAGE_SIZE, PAGE_SIZE));
    return new Uint8Array(slab, 0, PAGE_SIZE);
  }
  give(b: Uint8Array): void { this.free.push(b); }
}

const now: () => number = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();

export class SessionPersister implements SnapshotSink {
  private ops: SnapshotOp[] = [];
  private logFrom: number;
  private outputFrom: number;
  private hashesFrom: number;
  private snapshotCount: number;
  private snapshotsDropped: boolean;
  /** Frontier and log length of the last committed journal: snapshots up to them may be written. */
  private storedFrontier: number;
  private storedLogEvents: number;
  private programStored: boolean;
  /** A journal is needed (something changed since the last one was captured). */
  private dirty: boolean;
  /** When the next journal must start (ms, `now()` clock); Infinity when nothing waits. */
  private deadline: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Infinity;
  private snapTimer: ReturnType<typeof setTimeout> | null = null;
  private journaling: Promise<void> | null = null;
  private snapshotting: Promise<void> | null = null;
  private freeing: Promise<boolean> | null = null;
  private closed = false;
  private reported: { pending: boolean; frontier: number; snapshots: number } | null = null;
  private readonly pool = new PagePool();
  private readonly delayMs: number;
  private readonly intervalMs: number;
  private readonly notify: (level: NoticeLevel, message: string) => void;
  private readonly onState: (state: PersistState) => void;
  /** False once this session's snapshots were dropped for quota: only the journal is kept. */
  snapshotsEnabled = true;
  /** Journals and snapshot batches committed (tests, status). */
  journals = 0;
  snapshotBatches = 0;
  lastError: string | null = null;

  constructor(
    readonly repo: Repository,
    readonly sessionId: string,
    private readonly index: SnapshotIndex,
    private readonly source: PersistSource,
    stored: StoredCounts,
    options: PersisterOptions = {},
  ) {
    this.programStored = source.program === null;
    // A new session's record and program are written first; a reopened one is stored as it is.
    this.dirty = !this.programStored;
    this.logFrom = stored.logEvents;
    this.outputFrom = stored.outputBytes;
    this.hashesFrom = stored.hashCount ?? 0;
    this.snapshotCount = stored.snapshotCount;
    this.snapshotsDropped = stored.snapshotsDropped;
    this.storedFrontier = stored.frontier ?? -1;
    this.storedLogEvents = stored.logEvents;
    this.delayMs = options.delayMs ?? 250;
    this.intervalMs = options.intervalMs ?? 400;
    this.notify = options.notify ?? (() => undefined);
    this.onState = options.onState ?? (() => undefined);
    this.deadline = now() + this.delayMs;
  }

  /** Snapshot ops and journals queued or in flight (not yet committed). */
  get pending(): number {
    return this.ops.length + (this.dirty || this.journaling ? 1 : 0) + (this.snapshotting ? 1 : 0);
  }

  /** Longest time a change waits for its journal to start while changes keep coming (ms). */
  get interval(): number { return this.intervalMs; }

  state(): PersistState {
    return { frontier: this.storedFrontier, snapshots: this.snapshotCount, pending: this.pending > 0, journals: this.journals };
  }

  // ------------------------------------------------------------------ SnapshotSink

  added(snapshot: Snapshot, pages: ReadonlyMap<number, { id: PageId; hash: Hash64 }>): void {
    if (!this.snapshotsEnabled || this.closed) return;
    // Snapshot 0 is rebuilt from the program image; one inserted between existing snapshots
    // (pinned at a past position) is kept in memory only, so that stored overlays always
    // build on the stored snapshot before them.
    if (snapshot.icount === 0 || snapshot !== this.index.last) return;
    this.queueAdd(snapshot, pages);
    this.snapshotsQueued();
  }

  /** Queues every snapshot the index holds (a session kept in memory until now is being stored). */
  queueExisting(): void {
    if (!this.snapshotsEnabled || this.closed) return;
    const list = this.index.list;
    for (let i = 1; i < list.length; i++) {
      const s = list[i]!;
      // Its overlay on the snapshot before it: the pages it has a version of.
      const pages = new Map<number, { id: PageId; hash: Hash64 }>();
      for (const p of s.changed) {
        const id = this.index.versionAt(p, s.icount);
        pages.set(p, { id, hash: this.index.store.hashOf(id) });
      }
      this.queueAdd(s, pages);
    }
    if (this.ops.length > 0) this.snapshotsQueued();
  }

  private queueAdd(snapshot: Snapshot, pages: ReadonlyMap<number, { id: PageId; hash: Hash64 }>): void {
    const order = [...pages.keys()].sort((a, b) => a - b);
    const keys: string[] = [];
    const contents: (Uint8Array | null)[] = [];
    for (const p of order) {
      const { id, hash } = pages.get(p)!;
      if (id === 0) { keys.push(''); contents.push(null); continue; }
      const src = this.index.store.bytesOf(id);
      const copy = this.pool.take();
      copy.set(src);
      keys.push(pageKey(copy, hash));
      contents.push(copy);
    }
    this.ops.push({
      kind: 'add',
      snap: {
        icount: snapshot.icount, logIndex: snapshot.logIndex, state: snapshot.state.slice(), pages: Uint32Array.from(order), keys, contents,
        written: snapshot.written.slice(), execPages: snapshot.execPages.slice(), execPcs: snapshot.execPcs.slice(), hash: snapshot.stateHash, pinned: snapshot.pinned,
      },
    });
  }

  removed(icount: number): void {
    if (!this.snapshotsEnabled || this.closed) return;
    this.ops.push({ kind: 'remove', icount });
    this.snapshotsQueued();
  }

  // ------------------------------------------------------------------ scheduling

  /** A single change (a stop, breakpoints, a rename): journal it within `delayMs`. */
  schedule(delay = this.delayMs): void { this.touch(delay); }

  /**
   * Something changed: the journal starts within `delay` ms (default `intervalMs`). Called
   * continuously while a recording runs; cheap when a journal is already due sooner.
   */
  touch(delay = this.intervalMs): void {
    if (this.closed) return;
    this.dirty = true;
    this.deadline = Math.min(this.deadline, now() + delay);
    this.report();
    this.pump();
  }

  /** Writes everything queued now, both lanes; resolves once it is committed (or has failed and been reported). */
  async flush(): Promise<void> {
    if (this.closed) return;
    // Also what changed without a touch (a timeline driven directly, as tests do).
    const src = this.source;
    if (src.log.length !== this.logFrom || src.output.length !== this.outputFrom || src.hashes.length !== this.hashesFrom
      || (!this.journaling && src.record().frontier !== this.storedFrontier)) this.dirty = true;
    this.deadline = -Infinity;
    this.pump();
    while (this.journaling) await this.journaling;
    while (this.snapshotting) await this.snapshotting;
    if (this.eligible() > 0) {
      this.writeSnapshots();
      while (this.snapshotting) await this.snapshotting;
    }
    // The snapshot count changed: the record says so too.
    if (this.dirty) {
      this.deadline = -Infinity;
      this.pump();
      while (this.journaling) await this.journaling;
    }
  }

  /** Stops without writing what is queued (the session is being deleted). */
  discard(): void {
    this.closed = true;
    this.clearTimers();
    this.recycle(this.ops);
    this.ops = [];
  }

  /** Stops taking changes after a last flush. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    this.clearTimers();
  }

  // ------------------------------------------------------------------ the journal lane

  /** Starts the journal when it is due, or sets the timer for when it will be. */
  private pump(): void {
    if (this.closed || this.journaling || !this.dirty) return;
    const wait = this.deadline - now();
    if (wait > 0) {
      if (this.timer !== null && this.timerAt <= this.deadline) return;
      if (this.timer !== null) clearTimeout(this.timer);
      this.timerAt = this.deadline;
      this.timer = setTimeout(() => { this.timer = null; this.timerAt = Infinity; this.pump(); }, wait);
      return;
    }
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; this.timerAt = Infinity; }
    const run = this.writeJournal().finally(() => {
      this.journaling = null;
      this.pump();
      this.kickSnapshots();
      this.report();
    });
    this.journaling = run;
  }

  private async writeJournal(): Promise<void> {
    // Everything is captured synchronously, between slices: record, log, output and hashes agree.
    const log = this.source.log, output = this.source.output, hashes = this.source.hashes;
    const logTo = log.length, outputTo = output.length, hashesTo = hashes.length;
    this.dirty = false;
    this.deadline = Infinity;
    for (let attempt = 0; ; attempt++) {
      const record = this.source.record();
      record.snapshotCount = this.snapshotCount;
      record.snapshotsDropped = this.snapshotsDropped;
      record.logEvents = logTo;
      record.outputBytes = outputTo;
      record.hashCount = hashesTo;
      try {
        const program = this.programStored ? undefined : this.source.program ?? undefined;
        await this.repo.writeJournal({
          record, program, log, logFrom: this.logFrom, logTo, output, outputFrom: this.outputFrom, outputTo,
          hashes, hashesFrom: this.hashesFrom, hashesTo,
        });
        this.programStored = true;
        this.logFrom = logTo;
        this.outputFrom = outputTo;
        this.hashesFrom = hashesTo;
        this.storedFrontier = record.frontier;
        this.storedLogEvents = logTo;
        this.journals++;
        this.lastError = null;
        return;
      } catch (e) {
        if (this.closed) return;
        if (isQuotaError(e) && attempt < 3 && await this.freeSpace(attempt)) continue;
        this.failed(e, 'the recording could not be saved');
        // Written again from the same point (the chunks are rewritten whole).
        this.dirty = true;
        this.deadline = Math.min(this.deadline, now() + RETRY_MS);
        return;
      }
    }
  }

  // ------------------------------------------------------------------ the snapshot lane

  private snapshotsQueued(): void {
    this.report();
    // Usually the next journal starts the batch; a session that is not moving gets one soon.
    if (this.snapTimer === null) this.snapTimer = setTimeout(() => { this.snapTimer = null; this.kickSnapshots(); }, this.delayMs);
  }

  /** Ops at the head of the queue that the stored journal covers. */
  private eligible(): number {
    let n = 0;
    for (const op of this.ops) {
      if (op.kind === 'add' && (op.snap.icount > this.storedFrontier || op.snap.logIndex > this.storedLogEvents)) break;
      n++;
    }
    return n;
  }

  private kickSnapshots(): void {
    if (this.closed || this.snapshotting || !this.snapshotsEnabled || this.eligible() === 0) return;
    this.writeSnapshots();
  }

  private writeSnapshots(): void {
    const ops = this.ops.splice(0, this.eligible());
    this.snapshotting = this.writeOps(ops).finally(() => {
      this.snapshotting = null;
      this.kickSnapshots();
      this.report();
    });
  }

  private async writeOps(ops: SnapshotOp[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const delta = await this.repo.writeSnapshots(this.sessionId, ops);
        if (this.snapshotsEnabled) this.snapshotCount += delta;
        this.snapshotBatches++;
        this.recycle(ops);
        if (delta !== 0) this.schedule();
        return;
      } catch (e) {
        if (this.closed) { this.recycle(ops); return; }
        if (isQuotaError(e) && attempt < 3 && await this.freeSpace(attempt)) {
          if (!this.snapshotsEnabled) { this.recycle(ops); return; }
          continue;
        }
        this.failed(e, 'its snapshots could not be saved');
        // Kept for the next attempt, in order.
        this.ops = [...ops, ...this.ops];
        return;
      }
    }
  }

  // ------------------------------------------------------------------ quota, errors, state

  /** Frees space for a retry; returns false when nothing more can be dropped. */
  private freeSpace(attempt: number): Promise<boolean> {
    // Both lanes may hit the quota at once: one frees, the other retries after it.
    this.freeing ??= this.dropForSpace(attempt).finally(() => { this.freeing = null; });
    return this.freeing;
  }

  private async dropForSpace(attempt: number): Promise<boolean> {
    if (attempt === 0) {
      const others = (await this.repo.list()).filter((r) => r.id !== this.sessionId && r.snapshotCount > 0).map((r) => r.id);
      if (others.length > 0) {
        const n = await this.repo.dropSnapshots(others);
        this.notify('warning', `Storage is full: dropped ${n} stored snapshots of ${others.length} other session(s); they are recomputed from their logs when opened.`);
        return true;
      }
    }
    if (!this.snapshotsEnabled) return false;
    this.snapshotsEnabled = false;
    this.snapshotsDropped = true;
    this.recycle(this.ops);
    this.ops = [];
    const n = await this.repo.dropSnapshots([this.sessionId]);
    this.snapshotCount = 0;
    // The record says so with the next journal (this one's own retry, or one soon).
    this.schedule();
    this.notify('warning', `Storage is full: dropped this session's stored snapshots (${n}) and stopped storing new ones; the log is kept, so reopening re-executes from the start.`);
    return true;
  }

  private failed(e: unknown, what: string): void {
    const message = isQuotaError(e)
      ? `Storage is full: ${what} (it is still in memory; free space or export it).`
      : `Saving the session failed: ${e instanceof Error ? e.message : String(e)}`;
    // Told once, not at every retry.
    if (message !== this.lastError) this.notify('error', message);
    this.lastError = message;
  }

  private report(): void {
    const s = this.state();
    const r = this.reported;
    if (r && r.pending === s.pending && r.frontier === s.frontier && r.snapshots === s.snapshots) return;
    this.reported = { pending: s.pending, frontier: s.frontier, snapshots: s.snapshots };
    this.onState(s);
  }

  private clearTimers(): void {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; this.timerAt = Infinity; }
    if (this.snapTimer !== null) { clearTimeout(this.snapTimer); this.snapTimer = null; }
  }

  private recycle(ops: readonly SnapshotOp[]): void {
    for (const op of ops) {
      if (op.kind !== 'add') continue;
      for (const c of op.snap.contents) if (c) this.pool.give(c);
    }
  }
}
