import { describe, expect, it } from 'vitest';
import { EventLog, EventKind } from '../../../src/replay/eventLog';
import { sampleReplay } from './fixtures';
import { readReplayFile, writeReplayFile, ReplayFileError, crc32 } from '../../../src/replay/file';

describe('replay file', () => {
  it('round-trips every field', () => {
    const f = sampleReplay();
    const back = readReplayFile(writeReplayFile(f));
    expect(back.ramSize).toBe(f.ramSize);
    expect(back.snapshotInterval).toBe(f.snapshotInterval);
    expect(back.name).toBe(f.name);
    expect(back.image.entry).toBe(f.image.entry);
    expect(back.image.segments[0]!.data).toEqual(f.image.segments[0]!.data);
    expect(back.image.segments[0]!.memSize).toBe(64);
    expect(back.symbols).toEqual(f.symbols);
    expect(back.source).toEqual(f.source);
    expect([...back.log.events()]).toEqual([...f.log.events()]);
    expect(back.finalIcount).toBe(100);
    expect(back.exit).toEqual({ code: 3 });
    expect(back.hashes).toEqual(f.hashes);
  });

  it('computes CRC-32 as zlib does', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  const bytes = writeReplayFile(sampleReplay());
  /** Re-seals the checksum so a test reaches the field check behind it. */
  const reseal = (b: Uint8Array): Uint8Array => {
    const out = b.slice();
    new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
    return out;
  };
  const expectError = (b: Uint8Array, pattern: RegExp): void => {
    let err: unknown;
    try { readReplayFile(b); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ReplayFileError);
    expect((err as Error).message).toMatch(pattern);
  };

  it('rejects a wrong magic', () => {
    const b = bytes.slice(); b[0] = 0x7f; expectError(b, /magic .* not a Rewind replay file/);
  });
  it('rejects an unsupported version', () => {
    const b = bytes.slice(); b[8] = 9; expectError(b, /format version 9 is not supported/);
  });
  it('rejects a flipped bit anywhere by its checksum', () => {
    for (const at of [20, 100, bytes.length - 10]) {
      const b = bytes.slice(); b[at]! ^= 0x10; expectError(b, /checksum mismatch/);
    }
  });
  it('rejects truncation', () => {
    expectError(bytes.subarray(0, bytes.length - 1), /checksum mismatch/);
    expectError(bytes.subarray(0, 10), /too short/);
  });
  it('rejects an event past the end of the log with the field named', () => {
    const f = sampleReplay(); f.finalIcount = 60;
    expectError(writeReplayFile(f), /event 3 icount 90 is past the end of the log \(60\)/);
  });
  it('rejects segments outside RAM', () => {
    const f = sampleReplay();
    f.image = { entry: 0x80000000, segments: [{ addr: 0x1000, data: new Uint8Array(4), memSize: 4 }] };
    expectError(writeReplayFile(f), /segment 0 .* outside RAM/);
  });
  it('rejects an absurd count without allocating for it', () => {
    const f = sampleReplay(); f.symbols = [];
    const b = writeReplayFile(f);
    const syms = findSection(b, 'SYMS');
    new DataView(b.buffer).setUint32(syms, 0xfffffff0, true);
    expectError(reseal(b), /symbol count 4294967280 cannot fit/);
  });
  it('rejects a UART event with a payload that is not a byte', () => {
    const f = sampleReplay();
    const log = new EventLog(); log.append(1, EventKind.UartRx, 300);
    f.log = log;
    expectError(writeReplayFile(f), /event 0 \(UART byte\) has payload 300/);
  });
});

/** Offset of a section's payload. */
export function findSection(b: Uint8Array, tag: string): number {
  const dv = new DataView(b.buffer, b.byteOffset);
  let pos = 16;
  while (pos < b.length - 4) {
    const t = String.fromCharCode(...b.subarray(pos, pos + 4));
    const len = dv.getUint32(pos + 4, true);
    if (t === tag) return pos + 8;
    pos += 8 + len;
  }
  throw new Error(`no section ${tag}`);
}
