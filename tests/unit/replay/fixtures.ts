import { EventLog, EventKind } from '../../../src/replay/eventLog';
import { crc32, type ReplayFile } from '../../../src/replay/file';

/** A small replay file with every section and event kind. */
export function sampleReplay(): ReplayFile {
  const log = new EventLog();
  log.append(10, EventKind.UartRx, 0x41);
  log.append(10, EventKind.UartRx, 0x42);
  log.append(57, EventKind.Rtc, 1_732_000_000_123_456);
  log.append(90, EventKind.Seed, 0xbeef);
  log.append(95, EventKind.MemWrite, 0x80001000, new Uint8Array([1, 2, 3]));
  log.append(95, EventKind.RegWrite, 10 * 2 ** 32 + 0xdeadbeef);
  return {
    version: 2,
    ramSize: 1 << 20,
    snapshotInterval: 5000,
    name: 'sample — ünïcode',
    image: { entry: 0x80000000, segments: [{ addr: 0x80000000, data: new Uint8Array([0x13, 0, 0, 0, 0x6f, 0, 0, 0]), memSize: 64 }] },
    symbols: [{ name: '_start', value: 0x80000000, size: 8 }],
    source: { fileName: 'prog.s', text: '_start: nop\n j _start\n' },
    log,
    finalIcount: 100,
    exit: { code: 3 },
    initialHash: { hash: { hi: 1, lo: 2 }, coversRom: true },
    hashes: [{ icount: 50, logIndex: 2, hash: { hi: 0xffffffff, lo: 7 } }],
    recovered: null,
  };
}


/** A record of a version 2 replay file: its tag, where it starts and its payload size. */
export interface RecordSpan { tag: string; at: number; size: number }

/** The records of a version 2 file, by walking its framing (stops at the first that does not fit). */
export function recordsOf(b: Uint8Array): RecordSpan[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: RecordSpan[] = [];
  let pos = 16;
  while (pos + 12 <= b.length) {
    const size = dv.getUint32(pos + 4, true);
    if (pos + 12 + size > b.length) break;
    out.push({ tag: String.fromCharCode(...b.subarray(pos, pos + 4)), at: pos, size });
    pos += 12 + size;
  }
  return out;
}

/** Offset of the payload of the first record with `tag`. */
export function findRecord(b: Uint8Array, tag: string): number {
  const r = recordsOf(b).find((x) => x.tag === tag);
  if (!r) throw new Error(`no record ${tag}`);
  return r.at + 8;
}

/**
 * Recomputes the header checksum and the checksum of every record at the given spans (the
 * original file's framing), so that damage is left for the field checks to find.
 */
export function resealAll(b: Uint8Array, spans: readonly RecordSpan[] = recordsOf(b)): Uint8Array {
  const out = b.slice();
  const dv = new DataView(out.buffer);
  if (out.length >= 16) dv.setUint32(12, crc32(out.subarray(0, 12)), true);
  for (const r of spans) {
    const end = r.at + 8 + r.size;
    if (end + 4 <= out.length) dv.setUint32(end, crc32(out.subarray(r.at, end)), true);
  }
  return out;
}
