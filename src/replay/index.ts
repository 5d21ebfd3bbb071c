export { Timeline, applyRegWrite, type TimelineOptions } from './timeline';
export { OutputLog, DEFAULT_OUTPUT_LIMIT } from './outputLog';
export { EventLog, EventKind, EVENT_KIND_NAMES, type LogEvent } from './eventLog';
export type { LiveInputs } from './inputPort';
export { SnapshotIndex, RAM_BASE, type Snapshot, type SnapshotSink } from './snapshots';
export { PageStore, PAGE_SIZE, type PageId } from './pageStore';
export { type Hash64, hashBytes, hashToHex, hashEquals } from './hash';
export { complete, type Stop, type StopCause, type Operation, type Progress, type InfoReplay } from './types';
export {
  readReplayFile, writeReplayFile, recoveryNotice, ReplayFileError, ReplayFileWriter, crc32, REPLAY_MAGIC, REPLAY_VERSION, REPLAY_MAX_BYTES, MAX_RAM_SIZE,
  type ReplayFile, type ReplaySymbol, type Recovery, type HashEntry, type RecordingHeader,
} from './file';
export { toReplayFile, timelineFromReplay, initialStateHash, recordedHashes, type ReplayExtras } from './share';
