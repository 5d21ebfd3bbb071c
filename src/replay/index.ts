export { Timeline, OutputLog, applyRegWrite, type TimelineOptions } from './timeline';
export { EventLog, EventKind, EVENT_KIND_NAMES, type LogEvent } from './eventLog';
export type { LiveInputs } from './inputPort';
export { SnapshotIndex, RAM_BASE, type Snapshot, type SnapshotSink } from './snapshots';
export { PageStore, PAGE_SIZE, type PageId } from './pageStore';
export { type Hash64, hashBytes, hashToHex, hashEquals } from './hash';
export { complete, type Stop, type StopCause, type Operation, type Progress, type InfoReplay } from './types';
export { readReplayFile, writeReplayFile, ReplayFileError, crc32, REPLAY_MAGIC, REPLAY_VERSION, type ReplayFile, type ReplaySymbol } from './file';
export { toReplayFile, timelineFromReplay, type ReplayExtras } from './share';
