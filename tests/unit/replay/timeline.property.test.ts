/**
 * Property tests of the replay engine on random programs with random inputs, against an
 * independent straight run (tests/unit/replay/reference.ts):
 *  - seek(t) reproduces the straight run's full state hash at t,
 *  - reverse step from t equals seek(t-1),
 *  - reverse and forward continue agree with a brute-force scan over every position, for
 *    breakpoints and write/read/access watchpoints, including hits at the start position,
 *    no hit at all, and the replay break.
 */
import { describe, expect, it } from 'vitest';
import type { Watchpoint } from '../../../src/core';
import { Timeline, EventLog, EventKind, complete, toReplayFile, timelineFromReplay, writeReplayFile, readReplayFile, type LiveInputs } from '../../../src/replay';
import { randomProgram, rng, DATA0, DATA1 } from './randomProgram';
import { straightRun, fullStateHash, isHit, type StraightRun } from './reference';

const RAM = 64 * 1024;
const INTERVAL = 1000;

function liveInputs(seed: number): LiveInputs {
  const next = rng(seed);
  let clock = 1_700_000_000_000_000_000 / 1e6;
  return { rtcNanoseconds: () => (clock += next() % 5000), seedEntropy: () => next() & 0xffff };
}

/** Records a random program to its exit, typing random input at random moments. */
function record(seed: number): Timeline {
  const next = rng(seed ^ 0x5eed);
  const tl = new Timeline(randomProgram(seed, { bodyLength: 50 + (seed % 40), iterations: 25 + (seed % 20) }), {
    ramSize: RAM, snapshotInterval: INTERVAL, live: liveInputs(seed), name: `random-${seed}`,
    // Odd seeds thin snapshots as hard as they can, so merged overlays are exercised too.
    memoryBudget: seed % 2 ? 1 : undefined,
    // Even seeds switch reverse continue to its backwards-window search after two hits.
    denseHits: seed % 2 ? undefined : 2,
  });
  for (let k = 0; k < 200; k++) {
    tl.setReplayBreak(tl.icount + 1 + (next() % 700));
    const stop = complete(tl.continueForward());
    if (stop.cause.kind === 'exit') break;
    expect(['replay-break', 'idle']).toContain(stop.cause.kind);
    const n = next() % 4;
    tl.sendInput(Array.from({ length: n }, () => 0x20 + (next() % 90)));
  }
  tl.deleteReplayBreak();
  expect(tl.exit).not.toBeNull();
  return tl;
}

function brute(run: StraightRun, s: number, dir: 1 | -1, bps: Set<number>, wps: Watchpoint[]): number | null {
  if (dir === -1) {
    for (let t = s - 1; t >= 0; t--) if (isHit(run, t, bps, wps)) return t;
    return null;
  }
  for (let t = s + 1; t < run.pcs.length; t++) if (isHit(run, t, bps, wps)) return t;
  return null;
}

