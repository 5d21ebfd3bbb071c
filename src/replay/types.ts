import type { Watchpoint } from '../core';

/** Why the timeline stopped. */
export type StopCause =
  | { kind: 'breakpoint'; pc: number }
  | { kind: 'watchpoint'; addr: number; size: number; access: 'read' | 'write'; watch: Watchpoint }
  | { kind: 'replay-break' }
  | { kind: 'exit'; code: number }
  /** Forward at the end of a replay-only log. */
  | { kind: 'end-of-log' }
  /** Reverse at position 0: the beginning of the log. */
  | { kind: 'beginning-of-log' }
  | { kind: 'step' }
  | { kind: 'seek' }
  /** The guest waits for UART input at the frontier and none is queued. */
  | { kind: 'idle' }
  | { kind: 'cancelled' }
  | { kind: 'divergence'; message: string };

export interface Stop { icount: number; pc: number; cause: StopCause }

export interface Progress { phase: string; done: number; total: number }

/**
 * A long operation: drive it with next() until done. Each step runs about one time slice;
 * between steps the machine is at a valid position. Abandoning it (return()) cancels it.
 */
export type Operation = Generator<Progress, Stop, void>;

/** Runs an operation to its end (Node, tests). */
export function complete(op: Operation): Stop {
  for (;;) {
    const r = op.next();
    if (r.done) return r.value;
  }
}

export interface InfoReplay {
  mode: 'recording' | 'replaying';
  name: string;
  icount: number;
  frontier: number;
  /** In QEMU's words: "Replaying execution 'NAME': instruction count = N". */
  text: string;
}
