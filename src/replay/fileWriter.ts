/**
 * Writes a replay file (format version 2, docs/replay-format.md) as a stream of checksummed
 * records: the configuration, name, image, symbols, source and initial state hash first, then
 * batches of events and state hashes with checkpoints between them, and a final record. Each
 * call hands its bytes to the sink at once, so a recorder can append them to a file as it goes:
 * a file cut anywhere still holds every record before the cut, and the last checkpoint among
 * them says up to where the recording is intact.
 */
import type { ProgramImage } from '../core';
import type { EventLog } from './eventLog';
import { LogDigest, type Hash64 } from './hash';
import { ByteWriter, crc32 } from './fileBytes';
import {
  writeConf, writeName, writeImage, writeSymbols, writeSource, writeEvents, writeHashes, writeCheckpoint, writeFinal,
  type HashEntry, type ReplaySymbol,
} from './fileRecords';

export const REPLAY_MAGIC = 'REWINDRR';
/** The format version this Rewind writes. */
export const REPLAY_VERSION = 2;
export const HEADER_BYTES = 16;
/** Tag, length and CRC around each record's payload. */
export const RECORD_OVERHEAD = 12;

/** What a recording starts with. */
export interface RecordingHeader {
  ramSize: number;
  snapshotInterval: number;
  name: string;
  image: ProgramImage;
  symbols: readonly ReplaySymbol[];
  source: { fileName: string; text: string } | null;
  /** The state hash at icount 0 including the reset ROM (share.ts initialStateHash). */
  initialHash: Hash64;
}

export class ReplayFileWriter {
  private readonly w = new ByteWriter(1 << 16);
  private readonly digest = new LogDigest();
  private last: { icount: number; logIndex: number } | null = null;
  private hashCount = 0;
  private phase: 'new' | 'log' | 'done' = 'new';

  /** `sink` receives each piece of the file in order; the view is only valid during the call. */
  constructor(private readonly sink: (bytes: Uint8Array) => void) {}

  /** Events written so far. */
  get eventsWritten(): number { return this.digest.count; }

  begin(h: RecordingHeader): void {
    if (this.phase !== 'new') throw new Error('internal: replay file already begun');
    const w = this.w;
    w.ascii(REPLAY_MAGIC); w.u16(REPLAY_VERSION); w.u16(0);
    w.u32(crc32(w.view8(0, 12)));
    this.record('CONF', () => writeConf(w, h));
    this.record('NAME', () => writeName(w, h.name));
    this.record('IMAG', () => writeImage(w, h.image));
    this.record('SYMS', () => writeSymbols(w, h.symbols));
    if (h.source) { const src = h.source; this.record('SRC_', () => writeSource(w, src)); }
    this.record('INIT', () => { w.u32(h.initialHash.hi); w.u32(h.initialHash.lo); });
    this.emit();
    this.phase = 'log';
  }

  /** Appends events [eventsWritten, to) of `log`, the log the recording appends to. */
  events(log: EventLog, to = log.length): void {
    this.assertLog();
    const from = this.digest.count;
    if (to <= from) return;
    for (let i = from; i < to; i++) this.digest.add(log.icountAt(i), log.kindAt(i), log.payloadAt(i), log.dataAt(i));
    this.record('LOG_', () => { this.w.u32(from); this.w.u32(to - from); writeEvents(this.w, log, from, to); });
    this.emit();
  }

  /** Appends state hashes, in increasing (icount, log index) after every one written before. */
  hashes(list: readonly HashEntry[]): void {
    this.assertLog();
    const fresh = list.filter((h) => this.after(h));
    if (fresh.length === 0) return;
    for (const h of fresh) {
      if (h.logIndex > this.digest.count) throw new Error(`internal: state hash at ${h.icount} follows event ${h.logIndex}, not yet written`);
      this.last = { icount: h.icount, logIndex: h.logIndex };
    }
    const first = this.hashCount;
    this.hashCount += fresh.length;
    this.record('HASH', () => { this.w.u32(first); this.w.u32(fresh.length); writeHashes(this.w, fresh); });
    this.emit();
  }

  /** The recording is intact up to `icount`, in the state `hash` after every event written. */
  checkpoint(icount: number, hash: Hash64): void {
    this.assertLog();
    const logIndex = this.digest.count;
    if (this.last && (icount < this.last.icount || (icount === this.last.icount && logIndex < this.last.logIndex))) {
      throw new Error(`internal: checkpoint at ${icount} is before a state hash already written`);
    }
    this.record('CHKP', () => writeCheckpoint(this.w, { icount, logIndex, hash, logDigest: this.digest.value() }));
    this.last = { icount, logIndex };
    this.emit();
  }

  /**
   * Ends the file: the recording reached `finalIcount` (with every event written). When the
   * last state hash written is the state there, the final record says so and readers hold the
   * end of the log to it.
   */
  finish(finalIcount: number, exit: { code: number } | null): void {
    this.assertLog();
    const l = this.last;
    const endHashed = l !== null && l.icount === finalIcount && l.logIndex === this.digest.count;
    this.record('FINL', () => writeFinal(this.w, { finalIcount, eventCount: this.digest.count, logDigest: this.digest.value(), exit, endHashed }));
    this.emit();
    this.phase = 'done';
  }

  private after(h: HashEntry): boolean {
    const l = this.last;
    return !l || h.icount > l.icount || (h.icount === l.icount && h.logIndex > l.logIndex);
  }

  private assertLog(): void {
    if (this.phase !== 'log') throw new Error(`internal: replay file ${this.phase === 'new' ? 'not begun' : 'already finished'}`);
  }

  private record(tag: string, body: () => void): void {
    const w = this.w;
    const start = w.length;
    w.ascii(tag);
    w.u32(0);
    body();
    w.patchU32(start + 4, w.length - start - 8);
    w.u32(crc32(w.view8(start, w.length)));
  }

  private emit(): void {
    this.sink(this.w.view8());
    this.w.reset();
  }
}
