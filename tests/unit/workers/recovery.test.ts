/**
 * Crash-safe recording through the engine API: a recording cut while it runs (the worker gone)
 * reopens up to what the engine reported stored and records on from there; the first-start
 * preview is stored before it records; output past the kept limit is reported, also after a reopen.
 */
import { describe, it, expect } from 'vitest';
import { openDB } from 'idb';
import { readReplayFile } from '../../../src/replay/file';
import { connect, elf } from './connect';
import type { EngineEvent, StoredInfo } from '../../../workers/api';
import { SPIN_WRITER } from '../storage/fixtures';
import { printerSource } from '../../e2e/fixtures/programs';

type StoredEvent = Extract<EngineEvent, { type: 'stored' }>;
const isStored = (id: string, cond: (s: StoredInfo) => boolean) => (e: EngineEvent): e is StoredEvent => e.type === 'stored' && e.sessionId === id && cond(e.stored);

let n = 0;
const dbName = (): string => `rewind-recovery-${process.pid}-${n++}`;


describe('a recording cut while it runs', () => {
  it('reopens up to the last stored frontier the engine reported, at that state, and records on live from there', async () => {
    const db = dbName();
    const a = connect({ dbName: db, persistIntervalMs: 50 });
    const res = await a.api.load({ kind: 'asm', text: SPIN_WRITER, fileName: 'spin.s' }, { snapshotInterval: 1_000_000 });
    const id = res.session!.id;
    void a.api.continueForward(); // spins until the engine goes away
    await a.waitFor(isStored(id, (s) => s.frontier >= 30_000_000));
    const status = await a.api.status();
    expect(status.stored!.intervalMs).toBe(50);
    a.crash();
    const reported = Math.max(...a.events.filter((e): e is StoredEvent => e.type === 'stored' && e.sessionId === id).map((e) => e.stored.frontier));
    const journals = a.events.filter(isStored(id, () => true)).map((e) => e.stored.journals);

    const b = connect({ dbName: db });
    const opened = await b.api.openSession(id);
    const m = opened.position.frontier;
    expect(opened.recovered).toEqual({ icount: m });
    expect(m).toBeGreaterThanOrEqual(reported);
    expect(opened.position).toMatchObject({ icount: m, mode: 'recording' });
    // Written while it ran: the load's journal, then at least the one that stored 30M.
    expect(Math.max(...journals)).toBeGreaterThanOrEqual(2);
    // The state there is the program's state at that icount (a straight run, nothing stored).
    const ref = connect({ storage: 'none' });
    await ref.api.load({ kind: 'asm', text: SPIN_WRITER, fileName: 'spin.s' }, { snapshotInterval: 1_000_000 });
    await ref.api.replayBreak(m);
    expect((await ref.api.continueForward()).icount).toBe(m);
    expect(await b.api.stateHash()).toBe(await ref.api.stateHash());
    // Recording goes on from the recovered frontier.
    await b.api.replayBreak(m + 2_000_000);
    const stop = await b.api.continueForward();
    expect(stop).toMatchObject({ icount: m + 2_000_000, frontier: m + 2_000_000, mode: 'recording', cause: { kind: 'replay-break' } });
    await b.api.flush();
    expect((await b.api.status()).stored).toMatchObject({ frontier: m + 2_000_000, pending: false });
    b.crash();

    // A session whose last write came after a stop is not a cut recording.
    const c = connect({ dbName: db });
    const again = await c.api.openSession(id);
    expect(again.recovered).toBeNull();
    expect(again.position.frontier).toBe(m + 2_000_000);
  });
});

describe('a cut recording whose snapshots outlived its last record', () => {
  it('leaves out and drops the snapshots past the recovered frontier, and stores the new ones as it records on', async () => {
    const db = dbName();
    const a = connect({ dbName: db });
    const id = (await a.api.load(elf('compute'), { snapshotInterval: 200_000 })).session!.id;
    await a.api.replayBreak(1_400_000);
    await a.api.continueForward();
    await a.api.flush();
    a.crash();
    // As if the last records were not made durable while the snapshot database's writes were
    // (separate databases, e.g. on power loss): the record says 1,000,000, snapshots go to 1,400,000.
    const raw = await openDB(db);
    const rec = await raw.get('sessions', id);
    await raw.put('sessions', { ...rec, frontier: 1_000_000, position: 1_000_000, recording: true });
    raw.close();
    const stored = async (): Promise<number[]> => {
      const cache = await openDB(`${db}-snapshots`);
      const keys = (await cache.getAllKeys('snapshots')) as [string, number][];
      cache.close();
      return keys.map((k) => k[1]);
    };
    expect(await stored()).toEqual([200_000, 400_000, 600_000, 800_000, 1_000_000, 1_200_000, 1_400_000]);

    const b = connect({ dbName: db });
    const opened = await b.api.openSession(id);
    expect(opened.recovered).toEqual({ icount: 1_000_000 });
    expect((await b.api.snapshots()).map((s) => s.icount)).toEqual([0, 200_000, 400_000, 600_000, 800_000, 1_000_000]);
    expect(await stored()).toEqual([200_000, 400_000, 600_000, 800_000, 1_000_000]);
    await b.api.replayBreak(1_500_000);
    await b.api.continueForward();
    await b.api.seek(1_444_444);
    const hash = await b.api.stateHash();
    await b.api.flush();
    b.crash();
    expect(await stored()).toEqual([200_000, 400_000, 600_000, 800_000, 1_000_000, 1_200_000, 1_400_000]);
    // The chain rebuilds: every stored snapshot matches its hash (a mismatch would be a warning).
    const c = connect({ dbName: db });
    await c.api.openSession(id);
    expect(c.events.some((e) => e.type === 'storage')).toBe(false);
    expect(await c.api.stateHash()).toBe(hash);
  });
});

