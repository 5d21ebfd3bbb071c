import { EventLog, EventKind } from '../../../src/replay/eventLog';
import type { ReplayFile } from '../../../src/replay/file';

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
    ramSize: 1 << 20,
    snapshotInterval: 5000,
    name: 'sample — ünïcode',
    image: { entry: 0x80000000, segments: [{ addr: 0x80000000, data: new Uint8Array([0x13, 0, 0, 0, 0x6f, 0, 0, 0]), memSize: 64 }] },
    symbols: [{ name: '_start', value: 0x80000000, size: 8 }],
    source: { fileName: 'prog.s', text: '_start: nop\n j _start\n' },
    log,
    finalIcount: 100,
    exit: { code: 3 },
    hashes: [{ icount: 0, logIndex: 0, hash: { hi: 1, lo: 2 } }, { icount: 50, logIndex: 2, hash: { hi: 0xffffffff, lo: 7 } }],
  };
}

