import { describe, expect, it } from 'vitest';
import { EventLog, EventKind } from '../../../src/replay/eventLog';
import { findRecord, recordsOf, resealAll, sampleReplay } from './fixtures';
import { readReplayFile, writeReplayFile, ReplayFileError, ReplayFileWriter, crc32, recoveryNotice } from '../../../src/replay/file';
import { ByteWriter } from '../../../src/replay/fileBytes';

const expectError = (b: Uint8Array, pattern: RegExp): void => {
  let err: unknown;
  try { readReplayFile(b); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(ReplayFileError);
  expect((err as Error).message).toMatch(pattern);
};

describe('replay file', () => {
  it('round-trips every field', () => {
    const f = sampleReplay();
    const back = readReplayFile(writeReplayFile(f));
    expect(back.version).toBe(2);
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
    expect(back.initialHash).toEqual(f.initialHash);
    expect(back.hashes).toEqual(f.hashes);
    expect(back.recovered).toBeNull();
  });

  it('computes CRC-32 as zlib does', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  const bytes = writeReplayFile(sampleReplay());

  it('rejects a wrong magic', () => {
    const b = bytes.slice(); b[0] = 0x7f; expectError(b, /magic .* not a Rewind replay file/);
  });
  it('rejects an unsupported version', () => {
    const b = bytes.slice(); b[8] = 9; expectError(b, /format version 9 is not supported/);
  });
  it('rejects a damaged header', () => {
    const b = bytes.slice(); b[11]! ^= 1; expectError(b, /header checksum mismatch/);
  });
  it('rejects a flipped bit in any record of a complete file as damage', () => {
    for (const r of recordsOf(bytes)) {
      for (const off of [0, 5, 8 + (r.size >> 1), 8 + r.size]) {
        const b = bytes.slice(); b[r.at + off]! ^= 0x10;
        if (r.tag === 'FINL' && off === 5) {
          // A final record whose length now runs past the end looks like one cut while being
          // written: read as a cut recording, with the notice, never as complete.
          expect(readReplayFile(b).recovered).not.toBeNull();
          continue;
        }
        expectError(b, /damaged/);
      }
    }
  });
  it('rejects data after the final record', () => {
    const b = new Uint8Array(bytes.length + 3); b.set(bytes);
    expectError(b, /the final record must end the file|damaged/);
  });
  it('rejects an event past the end of the log with the field named', () => {
    const f = sampleReplay(); f.finalIcount = 60; f.hashes = [];
    expectError(writeReplayFile(f), /event 3 icount 90 is past the end of the log \(60\)/);
  });
  it('rejects segments outside RAM', () => {
    const f = sampleReplay();
    f.image = { entry: 0x80000000, segments: [{ addr: 0x1000, data: new Uint8Array(4), memSize: 4 }] };
    expectError(writeReplayFile(f), /segment 0 .* outside RAM/);
  });
  it('rejects a RAM size beyond the documented maximum before anything is allocated', () => {
    const f = sampleReplay(); f.ramSize = 2 * 1024 * 1024 * 1024;
    expectError(writeReplayFile(f), /ramSize 2147483648 must be a multiple of 4096 from 64 KiB to 1 GiB/);
  });
  it('rejects an absurd count without allocating for it', () => {
    const f = sampleReplay(); f.symbols = [];
    const b = writeReplayFile(f);
    new DataView(b.buffer).setUint32(findRecord(b, 'SYMS'), 0xfffffff0, true);
    expectError(resealAll(b), /symbol count 4294967280 cannot fit/);
  });
  it('rejects a UART event with a payload that is not a byte', () => {
    const f = sampleReplay();
    const log = new EventLog(); log.append(1, EventKind.UartRx, 300);
    f.log = log; f.hashes = [];
    expectError(writeReplayFile(f), /event 0 \(UART byte\) has payload 300/);
  });
  it('catches an altered input event by the log digest, even with every checksum re-sealed', () => {
    const at = findRecord(bytes, 'LOG_') + 8; // first event
    const b = bytes.slice();
    new DataView(b.buffer).setFloat64(at + 9, 0x43, true); // 'A' becomes 'C'
    expectError(resealAll(b), /event log does not match its digest \(the log was altered\)/);
  });
  it('rejects a state hash that the log cannot have reached', () => {
    const f = sampleReplay(); f.hashes = [{ icount: 5, logIndex: 2, hash: { hi: 1, lo: 1 } }];
    expectError(writeReplayFile(f), /state hash at icount 5 \(after event 2\): event 1 at icount 10 cannot have been consumed by then/);
    f.hashes = [{ icount: 60, logIndex: 2, hash: { hi: 1, lo: 1 } }];
    expectError(writeReplayFile(f), /event 2 at icount 57 should have been consumed by then/);
  });
  it('rejects a v2 file cut inside its program records', () => {
    expectError(bytes.subarray(0, findRecord(bytes, 'IMAG') + 3), /before its program and initial state are complete: nothing can be recovered/);
  });
});

describe('a recording cut anywhere', () => {
  /** A file as a recorder writes it: checkpoints at 20 and 96, final record at 100. */
  function streamed(): { bytes: Uint8Array; ends: { icount: number; events: number; byte: number }[] } {
    const f = sampleReplay();
    const out = new ByteWriter();
    const w = new ReplayFileWriter((b) => out.bytes(b));
    w.begin({ ...f, initialHash: f.initialHash!.hash });
    const ends = [{ icount: 0, events: 0, byte: out.length }];
    w.events(f.log, 2);
    w.checkpoint(20, { hi: 5, lo: 6 });
    ends.push({ icount: 20, events: 2, byte: out.length });
    w.hashes(f.hashes);
    w.events(f.log);
    w.checkpoint(96, { hi: 7, lo: 8 });
    ends.push({ icount: 96, events: 6, byte: out.length });
    w.finish(100, { code: 3 });
    return { bytes: out.result(), ends };
  }

  it('reads back to the last checkpoint before the cut, with the notice', () => {
    const { bytes, ends } = streamed();
    expect(readReplayFile(bytes).recovered).toBeNull();
    for (let cut = ends[0]!.byte; cut < bytes.length; cut++) {
      const f = readReplayFile(bytes.subarray(0, cut));
      const last = ends.filter((e) => e.byte <= cut).pop()!;
      expect(f.recovered).not.toBeNull();
      expect(f.recovered!.recoveredTo).toBe(last.icount);
      expect(f.finalIcount).toBe(last.icount);
      expect(f.log.length).toBe(last.events);
      expect(f.exit).toBeNull();
      expect(f.recovered!.cutAt).toBeGreaterThanOrEqual(last.icount);
      for (const h of f.hashes) expect(h.icount).toBeLessThanOrEqual(last.icount);
    }
    const mid = readReplayFile(bytes.subarray(0, ends[2]!.byte + 5));
    expect(recoveryNotice(mid.recovered!)).toBe('recording was cut at icount 96; recovered up to icount 96');
    // Events written after the last checkpoint show how far the recording got.
    const afterFirst = readReplayFile(bytes.subarray(0, ends[2]!.byte - 40));
    expect(afterFirst.recovered!.recoveredTo).toBe(20);
    expect(afterFirst.recovered!.cutAt).toBe(95);
  });

  it('treats a torn or garbage tail like a cut, and damage before the tail of a complete file as damage', () => {
    const { bytes, ends } = streamed();
    const torn = new Uint8Array(ends[1]!.byte + 100); torn.set(bytes.subarray(0, ends[1]!.byte));
    expect(readReplayFile(torn).recovered!.recoveredTo).toBe(20); // zeros after the cut, as after a power loss
    const b = bytes.slice(); b[ends[1]!.byte + 10]! ^= 1;
    expectError(b, /damaged/);
  });
});

describe('version 1 files', () => {
  /** A version 1 file: sections in one container, one CRC at the end. */
  function v1(f = sampleReplay()): Uint8Array {
    const w = new ByteWriter();
    const utf8 = new TextEncoder();
    w.ascii('REWINDRR'); w.u16(1); w.u16(0); w.u32(7);
    const section = (tag: string, body: () => void): void => {
      w.ascii(tag); const at = w.length; w.u32(0); body(); w.patchU32(at, w.length - at - 4);
    };
    section('CONF', () => { w.u32(f.ramSize); w.u32(f.snapshotInterval); w.u8(23); w.ascii('rv32imac_zicsr_zifencei'); w.u8(4); w.ascii('virt'); });
    section('NAME', () => { const n = utf8.encode(f.name); w.u16(n.length); w.bytes(n); });
    section('IMAG', () => {
      w.u32(f.image.entry); w.u32(f.image.segments.length);
      for (const s of f.image.segments) { w.u32(s.addr); w.u32(s.memSize); w.u32(s.data.length); w.bytes(s.data); }
    });
    section('SYMS', () => { w.u32(0); });
    section('LOG_', () => {
      w.u32(f.log.length);
      for (const e of f.log.events()) { w.f64(e.icount); w.u8(e.kind); w.f64(e.payload); w.u32(e.data?.length ?? 0); if (e.data) w.bytes(e.data); }
    });
    section('FINL', () => { w.f64(f.finalIcount); w.u8(f.exit ? 1 : 0); w.i32(f.exit?.code ?? 0); });
    section('HASH', () => {
      const list = [{ icount: 0, logIndex: 0, hash: f.initialHash!.hash }, ...f.hashes];
      w.u32(list.length);
      for (const h of list) { w.f64(h.icount); w.u32(h.logIndex); w.u32(h.hash.hi); w.u32(h.hash.lo); }
    });
    const body = w.result();
    const out = new Uint8Array(body.length + 4);
    out.set(body);
    new DataView(out.buffer).setUint32(body.length, crc32(body), true);
    return out;
  }

  it('are still read, with their initial hash marked as not covering the ROM', () => {
    const f = readReplayFile(v1());
    expect(f.version).toBe(1);
    expect(f.initialHash).toEqual({ hash: { hi: 1, lo: 2 }, coversRom: false });
    expect(f.hashes).toEqual(sampleReplay().hashes);
    expect(f.log.length).toBe(6);
    expect(f.exit).toEqual({ code: 3 });
  });

  it('are rejected when their checksum does not match', () => {
    const b = v1(); b[40]! ^= 1;
    expectError(b, /checksum mismatch .* damaged or truncated/);
  });
});
