/**
 * Persists one live session behind execution: a SnapshotSink that copies each new overlay's
 * pages into reused buffers and queues it, plus the log, output and session record, all
 * written in one transaction per batch. When the quota is exceeded, stored snapshots are
 * dropped (other sessions' first, then this one's) and the batch retried: the log is kept.
 */
import type { Snapshot, SnapshotSink, SnapshotIndex } from '../replay/snapshots';
import type { PageId } from '../replay/pageStore';
import type { Hash64 } from '../replay/hash';
import type { EventLog } from '../replay/eventLog';
import type { Repository, SnapshotOp, OutputSource } from './repository';
import { isQuotaError, type SessionRecord, type ProgramRecord } from './schema';
import { pageKey } from './codec';

const PAGE_SIZE = 4096;
const POOL_SLAB_PAGES = 64;

export type NoticeLevel = 'info' | 'warning' | 'error';

/** What the persister reads from the live session when it writes a batch. */
export interface PersistSource {
  /** The session record as of now (snapshotCount and snapshotsDropped are the persister's). */
  record(): SessionRecord;
  /** The program record, written with the first batch of a new session. */
  program: ProgramRecord | null;
  log: EventLog;
  output: OutputSource;
}

export interface PersisterOptions {
  /** Delay between a change and its write, coalescing changes (ms). */
  delayMs?: number;
  notify?: (level: NoticeLevel, message: string) => void;
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

export class SessionPersister implements SnapshotSink {
  private ops: SnapshotOp[] = [];
  private logFrom = 0;
  private outputFrom = 0;
  private snapshotCount: number;
  private snapshotsDropped: boolean;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;
  /** Something to write since the last batch (the record, log or output may have changed). */
  private dirty = true;
  private programStored: boolean;
  private readonly pool = new PagePool();
  private readonly delayMs: number;
  private readonly notify: (level: NoticeLevel, message: string) => void;
  /** False once this session's snapshots were dropped for quota: only the log and record are kept. */
  snapshotsEnabled = true;
  /** Batches committed (tests, status). */
  batches = 0;
  lastError: string | null = null;

  constructor(
    readonly repo: Repository,
    readonly sessionId: string,
    private readonly index: SnapshotIndex,
    private readonly source: PersistSource,
    stored: { logEvents: number; outputBytes: number; snapshotCount: number; snapshotsDropped: boolean },
    options: PersisterOptions = {},
  ) {
    this.programStored = source.program === null;
    this.logFrom = stored.logEvents;
    this.outputFrom = stored.outputBytes;
    this.snapshotCount = stored.snapshotCount;
    this.snapshotsDropped = stored.snapshotsDropped;
    this.delayMs = options.delayMs ?? 250;
    this.notify = options.notify ?? (() => undefined);
  }

  /** Snapshot ops queued and not yet committed. */
  get pending(): number { return this.ops.length; }

  added(snapshot: Snapshot, pages: ReadonlyMap<number, { id: PageId; hash: Hash64 }>): void {
    if (!this.snapshotsEnabled || this.closed) return;
    // Snapshot 0 is rebuilt from the program image; one inserted between existing snapshots
    // (pinned at a past position) is kept in memory only, so that stored overlays always
    // build on the stored snapshot before them.
    if (snapshot.icount === 0 || snapshot !== this.index.last) return;
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
    this.schedule();
  }

  removed(icount: number): void {
    if (!this.snapshotsEnabled || this.closed) return;
    this.ops.push({ kind: 'remove', icount });
    this.schedule();
  }

  /** Something changed (position, log, breakpoints): write it soon. */
  schedule(delay = this.delayMs): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.running) { this.again = true; return; }
    if (this.timer !== null) return;
    this.timer = setTimeout(() => { this.timer = null; void this.flush(); }, delay);
  }

  /** Writes everything queued now; resolves once it is committed (or has failed and been reported). */
  async flush(): Promise<void> {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
    while (this.running) await this.running;
    this.running = this.writeAll();
    try { await this.running; } finally { this.running = null; }
    if (this.again && !this.closed) { this.again = false; this.schedule(); }
  }

  /** Stops without writing what is queued (the session is being deleted). */
  discard(): void {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
    this.closed = true;
    this.recycle(this.ops);
    this.ops = [];
  }

  /** Stops taking changes after a last flush. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private async writeAll(): Promise<void> {
    if (this.closed) return;
    const log = this.source.log;
    const output = this.source.output;
    if (!this.dirty && this.ops.length === 0 && log.length === this.logFrom && output.length === this.outputFrom) return;
    this.dirty = false;
    const ops = this.ops;
    this.ops = [];
    const logLen = log.length, outLen = output.length;
    for (let attempt = 0; ; attempt++) {
      const record = this.source.record();
      record.snapshotCount = this.snapshotCount;
      record.snapshotsDropped = this.snapshotsDropped;
      record.logEvents = logLen;
      record.outputBytes = outLen;
      try {
        const program = this.programStored ? undefined : this.source.program ?? undefined;
        await this.repo.writeBatch({ record, program, log, logFrom: this.logFrom, output, outputFrom: this.outputFrom, ops });
        this.programStored = true;
        this.snapshotCount = record.snapshotCount;
        this.logFrom = logLen;
        this.outputFrom = outLen;
        this.batches++;
        this.lastError = null;
        break;
      } catch (e) {
        if (isQuotaError(e) && attempt < 3 && await this.freeSpace(attempt, ops)) continue;
        const message = isQuotaError(e)
          ? 'Storage is full: the recording could not be saved (it is still in memory; free space or export it).'
          : `Saving the session failed: ${e instanceof Error ? e.message : String(e)}`;
        this.lastError = message;
        this.notify('error', message);
        // Keep the snapshot work for the next attempt; the log goes from logFrom again anyway.
        this.ops = [...ops, ...this.ops];
        this.dirty = true;
        return;
      }
    }
    this.recycle(ops);
  }

  /** Frees space for a retry; returns false when nothing more can be dropped. */
  private async freeSpace(attempt: number, ops: SnapshotOp[]): Promise<boolean> {
    if (attempt === 0) {
      const others = (await this.repo.list()).filter((r) => r.id !== this.sessionId && r.snapshotCount > 0).map((r) => r.id);
      if (others.length > 0) {
        const n = await this.repo.dropSnapshots(others);
        this.notify('warning', `Storage is full: dropped ${n} stored snapshots of ${others.length} other session(s); they are recomputed from their logs when opened.`);
        return true;
      }
    }
    if (!this.snapshotsEnabled) return false;
    const n = await this.repo.dropSnapshots([this.sessionId]);
    this.snapshotsEnabled = false;
    this.snapshotsDropped = true;
    this.snapshotCount = 0;
    this.recycle(ops);
    ops.length = 0;
    this.recycle(this.ops);
    this.ops = [];
    this.notify('warning', `Storage is full: dropped this session's stored snapshots (${n}) and stopped storing new ones; the log is kept, so reopening re-executes from the start.`);
    return true;
  }

  private recycle(ops: readonly SnapshotOp[]): void {
    for (const op of ops) {
      if (op.kind !== 'add') continue;
      for (const c of op.snap.contents) if (c) this.pool.give(c);
    }
  }
}