describe('stored sessions', () => {
  it('a session kept in memory (the first-start preview) is stored by save(), with the snapshots it has', async () => {
    const db = dbName();
    const a = connect({ dbName: db });
    const res = await a.api.load(elf('memory'), { persist: false, snapshotInterval: 1_000_000 });
    const id = res.session!.id;
    expect(res.session!.persisted).toBe(false);
    expect((await a.api.status()).stored).toBeNull();
    await a.api.replayBreak(5_000_000);
    await a.api.continueForward();
    expect(await a.api.listSessions()).toEqual([]);
    const saved = await a.api.save();
    expect(saved).toMatchObject({ id, persisted: true });
    await a.waitFor((e): e is EngineEvent => e.type === 'session' && e.session?.id === id && e.session.persisted);
    await a.api.replayBreak(9_000_000);
    await a.api.continueForward();
    await a.api.seek(8_123_456);
    const hash = await a.api.stateHash();
    const snaps = await a.api.snapshots();
    await a.api.flush();
    expect((await a.api.status()).stored).toMatchObject({ frontier: 9_000_000, snapshots: snaps.length - 1, pending: false });
    expect(await a.api.save()).toMatchObject({ id, persisted: true });

    const b = connect({ dbName: db });
    const opened = await b.api.openSession(id);
    expect(opened.recovered).toBeNull();
    expect(opened.position.icount).toBe(8_123_456);
    expect(await b.api.stateHash()).toBe(hash);
    expect(await b.api.snapshots()).toEqual(snaps);
    for (const e of b.events) if (e.type === 'progress' && e.op === 'open') expect(e.total).toBeLessThanOrEqual(1_000_000);
  });

  it('a reopened session exports the state hashes the recording had (they are stored with the log)', async () => {
    const db = dbName();
    const a = connect({ dbName: db });
    const id = (await a.api.load(elf('compute'), { snapshotInterval: 200_000 })).session!.id;
    await a.api.replayBreak(3_000_000);
    await a.api.continueForward();
    await a.api.seek(1_234_567);
    const before = readReplayFile(new Uint8Array(await a.api.exportReplay()));
    await a.api.flush();
    const b = connect({ dbName: db });
    await b.api.openSession(id);
    const after = readReplayFile(new Uint8Array(await b.api.exportReplay()));
    expect(before.hashes.length).toBeGreaterThanOrEqual(14);
    expect(after.hashes).toEqual(before.hashes);
    expect(after.finalIcount).toBe(3_000_000);
  });

  it('output past the kept limit is reported with the icount it stopped at, also after a reopen', async () => {
    const db = dbName();
    const a = connect({ dbName: db });
    const limit = 8 * 1024 * 1024;
    const res = await a.api.load({ kind: 'asm', text: printerSource(limit + 1000), fileName: 'printer.s' });
    expect(await a.api.outputDropped()).toBeNull();
    const stop = await a.api.continueForward();
    expect(stop.cause).toEqual({ kind: 'exit', code: 0 });
    const dropped = await a.api.outputDropped();
    expect(dropped).toMatchObject({ bytes: 1000 });
    // The first byte not kept is the one after `limit` kept bytes: the reset ROM's 6 instructions,
    // 5 of setup (li of 0x10000000 is one lui, of limit + 1000 two), then 3 per byte.
    expect(dropped!.fromIcount).toBe(6 + 5 + 3 * limit);
    expect((await a.api.consoleText()).length).toBe(limit);
    await a.api.flush();
    const b = connect({ dbName: db });
    await b.api.openSession(res.session!.id);
    expect(await b.api.outputDropped()).toEqual(dropped);
    expect((await b.api.consoleText()).length).toBe(limit);
  }, 120_000);
});
