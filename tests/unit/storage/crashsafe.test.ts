/**
 * Crash-safe persistence: the journal (record, log, output) is never queued behind snapshot
 * writes, whatever is committed at any moment is one consistent recording up to its frontier,
 * and snapshot batches of any composition store what applying their ops one by one would.
 */
import 'fake-indexeddb/auto';
import { describe, it, expect } from 'vitest';
import { openDB, type IDBPDatabase } from 'idb';
import { Timeline, complete, hashToHex } from '../../../src/replay';
import { Repository, timelineFromStored, type SnapshotOp, type PendingSnapshot } from '../../../src/storage';
import { asmImage, exampleImage, fixedInputs, SPIN_WRITER, dbName, persisted } from './fixtures';

/** Holds a readwrite transaction on `store` open (as a long batch of another tab would) until released. */
function holdStore(db: IDBPDatabase, store: string): { release: () => Promise<void> } {
  const tx = db.transaction(store, 'readwrite');
  const s = tx.objectStore(store);
  let holding = true;
  void (async () => { while (holding) await s.count(); })();
  return { release: async () => { holding = false; await tx.done; } };
}

/** Yields to the event loop (IndexedDB callbacks and the persister's timers run) without waiting for time. */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('the journal and the snapshot lane', () => {
  it('commits the record, log and output while a snapshot batch waits behind another transaction', async () => {
    const name = dbName();
    const repo = await Repository.open({ name });
    const { tl, p, until } = persisted(repo, 'j', asmImage(SPIN_WRITER), { interval: 20_000, ramSize: 1 << 20 });
    await p.flush();
    // Another connection holds the snapshot database's 'packs' (a long batch of another tab).
    const other = await openDB(name);
    const cache = await openDB(`${name}-snapshots`);
    const hold = holdStore(cache, 'packs');
    for (const target of [100_000, 200_000, 300_000]) {
      tl.setReplayBreak(target);
      complete(tl.continueForward());
      p.touch(0);
      await until((s) => s.frontier === target);
      // The session record is stored up to the frontier (read outside the blocked stores).
      expect((await other.get('sessions', 'j') as { frontier: number }).frontier).toBe(target);
    }
    // Meanwhile no snapshot batch could commit: it waits for 'packs'.
    expect(p.snapshotBatches).toBe(0);
    expect(p.state().snapshots).toBe(0);
    expect(p.state().pending).toBe(true);
    await hold.release();
    await until((s) => s.snapshots === tl.snapshots.count - 1);
    await p.flush();
    expect(p.state()).toMatchObject({ frontier: 300_000, snapshots: tl.snapshots.count - 1, pending: false });
    const { timeline: back, problem } = timelineFromStored((await repo.read('j'))!, fixedInputs(), {});
    expect(problem).toBeNull();
    expect(back.snapshots.list.map((s) => hashToHex(s.stateHash))).toEqual(tl.snapshots.list.map((s) => hashToHex(s.stateHash)));
    other.close();
    cache.close();
    repo.close();
  });

  it('whatever is committed at any moment is one recording up to its frontier, restorable without re-executing it', async () => {
    const name = dbName();
    const repo = await Repository.open({ name });
    const reader = await Repository.open({ name });
    // Thinning under a small budget: merges go through the snapshot lane as the run goes on.
    const image = exampleImage('memory');
    const { tl, p } = persisted(repo, 'cut', image, { interval: 200_000, budget: 600 * 1024, delayMs: 1, intervalMs: 1 });
    const reference = new Timeline(image, { live: fixedInputs(), snapshotInterval: 200_000 });
    tl.setReplayBreak(8_000_000);
    const op = tl.continueForward();
    tl.slice = 150_000;
    let cuts = 0;
    let lastFrontier = -1;
    for (let step = 0; !op.next().done; step++) {
      p.touch(0);
      await turn();
      if (step % 6 !== 3) continue;
      // A crash now leaves exactly what is committed: read it through another connection.
      const loaded = await reader.read('cut');
      if (!loaded) continue;
      const r = loaded.record;
      for (const s of loaded.snapshots) {
        expect(s.icount).toBeLessThanOrEqual(r.frontier);
        expect(s.logIndex).toBeLessThanOrEqual(loaded.log.length);
      }
      const { timeline: back, problem } = timelineFromStored(loaded, fixedInputs());
      expect(problem).toBeNull();
      expect(back.frontier).toBe(r.frontier);
      expect(r.frontier).toBeGreaterThanOrEqual(lastFrontier);
      lastFrontier = r.frontier;
      // The state at the recovered frontier is the recording's (from the nearest stored snapshot).
      complete(back.seek(r.frontier));
      reference.setReplayBreak(r.frontier);
      if (reference.icount < r.frontier) complete(reference.continueForward());
      expect(hashToHex(back.stateHash())).toBe(hashToHex(reference.stateHash()));
      expect(back.output.textBefore(r.frontier)).toBe(reference.output.textBefore(r.frontier));
      cuts++;
    }
    expect(cuts).toBeGreaterThan(5);
    await p.flush();
    const last = (await reader.read('cut'))!;
    expect(last.record.frontier).toBe(8_000_000);
    expect(last.hashes).toEqual(tl.stateHashes);
    reader.close();
    repo.close();
  }, 120_000);
});

