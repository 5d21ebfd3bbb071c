/**
 * Drives one replay Operation (a generator) in time slices. Between tasks it yields to the
 * event loop through a MessageChannel (not setTimeout, which is clamped to >= 4 ms when
 * nested), so a pause or a newer request queued behind it is served within one frame.
 * The wake-up message alternates between the channel's two ports: Node drains up to 1000
 * messages of one port per callback, which would starve the port the requests come in on.
 */
import type { Operation, Progress, Stop } from '../src/replay/types';

export type DriveResult = { ok: true; stop: Stop } | { ok: false; error: unknown };

export interface DriverHooks {
  /** After each slice of the running operation (ms = time that slice took). */
  slice?(progress: Progress, ms: number): void;
  /** After each task (a group of slices), before yielding. */
  yielded?(): void;
}

interface Job { op: Operation; done: (r: DriveResult) => void }

const now: () => number = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();

export class Driver {
  private job: Job | null = null;
  private readonly channel = new MessageChannel();
  private posted = false;
  private flip = false;
  /** Time one task may run slices before yielding (ms). */
  taskBudgetMs = 6;

  constructor(private readonly hooks: DriverHooks = {}) {
    const wake = (): void => { this.posted = false; this.pump(); };
    this.channel.port1.onmessage = wake;
    this.channel.port2.onmessage = wake;
  }

  get busy(): boolean { return this.job !== null; }

  /** Starts driving `op`; `done` is called once with its stop, unless it is cancelled first. */
  run(op: Operation, done: (r: DriveResult) => void): void {
    if (this.job) throw new Error('internal: the driver is already running an operation');
    this.job = { op, done };
    this.post();
  }

  /** Abandons the running operation (op.return()); its `done` is never called. */
  cancel(): boolean {
    const job = this.job;
    if (!job) return false;
    this.job = null;
    job.op.return(undefined as unknown as Stop);
    return true;
  }

  dispose(): void {
    this.cancel();
    this.channel.port1.onmessage = null;
    this.channel.port2.onmessage = null;
    this.channel.port1.close();
    this.channel.port2.close();
  }

  private post(): void {
    if (this.posted) return;
    this.posted = true;
    this.flip = !this.flip;
    (this.flip ? this.channel.port2 : this.channel.port1).postMessage(0);
  }

  private pump(): void {
    const start = now();
    while (this.job) {
      const job = this.job;
      const t0 = now();
      let r: IteratorResult<Progress, Stop>;
      try {
        r = job.op.next();
      } catch (error) {
        this.job = null;
        job.done({ ok: false, error });
        break;
      }
      if (r.done) {
        this.job = null;
        job.done({ ok: true, stop: r.value });
        break;
      }
      const t1 = now();
      this.hooks.slice?.(r.value, t1 - t0);
      if (t1 - start >= this.taskBudgetMs) break;
    }
    this.hooks.yielded?.();
    if (this.job) this.post();
  }
}
