export { openRewindDB, isQuotaError, DB_NAME, DB_VERSION, PACK_PAGES, LOG_CHUNK_EVENTS, OUTPUT_CHUNK_BYTES, HASH_CHUNK_ENTRIES } from './schema';
export type { SessionRecord, ProgramRecord, SnapshotRecord, PackRecord, PageRecord, LogChunkRecord, RewindDB, RewindSchema, OpenOptions } from './schema';
export { Repository, type LoadedSession, type LoadedSnapshot, type Journal, type SnapshotOp, type PendingSnapshot } from './repository';
export { SessionPersister, type PersistSource, type PersisterOptions, type PersistState, type StoredCounts, type NoticeLevel } from './persister';
export { timelineFromStored, imageFromRecord, type RestoreResult } from './restore';
export { encodeHashes, decodeHashes, newSessionId, pageKey } from './codec';
