/**
 * The IndexedDB schema (via idb) and its versioned upgrades. Two databases:
 *
 * - `rewind` holds what a recording is: session records, programs and the append-only streams
 *   (event log, console output, state hashes). Written often, in small transactions.
 * - `rewind-snapshots` holds the snapshot overlays and their pages: derived data (everything in
 *   it can be recomputed from the log) that only shortens reopening, written in bulk.
 *
 * They are separate databases because Chromium runs one readwrite transaction at a time per
 * database, even with disjoint scopes (measured: a write to one store waited for a transaction
 * on another store for as long as that one lasted): in one database, a long snapshot batch would
 * hold back the log of the recording.
 *
 * Values are plain objects whose bulk fields are ArrayBuffers (Blobs were 3-4x slower in
 * Chromium) and stay under 64 KiB (larger values go to separate blob files and read several
 * times slower): the streams are chunked, and pages are packed a dozen per value.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';

export const DB_NAME = 'rewind';
/** Current schema version of `rewind`; MIGRATIONS[v - 1] upgrades from v - 1 to v. */
export const DB_VERSION = 3;
/** The snapshot database of the database `name`. */
export const snapshotDbName = (name: string): string => `${name}-snapshots`;
/** Current schema version of the snapshot database; SNAPSHOT_MIGRATIONS as MIGRATIONS. */
export const SNAPSHOT_DB_VERSION = 1;

export interface StoredSegment { addr: number; memSize: number; data: ArrayBuffer }

export interface SessionRecord {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  replayOnly: boolean;
  ramSize: number;
  snapshotInterval: number;
  frontier: number;
  exit: { icount: number; code: number } | null;
  /** The position the user was at. */
  position: number;
  breakpoints: number[];
  watchpoints: { addr: number; len: number; kind: 'write' | 'read' | 'access' }[];
  replayBreak: number | null;
  /** Events of the log stored in `logs` (stream 'events'). */
  logEvents: number;
  /** UART output bytes stored in `logs` (stream 'output'). */
  outputBytes: number;
  /** The output of every instruction before this icount is in the stored output. */
  outputHigh: number;
  /** Replay-only sessions: the file's state hashes (f64 icount, u32 log index, u32 hi, u32 lo per entry). */
  expectedHashes: ArrayBuffer | null;
  /** Snapshot records stored for the session (schema v2). */
  snapshotCount: number;
  /** Set when snapshots were dropped for quota: the session re-executes to reach positions. */
  snapshotsDropped: boolean;
  /**
   * True when the record was written while an operation was recording at the frontier. Found
   * true when the session is opened, the recording was cut (reload, crash, closed tab) and is
   * recovered up to `frontier`. Absent in records written before it existed (= false).
   */
  recording?: boolean;
  /** UART output not kept (OutputLog.dropped): from which icount, how many bytes. */
  outputDropped?: { fromIcount: number; bytes: number } | null;
  /** Periodic state hashes stored in `logs` (stream 'hashes'; Timeline.stateHashes). */
  hashCount?: number;
  /** A replay-only session of a cut recording: whether the guest exited at the end is unknown (Timeline.endUnknown). */
  endUnknown?: boolean;
}

/** What was loaded, written once per session (the session record is rewritten often). */
export interface ProgramRecord {
  id: string;
  image: { entry: number; segments: StoredSegment[] };
  symbols: { name: string; value: number; size: number }[];
  source: { fileName: string; text: string } | null;
}

/** Append-only streams of a session: its event log, UART output and periodic state hashes. */
export type LogStream = 'events' | 'output' | 'hashes';

export interface LogChunkRecord {
  sessionId: string;
  stream: LogStream;
  chunk: number;
  count: number;
  data: ArrayBuffer;
}

/** One snapshot as an overlay on the session's previous stored snapshot. */
export interface SnapshotRecord {
  sessionId: string;
  icount: number;
  /** Log events consumed in the snapshot's state (Snapshot.logIndex). */
  logIndex: number;
  /** CPU + device state (Machine.saveState). */
  state: ArrayBuffer;
  /** Uint32 RAM page indices of the overlay, sorted; `keys[i]` is page i's content key ('' = all zero). */
  pages: ArrayBuffer;
  keys: string[];
  /** Uint32 summaries of the interval before the snapshot (pages stored to, pages fetched from). */
  written: ArrayBuffer;
  execPages: ArrayBuffer;
  /** Uint32 distinct RAM pcs executed in the interval (Snapshot.execPcs), sorted. */
  execPcs: ArrayBuffer;
  hashHi: number;
  hashLo: number;
  pinned: boolean;
}

/** Up to PACK_PAGES pages in one value; `keys[slot]` names the page in slot `slot` ('' = free). */
export interface PackRecord { id?: number; data: ArrayBuffer; keys: string[]; live: number }

/** A stored page, by content key: where it lives and how many snapshot records use it. */
export interface PageRecord { key: string; pack: number; slot: number; refs: number }

/** The database `rewind` (version 3). */
export interface RewindSchema extends DBSchema {
  sessions: { key: string; value: SessionRecord; indexes: { byUpdated: number } };
  programs: { key: string; value: ProgramRecord };
  logs: { key: [string, LogStream, number]; value: LogChunkRecord };
}

/** The database `rewind-snapshots` (version 1). */
export interface SnapshotSchema extends DBSchema {
  snapshots: { key: [string, number]; value: SnapshotRecord };
  packs: { key: number; value: PackRecord };
  pages: { key: string; value: PageRecord };
}

