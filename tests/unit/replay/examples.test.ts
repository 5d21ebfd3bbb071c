/** Record then replay of every example program reproduces its UART output and the state hash at every snapshot. */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readElf } from '../../../src/elf';
import { Timeline, complete, toReplayFile, timelineFromReplay, writeReplayFile, readReplayFile, hashEquals } from '../../../src/replay';

const dir = 'examples/build';
const elfs = readdirSync(dir).filter((f) => f.endsWith('.elf') && !f.includes('-bench'));
const inputs: Record<string, string> = { 'echo.elf': 'examples/inputs/echo.txt' };

describe('record and replay the examples', () => {
  it('has examples to run', () => expect(elfs.length).toBeGreaterThanOrEqual(5));
  for (const name of elfs) {
    it(name, () => {
      const image = readElf(readFileSync(`${dir}/${name}`));
      let clock = 1_750_000_000_000_000_000 / 1e3;
      const tl = new Timeline(image, { name, live: { rtcNanoseconds: () => (clock += 1e6), seedEntropy: () => 7 } });
      const input = inputs[name];
      if (input && existsSync(input)) tl.sendInput(readFileSync(input));
      const stop = complete(tl.continueForward());
      expect(stop.cause.kind).toBe('exit');
      expect(tl.output.length).toBeGreaterThan(0);

      const rp = timelineFromReplay(readReplayFile(writeReplayFile(toReplayFile(tl, { symbols: [] }))));
      const rstop = complete(rp.continueForward());
      expect(rstop).toMatchObject({ icount: stop.icount, cause: { kind: 'exit' } });
      expect(rp.output.textBefore(Infinity)).toBe(tl.output.textBefore(Infinity));
      const recorded = tl.snapshots.list.filter((s) => s.icount % tl.interval === 0);
      expect(recorded.length).toBeGreaterThan(0);
      for (const s of recorded) {
        const r = rp.snapshots.exactly(s.icount);
        expect(r, `snapshot at ${s.icount}`).toBeDefined();
        expect(hashEquals(r!.stateHash, s.stateHash), `state hash at ${s.icount}`).toBe(true);
      }
    });
  }
});