describe('snapshot batches', () => {
  const PAGES = 12;
  const bytesOf = (n: number): Uint8Array => new Uint8Array(4096).fill(n + 1);

  /** Random adds (new and replacing), removes of stored ones; keys come from a small pool, so contents are shared. */
  function randomOps(seed: number, count: number): SnapshotOp[] {
    let x = seed;
    const rnd = (n: number): number => { x = (x * 1103515245 + 12345) % 2 ** 31; return x % n; };
    const live: number[] = [];
    let t = 0;
    const ops: SnapshotOp[] = [];
    for (let i = 0; i < count; i++) {
      const r = rnd(10);
      if (r < 3 && live.length > 1) {
        const k = rnd(live.length);
        ops.push({ kind: 'remove', icount: live[k]! });
        live.splice(k, 1);
        continue;
      }
      const replace = r === 3 && live.length > 0;
      const icount = replace ? live[rnd(live.length)]! : (t += 1000 + rnd(1000));
      if (!replace) live.push(icount);
      const pages = [...new Set(Array.from({ length: 1 + rnd(4) }, () => rnd(PAGES)))].sort((a, b) => a - b);
      const keys = pages.map(() => { const c = rnd(9); return c === 0 ? '' : `k${c}`; });
      const snap: PendingSnapshot = {
        icount, logIndex: 0, state: new Uint8Array([i & 255]), pages: Uint32Array.from(pages), keys,
        contents: keys.map((k) => (k === '' ? null : bytesOf(Number(k.slice(1))))),
        written: Uint32Array.from(pages), execPages: Uint32Array.of(rnd(PAGES)), execPcs: Uint32Array.of(rnd(1 << 20)), hash: { hi: i, lo: icount }, pinned: false,
      };
      ops.push({ kind: 'add', snap });
    }
    return ops;
  }

  /** The stored overlays as plain data, and the checks that hold for any consistent store. */
  async function contents(repo: Repository) {
    const db = repo.snapshotDb;
    const snaps = await db.getAll('snapshots');
    const pages = await db.getAll('pages');
    const packs = await db.getAll('packs');
    const uses = new Map<string, number>();
    for (const s of snaps) for (const k of s.keys) if (k !== '') uses.set(k, (uses.get(k) ?? 0) + 1);
    // Every reference count equals the references, every page sits in its pack slot with its bytes.
    expect(new Map(pages.map((p) => [p.key, p.refs]))).toEqual(uses);
    const packById = new Map(packs.map((p) => [p.id!, p]));
    for (const p of pages) {
      const pack = packById.get(p.pack)!;
      expect(pack.keys[p.slot]).toBe(p.key);
      expect(new Uint8Array(pack.data, p.slot * 4096, 4096)).toEqual(bytesOf(Number(p.key.slice(1))));
    }
    for (const pk of packs) expect(pk.live).toBe(pk.keys.filter((k) => k !== '').length);
    expect(packs.every((pk) => pk.live > 0)).toBe(true);
    return snaps.map((s) => ({
      icount: s.icount, state: [...new Uint8Array(s.state)], pages: [...new Uint32Array(s.pages)], keys: s.keys,
      written: [...new Uint32Array(s.written)], execPages: [...new Uint32Array(s.execPages)], execPcs: [...new Uint32Array(s.execPcs)],
    }));
  }

  /** What the ops leave, computed directly: overlays (page -> key) merged into their successor on removal. */
  function model(ops: readonly SnapshotOp[]) {
    const m = new Map<number, Map<number, string>>();
    for (const op of ops) {
      if (op.kind === 'add') {
        m.set(op.snap.icount, new Map([...op.snap.pages].map((p, i) => [p, op.snap.keys[i]!])));
        continue;
      }
      const r = m.get(op.icount);
      if (!r) continue;
      const next = [...m.keys()].filter((t) => t > op.icount).sort((a, b) => a - b)[0];
      if (next !== undefined) { const s = m.get(next)!; for (const [p, k] of r) if (!s.has(p)) s.set(p, k); }
      m.delete(op.icount);
    }
    return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([icount, pages]) => {
      const sorted = [...pages.keys()].sort((a, b) => a - b);
      return { icount, pages: sorted, keys: sorted.map((p) => pages.get(p)!) };
    });
  }

  it('store what one op at a time stores, and what the overlay model says, for any split into batches', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const ops = randomOps(seed, 120);
      const one = await Repository.open({ name: dbName() });
      for (const op of ops) await one.writeSnapshots('s', [op]);
      const expected = await contents(one);
      expect(expected.map(({ icount, pages, keys }) => ({ icount, pages, keys }))).toEqual(model(ops));
      const batched = await Repository.open({ name: dbName() });
      let at = 0, size = 1, count = 0;
      while (at < ops.length) {
        count += await batched.writeSnapshots('s', ops.slice(at, at + size));
        at += size;
        size = (size * 7 + seed) % 29 + 1;
      }
      expect(await contents(batched)).toEqual(expected);
      expect(count).toBe(expected.length);
      one.close();
      batched.close();
    }
  });

  it('drop and delete leave no orphan page or pack, and pages another session shares stay', async () => {
    const repo = await Repository.open({ name: dbName() });
    const a = randomOps(11, 60), b = randomOps(12, 60);
    await repo.writeSnapshots('a', a);
    await repo.writeSnapshots('b', b);
    await contents(repo);
    expect(await repo.dropSnapshots(['a'])).toBe(model(a).length);
    const left = await contents(repo);
    expect(left.map(({ icount, pages, keys }) => ({ icount, pages, keys }))).toEqual(model(b));
    await repo.delete('b');
    expect(await repo.counts()).toMatchObject({ snapshots: 0, pages: 0, packs: 0 });
    repo.close();
  });
});
