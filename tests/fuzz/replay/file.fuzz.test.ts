import { describe, expect, it } from 'vitest';
import { readReplayFile, writeReplayFile, ReplayFileError, crc32 } from '../../../src/replay/file';
import { sampleReplay } from '../../unit/replay/fixtures';

/** xorshift32: the fuzz cases are the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

describe('replay file loader fuzz', () => {
  const valid = writeReplayFile(sampleReplay());

  it('never throws anything but ReplayFileError on mutated files (checksum re-sealed, so field checks are reached)', () => {
    const next = rng(0xc0ffee);
    let accepted = 0, rejected = 0;
    for (let i = 0; i < 4000; i++) {
      const b = valid.slice();
      const edits = 1 + (next() % 4);
      for (let k = 0; k < edits; k++) {
        const at = next() % (b.length - 4);
        switch (next() % 3) {
          case 0: b[at]! ^= 1 << (next() % 8); break;
          case 1: b[at] = next() & 0xff; break;
          default: b[at] = [0, 0xff, 0x7f, 0x80][next() % 4]!;
        }
      }
      const cut = next() % 8 === 0 ? 16 + (next() % (b.length - 16)) : b.length;
      const m = b.slice(0, cut);
      if (m.length >= 4) new DataView(m.buffer).setUint32(m.length - 4, crc32(m.subarray(0, m.length - 4)), true);
      try {
        const f = readReplayFile(m);
        expect(f.log.length).toBeLessThanOrEqual(m.length);
        accepted++;
      } catch (e) {
        if (!(e instanceof ReplayFileError)) throw new Error(`case ${i}: ${String(e)}`, { cause: e });
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(1000);
    expect(accepted + rejected).toBe(4000);
  });

  it('rejects random garbage cleanly', () => {
    const next = rng(42);
    for (let i = 0; i < 500; i++) {
      const b = new Uint8Array(next() % 300);
      for (let k = 0; k < b.length; k++) b[k] = next() & 0xff;
      if (i % 2 === 0 && b.length > 16) b.set(new TextEncoder().encode('REWINDRR\x01\x00\x00\x00'));
      expect(() => readReplayFile(b)).toThrow(ReplayFileError);
    }
  });
});
