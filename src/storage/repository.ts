/**
 * Sessions in IndexedDB. A live session is written in two kinds of transaction, in two
 * databases (schema.ts: Chromium runs one readwrite transaction at a time per database), so
 * neither waits for the other: the journal in `rewind` (session record and the new chunks of the
 * log, the output and the state hashes: small, written often) and snapshot batches in
 * `rewind-snapshots` (overlays added or merged away, pages by content key: bulky). Also reading
 * a session back, listing, renaming, deleting, dropping snapshots for quota.
 */
import type { IDBPTransaction, StoreNames } from 'idb';
import { EventLog } from '../replay/eventLog';
import { OutputLog } from '../replay/outputLog';
import type { Hash64 } from '../replay/hash';
import {
  openRewindDB, openSnapshotDB, isQuotaError, PACK_PAGES, LOG_CHUNK_EVENTS, OUTPUT_CHUNK_BYTES, HASH_CHUNK_ENTRIES,
  type RewindDB, type SnapshotDB, type SnapshotSchema, type SessionRecord, type SnapshotRecord, type ProgramRecord, type PackRecord, type PageRecord,
  type OpenOptions, type LogStream,
} from './schema';
import { encodeEvents, encodeOutput, decodeEvents, decodeOutput, encodeHashes, decodeHashes, unionSorted, type ExpectedHash } from './codec';

const PAGE_SIZE = 4096;

/** A snapshot overlay waiting to be written: page contents are copies owned by the batch. */
export interface PendingSnapshot {
  icount: number;
  logIndex: number;
  state: Uint8Array;
  pages: Uint32Array;
  keys: string[];
  /** Content of each overlay page (null for the all-zero page). */
  contents: (Uint8Array | null)[];
  written: Uint32Array;
  execPages: Uint32Array;
  execPcs: Uint32Array;
  hash: Hash64;
  pinned: boolean;
}

export type SnapshotOp = { kind: 'add'; snap: PendingSnapshot } | { kind: 'remove'; icount: number };

/** UART output as the Timeline keeps it (src/replay/outputLog.ts). */
export interface OutputSource { readonly length: number; icountAt(i: number): number; byteAt(i: number): number }

/** A journal write: the session record and what is new in the session's append-only streams. */
export interface Journal {
  record: SessionRecord;
  /** Written with the session's first journal. */
  program?: ProgramRecord;
  log: EventLog;
  /** Events [logFrom, logTo) are written (the chunk holding logFrom is rewritten whole). */
  logFrom: number;
  logTo: number;
  output: OutputSource;
  outputFrom: number;
  outputTo: number;
  /** Periodic state hashes (Timeline.stateHashes), append only. */
  hashes: readonly ExpectedHash[];
  hashesFrom: number;
  hashesTo: number;
}

/** A stored snapshot read back, with its overlay's page contents. */
export interface LoadedSnapshot {
  icount: number;
  logIndex: number;
  state: Uint8Array;
  pages: Uint32Array;
  contents: (Uint8Array | null)[];
  written: Uint32Array;
  execPages: Uint32Array;
  execPcs: Uint32Array;
  hash: Hash64;
  pinned: boolean;
}

export interface LoadedSession {
  record: SessionRecord;
  program: ProgramRecord;
  log: EventLog;
  /** Everything stored (the Timeline's own limit applies when it is put back). */
  output: OutputLog;
  /** The periodic state hashes stored with the log (empty for sessions stored before they were). */
  hashes: ExpectedHash[];
  snapshots: LoadedSnapshot[];
  /**
   * Stored snapshots past the record's frontier or log, left out: the cut end of a recording
   * (possible only if the two databases were not both made durable, e.g. on power loss).
   */
  ahead: number;
  /** Why stored snapshots past some point could not be used (missing pages), if they could not. */
  problem: string | null;
}

