/**
 * Sessions in IndexedDB: one transaction per write batch (session record, new log and output
 * chunks, snapshot overlays added or merged away, pages by content key), reading a session
 * back, listing, deleting, and dropping snapshots when the quota is exceeded.
 */
import type { IDBPTransaction, IDBPObjectStore, StoreNames } from 'idb';
import { EventLog } from '../replay/eventLog';
import { OutputLog } from '../replay/outputLog';
import type { Hash64 } from '../replay/hash';
import {
  openRewindDB, isQuotaError, PACK_PAGES, LOG_CHUNK_EVENTS, OUTPUT_CHUNK_BYTES,
  type RewindDB, type RewindSchema, type SessionRecord, type SnapshotRecord, type ProgramRecord, type PackRecord, type PageRecord, type OpenOptions, type LogStream,
} from './schema';
import { encodeEvents, encodeOutput, decodeEvents, decodeOutput, unionSorted } from './codec';

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

/** One write batch of a session. */
export interface Batch {
  record: SessionRecord;
  /** Written with the session's first batch. */
  program?: ProgramRecord;
  log: EventLog;
  /** Events already stored (chunks from the one containing this index are rewritten). */
  logFrom: number;
  output: OutputSource;
  outputFrom: number;
  ops: readonly SnapshotOp[];
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
  snapshots: LoadedSnapshot[];
  /** Why stored snapshots past some point could not be used (missing pages), if they could not. */
  problem: string | null;
}

const ALL: StoreNames<RewindSchema>[] = ['sessions', 'programs', 'logs', 'snapshots', 'packs', 'pages'];

function snapRange(id: string): IDBKeyRange { return IDBKeyRange.bound([id, -Infinity], [id, Infinity]); }
function logRange(id: string, stream: LogStream): IDBKeyRange { return IDBKeyRange.bound([id, stream, 0], [id, stream, Infinity]); }

export class Repository {
  /** Reused staging buffer for a pack being filled (put() clones it). */
  private readonly packStage = new Uint8Array(PACK_PAGES * PAGE_SIZE);

  constructor(readonly db: RewindDB) {}

  static async open(options: OpenOptions = {}): Promise<Repository> {
    return new Repository(await openRewindDB(options));
  }

  close(): void { this.db.close(); }

  /** Writes one batch in one transaction; on failure (e.g. quota) nothing of it is stored. */
  async writeBatch(b: Batch): Promise<void> {
    const tx = this.db.transaction(ALL, 'readwrite');
    const done = tx.done;
    done.catch(() => { /* reported through the awaited path below */ });
    try {
      const id = b.record.id;
      if (b.program) background(tx.objectStore('programs').put(b.program));
      const logs = tx.objectStore('logs');
      for (let c = Math.floor(b.logFrom / LOG_CHUNK_EVENTS); c * LOG_CHUNK_EVENTS < b.log.length; c++) {
        const from = c * LOG_CHUNK_EVENTS, to = Math.min(b.log.length, from + LOG_CHUNK_EVENTS);
        background(logs.put({ sessionId: id, stream: 'events', chunk: c, count: to - from, data: encodeEvents(b.log, from, to) }));
      }
      const out = b.output;
      for (let c = Math.floor(b.outputFrom / OUTPUT_CHUNK_BYTES); c * OUTPUT_CHUNK_BYTES < out.length; c++) {
        const from = c * OUTPUT_CHUNK_BYTES, to = Math.min(out.length, from + OUTPUT_CHUNK_BYTES);
        background(logs.put({ sessionId: id, stream: 'output', chunk: c, count: to - from, data: encodeOutput(out, from, to) }));
      }
      const pt = new PageTx(tx, this.packStage);
      await pt.init();
      const snaps = tx.objectStore('snapshots');
      let count = b.record.snapshotCount;
      for (const op of b.ops) {
        if (op.kind === 'add') {
          const s = op.snap;
          for (let i = 0; i < s.keys.length; i++) if (s.keys[i] !== '') await pt.ref(s.keys[i]!, s.contents[i]!);
          const rec: SnapshotRecord = {
            sessionId: id, icount: s.icount, logIndex: s.logIndex, state: copyBuffer(s.state), pages: copyBuffer(s.pages), keys: s.keys,
            written: copyBuffer(s.written), execPages: copyBuffer(s.execPages), execPcs: copyBuffer(s.execPcs), hashHi: s.hash.hi, hashLo: s.hash.lo, pinned: s.pinned,
          };
          const existed = await snaps.getKey([id, s.icount]);
          if (existed === undefined) count++;
          else await unrefSnapshot(pt, (await snaps.get([id, s.icount]))!);
          await snaps.put(rec);
        } else if (await mergeAway(snaps, pt, id, op.icount)) {
          count--;
        }
      }
      await pt.finish();
      b.record.snapshotCount = count;
      await tx.objectStore('sessions').put(b.record);
    } catch (e) {
      try { tx.abort(); } catch { /* already aborted */ }
      // A failed request aborts the transaction and the others fail with AbortError: report
      // the transaction's own error (e.g. QuotaExceededError) when there is one.
      const txError: unknown = await done.then(() => null, (x: unknown) => x);
      throw isQuotaError(txError) ? txError : e;
    }
    await done;
  }

