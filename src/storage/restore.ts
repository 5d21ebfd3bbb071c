/**
 * Rebuilds a Timeline from a stored session without re-executing it: the log and output are
 * put back, and each stored snapshot overlay is written into the machine and taken again
 * through SnapshotIndex.take(), checked against its stored state hash. Uses only public
 * Timeline / SnapshotIndex API (see docs/worker.md for the method that would make this direct).
 */
import { Timeline, type TimelineOptions } from '../replay/timeline';
import { RAM_BASE } from '../replay/snapshots';
import { hashEquals, hashToHex } from '../replay/hash';
import type { LiveInputs } from '../replay/inputPort';
import type { ProgramImage } from '../core';
import type { LoadedSession } from './repository';
import { decodeHashes } from './codec';
import type { ProgramRecord } from './schema';

const PAGE_SIZE = 4096;
const ZERO_PAGE = new Uint8Array(PAGE_SIZE);

export interface RestoreResult {
  timeline: Timeline;
  /** Stored snapshots put back (besides the one at 0). */
  restoredSnapshots: number;
  /** Why some stored snapshots were not used, if so. */
  problem: string | null;
}

export function imageFromRecord(r: ProgramRecord): ProgramImage {
  return { entry: r.image.entry, segments: r.image.segments.map((s) => ({ addr: s.addr, memSize: s.memSize, data: new Uint8Array(s.data) })) };
}

export function timelineFromStored(
  s: LoadedSession,
  live: LiveInputs | null,
  options: Pick<TimelineOptions, 'memoryBudget' | 'sliceInstructions'> = {},
): RestoreResult {
  const r = s.record;
  const image = imageFromRecord(s.program);
  const base: TimelineOptions = { ...options, name: r.name, ramSize: r.ramSize, snapshotInterval: r.snapshotInterval };
  let tl: Timeline;
  if (r.replayOnly) {
    tl = new Timeline(image, { ...base, live: null }, { log: s.log, end: r.frontier });
    if (r.expectedHashes) for (const h of decodeHashes(r.expectedHashes)) tl.expectHash(h.icount, h.logIndex, h.hash);
  } else {
    tl = new Timeline(image, { ...base, live });
    for (let i = 0; i < s.log.length; i++) {
      const e = s.log.at(i);
      tl.log.append(e.icount, e.kind, e.payload, e.data);
    }
    tl.frontier = r.frontier;
    tl.port.frontier = r.frontier;
  }
  tl.exit = r.exit;
  tl.endUnknown = r.endUnknown ?? false;
  for (let i = 0; i < s.output.length; i++) tl.output.append(s.output.icountAt(i), s.output.byteAt(i));
  tl.output.high = r.outputHigh;
  if (r.outputDropped) tl.output.dropped = { ...r.outputDropped };
  // The periodic state hashes, as first reached (an exported file carries them); sessions
  // stored before the hashes were have only their file's, if imported.
  const hashes = s.hashes.length > 0 ? s.hashes : r.replayOnly && r.expectedHashes ? decodeHashes(r.expectedHashes) : [];
  for (const h of hashes) {
    const last = tl.stateHashes[tl.stateHashes.length - 1];
    if (h.icount > 0 && h.icount <= r.frontier && (!last || h.icount > last.icount)) tl.stateHashes.push({ icount: h.icount, logIndex: h.logIndex, hash: h.hash });
  }

  const m = tl.machine;
  const snaps = tl.snapshots;
  let restored = 0;
  let problem = s.problem;
  for (const rec of s.snapshots) {
    if (rec.icount === 0) {
      if (!hashEquals(rec.hash, snaps.at(0)!.stateHash)) { problem = 'the stored program image does not produce the stored initial state'; break; }
      continue;
    }
    if (rec.icount <= snaps.last!.icount || rec.icount > r.frontier || rec.logIndex > tl.log.length) { problem = `stored snapshot at icount ${rec.icount} is out of order`; break; }
    for (let i = 0; i < rec.pages.length; i++) {
      m.writeMemory(RAM_BASE + rec.pages[i]! * PAGE_SIZE, rec.contents[i] ?? ZERO_PAGE);
    }
    try {
      m.restoreState(rec.state);
    } catch (e) {
      snaps.restore(snaps.count - 1);
      problem = `stored snapshot at icount ${rec.icount} has a malformed machine state (${e instanceof Error ? e.message : String(e)})`;
      break;
    }
    const hash = snaps.currentStateHash();
    if (m.icount !== rec.icount || !hashEquals(hash, rec.hash)) {
      // Back to the last good snapshot; the rest of the chain builds on this one.
      snaps.restore(snaps.count - 1);
      problem = `stored snapshot at icount ${rec.icount} does not match its state hash (${hashToHex(hash)} != ${hashToHex(rec.hash)})`;
      break;
    }
    const snap = snaps.take(rec.pinned, rec.logIndex);
    // take() saw only the overlay as written; the interval summaries come from the store.
    snap.written = rec.written;
    snap.execPages = rec.execPages;
    snap.execPcs = rec.execPcs;
    restored++;
  }
  return { timeline: tl, restoredSnapshots: restored, problem };
}