const JOURNAL_STORES: ('sessions' | 'programs' | 'logs')[] = ['sessions', 'programs', 'logs'];
const SNAPSHOT_STORES: StoreNames<SnapshotSchema>[] = ['snapshots', 'packs', 'pages'];
const STREAMS: LogStream[] = ['events', 'output', 'hashes'];

function snapRange(id: string): IDBKeyRange { return IDBKeyRange.bound([id, -Infinity], [id, Infinity]); }
function logRange(id: string, stream: LogStream): IDBKeyRange { return IDBKeyRange.bound([id, stream, 0], [id, stream, Infinity]); }

type SnapTx = IDBPTransaction<SnapshotSchema, StoreNames<SnapshotSchema>[], 'readwrite'>;

export class Repository {
  /** Reused staging buffer for a pack being filled (put() clones it). */
  private readonly packStage = new Uint8Array(PACK_PAGES * PAGE_SIZE);

  /** `db`: records, programs and streams; `snapshotDb`: snapshot overlays and pages. */
  constructor(readonly db: RewindDB, readonly snapshotDb: SnapshotDB) {}

  static async open(options: OpenOptions = {}): Promise<Repository> {
    const [db, snapshotDb] = await Promise.all([openRewindDB(options), openSnapshotDB(options)]);
    return new Repository(db, snapshotDb);
  }

  close(): void { this.db.close(); this.snapshotDb.close(); }

  /**
   * Writes a journal in one transaction of `rewind` (sessions, programs, logs). It only writes
   * (every request is issued at once), so it costs one round trip however much the engine runs,
   * and no snapshot batch (another database) holds it back.
   */
  async writeJournal(j: Journal): Promise<void> {
    const tx = this.db.transaction(JOURNAL_STORES, 'readwrite');
    await settle(tx, async () => {
      const id = j.record.id;
      if (j.program) background(tx.objectStore('programs').put(j.program));
      const logs = tx.objectStore('logs');
      for (let c = Math.floor(j.logFrom / LOG_CHUNK_EVENTS); c * LOG_CHUNK_EVENTS < j.logTo; c++) {
        const from = c * LOG_CHUNK_EVENTS, to = Math.min(j.logTo, from + LOG_CHUNK_EVENTS);
        background(logs.put({ sessionId: id, stream: 'events', chunk: c, count: to - from, data: encodeEvents(j.log, from, to) }));
      }
      for (let c = Math.floor(j.outputFrom / OUTPUT_CHUNK_BYTES); c * OUTPUT_CHUNK_BYTES < j.outputTo; c++) {
        const from = c * OUTPUT_CHUNK_BYTES, to = Math.min(j.outputTo, from + OUTPUT_CHUNK_BYTES);
        background(logs.put({ sessionId: id, stream: 'output', chunk: c, count: to - from, data: encodeOutput(j.output, from, to) }));
      }
      for (let c = Math.floor(j.hashesFrom / HASH_CHUNK_ENTRIES); c * HASH_CHUNK_ENTRIES < j.hashesTo; c++) {
        const from = c * HASH_CHUNK_ENTRIES, to = Math.min(j.hashesTo, from + HASH_CHUNK_ENTRIES);
        background(logs.put({ sessionId: id, stream: 'hashes', chunk: c, count: to - from, data: encodeHashes(j.hashes.slice(from, to)) }));
      }
      background(tx.objectStore('sessions').put(j.record));
    });
  }