  /** All stored sessions, most recently used first. */
  async list(): Promise<SessionRecord[]> {
    const all = await this.db.getAllFromIndex('sessions', 'byUpdated');
    return all.reverse();
  }

  async getRecord(id: string): Promise<SessionRecord | undefined> {
    return this.db.get('sessions', id);
  }

  /** Reads a whole session back: record, log, output and snapshots with their pages. */
  async read(id: string): Promise<LoadedSession | null> {
    const tx = this.db.transaction(ALL, 'readonly');
    const [record, program] = await Promise.all([tx.objectStore('sessions').get(id), tx.objectStore('programs').get(id)]);
    if (!record) { await tx.done; return null; }
    if (!program) throw new Error(`session ${id}: its program is missing from storage`);
    const logs = tx.objectStore('logs');
    const [eventChunks, outputChunks, snapRecs] = await Promise.all([
      logs.getAll(logRange(id, 'events')), logs.getAll(logRange(id, 'output')), tx.objectStore('snapshots').getAll(snapRange(id)),
    ]);
    const log = new EventLog();
    eventChunks.forEach((c, i) => {
      if (c.chunk !== i) throw new Error(`session ${id}: event log chunk ${i} is missing`);
      decodeEvents(c.data, c.count, log);
    });
    if (log.length < record.logEvents) throw new Error(`session ${id}: the stored event log is incomplete (${log.length} of ${record.logEvents} events)`);
    const output = new OutputLog(Number.MAX_SAFE_INTEGER);
    outputChunks.forEach((c, i) => {
      if (c.chunk === i) decodeOutput(c.data, c.count, output);
    });
    const keys = new Set<string>();
    for (const s of snapRecs) for (const k of s.keys) if (k !== '') keys.add(k);
    const pageStore = tx.objectStore('pages');
    const keyList = [...keys];
    const pageRecs = await Promise.all(keyList.map((k) => pageStore.get(k)));
    const packIds = new Set<number>();
    for (const p of pageRecs) if (p) packIds.add(p.pack);
    const packStore = tx.objectStore('packs');
    const packList = [...packIds];
    const packs = await Promise.all(packList.map((p) => packStore.get(p)));
    await tx.done;
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
    return { record, program, log, output, snapshots, problem };
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

  /** Deletes a session with its log, output, snapshots and the pages only it used. */
  async delete(id: string): Promise<void> {
    const tx = this.db.transaction(ALL, 'readwrite');
    const pt = new PageTx(tx, this.packStage);
    await pt.init();
    await dropAllSnapshots(tx.objectStore('snapshots'), pt, id);
    await pt.finish();
    await tx.objectStore('logs').delete(logRange(id, 'events'));
    await tx.objectStore('logs').delete(logRange(id, 'output'));
    await tx.objectStore('sessions').delete(id);
    await tx.objectStore('programs').delete(id);
    await tx.done;
  }

  /**
   * Frees space: drops every stored snapshot of the given sessions (they can be recomputed
   * from the log, which is kept). Returns how many snapshot records were dropped.
   */
  async dropSnapshots(ids: readonly string[]): Promise<number> {
    const tx = this.db.transaction(ALL, 'readwrite');
    const pt = new PageTx(tx, this.packStage);
    await pt.init();
    const sessions = tx.objectStore('sessions');
    let dropped = 0;
    for (const id of ids) {
      const n = await dropAllSnapshots(tx.objectStore('snapshots'), pt, id);
      dropped += n;
      const rec = await sessions.get(id);
      if (rec) {
        rec.snapshotCount = 0;
        if (n > 0) rec.snapshotsDropped = true;
        await sessions.put(rec);
      }
    }
    await pt.finish();
    await tx.done;
    return dropped;
  }

  /** Counts of stored records (tests, diagnostics). */
  async counts(): Promise<{ sessions: number; snapshots: number; pages: number; packs: number; logChunks: number }> {
    const tx = this.db.transaction(ALL, 'readonly');
    const [sessions, snapshots, pages, packs, logChunks] = await Promise.all([
      tx.objectStore('sessions').count(), tx.objectStore('snapshots').count(), tx.objectStore('pages').count(),
      tx.objectStore('packs').count(), tx.objectStore('logs').count(),
    ]);
    await tx.done;
    return { sessions, snapshots, pages, packs, logChunks };
  }
}

/** Removes snapshot `icount`, merging its overlay into the next stored snapshot of the session. */
async function mergeAway(store: SnapStore, pt: PageTx, id: string, icount: number): Promise<boolean> {
  const r = await store.get([id, icount]);
  if (!r) return false;
  const cursor = await store.openCursor(IDBKeyRange.bound([id, icount], [id, Infinity], true, false));
  if (cursor) {
    const s = cursor.value;
    const sPages = new Uint32Array(s.pages);
    const map = new Map<number, string>();
    sPages.forEach((p, i) => map.set(p, s.keys[i]!));
    const rPages = new Uint32Array(r.pages);
    for (let i = 0; i < rPages.length; i++) {
      const p = rPages[i]!, k = r.keys[i]!;
      if (map.has(p)) { if (k !== '') await pt.unref(k); } else map.set(p, k);
    }
    const merged = [...map.keys()].sort((a, b) => a - b);
    s.pages = Uint32Array.from(merged).buffer;
    s.keys = merged.map((p) => map.get(p)!);
    s.written = unionSorted(new Uint32Array(r.written), new Uint32Array(s.written)).buffer as ArrayBuffer;
    s.execPages = unionSorted(new Uint32Array(r.execPages), new Uint32Array(s.execPages)).buffer as ArrayBuffer;
    s.execPcs = unionSorted(new Uint32Array(r.execPcs), new Uint32Array(s.execPcs)).buffer as ArrayBuffer;
    await cursor.update(s);
  } else {
    await unrefSnapshot(pt, r);
  }
  await store.delete([id, icount]);
  return true;
}

async function unrefSnapshot(pt: PageTx, r: SnapshotRecord): Promise<void> {
  for (const k of r.keys) if (k !== '') await pt.unref(k);
}

async function dropAllSnapshots(store: SnapStore, pt: PageTx, id: string): Promise<number> {
  let n = 0;
  let cursor = await store.openCursor(snapRange(id));
  while (cursor) {
    await unrefSnapshot(pt, cursor.value);
    await cursor.delete();
    n++;
    cursor = await cursor.continue();
  }
  return n;
}

type RwTx = IDBPTransaction<RewindSchema, StoreNames<RewindSchema>[], 'readwrite'>;
type SnapStore = IDBPObjectStore<RewindSchema, StoreNames<RewindSchema>[], 'snapshots', 'readwrite'>;

/**
 * Page reference counting inside one transaction, with the records it touched cached so that
 * read-modify-write sequences stay consistent; new pages are packed a dozen per value.
 */
class PageTx {
  private readonly pages = new Map<string, PageRecord | null>();
  private readonly packs = new Map<number, PackRecord | null>();
  private readonly dirtyPages = new Set<string>();
  private readonly dirtyPacks = new Set<number>();
  private nextPack = 1;
  private open: { id: number; keys: string[]; n: number } | null = null;

