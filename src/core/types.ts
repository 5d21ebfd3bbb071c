/** One loadable piece of the program: `data` is copied to `addr`, then zero-filled up to `memSize`. */
export interface LoadSegment { addr: number; data: Uint8Array; memSize: number }
/** Structural: the ELF reader and the assembler produce objects of this shape (no import needed). */
export interface ProgramImage { entry: number; segments: readonly LoadSegment[] }

/** The one port for nondeterministic inputs read *during* an instruction (UART RX is pushed). */
export interface InputPort {
  /** Goldfish RTC clock (read on TIME_LOW reads and on TIME_LOW/TIME_HIGH/ALARM_LOW writes):
   *  wall-clock nanoseconds since the epoch (exact number < 2^53). */
  rtcNanoseconds(): number;
  /** Zkr `seed` CSR read: 16 bits of entropy (0..0xffff); the core builds the OPST|entropy value. */
  seedEntropy(): number;
}

export interface MachineOptions {
  ramSize?: number;
  input?: InputPort;
  /** Basic-block translation to JS (default true). false: the interpreter runs everything (same results). */
  translate?: boolean;
  /** Interpreted executions of a pc before a block is translated from it (default 32; tests use small values). */
  translateThreshold?: number;
}

export type StopReason =
  | { kind: 'limit' }
  | { kind: 'exit'; code: number }
  | { kind: 'breakpoint'; pc: number }
  | { kind: 'watchpoint'; addr: number; size: number; access: 'read' | 'write'; index: number }
  | { kind: 'idle' };

export type WatchKind = 'write' | 'read' | 'access';
export interface Watchpoint { addr: number; len: number; kind: WatchKind }
