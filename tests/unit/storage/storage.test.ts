import 'fake-indexeddb/auto';
import { describe, it, expect } from 'vitest';
import { openDB } from 'idb';
import { complete, hashToHex } from '../../../src/replay';
import { Repository, timelineFromStored, openRewindDB, PACK_PAGES, LOG_CHUNK_EVENTS } from '../../../src/storage';
import { asmImage, exampleImage, fixedInputs, SPIN_WRITER, dbName, persisted } from './fixtures';

describe('schema', () => {
  it('upgrades a version 1 database to version 2, counting each session\'s snapshots, then to 3, where snapshots have their own database', async () => {
    const name = dbName();
    const v1 = await openRewindDB({ name, version: 1 });
    expect([...v1.objectStoreNames].sort()).toEqual(['logs', 'packs', 'pages', 'programs', 'sessions', 'snapshots']);
    // A v1 session record had no snapshotCount; write one the way v1 code did.
    const raw = v1 as unknown as { put(store: string, v: unknown): Promise<unknown> };
    await raw.put('sessions', { id: 'a', name: 'old', updatedAt: 5 });
    await raw.put('sessions', { id: 'b', name: 'older', updatedAt: 3 });
    await raw.put('logs', { sessionId: 'a', stream: 'events', chunk: 0, count: 0, data: new ArrayBuffer(0) });
    for (const icount of [100, 200, 300]) await raw.put('snapshots', { sessionId: 'a', icount, keys: [] });
    await raw.put('snapshots', { sessionId: 'b', icount: 7, keys: [] });
    v1.close();
    const v2 = await openRewindDB({ name, version: 2 });
    expect(v2.version).toBe(2);
    const a = await v2.get('sessions', 'a');
    const b = await v2.get('sessions', 'b');
    expect(a?.snapshotCount).toBe(3);
    expect(b?.snapshotCount).toBe(1);
    expect(a?.snapshotsDropped).toBe(false);
    const byUpdated = (await v2.getAllFromIndex('sessions', 'byUpdated')).map((r) => r.id);
    expect(byUpdated).toEqual(['b', 'a']);
    v2.close();
    // v3: the snapshot stores leave (their overlays are recomputed from the logs, which stay).
    const v3 = await openRewindDB({ name });
    expect(v3.version).toBe(3);
    expect([...v3.objectStoreNames].sort()).toEqual(['logs', 'programs', 'sessions']);
    expect((await v3.get('sessions', 'a'))).toMatchObject({ name: 'old', snapshotCount: 0, snapshotsDropped: false });
    expect(await v3.count('logs')).toBe(1);
    v3.close();
    const repo = await Repository.open({ name });
    expect([...repo.snapshotDb.objectStoreNames].sort()).toEqual(['packs', 'pages', 'snapshots']);
    expect(await repo.counts()).toEqual({ sessions: 2, snapshots: 0, pages: 0, packs: 0, logChunks: 1 });
    repo.close();
  });
});

