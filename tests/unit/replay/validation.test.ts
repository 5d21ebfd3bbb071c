// Strict replay validation: a replay file that passes every checksum must still never make the
// replay show a state that did not happen. Each case takes a real recording, changes what the
// file says (written again, so checksums and digests are valid), and expects a precise error
// at load or a divergence stop, never a quiet wrong state.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readElf } from '../../../src/elf';
import {
  Timeline, EventLog, EventKind, complete, toReplayFile, timelineFromReplay, writeReplayFile, readReplayFile, ReplayFileError,
  type ReplayFile, type LiveInputs,
} from '../../../src/replay';

const live: LiveInputs = { rtcNanoseconds: () => 1e15, seedEntropy: () => 7 };
const elf = (name: string) => readElf(readFileSync(`examples/build/${name}.elf`));

function record(name: string, input?: string): { tl: Timeline; file: ReplayFile } {
  const tl = new Timeline(elf(name), { name, live, snapshotInterval: 10_000 });
  if (input) tl.sendInput(new TextEncoder().encode(input));
  complete(tl.continueForward());
  return { tl, file: toReplayFile(tl) };
}

/** The file written and read back, as a user would load it. */
const reload = (f: ReplayFile): ReplayFile => readReplayFile(writeReplayFile(f));

function copyLog(log: EventLog, extra?: (l: EventLog) => void): EventLog {
  const out = new EventLog();
  for (const e of log.events()) out.append(e.icount, e.kind, e.payload, e.data);
  extra?.(out);
  return out;
}

