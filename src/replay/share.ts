import { Timeline, type TimelineOptions } from './timeline';
import type { ReplayFile, ReplaySymbol } from './file';

/** What a replay file holds besides the timeline: symbols and, for assembly, the source. */
export interface ReplayExtras {
  symbols?: ReplaySymbol[];
  source?: { fileName: string; text: string } | null;
}

/** The shareable recording of a session: its program, log and state hashes, up to the frontier. */
export function toReplayFile(tl: Timeline, extras: ReplayExtras = {}): ReplayFile {
  const hashes = tl.snapshots.list
    .filter((s) => s.icount % tl.interval === 0 && s.icount <= tl.frontier)
    .map((s) => ({ icount: s.icount, logIndex: s.logIndex, hash: s.stateHash }));
  return {
    ramSize: tl.machine.ramSize,
    snapshotInterval: tl.interval,
    name: tl.name,
    image: tl.image,
    symbols: extras.symbols ?? [],
    source: extras.source ?? null,
    log: tl.log,
    finalIcount: tl.frontier,
    exit: tl.exit ? { code: tl.exit.code } : null,
    hashes,
  };
}

/** A replay-only timeline for a loaded file; replay checks the file's state hashes as it passes them. */
export function timelineFromReplay(file: ReplayFile, options: Omit<TimelineOptions, 'live' | 'ramSize' | 'snapshotInterval'> = {}): Timeline {
  const tl = new Timeline(file.image, {
    ...options,
    name: options.name ?? file.name,
    ramSize: file.ramSize,
    snapshotInterval: file.snapshotInterval,
    live: null,
  }, { log: file.log, end: file.finalIcount });
  if (file.exit) tl.exit = { icount: file.finalIcount, code: file.exit.code };
  for (const h of file.hashes) tl.expectedHashes.set(h.icount, { logIndex: h.logIndex, hash: h.hash });
  const first = file.hashes[0];
  if (first && first.icount === 0) {
    const s0 = tl.snapshots.at(0)!;
    if (s0.stateHash.hi !== first.hash.hi || s0.stateHash.lo !== first.hash.lo) {
      throw new Error('the replay file\'s program image does not produce its recorded initial state');
    }
  }
  return tl;
}