  /**
   * Applies snapshot ops of session `id` in order, in one transaction of `rewind-snapshots`:
   * an add stores an overlay (replacing a record at the same icount); a remove merges the stored
   * overlay into the next stored one, whose own pages win (the merged-away ones lose a
   * reference), as SnapshotIndex.remove does in memory. The reads are issued together, in four
   * rounds whatever the number of ops (while the engine runs, every round waits behind a time
   * slice), the outcome is computed in memory and the writes go out at once.
   * Returns the change in the number of stored snapshot records.
   */
  async writeSnapshots(id: string, ops: readonly SnapshotOp[]): Promise<number> {
    if (ops.length === 0) return 0;
    const tx = this.snapshotDb.transaction(SNAPSHOT_STORES, 'readwrite');
    let delta = 0;
    await settle(tx, async () => {
      const snaps = tx.objectStore('snapshots');
      let low = Infinity;
      for (const op of ops) low = Math.min(low, op.kind === 'add' ? op.snap.icount : op.icount);
      // Round 1: which snapshots are stored from the first icount the ops touch on.
      const keys = await snaps.getAllKeys(IDBKeyRange.bound([id, low], [id, Infinity]));
      const stored = keys.map((k) => k[1]);
      // Round 2: the stored records the ops read (replaced, merged away, merged into).
      const needed = recordsRead(stored, ops);
      const fetched = await Promise.all(needed.map((t) => snaps.get([id, t])));
      const recs = new Map<number, SnapshotRecord | null>();
      needed.forEach((t, i) => recs.set(t, fetched[i] ?? null));
      const present = new SortedSet(stored);
      const changed = new Set<number>();
      const refs = new RefChanges();
      for (const op of ops) {
        if (op.kind === 'add') {
          const s = op.snap;
          const old = present.has(s.icount) ? recs.get(s.icount) : null;
          if (old) refs.unrefAll(old.keys);
          else delta++;
          s.keys.forEach((k, i) => refs.ref(k, s.contents[i] ?? null));
          recs.set(s.icount, {
            sessionId: id, icount: s.icount, logIndex: s.logIndex, state: copyBuffer(s.state), pages: copyBuffer(s.pages), keys: s.keys,
            written: copyBuffer(s.written), execPages: copyBuffer(s.execPages), execPcs: copyBuffer(s.execPcs), hashHi: s.hash.hi, hashLo: s.hash.lo, pinned: s.pinned,
          });
          present.add(s.icount);
          changed.add(s.icount);
          continue;
        }
        const r = present.has(op.icount) ? recs.get(op.icount) : null;
        if (!r) continue;
        const next = present.after(op.icount);
        const succ = next === undefined ? null : recs.get(next);
        if (next !== undefined && succ) {
          recs.set(next, mergeInto(r, succ, refs));
          changed.add(next);
        } else {
          refs.unrefAll(r.keys);
        }
        recs.set(op.icount, null);
        present.delete(op.icount);
        changed.add(op.icount);
        delta--;
      }
      // Rounds 3 and 4: page reference counts, new pages packed, packs that lose pages.
      await applyRefs(tx, refs, this.packStage);
      for (const t of changed) {
        const rec = recs.get(t);
        background(rec ? snaps.put(rec) : snaps.delete([id, t]));
      }
    });
    return delta;
  }

  /** All stored sessions, most recently used first. */
  async list(): Promise<SessionRecord[]> {
    const all = await this.db.getAllFromIndex('sessions', 'byUpdated');
    return all.reverse();
  }

  async getRecord(id: string): Promise<SessionRecord | undefined> {
    return this.db.get('sessions', id);
  }