describe('replay engine properties on random programs', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
    it(`seed ${seed}: seek, reverse step, reverse/forward continue match a straight run`, () => {
      const tl = record(seed);
      const end = tl.frontier;
      const next = rng(seed * 7919);
      const targets = Array.from({ length: 40 }, () => next() % (end + 1));
      targets.push(0, end, INTERVAL, INTERVAL - 1, INTERVAL + 1);
      const samples = new Set<number>(Array.from({ length: end + 1 }, (_, t) => t));
      const ref = straightRun(tl.image, tl.log, RAM, end, samples);
      expect(ref.exitCode).toBe(tl.exit!.code);

      // seek(t) and reverse step; now and then a debugger attaches and pins a snapshot mid-interval
      for (const t of targets) {
        const stop = complete(tl.seek(t));
        if (next() % 5 === 0) tl.pinSnapshot();
        expect({ t, stop }).toEqual({ t, stop: { icount: t, pc: stop.pc, cause: { kind: "seek" } } });
        expect(fullStateHash(tl.machine)).toEqual(ref.hashes.get(t));
        if (t > 0) {
          const back = complete(tl.reverseStep());
          expect(back.icount).toBe(t - 1);
          expect(fullStateHash(tl.machine)).toEqual(ref.hashes.get(t - 1));
        }
      }
      const begin = complete(tl.seek(0));
      expect(complete(tl.reverseStep()).cause.kind).toBe('beginning-of-log');
      expect(begin.icount).toBe(0);

      // continue in both directions against brute force
      const positions = Array.from({ length: 12 }, () => next() % end);
      const setups: { bps: Set<number>; wps: Watchpoint[] }[] = [];
      for (let k = 0; k < 6; k++) {
        const pcAt = ref.pcs[next() % ref.pcs.length]!;
        const base = next() % 2 ? DATA0 : DATA1;
        const kinds = ['write', 'read', 'access'] as const;
        setups.push(
          { bps: new Set([pcAt]), wps: [] },
          { bps: new Set(), wps: [{ addr: base + (next() % 64), len: 1 + (next() % 8), kind: kinds[next() % 3]! }] },
        );
      }
      setups.push({ bps: new Set([0x80000000 + 0x7ff0]), wps: [] }); // never hit
      let found = 0, none = 0, atStart = 0;
      for (const { bps, wps } of setups) {
        tl.breakpoints.clear();
        for (const b of bps) tl.breakpoints.add(b);
        tl.watchpoints = wps;
        // Also start exactly on a hit: it must be excluded in both directions.
        const onHit = brute(ref, positions[0]!, 1, bps, wps);
        for (const s of onHit === null ? positions : [...positions, onHit]) {
          const hitAtS = isHit(ref, s, bps, wps);
          complete(tl.seek(s));
          const rc = complete(tl.reverseContinue());
          const expectBack = brute(ref, s, -1, bps, wps);
          if (expectBack === null) none++; else found++;
          if (hitAtS) atStart++;
          expect({ s, hitAtS, at: rc.icount }).toEqual({ s, hitAtS, at: expectBack ?? 0 });
          expect(rc.cause.kind).toBe(expectBack === null ? 'beginning-of-log' : wps.length ? 'watchpoint' : 'breakpoint');
          expect(fullStateHash(tl.machine)).toEqual(ref.hashes.get(rc.icount));

          complete(tl.seek(s));
          const fc = complete(tl.continueForward());
          const expectFwd = brute(ref, s, 1, bps, wps);
          if (expectFwd === null) expect(fc.cause.kind).toBe('exit');
          else expect({ s, at: fc.icount }).toEqual({ s, at: expectFwd });
        }
      }

      // The cases are not vacuous: hits, no hits, and hits at the start position all occur.
      expect(found).toBeGreaterThan(20);
      expect(none).toBeGreaterThan(5);
      expect(atStart).toBeGreaterThan(0);

      // the replay break: a forward continue stops exactly there, before any later hit
      tl.breakpoints.clear(); tl.watchpoints = [];
      const rb = 1 + (next() % (end - 1));
      tl.setReplayBreak(rb);
      complete(tl.seek(0));
      const at = complete(tl.continueForward());
      expect(at).toMatchObject({ icount: rb, cause: { kind: 'replay-break' } });
      tl.deleteReplayBreak();
    });
  }

  it('a replay file reproduces the recording in a replay-only session', () => {
    const tl = record(11);
    const file = readReplayFile(writeReplayFile(toReplayFile(tl)));
    const rp = timelineFromReplay(file);
    expect(rp.frontier).toBe(tl.frontier);
    expect(rp.infoReplay().text).toBe("Replaying execution 'random-11': instruction count = 0");
    const stop = complete(rp.continueForward());
    expect(stop.cause.kind).toBe('exit');
    expect(rp.output.bytes()).toEqual(tl.output.bytes());
    for (const t of [0, 1234, tl.frontier >> 1, tl.frontier]) {
      complete(tl.seek(t)); complete(rp.seek(t));
      expect(fullStateHash(rp.machine)).toEqual(fullStateHash(tl.machine));
    }
    expect(() => complete(rp.seek(tl.frontier + 1))).toThrow(/replay log ends at instruction count/);
    expect(() => rp.sendInput([1])).toThrow(/takes no new input/);
  });

  it('reports a divergence with its icount instead of showing wrong state', () => {
    const tl = record(12);
    const file = toReplayFile(tl);
    const events = [...file.log.events()];
    const k = events.findIndex((e) => e.kind === EventKind.Rtc);
    expect(k).toBeGreaterThanOrEqual(0);
    // The guest reads the RTC where the log now says it read the seed CSR.
    const log = new EventLog();
    events.forEach((e, i) => log.append(e.icount, i === k ? EventKind.Seed : e.kind, i === k ? 1 : e.payload, e.data));
    const rp = timelineFromReplay(readReplayFile(writeReplayFile({ ...file, log })));
    const stop = complete(rp.continueForward());
    expect(stop.cause).toEqual({ kind: 'divergence', message: expect.stringContaining(`icount ${events[k]!.icount}`) });

    // A state hash that the replay does not reproduce.
    const hashes = file.hashes.map((h) => (h.icount === INTERVAL ? { ...h, hash: { hi: h.hash.hi ^ 1, lo: h.hash.lo } } : h));
    expect(hashes.some((h) => h.icount === INTERVAL)).toBe(true);
    const rp2 = timelineFromReplay(readReplayFile(writeReplayFile({ ...file, hashes })));
    const stop2 = complete(rp2.continueForward());
    expect(stop2).toMatchObject({ icount: INTERVAL, cause: { kind: 'divergence', message: expect.stringContaining(`icount ${INTERVAL}`) } });

    // A program image that does not produce the recorded initial state.
    const data = file.image.segments[0]!.data.slice();
    data[0]! ^= 0x80;
    const image = { entry: file.image.entry, segments: [{ ...file.image.segments[0]!, data }] };
    expect(() => timelineFromReplay(readReplayFile(writeReplayFile({ ...file, image })))).toThrow(/initial state/);
  });
});
