import { Timeline, type TimelineOptions } from './timeline';
import { ReplayFileError, type ReplayFile, type ReplaySymbol, type HashEntry } from './file';
import { EventKind } from './eventLog';
import { combineHash, hashBytes, hashEquals, type Hash64 } from './hash';

/** What a replay file holds besides the timeline: symbols and, for assembly, the source. */
export interface ReplayExtras {
  symbols?: ReplaySymbol[];
  source?: { fileName: string; text: string } | null;
}

/**
 * The state hash at icount 0 as a replay file records it: CPU, devices and RAM (the snapshot's
 * hash) combined with the reset ROM, which holds the entry point and is not part of the state.
 */
export function initialStateHash(tl: Timeline): Hash64 {
  return combineHash(tl.snapshots.at(0)!.stateHash, hashBytes(tl.machine.rom));
}

/**
 * The state hashes a replay file records for `tl` up to its frontier: every periodic one, and
 * the state at the frontier itself when it is known (Timeline.frontierHash).
 */
export function recordedHashes(tl: Timeline): HashEntry[] {
  const out = tl.stateHashes.filter((h) => h.icount > 0 && h.icount <= tl.frontier);
  const end = tl.frontier > 0 ? tl.frontierHash() : null;
  const last = out[out.length - 1];
  if (end && (!last || last.icount < end.icount || (last.icount === end.icount && last.logIndex < end.logIndex))) out.push(end);
  return out;
}

/** The shareable recording of a session: its program, log and state hashes, up to the frontier. */
export function toReplayFile(tl: Timeline, extras: ReplayExtras = {}): ReplayFile {
  return {
    version: 2,
    ramSize: tl.machine.ramSize,
    snapshotInterval: tl.interval,
    name: tl.name,
    image: tl.image,
    symbols: extras.symbols ?? [],
    source: extras.source ?? null,
    log: tl.log,
    finalIcount: tl.frontier,
    exit: tl.exit ? { code: tl.exit.code } : null,
    initialHash: { hash: initialStateHash(tl), coversRom: true },
    hashes: recordedHashes(tl),
    recovered: null,
  };
}

/**
 * A replay-only timeline for a loaded file; replay checks the file's state hashes as it passes
 * them. What needs the machine to validate is checked here, before anything runs: the initial
 * state (program image and entry point) and the registers the log's debugger writes name.
 */
export function timelineFromReplay(file: ReplayFile, options: Omit<TimelineOptions, 'live' | 'ramSize' | 'snapshotInterval'> = {}): Timeline {
  const tl = new Timeline(file.image, {
    ...options,
    name: options.name ?? file.name,
    ramSize: file.ramSize,
    snapshotInterval: file.snapshotInterval,
    live: null,
  }, { log: file.log, end: file.finalIcount });
  if (file.initialHash) {
    const actual = file.initialHash.coversRom ? initialStateHash(tl) : tl.snapshots.at(0)!.stateHash;
    if (!hashEquals(actual, file.initialHash.hash)) {
      throw new ReplayFileError('the program image and entry point do not produce the recording\'s initial state (its state hash at icount 0)', null);
    }
  }
  const log = file.log;
  for (let i = 0; i < log.length; i++) {
    if (log.kindAt(i) !== EventKind.RegWrite) continue;
    const regno = Math.floor(log.payloadAt(i) / 2 ** 32);
    if (regno < 0x1000) continue;
    try {
      tl.machine.readCsr(regno - 0x1000);
    } catch {
      throw new ReplayFileError(`event ${i} (reg-write at icount ${log.icountAt(i)}) writes CSR 0x${(regno - 0x1000).toString(16)}, which this machine does not have`, null);
    }
  }
  if (file.exit) tl.exit = { icount: file.finalIcount, code: file.exit.code };
  tl.endUnknown = file.recovered !== null;
  for (const h of file.hashes) tl.expectHash(h.icount, h.logIndex, h.hash);
  tl.stateHashes.push(...file.hashes.filter((h) => h.icount > 0));
  return tl;
}
