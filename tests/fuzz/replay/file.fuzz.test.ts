/**
 * Replay file fuzzing. Mutated files have every checksum re-sealed (header and each record,
 * at the original framing), so only the field checks, the log digests and the state hashes can
 * catch the damage. The property: loading fails with a ReplayFileError, or every replayed
 * position either reports a divergence or equals a straight run of the original recording;
 * a position past the original end is never shown without a divergence.
 */
import { describe, expect, it } from 'vitest';
import {
  Timeline, complete, readReplayFile, timelineFromReplay, ReplayFileError, ReplayFileWriter, initialStateHash,
  type LiveInputs,
} from '../../../src/replay';
import { ByteWriter } from '../../../src/replay/fileBytes';
import { randomProgram, rng } from '../../unit/replay/randomProgram';
import { straightRun, fullStateHash } from '../../unit/replay/reference';
import { recordsOf, resealAll } from '../../unit/replay/fixtures';

const RAM = 64 * 1024;

/** A recording with UART input, RTC and seed reads, written as a recorder streams it (with checkpoints). */
function recording(seed: number): { bytes: Uint8Array; tl: Timeline } {
  const next = rng(seed);
  let clock = 1_700_000_000_000_000_000 / 1e6;
  const live: LiveInputs = { rtcNanoseconds: () => (clock += next() % 5000), seedEntropy: () => next() & 0xffff };
  const tl = new Timeline(randomProgram(seed, { bodyLength: 40, iterations: 150 }), { ramSize: RAM, snapshotInterval: 1000, live, name: `fuzz-${seed}` });
  const out = new ByteWriter();
  const w = new ReplayFileWriter((b) => out.bytes(b));
  w.begin({ ramSize: RAM, snapshotInterval: 1000, name: tl.name, image: tl.image, symbols: [{ name: '_start', value: 0x80000000, size: 4 }], source: { fileName: 'x.s', text: 'nop\n' }, initialHash: initialStateHash(tl) });
  for (let k = 0; k < 30 && !tl.exit; k++) {
    tl.setReplayBreak(tl.icount + 1 + (next() % 400));
    complete(tl.continueForward());
    tl.sendInput([0x20 + (next() % 90), 0x20 + (next() % 90)]);
    if (k % 3 === 0 && !tl.exit) {
      w.events(tl.log);
      w.hashes(tl.stateHashes);
      w.checkpoint(tl.icount, tl.stateHash());
    }
  }
  tl.deleteReplayBreak();
  complete(tl.continueForward());
  expect(tl.exit).not.toBeNull();
  w.events(tl.log);
  w.hashes(tl.stateHashes);
  const end = tl.frontierHash();
  if (end) w.hashes([end]);
  w.finish(tl.frontier, { code: tl.exit!.code });
  return { bytes: out.result(), tl };
}

describe('replay file fuzz', () => {
  const { bytes: valid, tl } = recording(0xf00d);
  const spans = recordsOf(valid);
  const end = tl.frontier;
  const samples = new Set<number>();
  for (let t = 0; t <= end; t += Math.max(1, Math.floor(end / 9))) samples.add(t);
  samples.add(end);
  const ref = straightRun(tl.image, tl.log, RAM, end, samples);

  it('the unmutated recording replays to the straight run', () => {
    const f = readReplayFile(valid);
    expect(f.recovered).toBeNull();
    expect(f.hashes.length).toBeGreaterThan(5);
    const rp = timelineFromReplay(f);
    for (const t of samples) {
      const stop = complete(rp.seek(t));
      expect(stop.cause.kind).not.toBe('divergence');
      expect(fullStateHash(rp.machine)).toEqual(ref.hashes.get(t));
    }
  });

  it('no mutated file replays to a state that did not happen without reporting a divergence', () => {
    const next = rng(0xc0ffee);
    const counts = { rejected: 0, diverged: 0, replayed: 0, positions: 0 };
    for (let i = 0; i < 2500; i++) {
      const b = valid.slice();
      const edits = 1 + (next() % 3);
      for (let k = 0; k < edits; k++) {
        // Half the edits land in a record's payload, the rest anywhere.
        const span = spans[next() % spans.length]!;
        const at = next() % 2 === 0 && span.size > 0 ? span.at + 8 + (next() % span.size) : 16 + (next() % (b.length - 16));
        switch (next() % 3) {
          case 0: b[at]! ^= 1 << (next() % 8); break;
          case 1: b[at] = next() & 0xff; break;
          default: b[at] = [0, 0xff, 0x7f, 0x80][next() % 4]!;
        }
      }
      const cut = next() % 8 === 0 ? 16 + (next() % (b.length - 16)) : b.length;
      const m = resealAll(b, spans).slice(0, cut);
      let rp: Timeline;
      try {
        rp = timelineFromReplay(readReplayFile(m));
      } catch (e) {
        if (!(e instanceof ReplayFileError)) throw new Error(`case ${i}: ${String(e)}`, { cause: e });
        counts.rejected++;
        continue;
      }
      counts.replayed++;
      const targets = [...samples].filter((t) => t <= rp.frontier);
      if (rp.frontier > end) targets.push(rp.frontier);
      for (const t of targets.sort((x, y) => x - y)) {
        const stop = complete(rp.seek(t));
        if (stop.cause.kind === 'divergence') { counts.diverged++; break; }
        counts.positions++;
        if (t > end) throw new Error(`case ${i}: position ${t} past the recording's end ${end} shown without a divergence`);
        if (JSON.stringify(fullStateHash(rp.machine)) !== JSON.stringify(ref.hashes.get(t))) {
          throw new Error(`case ${i}: the state at icount ${t} differs from the straight run and no divergence was reported`);
        }
      }
    }
    // The property is only worth something if mutated files got past the loader and ran.
    expect(counts.rejected).toBeGreaterThan(1000);
    expect(counts.replayed).toBeGreaterThan(50);
    expect(counts.positions).toBeGreaterThan(100);
  });

  it('rejects random garbage cleanly', () => {
    const next = rng(42);
    for (let i = 0; i < 500; i++) {
      const b = new Uint8Array(next() % 300);
      for (let k = 0; k < b.length; k++) b[k] = next() & 0xff;
      if (i % 3 === 0 && b.length > 16) b.set(new TextEncoder().encode('REWINDRR\x01\x00\x00\x00'));
      if (i % 3 === 1 && b.length > 16) b.set(new TextEncoder().encode('REWINDRR\x02\x00\x00\x00'));
      expect(() => readReplayFile(b)).toThrow(ReplayFileError);
    }
  });
});
