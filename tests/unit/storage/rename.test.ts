import 'fake-indexeddb/auto';
import { describe, it, expect } from 'vitest';
import { Repository, type SessionRecord } from '../../../src/storage';

let dbCounter = 0;
function dbName(): string { return `rewind-rename-${process.pid}-${dbCounter++}`; }

function record(id: string, name: string, updatedAt: number): SessionRecord {
  return {
    id, name, createdAt: 1, updatedAt, replayOnly: false, ramSize: 1 << 20, snapshotInterval: 1_000_000, frontier: 10, exit: null,
    position: 3, breakpoints: [0x80000000], watchpoints: [], replayBreak: null, logEvents: 0, outputBytes: 0, outputHigh: 0,
    expectedHashes: null, snapshotCount: 0, snapshotsDropped: false,
  };
}

describe('Repository.rename', () => {
  it('changes only the name (trimmed), keeps the list order, and rejects empty names and unknown ids', async () => {
    const repo = await Repository.open({ name: dbName() });
    await repo.db.put('sessions', record('a', 'first', 100));
    await repo.db.put('sessions', record('b', 'second', 200));
    await repo.rename('a', '  renamed  ');
    const a = await repo.getRecord('a');
    expect(a).toEqual({ ...record('a', 'first', 100), name: 'renamed' });
    expect((await repo.list()).map((r) => [r.id, r.name])).toEqual([['b', 'second'], ['a', 'renamed']]);
    await expect(repo.rename('b', ' \t ')).rejects.toThrow(/cannot be empty/);
    await expect(repo.rename('zzz', 'name')).rejects.toThrow(/no stored session zzz/);
    expect((await repo.getRecord('b'))!.name).toBe('second');
    expect(await repo.getRecord('zzz')).toBeUndefined();
    repo.close();
  });
});