describe('strict replay validation', () => {
  it('reports a divergence when the guest idles with logged input still to come', () => {
    const { tl, file } = record('echo', 'hi\n');
    const end = tl.frontier;
    // The file claims more input arrived later and the recording went on.
    const f = reload({ ...file, log: copyLog(file.log, (l) => l.append(end + 7000, EventKind.UartRx, 0x41)), finalIcount: end + 7500 });
    const rp = timelineFromReplay(f);
    const stop = complete(rp.continueForward());
    expect(stop.cause.kind).toBe('divergence');
    expect(stop.icount).toBe(end);
    expect(stop.cause.kind === 'divergence' && stop.cause.message).toMatch(
      new RegExp(`replay diverged at icount ${end}: the guest waits for an interrupt, but the recording continues to icount ${end + 7500} \\(its next input is at icount ${end + 7000}\\)`));
    const seek = complete(timelineFromReplay(f).seek(end + 7200));
    expect(seek.cause.kind).toBe('divergence');
  });

  it('replays an honest idle ending to the end of the log', () => {
    const { tl, file } = record('echo', 'hi\n');
    const stop = complete(timelineFromReplay(reload(file)).continueForward());
    expect(stop).toMatchObject({ icount: tl.frontier, cause: { kind: 'end-of-log' } });
  });

  it('reports a divergence when the log goes on past the guest exit', () => {
    const { tl, file } = record('hello');
    expect(tl.exit).not.toBeNull();
    const exitAt = tl.exit!.icount;
    const f = reload({ ...file, finalIcount: exitAt + 100, hashes: file.hashes.filter((h) => h.icount < exitAt) });
    const stop = complete(timelineFromReplay(f).continueForward());
    expect(stop.cause.kind).toBe('divergence');
    expect(stop.icount).toBe(exitAt);
    expect(stop.cause.kind === 'divergence' && stop.cause.message).toMatch(`the guest exits (code 0), but the recording continues to icount ${exitAt + 100}`);
  });

  it('reports a divergence when the exit differs from the recorded one', () => {
    const { file } = record('hello');
    const none = complete(timelineFromReplay(reload({ ...file, exit: null })).continueForward());
    expect(none.cause.kind === 'divergence' && none.cause.message).toMatch(/the guest exits \(code 0\) where the recording ends without an exit/);
    const other = complete(timelineFromReplay(reload({ ...file, exit: { code: 5 } })).continueForward());
    expect(other.cause.kind === 'divergence' && other.cause.message).toMatch(/exits with code 0, the recording with 5/);
    const honest = complete(timelineFromReplay(reload(file)).continueForward());
    expect(honest.cause).toEqual({ kind: 'exit', code: 0 });
  });

  it('reports a divergence when the recording ends with an exit the replay does not reach', () => {
    const { tl, file } = record('hello');
    const f = reload({ ...file, finalIcount: tl.exit!.icount - 10, hashes: file.hashes.filter((h) => h.icount < tl.exit!.icount - 10) });
    const stop = complete(timelineFromReplay(f).continueForward());
    expect(stop.cause.kind === 'divergence' && stop.cause.message).toMatch(/the recording ends with the guest exiting \(code 0\), but it has not exited/);
  });

  it('covers the entry point by the initial state hash', () => {
    const { file } = record('hello');
    const f = reload({ ...file, image: { ...file.image, entry: file.image.entry + 4 } });
    expect(() => timelineFromReplay(f)).toThrow(ReplayFileError);
    expect(() => timelineFromReplay(f)).toThrow(/entry point do not produce the recording's initial state/);
  });

  it('checks a state hash at any icount, not only at snapshot positions', () => {
    const { tl, file } = record('hello');
    complete(tl.seek(567));
    const good = { icount: 567, logIndex: tl.port.cursor, hash: tl.stateHash() };
    const withGood = reload({ ...file, hashes: [...file.hashes, good].sort((a, b) => a.icount - b.icount) });
    const rp = timelineFromReplay(withGood);
    expect(rp.expectedHashCount).toBe(file.hashes.length + 1);
    expect(complete(rp.seek(700)).cause.kind).toBe('seek');

    const bad = { ...good, hash: { hi: good.hash.hi ^ 1, lo: good.hash.lo } };
    const withBad = reload({ ...file, hashes: [...file.hashes, bad].sort((a, b) => a.icount - b.icount) });
    const stop = complete(timelineFromReplay(withBad).seek(700));
    expect(stop.cause.kind).toBe('divergence');
    expect(stop.icount).toBe(567);
    expect(stop.cause.kind === 'divergence' && stop.cause.message).toMatch(/state at icount 567 .* does not match the recording's state hash/);
  });

  it('rejects a debugger write to a CSR the machine does not have when the file is loaded', () => {
    const { file } = record('hello');
    for (const csr of [0x180, 0xfff]) {
      const f = reload({ ...file, log: copyLog(file.log, (l) => l.append(500, EventKind.RegWrite, (0x1000 + csr) * 2 ** 32 + 1)), hashes: file.hashes.filter((h) => h.icount < 500) });
      expect(() => timelineFromReplay(f)).toThrow(new RegExp(`event \\d+ \\(reg-write at icount 500\\) writes CSR 0x${csr.toString(16)}, which this machine does not have`));
    }
  });

  it('reports such a write as a divergence, not an internal error, when a log reaches the timeline directly', () => {
    const { file } = record('hello');
    const log = copyLog(file.log, (l) => l.append(500, EventKind.RegWrite, (0x1000 + 0x180) * 2 ** 32 + 1));
    const tl = new Timeline(file.image, { live: null }, { log, end: 1000 });
    const stop = complete(tl.seek(800));
    expect(stop.icount).toBe(500);
    expect(stop.cause.kind === 'divergence' && stop.cause.message).toMatch(/input event \d+ writes register 4480, which this machine cannot/);
  });

  it('rejects a file that declares 1 GiB of RAM without touching that memory', () => {
    const { file } = record('hello');
    const bytes = writeReplayFile({ ...file, ramSize: 1 << 30 });
    expect(bytes.length).toBeLessThan(8 * 1024);
    const before = process.memoryUsage().rss;
    expect(() => timelineFromReplay(readReplayFile(bytes))).toThrow(/do not produce the recording's initial state/);
    // The machine's RAM is allocated lazily and never written: a rejected file costs next to nothing.
    expect(process.memoryUsage().rss - before).toBeLessThan(128 * 1024 * 1024);
  });
});