describe('persisting a live session', () => {
  it('stores overlays, pages once by content, log and output, and rebuilds the same snapshots', async () => {
    const repo = await Repository.open({ name: dbName() });
    const image = exampleImage('memory');
    const { tl, p } = persisted(repo, 'mem', image, { interval: 500_000 });
    tl.setReplayBreak(6_000_000);
    expect(complete(tl.continueForward()).cause.kind).toBe('replay-break');
    await p.flush();
    const counts = await repo.counts();
    expect(counts.sessions).toBe(1);
    // Snapshot 0 is rebuilt from the image; every later one is stored.
    expect(counts.snapshots).toBe(tl.snapshots.count - 1);
    // Pages are packed a dozen per value; every pack value stays under 64 KiB.
    const packs = await repo.snapshotDb.getAll('packs');
    for (const pk of packs) {
      expect(pk.data.byteLength).toBeLessThanOrEqual(PACK_PAGES * 4096);
      expect(pk.data.byteLength).toBeLessThan(64 * 1024);
    }
    // Content addressing: the number of stored pages equals the distinct non-zero overlay contents.
    const distinct = new Set<string>();
    for (const s of await repo.snapshotDb.getAll('snapshots')) for (const k of s.keys) if (k !== '') distinct.add(k);
    expect(counts.pages).toBe(distinct.size);
    const refs = (await repo.snapshotDb.getAll('pages')).reduce((n, r) => n + r.refs, 0);
    const uses = (await repo.snapshotDb.getAll('snapshots')).reduce((n, s) => n + s.keys.filter((k) => k !== '').length, 0);
    expect(refs).toBe(uses);

    const loaded = (await repo.read('mem'))!;
    expect(loaded.log.length).toBe(tl.log.length);
    expect(loaded.output.bytes()).toEqual(tl.output.bytes());
    const { timeline: back, restoredSnapshots, problem } = timelineFromStored(loaded, fixedInputs());
    expect(problem).toBeNull();
    expect(restoredSnapshots).toBe(tl.snapshots.count - 1);
    // Rebuilt without executing: the machine sits at the last stored snapshot.
    expect(back.icount).toBe(tl.snapshots.last!.icount);
    expect(back.snapshots.list.map((s) => [s.icount, hashToHex(s.stateHash)])).toEqual(tl.snapshots.list.map((s) => [s.icount, hashToHex(s.stateHash)]));
    expect(back.frontier).toBe(tl.frontier);
    for (const t of [5_999_999, 1_234_567, 0, 4_000_001, 6_000_000]) {
      complete(back.seek(t));
      complete(tl.seek(t));
      expect(hashToHex(back.stateHash())).toBe(hashToHex(tl.stateHash()));
    }
    repo.close();
  });

  it('keeps the interval summaries, so reverse continue on the rebuilt timeline finds the same hit', async () => {
    const repo = await Repository.open({ name: dbName() });
    const image = exampleImage('compute');
    const { tl, p } = persisted(repo, 'c', image, { interval: 200_000 });
    tl.setReplayBreak(3_000_000);
    complete(tl.continueForward());
    await p.flush();
    const { timeline: back } = timelineFromStored((await repo.read('c'))!, fixedInputs());
    // A breakpoint on an instruction run early in the program and not after: the search must not
    // skip the intervals that executed it.
    complete(tl.seek(1_000_000));
    const pc = tl.pc;
    for (const t of [tl, back]) { t.breakpoints.add(pc); complete(t.seek(3_000_000)); }
    const a = complete(tl.reverseContinue());
    const b = complete(back.reverseContinue());
    expect(b).toEqual(a);
    expect(a.cause.kind).toBe('breakpoint');
    repo.close();
  });

  it('mirrors thinning: removed snapshots are merged into their successor and the chain still rebuilds', async () => {
    const repo = await Repository.open({ name: dbName() });
    const image = asmImage(SPIN_WRITER);
    // A small budget thins snapshots while the run goes on.
    const { tl, p } = persisted(repo, 'thin', image, { interval: 20_000, budget: 300 * 1024, ramSize: 1 << 20 });
    let removed = 0;
    const sink = tl.snapshots.sink!;
    tl.snapshots.sink = { added: (s, pages) => sink.added(s, pages), removed: (i) => { removed++; sink.removed(i); } };
    tl.setReplayBreak(2_000_000);
    complete(tl.continueForward());
    await p.flush();
    expect(removed).toBeGreaterThan(0);
    const stored = (await repo.snapshotDb.getAll('snapshots')).map((s) => s.icount).sort((x, y) => x - y);
    expect(stored).toEqual(tl.snapshots.list.slice(1).map((s) => s.icount));
    const { timeline: back, problem } = timelineFromStored((await repo.read('thin'))!, fixedInputs(), { memoryBudget: 300 * 1024 });
    expect(problem).toBeNull();
    expect(back.snapshots.list.map((s) => hashToHex(s.stateHash))).toEqual(tl.snapshots.list.map((s) => hashToHex(s.stateHash)));
    complete(back.seek(1_999_999));
    complete(tl.seek(1_999_999));
    expect(hashToHex(back.stateHash())).toBe(hashToHex(tl.stateHash()));
    repo.close();
  });

  it('writes the log in chunks and appends only what is new', async () => {
    const repo = await Repository.open({ name: dbName() });
    // The echo example reads UART input: every byte is a logged event.
    const { tl, p } = persisted(repo, 'echo', exampleImage('echo'), { interval: 100_000 });
    const text = 'x'.repeat(LOG_CHUNK_EVENTS + 100);
    tl.sendInput(new TextEncoder().encode(text));
    let stop = complete(tl.continueForward());
    while (stop.cause.kind !== 'idle') stop = complete(tl.continueForward());
    await p.flush();
    const first = (await repo.read('echo'))!;
    expect(first.log.length).toBe(tl.log.length);
    expect(tl.log.length).toBeGreaterThan(LOG_CHUNK_EVENTS);
    tl.sendInput(new TextEncoder().encode('more\x04'));
    stop = complete(tl.continueForward());
    expect(stop.cause.kind).toBe('exit');
    await p.flush();
    const again = (await repo.read('echo'))!;
    expect([...again.log.events()]).toEqual([...tl.log.events()]);
    expect(again.output.textBefore(Infinity)).toBe(tl.output.textBefore(Infinity));
    expect(again.output.textBefore(Infinity)).toContain('MORE');
    repo.close();
  });

  it('deleting a session frees its pages but not the ones another session shares', async () => {
    const repo = await Repository.open({ name: dbName() });
    const image = exampleImage('compute');
    const a = persisted(repo, 'a', image, { interval: 300_000 });
    const b = persisted(repo, 'b', image, { interval: 300_000 });
    for (const s of [a, b]) { s.tl.setReplayBreak(1_500_000); complete(s.tl.continueForward()); await s.p.flush(); }
    const both = await repo.counts();
    // The same program writes the same pages: b adds (almost) no new page contents.
    const onlyA = new Set((await repo.snapshotDb.getAll('snapshots')).filter((s) => s.sessionId === 'a').flatMap((s) => s.keys).filter((k) => k !== ''));
    expect(both.pages).toBe(onlyA.size);
    await repo.delete('a');
    const after = await repo.counts();
    expect(after.sessions).toBe(1);
    expect(after.pages).toBe(both.pages);
    const back = timelineFromStored((await repo.read('b'))!, fixedInputs());
    expect(back.problem).toBeNull();
    await repo.delete('b');
    expect(await repo.counts()).toEqual({ sessions: 0, snapshots: 0, pages: 0, packs: 0, logChunks: 0 });
    repo.close();
  });

  it('a snapshot whose stored state does not match its hash stops the rebuild there', async () => {
    const name = dbName();
    const repo = await Repository.open({ name });
    const { tl, p } = persisted(repo, 'bad', exampleImage('compute'), { interval: 200_000 });
    tl.setReplayBreak(1_100_000);
    complete(tl.continueForward());
    await p.flush();
    const raw = await openDB(`${name}-snapshots`);
    const tx = raw.transaction('snapshots', 'readwrite');
    const rec = await tx.store.get(['bad', 600_000]);
    const state = new Uint8Array(rec.state);
    state[state.length - 1]! ^= 0xff;
    rec.hashLo = (rec.hashLo ^ 1) >>> 0;
    await tx.store.put(rec);
    await tx.done;
    raw.close();
    const r = timelineFromStored((await repo.read('bad'))!, fixedInputs());
    expect(r.problem).toMatch(/600000/);
    expect(r.timeline.snapshots.list.map((s) => s.icount)).toEqual([0, 200_000, 400_000]);
    // Positions past the bad snapshot are still reachable: by replaying.
    complete(r.timeline.seek(1_000_000));
    complete(tl.seek(1_000_000));
    expect(hashToHex(r.timeline.stateHash())).toBe(hashToHex(tl.stateHash()));
    repo.close();
  });
});