/** `rewind` before version 3 also held the snapshot stores. */
interface LegacySchema extends DBSchema {
  sessions: { key: string; value: SessionRecord; indexes: { byUpdated: number } };
  programs: { key: string; value: ProgramRecord };
  logs: { key: [string, LogStream, number]; value: LogChunkRecord };
  snapshots: { key: [string, number]; value: SnapshotRecord };
  packs: { key: number; value: PackRecord };
  pages: { key: string; value: PageRecord };
}

export type RewindDB = IDBPDatabase<RewindSchema>;
export type SnapshotDB = IDBPDatabase<SnapshotSchema>;
type UpgradeTx = IDBPTransaction<LegacySchema, StoreNames<LegacySchema>[], 'versionchange'>;

/** Pages per pack value: 12 x 4 KiB = 48 KiB, under the 64 KiB value limit. */
export const PACK_PAGES = 12;
/** Log events per chunk value (about 17 bytes each without data). */
export const LOG_CHUNK_EVENTS = 2048;
/** Output bytes per chunk value (9 bytes each: icount + byte). */
export const OUTPUT_CHUNK_BYTES = 4096;
/** State hash entries per chunk value (20 bytes each). */
export const HASH_CHUNK_ENTRIES = 2048;

const MIGRATIONS: ((db: IDBPDatabase<LegacySchema>, tx: UpgradeTx) => Promise<void>)[] = [
  // v1: the stores.
  async (db) => {
    db.createObjectStore('sessions', { keyPath: 'id' });
    db.createObjectStore('programs', { keyPath: 'id' });
    db.createObjectStore('logs', { keyPath: ['sessionId', 'stream', 'chunk'] });
    db.createObjectStore('snapshots', { keyPath: ['sessionId', 'icount'] });
    db.createObjectStore('packs', { keyPath: 'id', autoIncrement: true });
    db.createObjectStore('pages', { keyPath: 'key' });
  },
  // v2: sessions listed by last use; each session counts its stored snapshots.
  async (_db, tx) => {
    const sessions = tx.objectStore('sessions');
    sessions.createIndex('byUpdated', 'updatedAt');
    const snaps = tx.objectStore('snapshots');
    let cursor = await sessions.openCursor();
    while (cursor) {
      const rec = cursor.value as Partial<SessionRecord> & SessionRecord;
      const range = IDBKeyRange.bound([rec.id, 0], [rec.id, Infinity]);
      rec.snapshotCount = await snaps.count(range);
      rec.snapshotsDropped = rec.snapshotsDropped ?? false;
      await cursor.update(rec);
      cursor = await cursor.continue();
    }
  },
  // v3: snapshots move to their own database (rewind-snapshots). The stored ones are dropped,
  // not moved: they are derived from the log, which stays, and are recomputed (and stored
  // again) when a session is opened; moving them would hold every page in one upgrade.
  async (db, tx) => {
    for (const store of ['snapshots', 'packs', 'pages'] as const) db.deleteObjectStore(store);
    const sessions = tx.objectStore('sessions');
    let cursor = await sessions.openCursor();
    while (cursor) {
      await cursor.update({ ...cursor.value, snapshotCount: 0 });
      cursor = await cursor.continue();
    }
  },
];

const SNAPSHOT_MIGRATIONS: ((db: IDBPDatabase<SnapshotSchema>) => void)[] = [
  // v1: the stores (as they were in rewind v1 to v2).
  (db) => {
    db.createObjectStore('snapshots', { keyPath: ['sessionId', 'icount'] });
    db.createObjectStore('packs', { keyPath: 'id', autoIncrement: true });
    db.createObjectStore('pages', { keyPath: 'key' });
  },
];

export interface OpenOptions {
  name?: string;
  /** Upgrade only up to this version (tests of the upgrade path). */
  version?: number;
}

/** Opens (creating or upgrading) the database `rewind` (or `options.name`). */
export async function openRewindDB(options: OpenOptions = {}): Promise<RewindDB> {
  const version = options.version ?? DB_VERSION;
  const name = options.name ?? DB_NAME;
  let upgrade: Promise<void> = Promise.resolve();
  const db = await openDB<LegacySchema>(name, version, {
    upgrade(database, oldVersion, newVersion, tx) {
      upgrade = (async () => {
        for (let v = oldVersion; v < (newVersion ?? version); v++) await MIGRATIONS[v]!(database, tx);
      })();
    },
  });
  await upgrade;
  return db as unknown as RewindDB;
}

/** Opens (creating or upgrading) the snapshot database of `rewind` (or of `options.name`). */
export async function openSnapshotDB(options: OpenOptions = {}): Promise<SnapshotDB> {
  return openDB<SnapshotSchema>(snapshotDbName(options.name ?? DB_NAME), SNAPSHOT_DB_VERSION, {
    upgrade(database, oldVersion) {
      for (let v = oldVersion; v < SNAPSHOT_DB_VERSION; v++) SNAPSHOT_MIGRATIONS[v]!(database);
    },
  });
}

/** Whether an IndexedDB failure is the quota being exceeded. */
export function isQuotaError(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const name = (e as { name?: unknown }).name;
  if (name === 'QuotaExceededError') return true;
  const inner = (e as { error?: unknown }).error;
  return inner !== e && inner !== undefined && isQuotaError(inner);
}