  /** Reads a whole session back: record, log, output, state hashes and snapshots with their pages. */
  async read(id: string): Promise<LoadedSession | null> {
    const tx = this.db.transaction(JOURNAL_STORES, 'readonly');
    const logs = tx.objectStore('logs');
    const [record, program, eventChunks, outputChunks, hashChunks] = await Promise.all([
      tx.objectStore('sessions').get(id), tx.objectStore('programs').get(id),
      logs.getAll(logRange(id, 'events')), logs.getAll(logRange(id, 'output')), logs.getAll(logRange(id, 'hashes')),
    ]);
    await tx.done;
    if (!record) return null;
    if (!program) throw new Error(`session ${id}: its program is missing from storage`);
    // The record says how much of each stream belongs to the recording it describes.
    const log = new EventLog();
    for (let i = 0; i < eventChunks.length && log.length < record.logEvents; i++) {
      const c = eventChunks[i]!;
      if (c.chunk !== i) throw new Error(`session ${id}: event log chunk ${i} is missing`);
      decodeEvents(c.data, Math.min(c.count, record.logEvents - log.length), log);
    }
    if (log.length < record.logEvents) throw new Error(`session ${id}: the stored event log is incomplete (${log.length} of ${record.logEvents} events)`);
    const output = new OutputLog(Number.MAX_SAFE_INTEGER);
    for (let i = 0; i < outputChunks.length && outputChunks[i]!.chunk === i; i++) decodeOutput(outputChunks[i]!.data, outputChunks[i]!.count, output);
    const kept = output.length <= record.outputBytes ? output : copyOutput(output, record.outputBytes);
    const hashes: ExpectedHash[] = [];
    for (let i = 0; i < hashChunks.length && hashChunks[i]!.chunk === i; i++) hashes.push(...decodeHashes(hashChunks[i]!.data));
    hashes.length = Math.min(hashes.length, record.hashCount ?? 0);

    const stx = this.snapshotDb.transaction(SNAPSHOT_STORES, 'readonly');
    const all = await stx.objectStore('snapshots').getAll(snapRange(id));
    // Overlays past the stored recording are not part of it (and later ones build on them).
    const snapRecs = all.filter((s) => s.icount <= record.frontier && s.logIndex <= record.logEvents);
    const ahead = all.length - snapRecs.length;
    const keys = new Set<string>();
    for (const s of snapRecs) for (const k of s.keys) if (k !== '') keys.add(k);
    const pageStore = stx.objectStore('pages');
    const keyList = [...keys];
    const pageRecs = await Promise.all(keyList.map((k) => pageStore.get(k)));
    const packIds = new Set<number>();
    for (const p of pageRecs) if (p) packIds.add(p.pack);
    const packStore = stx.objectStore('packs');
    const packList = [...packIds];
    const packs = await Promise.all(packList.map((p) => packStore.get(p)));
    await stx.done;
    const packById = new Map<number, PackRecord>();
    packList.forEach((p, i) => { const r = packs[i]; if (r) packById.set(p, r); });
    const content = new Map<string, Uint8Array>();
    keyList.forEach((k, i) => {
      const p = pageRecs[i];
      const pack = p && packById.get(p.pack);
      if (p && pack && pack.keys[p.slot] === k) content.set(k, new Uint8Array(pack.data, p.slot * PAGE_SIZE, PAGE_SIZE));
    });
    const snapshots: LoadedSnapshot[] = [];
    let problem: string | null = null;
    for (const s of snapRecs) {
      const contents: (Uint8Array | null)[] = [];
      let missing = false;
      for (const k of s.keys) {
        if (k === '') { contents.push(null); continue; }
        const c = content.get(k);
        if (!c) { missing = true; break; }
        contents.push(c);
      }
      // Later overlays build on this one: stop at the first snapshot that cannot be rebuilt.
      if (missing) { problem = `stored snapshot at icount ${s.icount} has missing pages`; break; }
      snapshots.push({
        icount: s.icount, logIndex: s.logIndex, state: new Uint8Array(s.state), pages: new Uint32Array(s.pages), contents,
        written: new Uint32Array(s.written), execPages: new Uint32Array(s.execPages), execPcs: new Uint32Array(s.execPcs), hash: { hi: s.hashHi, lo: s.hashLo }, pinned: s.pinned,
      });
    }
    return { record, program, log, output: kept, hashes, snapshots, ahead, problem };
  }