  constructor(private readonly tx: RwTx, private readonly stage: Uint8Array) {}

  async init(): Promise<void> {
    const last = await this.tx.objectStore('packs').openCursor(null, 'prev');
    this.nextPack = last ? last.key + 1 : 1;
  }

  private async page(key: string): Promise<PageRecord | null> {
    if (this.pages.has(key)) return this.pages.get(key)!;
    const rec = (await this.tx.objectStore('pages').get(key)) ?? null;
    this.pages.set(key, rec);
    return rec;
  }

  private async pack(id: number): Promise<PackRecord | null> {
    if (this.packs.has(id)) return this.packs.get(id)!;
    const rec = (await this.tx.objectStore('packs').get(id)) ?? null;
    this.packs.set(id, rec);
    return rec;
  }

  /** One more reference to the page with this key; stores `bytes` if the page is new. */
  async ref(key: string, bytes: Uint8Array): Promise<void> {
    const rec = await this.page(key);
    if (rec) { rec.refs++; this.dirtyPages.add(key); return; }
    if (!this.open) this.open = { id: this.nextPack++, keys: [], n: 0 };
    const o = this.open;
    this.stage.set(bytes, o.n * PAGE_SIZE);
    o.keys.push(key);
    this.pages.set(key, { key, pack: o.id, slot: o.n, refs: 1 });
    this.dirtyPages.add(key);
    o.n++;
    if (o.n === PACK_PAGES) this.closePack();
  }

