export { openRewindDB, isQuotaError, DB_NAME, DB_VERSION, PACK_PAGES, LOG_CHUNK_EVENTS, OUTPUT_CHUNK_BYTES } from './schema';
export type { SessionRecord, ProgramRecord, SnapshotRecord, PackRecord, PageRecord, LogChunkRecord, RewindDB, RewindSchema, OpenOptions } from './schema';
export { Repository, type LoadedSession, type LoadedSnapshot, type Batch, type SnapshotOp, type PendingSnapshot } from './repository';
export { SessionPersister, type PersistSource, type PersisterOptions, type NoticeLevel } from './persister';
export { timelineFromStored, imageFromRecord, type RestoreResult } from './restore';
export { encodeHashes, decodeHashes, newSessionId, pageKey } from './codec';
