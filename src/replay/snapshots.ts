import type { Machine } from '../core';
import { type Hash64, hashBytes, mixPage, addHash, subHash, combineHash, hashEquals, ZERO_HASH } from './hash';
import { PageStore, PAGE_SIZE, type PageId } from './pageStore';

export const RAM_BASE = 0x80000000;

/**
 * A snapshot: CPU + device state and, as an overlay on its predecessor, the RAM pages written
 * since then. `changed`, `execPages` (and the event log) are the interval summaries that let
 * reverse continue skip intervals that cannot contain a hit: they describe the instructions
 * run between the predecessor and this snapshot. After merges they are supersets, never less.
 */
export interface Snapshot {
  icount: number;
  /** Log events consumed in this state: boundary events at `icount` past it are still to apply. */
  logIndex: number;
  state: Uint8Array;
  /** RAM pages with a version entry at this snapshot (the overlay): every page whose content
   *  differs from the predecessor's, possibly more; sorted. */
  changed: Uint32Array;
  /** RAM pages stored to in [predecessor, this), even with the same value, sorted. */
  written: Uint32Array;
  /** RAM pages instructions were fetched from in [predecessor, this), sorted. */
  execPages: Uint32Array;
  /** RAM pcs of the instructions executed in [predecessor, this), sorted. */
  execPcs: Uint32Array;
  /** Order-independent digest of all RAM pages. */
  ramDigest: Hash64;
  /** hash(state) combined with ramDigest: the determinism check value. */
  stateHash: Hash64;
  /** Kept by thinning: position 0, debugger attach. */
  pinned: boolean;
}

/** Receives snapshot changes, e.g. to persist them (IndexedDB in the worker). */
export interface SnapshotSink {
  added(snapshot: Snapshot, pages: ReadonlyMap<number, { id: PageId; hash: Hash64 }>): void;
  removed(icount: number): void;
}

interface PageVersions { icounts: number[]; ids: PageId[] }

const ZERO_PAGE = new Uint8Array(PAGE_SIZE);

/**
 * The snapshots of one session, their page overlays, and moving the machine between them.
 * The "anchor" is the snapshot whose RAM the machine's dirty-page bits are relative to.
 */
export class SnapshotIndex {
  readonly store = new PageStore();
  private readonly snaps: Snapshot[] = [];
  private readonly history = new Map<number, PageVersions>();
  private anchorIdx = -1;
  private metaBytes = 0;
  sink: SnapshotSink | null = null;

  constructor(private readonly machine: Machine) {}

  get list(): readonly Snapshot[] { return this.snaps; }
  get count(): number { return this.snaps.length; }
  get anchor(): Snapshot | undefined { return this.snaps[this.anchorIdx]; }
  get last(): Snapshot | undefined { return this.snaps[this.snaps.length - 1]; }

  /** Bytes held by snapshots: page slabs, saved states, summaries and page histories. */
  get memoryBytes(): number { return this.store.bytes + this.metaBytes; }