  /**
   * Renames a stored session; its other fields, `updatedAt` included (the order of the list),
   * are left as they are. Rejects for an unknown id or a name that is empty once trimmed.
   */
  async rename(id: string, name: string): Promise<void> {
    const trimmed = name.trim();
    if (trimmed === '') throw new Error('a session name cannot be empty');
    const tx = this.db.transaction('sessions', 'readwrite');
    const store = tx.objectStore('sessions');
    const record = await store.get(id);
    if (!record) {
      await tx.done;
      throw new Error(`there is no stored session ${id}`);
    }
    await store.put({ ...record, name: trimmed });
    await tx.done;
  }

  /** Deletes a session with its log, output, state hashes, snapshots and the pages only it used. */
  async delete(id: string): Promise<void> {
    // Snapshots first: if the page goes away in between, the session is still whole (it
    // reopens by replaying), and no snapshot is left without its session.
    const stx = this.snapshotDb.transaction(SNAPSHOT_STORES, 'readwrite');
    await settle(stx, async () => { await dropAll(stx, [id], this.packStage); });
    const tx = this.db.transaction(JOURNAL_STORES, 'readwrite');
    await settle(tx, async () => {
      const logs = tx.objectStore('logs');
      for (const stream of STREAMS) background(logs.delete(logRange(id, stream)));
      background(tx.objectStore('sessions').delete(id));
      background(tx.objectStore('programs').delete(id));
    });
  }