  async unref(key: string): Promise<void> {
    const rec = await this.page(key);
    if (!rec) return;
    this.dirtyPages.add(key);
    if (--rec.refs > 0) return;
    this.pages.set(key, null);
    if (this.open && rec.pack === this.open.id) { this.open.keys[rec.slot] = ''; return; }
    const pack = await this.pack(rec.pack);
    if (!pack) return;
    pack.keys[rec.slot] = '';
    pack.live--;
    this.dirtyPacks.add(rec.pack);
  }

  private closePack(): void {
    const o = this.open!;
    const data = o.n === PACK_PAGES ? this.stage.buffer as ArrayBuffer : this.stage.buffer.slice(0, o.n * PAGE_SIZE) as ArrayBuffer;
    const live = o.keys.filter((k) => k !== '').length;
    if (live > 0) background(this.tx.objectStore('packs').put({ id: o.id, data, keys: o.keys, live }));
    this.open = null;
  }

  async finish(): Promise<void> {
    if (this.open) this.closePack();
    const pages = this.tx.objectStore('pages');
    const packs = this.tx.objectStore('packs');
    const writes: Promise<unknown>[] = [];
    for (const k of this.dirtyPages) {
      const rec = this.pages.get(k);
      writes.push(rec ? pages.put(rec) : pages.delete(k));
    }
    for (const id of this.dirtyPacks) {
      const rec = this.packs.get(id);
      if (!rec) continue;
      writes.push(rec.live > 0 ? packs.put(rec) : packs.delete(id));
    }
    await Promise.all(writes);
  }
}

/** A request whose failure surfaces through the transaction (tx.done), not on its own. */
function background(p: Promise<unknown>): void {
  p.catch(() => undefined);
}

function copyBuffer(a: Uint8Array | Uint32Array): ArrayBuffer {
  return a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength) as ArrayBuffer;
}