  /** Index of the last snapshot with icount <= t (-1 if none). */
  indexAtOrBefore(t: number): number {
    let lo = 0, hi = this.snaps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.snaps[mid]!.icount <= t) lo = mid + 1; else hi = mid;
    }
    return lo - 1;
  }

  at(i: number): Snapshot | undefined { return this.snaps[i]; }

  /** The snapshot exactly at icount t, if any. */
  exactly(t: number): Snapshot | undefined {
    const i = this.indexAtOrBefore(t);
    const s = this.snaps[i];
    return s && s.icount === t ? s : undefined;
  }

  /** The content id of RAM page `page` at snapshot position t. */
  versionAt(page: number, t: number): PageId {
    const v = this.history.get(page);
    if (!v) return 0;
    let lo = 0, hi = v.icounts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v.icounts[mid]! <= t) lo = mid + 1; else hi = mid;
    }
    return lo === 0 ? 0 : v.ids[lo - 1]!;
  }

  /** The state hash of the machine now, computed incrementally from the anchor. */
  currentStateHash(): Hash64 {
    return combineHash(hashBytes(this.machine.saveState()), this.currentRamDigest());
  }

  currentRamDigest(): Hash64 {
    const anchor = this.anchor;
    if (!anchor) throw new Error('no snapshot taken yet');
    let digest = anchor.ramDigest;
    const dirty = this.machine.dirtyPages;
    for (let p = 0; p < dirty.length; p++) {
      if (dirty[p] === 0) continue;
      const now = hashBytes(this.pageBytes(p));
      const before = this.store.hashOf(this.versionAt(p, anchor.icount));
      digest = addHash(subHash(digest, pageTerm(p, before)), pageTerm(p, now));
    }
    return digest;
  }

  /**
   * Takes a snapshot of the machine at its current icount. The anchor must be the snapshot
   * just before it (the timeline stops at every existing snapshot while running forward).
   */
  take(pinned: boolean, logIndex: number): Snapshot {
    const m = this.machine;
    const t = m.icount;
    const existing = this.exactly(t);
    if (existing) {
      if (pinned) existing.pinned = true;
      return existing;
    }
    const anchor = this.anchor;
    if (anchor && this.indexAtOrBefore(t) !== this.anchorIdx) {
      throw new Error(`internal: snapshot at ${t} taken with anchor ${anchor.icount} that is not its predecessor`);
    }
    const dirty = m.dirtyPages;
    const changed: number[] = [];
    const pages = new Map<number, { id: PageId; hash: Hash64 }>();
    let digest = anchor ? anchor.ramDigest : ZERO_HASH;
    // Inserted before an existing snapshot: a version added here would shadow that
    // successor's view of a page it has no entry for, so give it one first.
    const successor = this.snaps[this.indexAtOrBefore(t) + 1];
    const successorFix: { page: number; id: PageId }[] = [];
    const written = this.collect(dirty);
    for (const p of written) {
      const bytes = this.pageBytes(p);
      const words = new Int32Array(bytes.buffer, bytes.byteOffset, PAGE_SIZE / 4);
      const hash = hashBytes(bytes);
      const before = anchor ? this.versionAt(p, anchor.icount) : 0;
      const id = this.store.intern(words, hash);
      if (id === before) { this.store.release(id); continue; }
      if (successor && !sortedHas(successor.changed, p)) successorFix.push({ page: p, id: this.versionAt(p, successor.icount) });
      changed.push(p);
      pages.set(p, { id, hash });
      digest = addHash(subHash(digest, pageTerm(p, this.store.hashOf(before))), pageTerm(p, hash));
      this.addVersion(p, t, id);
    }
    if (successor && successorFix.length > 0) {
      for (const { page, id } of successorFix) { this.store.retain(id); this.addVersion(page, successor.icount, id); }
      this.metaBytes -= snapMeta(successor);
      successor.changed = union(successor.changed, Uint32Array.from(successorFix, (f) => f.page));
      this.metaBytes += snapMeta(successor);
      if (this.sink) {
        const all = new Map<number, { id: PageId; hash: Hash64 }>();
        for (const p of successor.changed) {
          const id = this.versionAt(p, successor.icount);
          all.set(p, { id, hash: this.store.hashOf(id) });
        }
        this.sink.removed(successor.icount);
        this.sink.added(successor, all);
      }
    }
    const execPages = this.collect(m.execPages);
    const execPcs = m.takeExecutedPcs();
    const state = m.saveState().slice();
    const snap: Snapshot = {
      icount: t, logIndex, state, changed: Uint32Array.from(changed), written, execPages, execPcs, ramDigest: digest,
      stateHash: combineHash(hashBytes(state), digest), pinned,
    };
    const at = this.indexAtOrBefore(t) + 1;
    this.snaps.splice(at, 0, snap);
    this.metaBytes += snapMeta(snap);
    this.anchorIdx = at;
    m.clearDirtyPages();
    m.clearExecPages();
    this.sink?.added(snap, pages);
    return snap;
  }

  /**
   * Checks the machine (now at the icount of snapshot `i`, arrived at by running forward from
   * the anchor) against that snapshot, then makes it the anchor. Returns a description of the
   * first difference, or null.
   */
  verifyAndAnchor(i: number): string | null {
    const s = this.snaps[i]!;
    const m = this.machine;
    const anchor = this.anchor;
    if (!anchor || i !== this.anchorIdx + 1) throw new Error('internal: verify without its predecessor as anchor');
    const state = m.saveState();
    if (!equalBytes(state, s.state)) return `CPU/device state differs from the snapshot at icount ${s.icount}`;
    const dirty = m.dirtyPages;
    const check = new Set<number>(s.changed);
    for (let p = 0; p < dirty.length; p++) if (dirty[p] !== 0) check.add(p);
    for (const p of check) {
      const expect = this.store.hashOf(this.versionAt(p, s.icount));
      if (!hashEquals(expect, hashBytes(this.pageBytes(p)))) {
        return `RAM page 0x${(RAM_BASE + p * PAGE_SIZE).toString(16)} differs from the snapshot at icount ${s.icount}`;
      }
    }
    this.anchorIdx = i;
    m.clearDirtyPages();
    m.clearExecPages();
    m.resetExecutedPcs();
    return null;
  }

  /** Puts the machine in the state of snapshot `i`, rewriting only the pages that differ. */
  restore(i: number): void {
    const s = this.snaps[i]!;
    const m = this.machine;
    const anchor = this.anchor;
    const pages = new Set<number>();
    const dirty = m.dirtyPages;
    for (let p = 0; p < dirty.length; p++) if (dirty[p] !== 0) pages.add(p);
    if (anchor && anchor !== s) {
      const lo = Math.min(this.anchorIdx, i), hi = Math.max(this.anchorIdx, i);
      if (hi - lo > 64 && hi - lo > this.history.size / 8) {
        for (const p of this.history.keys()) pages.add(p);
      } else {
        for (let k = lo + 1; k <= hi; k++) for (const p of this.snaps[k]!.changed) pages.add(p);
      }
    } else if (!anchor) {
      for (const p of this.history.keys()) pages.add(p);
    }
    for (const p of pages) {
      const id = this.versionAt(p, s.icount);
      m.writeMemory(RAM_BASE + p * PAGE_SIZE, id === 0 ? ZERO_PAGE : this.store.bytesOf(id));
    }
    m.restoreState(s.state);
    m.clearDirtyPages();
    m.clearExecPages();
    m.resetExecutedPcs();
    this.anchorIdx = i;
  }

  /**
   * Drops snapshot `i` (never the first or the last), merging its overlay and summaries into
   * its successor so every remaining snapshot still restores exactly.
   */
  remove(i: number): void {
    if (i <= 0 || i >= this.snaps.length - 1) throw new RangeError('the first and last snapshots are kept');
    const s = this.snaps[i]!;
    const next = this.snaps[i + 1]!;
    const nextChanged = new Set(next.changed);
    const merged = new Set(next.changed);
    for (const p of s.changed) {
      const v = this.history.get(p)!;
      const k = v.icounts.indexOf(s.icount);
      if (nextChanged.has(p)) {
        this.store.release(v.ids[k]!);
        v.icounts.splice(k, 1); v.ids.splice(k, 1);
      } else {
        v.icounts[k] = next.icount;
        merged.add(p);
      }
    }
    this.metaBytes -= snapMeta(s) + snapMeta(next);
    next.changed = Uint32Array.from([...merged].sort((a, b) => a - b));
    next.execPages = union(s.execPages, next.execPages);
    next.execPcs = union(s.execPcs, next.execPcs);
    next.written = union(s.written, next.written);
    this.metaBytes += snapMeta(next);
    this.snaps.splice(i, 1);
    if (this.anchorIdx === i) {
      // The machine's dirty bits were relative to s; s's overlay now lives in next, and the
      // predecessor's RAM differs from s's by exactly s.changed, so widen the dirty set instead.
      for (const p of s.changed) this.machine.dirtyPages[p] = 1;
      this.anchorIdx = i - 1;
    } else if (this.anchorIdx > i) {
      this.anchorIdx--;
    }
    this.sink?.removed(s.icount);
  }

  /**
   * Thins snapshots until memory is under `budget`: keeps the first, the last and pinned ones,
   * and removes those whose neighbours are closest together relative to their distance from
   * `focus` (so density stays high near the present and thins out into the past).
   */
  thin(budget: number, focus: number): number {
    let removed = 0;
    while (this.memoryBytes > budget && this.snaps.length > 2) {
      let best = -1, bestScore = Infinity;
      for (let i = 1; i < this.snaps.length - 1; i++) {
        const s = this.snaps[i]!;
        if (s.pinned || i === this.anchorIdx) continue;
        const gap = this.snaps[i + 1]!.icount - this.snaps[i - 1]!.icount;
        const score = gap / (Math.abs(focus - s.icount) + 1);
        if (score < bestScore) { bestScore = score; best = i; }
      }
      if (best < 0) break;
      this.remove(best);
      removed++;
      // Freed slab slots are reused before new slabs are allocated, so stop once the
      // remaining content fits even if slab capacity cannot shrink.
      if (this.store.count * PAGE_SIZE + this.metaBytes <= budget) break;
    }
    return removed;
  }

  private addVersion(page: number, t: number, id: PageId): void {
    let v = this.history.get(page);
    if (!v) { v = { icounts: [], ids: [] }; this.history.set(page, v); this.metaBytes += 64; }
    let k = v.icounts.length;
    while (k > 0 && v.icounts[k - 1]! > t) k--;
    v.icounts.splice(k, 0, t);
    v.ids.splice(k, 0, id);
    this.metaBytes += 16;
  }

  private scratch = new Uint32Array(0);

  /** The indices of the set flags, in one pass over a reused buffer. */
  private collect(flags: Uint8Array): Uint32Array {
    if (this.scratch.length < flags.length) this.scratch = new Uint32Array(flags.length);
    const out = this.scratch;
    let n = 0;
    for (let i = 0; i < flags.length; i++) if (flags[i] !== 0) out[n++] = i;
    return out.slice(0, n);
  }

  private pageBytes(p: number): Uint8Array {
    const ram = this.machine.ram;
    return ram.subarray(p * PAGE_SIZE, p * PAGE_SIZE + PAGE_SIZE);
  }
}

function pageTerm(p: number, h: Hash64): Hash64 {
  return hashEquals(h, PageStore.ZERO_PAGE_HASH) ? ZERO_HASH : mixPage(p, h);
}


/** Whether a sorted array holds v (binary search). */
export function sortedHas(sorted: Uint32Array, v: number): boolean {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = sorted[mid]!;
    if (x === v) return true;
    if (x < v) lo = mid + 1; else hi = mid;
  }
  return false;
}

function union(a: Uint32Array, b: Uint32Array): Uint32Array {
  return Uint32Array.from(new Set([...a, ...b])).sort();
}

function snapMeta(s: Snapshot): number {
  return s.state.byteLength + s.changed.byteLength + s.written.byteLength + s.execPages.byteLength + s.execPcs.byteLength + 96;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
