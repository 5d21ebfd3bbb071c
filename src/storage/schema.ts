/**
 * The IndexedDB schema (via idb) and its versioned upgrades. Values are plain objects whose
 * bulk fields are ArrayBuffers (Blobs were 3-4x slower in Chromium) and stay under 64 KiB
 * (larger values go to separate blob files and read several times slower): the event log and
 * the console output are chunked, and pages are packed a dozen per value.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';

export const DB_NAME = 'rewind';
/** Current schema version; MIGRATIONS[v - 1] upgrades from v - 1 to v. */
export const DB_VERSION = 2;

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
}

/** What was loaded, written once per session (the session record is rewritten often). */
export interface ProgramRecord {
  id: string;
  image: { entry: number; segments: StoredSegment[] };
  symbols: { name: string; value: number; size: number }[];
  source: { fileName: string; text: string } | null;
}

export type LogStream = 'events' | 'output';

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

export interface RewindSchema extends DBSchema {
  sessions: { key: string; value: SessionRecord; indexes: { byUpdated: number } };
  programs: { key: string; value: ProgramRecord };
  logs: { key: [string, LogStream, number]; value: LogChunkRecord };
  snapshots: { key: [string, number]; value: SnapshotRecord };
  packs: { key: number; value: PackRecord };
  pages: { key: string; value: PageRecord };
}

export type RewindDB = IDBPDatabase<RewindSchema>;
type UpgradeTx = IDBPTransaction<RewindSchema, StoreNames<RewindSchema>[], 'versionchange'>;

/** Pages per pack value: 12 x 4 KiB = 48 KiB, under the 64 KiB value limit. */
export const PACK_PAGES = 12;
/** Log events per chunk value (about 17 bytes each without data). */
export const LOG_CHUNK_EVENTS = 2048;
/** Output bytes per chunk value (9 bytes each: icount + byte). */
export const OUTPUT_CHUNK_BYTES = 4096;

const MIGRATIONS: ((db: IDBPDatabase<RewindSchema>, tx: UpgradeTx) => Promise<void>)[] = [
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
];

export interface OpenOptions {
  name?: string;
  /** Upgrade only up to this version (tests of the upgrade path). */
  version?: number;
}

/** Opens (creating or upgrading) the database. */
export async function openRewindDB(options: OpenOptions = {}): Promise<RewindDB> {
  const version = options.version ?? DB_VERSION;
  const name = options.name ?? DB_NAME;
  let upgrade: Promise<void> = Promise.resolve();
  const db = await openDB<RewindSchema>(name, version, {
    upgrade(database, oldVersion, newVersion, tx) {
      upgrade = (async () => {
        for (let v = oldVersion; v < (newVersion ?? version); v++) await MIGRATIONS[v]!(database, tx);
      })();
    },
  });
  await upgrade;
  return db;
}

/** Whether an IndexedDB failure is the quota being exceeded. */
export function isQuotaError(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const name = (e as { name?: unknown }).name;
  if (name === 'QuotaExceededError') return true;
  const inner = (e as { error?: unknown }).error;
  return inner !== e && inner !== undefined && isQuotaError(inner);
}
