// A replay file written as the recording goes (docs/replay-format.md): the program first, then
// at every checkpoint the new input events, the new state hashes and a checkpoint record,
// flushed to disk; at the end the final record. A recorder killed at any moment leaves a file
// that reads back up to its last checkpoint.
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { ReplayFileWriter, initialStateHash, recordedHashes, type ReplayExtras, type Timeline } from '../replay';

export class RecordingFile {
  private readonly writer: ReplayFileWriter;
  private closed = false;
  private last: { icount: number; events: number } | null = null;
  /** Bytes written so far. */
  bytes = 0;
  /** The icount of the last checkpoint (the recording is safe up to there). */
  checkpointIcount = 0;

  private constructor(private readonly fd: number) {
    this.writer = new ReplayFileWriter((b) => {
      let at = 0;
      while (at < b.length) at += writeSync(this.fd, b, at, b.length - at);
      this.bytes += b.length;
    });
  }

  /** Creates (or truncates) `path`; fs errors pass through. */
  static create(path: string): RecordingFile {
    return new RecordingFile(openSync(path, 'w'));
  }

  /** The configuration, program and initial state hash, on disk before the guest runs. */
  begin(tl: Timeline, extras: ReplayExtras): void {
    this.writer.begin({
      ramSize: tl.machine.ramSize, snapshotInterval: tl.interval, name: tl.name, image: tl.image,
      symbols: extras.symbols ?? [], source: extras.source ?? null, initialHash: initialStateHash(tl),
    });
    fdatasyncSync(this.fd);
  }

  /**
   * Saves everything up to the current position, which must be the frontier with the whole
   * log consumed (between slices of a recording); returns false when there is nothing new.
   */
  checkpoint(tl: Timeline): boolean {
    if (tl.icount !== tl.frontier || tl.port.cursor !== tl.log.length) throw new Error('internal: a checkpoint is taken at the frontier');
    const last = this.last;
    if (last && last.icount === tl.icount && last.events === tl.log.length) return false;
    this.writer.events(tl.log);
    this.writer.hashes(tl.stateHashes);
    this.writer.checkpoint(tl.icount, tl.stateHash());
    fdatasyncSync(this.fd);
    this.last = { icount: tl.icount, events: tl.log.length };
    this.checkpointIcount = tl.icount;
    return true;
  }

  /** Ends the file at the frontier (the machine is there) and closes it. */
  finish(tl: Timeline): void {
    this.writer.events(tl.log);
    this.writer.hashes(recordedHashes(tl));
    this.writer.finish(tl.frontier, tl.exit ? { code: tl.exit.code } : null);
    fdatasyncSync(this.fd);
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
