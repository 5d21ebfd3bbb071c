import type { InputPort } from '../core';
import { EventKind, type EventLog } from './eventLog';

/** Where live inputs come from while recording (the host: clock, entropy). */
export interface LiveInputs {
  rtcNanoseconds(): number;
  seedEntropy(): number;
}

/**
 * The machine's one input port. Behind the frontier every value comes from the log; at or
 * past it values come from the live source and are appended to the log.
 */
export class ReplayInputPort implements InputPort {
  /** Index of the next log event not yet consumed. */
  cursor = 0;
  /** First icount at which inputs are live (the recording frontier). */
  frontier = 0;
  /** Set when the guest asked for an input the log does not have at this icount. */
  divergence: { icount: number; message: string } | null = null;

  constructor(
    private readonly log: EventLog,
    private readonly live: LiveInputs | null,
    private readonly clock: () => number,
  ) {}

  rtcNanoseconds(): number { return this.read(EventKind.Rtc, 'RTC read'); }
  seedEntropy(): number { return this.read(EventKind.Seed, 'seed CSR read') & 0xffff; }

  private read(kind: typeof EventKind.Rtc | typeof EventKind.Seed, what: string): number {
    const t = this.clock();
    const log = this.log;
    if (this.cursor < log.length && log.icountAt(this.cursor) === t && log.kindAt(this.cursor) === kind) {
      return log.payloadAt(this.cursor++);
    }
    if (t >= this.frontier && this.live && this.cursor >= log.length) {
      const v = kind === EventKind.Rtc ? this.live.rtcNanoseconds() : this.live.seedEntropy() & 0xffff;
      log.append(t, kind, v);
      this.cursor = log.length;
      return v;
    }
    if (!this.divergence) {
      const next = this.cursor < log.length ? `the log's next event is at icount ${log.icountAt(this.cursor)}` : 'the log has no more events';
      this.divergence = { icount: t, message: `replay diverged at icount ${t}: the guest made a ${what} but ${next}` };
    }
    return 0;
  }
}