  /**
   * Frees space: drops every stored snapshot of the given sessions (they can be recomputed
   * from the log, which is kept). Returns how many snapshot records were dropped.
   */
  async dropSnapshots(ids: readonly string[]): Promise<number> {
    const stx = this.snapshotDb.transaction(SNAPSHOT_STORES, 'readwrite');
    let counts: number[] = [];
    await settle(stx, async () => { counts = await dropAll(stx, ids, this.packStage); });
    const tx = this.db.transaction('sessions', 'readwrite');
    await settle(tx, async () => {
      const sessions = tx.objectStore('sessions');
      const recs = await Promise.all(ids.map((id) => sessions.get(id)));
      recs.forEach((rec, i) => {
        if (!rec) return;
        rec.snapshotCount = 0;
        if (counts[i]! > 0) rec.snapshotsDropped = true;
        background(sessions.put(rec));
      });
    });
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Drops the stored snapshots of session `id` after `icount` (the cut end of a recording); returns how many. */
  async dropSnapshotsAfter(id: string, icount: number): Promise<number> {
    const stx = this.snapshotDb.transaction(SNAPSHOT_STORES, 'readwrite');
    let n = 0;
    await settle(stx, async () => {
      const snaps = stx.objectStore('snapshots');
      const range = IDBKeyRange.bound([id, icount], [id, Infinity], true, false);
      const recs = await snaps.getAll(range);
      const refs = new RefChanges();
      for (const r of recs) refs.unrefAll(r.keys);
      await applyRefs(stx, refs, this.packStage);
      background(snaps.delete(range));
      n = recs.length;
    });
    return n;
  }

  /** Counts of stored records (tests, diagnostics). */
  async counts(): Promise<{ sessions: number; snapshots: number; pages: number; packs: number; logChunks: number }> {
    const [sessions, logChunks, snapshots, pages, packs] = await Promise.all([
      this.db.count('sessions'), this.db.count('logs'),
      this.snapshotDb.count('snapshots'), this.snapshotDb.count('pages'), this.snapshotDb.count('packs'),
    ]);
    return { sessions, snapshots, pages, packs, logChunks };
  }
}

/**
 * Runs `body` (which issues requests on `tx`) and waits for the commit. On any failure the
 * transaction is aborted, so nothing of it is stored, and the transaction's own error (e.g.
 * QuotaExceededError) is what rejects, not the AbortError of the requests it took with it.
 */
async function settle(tx: { readonly done: Promise<void>; abort(): void }, body: () => Promise<void>): Promise<void> {
  const done = tx.done;
  done.catch(() => undefined);
  try {
    await body();
  } catch (e) {
    try { tx.abort(); } catch { /* already aborted */ }
    const txError: unknown = await done.then(() => null, (x: unknown) => x);
    throw isQuotaError(txError) ? txError : e;
  }
  await done;
}

/**
 * The icounts of stored records that applying `ops` in order reads before writing them: a
 * record an add replaces, a record a remove merges away, and the record it merges into.
 * `stored` are the stored icounts the ops can reach (from the lowest icount they touch on).
 */
function recordsRead(stored: readonly number[], ops: readonly SnapshotOp[]): number[] {
  const present = new SortedSet(stored);
  const dbVersion = new Set(stored);
  const needed = new Set<number>();
  const use = (t: number): void => { if (dbVersion.has(t)) needed.add(t); };
  for (const op of ops) {
    if (op.kind === 'add') {
      use(op.snap.icount);
      dbVersion.delete(op.snap.icount);
      present.add(op.snap.icount);
      continue;
    }
    if (!present.has(op.icount)) continue;
    use(op.icount);
    const next = present.after(op.icount);
    if (next !== undefined) { use(next); dbVersion.delete(next); }
    dbVersion.delete(op.icount);
    present.delete(op.icount);
  }
  return [...needed];
}

/** `s` with the overlay of its predecessor `r` merged in: `s`'s own pages win, `r`'s overridden ones lose a reference. */
function mergeInto(r: SnapshotRecord, s: SnapshotRecord, refs: RefChanges): SnapshotRecord {
  const map = new Map<number, string>();
  new Uint32Array(s.pages).forEach((p, i) => map.set(p, s.keys[i]!));
  const rPages = new Uint32Array(r.pages);
  for (let i = 0; i < rPages.length; i++) {
    const p = rPages[i]!, k = r.keys[i]!;
    if (map.has(p)) refs.unref(k); else map.set(p, k);
  }
  const merged = [...map.keys()].sort((a, b) => a - b);
  return {
    ...s,
    pages: Uint32Array.from(merged).buffer,
    keys: merged.map((p) => map.get(p)!),
    written: unionSorted(new Uint32Array(r.written), new Uint32Array(s.written)).buffer as ArrayBuffer,
    execPages: unionSorted(new Uint32Array(r.execPages), new Uint32Array(s.execPages)).buffer as ArrayBuffer,
    execPcs: unionSorted(new Uint32Array(r.execPcs), new Uint32Array(s.execPcs)).buffer as ArrayBuffer,
  };
}

/** Net changes of page reference counts in one transaction, with the bytes of pages that may be new. */
class RefChanges {
  readonly delta = new Map<string, number>();
  readonly contents = new Map<string, Uint8Array>();
  ref(key: string, bytes: Uint8Array | null): void {
    if (key === '') return;
    this.delta.set(key, (this.delta.get(key) ?? 0) + 1);
    if (bytes) this.contents.set(key, bytes);
  }
  unref(key: string): void {
    if (key !== '') this.delta.set(key, (this.delta.get(key) ?? 0) - 1);
  }
  unrefAll(keys: readonly string[]): void { for (const k of keys) this.unref(k); }
}

/**
 * Applies net reference changes: page records updated, pages whose count reaches 0 deleted and
 * their pack slots freed (a pack with no live page is deleted), new pages packed a dozen per
 * value. Two rounds of reads (the page records, then the packs that lose pages).
 */
async function applyRefs(tx: SnapTx, refs: RefChanges, stage: Uint8Array): Promise<void> {
  const pageStore = tx.objectStore('pages');
  const packStore = tx.objectStore('packs');
  const keys = [...refs.delta.keys()].filter((k) => refs.delta.get(k) !== 0);
  if (keys.length === 0) return;
  const [pageRecs, lastPack] = await Promise.all([Promise.all(keys.map((k) => pageStore.get(k))), packStore.openKeyCursor(null, 'prev')]);
  let nextPack = lastPack ? lastPack.key + 1 : 1;
  const freed = new Map<number, { slot: number; key: string }[]>();
  let open: { id: number; keys: string[] } | null = null;
  const closePack = (): void => {
    const o = open!;
    const n = o.keys.length;
    background(packStore.put({ id: o.id, data: n === PACK_PAGES ? stage.buffer as ArrayBuffer : stage.buffer.slice(0, n * PAGE_SIZE) as ArrayBuffer, keys: o.keys, live: n }));
    open = null;
  };
  keys.forEach((k, i) => {
    const rec = pageRecs[i];
    const total = (rec?.refs ?? 0) + refs.delta.get(k)!;
    if (rec && total > 0) {
      background(pageStore.put({ ...rec, refs: total }));
    } else if (rec) {
      background(pageStore.delete(k));
      const list = freed.get(rec.pack) ?? [];
      list.push({ slot: rec.slot, key: k });
      freed.set(rec.pack, list);
    } else if (total > 0) {
      const bytes = refs.contents.get(k);
      if (!bytes) throw new Error(`internal: page ${k} gains a reference but is neither stored nor written with this batch`);
      open ??= { id: nextPack++, keys: [] };
      stage.set(bytes, open.keys.length * PAGE_SIZE);
      const page: PageRecord = { key: k, pack: open.id, slot: open.keys.length, refs: total };
      open.keys.push(k);
      background(pageStore.put(page));
      if (open.keys.length === PACK_PAGES) closePack();
    }
  });
  if (open) closePack();
  const packIds = [...freed.keys()];
  const packs = await Promise.all(packIds.map((p) => packStore.get(p)));
  packIds.forEach((p, i) => {
    const rec: PackRecord | undefined = packs[i];
    if (!rec) return;
    for (const { slot, key } of freed.get(p)!) if (rec.keys[slot] === key) { rec.keys[slot] = ''; rec.live--; }
    background(rec.live > 0 ? packStore.put(rec) : packStore.delete(p));
  });
}

/** Drops every stored snapshot of the sessions `ids` and their page references; returns how many per session. */
async function dropAll(tx: SnapTx, ids: readonly string[], stage: Uint8Array): Promise<number[]> {
  const snaps = tx.objectStore('snapshots');
  const all = await Promise.all(ids.map((id) => snaps.getAll(snapRange(id))));
  const refs = new RefChanges();
  for (const list of all) for (const r of list) refs.unrefAll(r.keys);
  await applyRefs(tx, refs, stage);
  for (const id of ids) background(snaps.delete(snapRange(id)));
  return all.map((l) => l.length);
}

/** A sorted set of numbers (binary search; batches are small). */
class SortedSet {
  private readonly a: number[];
  constructor(values: readonly number[]) { this.a = [...values].sort((x, y) => x - y); }
  private lower(v: number): number {
    let lo = 0, hi = this.a.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (this.a[mid]! < v) lo = mid + 1; else hi = mid; }
    return lo;
  }
  has(v: number): boolean { return this.a[this.lower(v)] === v; }
  add(v: number): void { const i = this.lower(v); if (this.a[i] !== v) this.a.splice(i, 0, v); }
  delete(v: number): void { const i = this.lower(v); if (this.a[i] === v) this.a.splice(i, 1); }
  /** The smallest value greater than v. */
  after(v: number): number | undefined { const i = this.lower(v); return this.a[this.a[i] === v ? i + 1 : i]; }
}

function copyOutput(out: OutputLog, n: number): OutputLog {
  const o = new OutputLog(Number.MAX_SAFE_INTEGER);
  for (let i = 0; i < n; i++) o.append(out.icountAt(i), out.byteAt(i));
  return o;
}

/** A request whose failure surfaces through the transaction (tx.done), not on its own. */
function background(p: Promise<unknown>): void {
  p.catch(() => undefined);
}

function copyBuffer(a: Uint8Array | Uint32Array): ArrayBuffer {
  return a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength) as ArrayBuffer;
}
