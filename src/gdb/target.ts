// What the GDB stub needs from the thing it debugs. The replay session implements it
// (TimelineTarget); the protocol layer knows nothing else about the machine.

/** An error the stub answers with `Enn` (and logs with its message). */
export class GdbError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'GdbError';
  }
}

/** errno values gdb knows; the stub answers `E` + two hex digits. */
export const EFAULT = 0x0e;
export const EINVAL = 0x16;
export const EPERM = 0x01;
export const ENOSPC = 0x1c;

export type RegisterFeature = 'cpu' | 'csr' | 'virtual';

export interface RegisterInfo {
  name: string;
  /** The number in `p`/`P` packets and in the target description. */
  regnum: number;
  bitsize: 32;
  type?: 'int' | 'code_ptr' | 'data_ptr';
  feature: RegisterFeature;
}

export type StopReasonField =
  | { kind: 'swbreak' }
  | { kind: 'hwbreak' }
  | { kind: 'watch' | 'rwatch' | 'awatch'; addr: number }
  | { kind: 'replaylog'; end: 'begin' | 'end' }
  /**
   * Nothing was hit: the stop only shows gdb where the target is, after a monitor command moved
   * it (the stub words it so that gdb carries on with its command; see GdbStub).
   */
  | { kind: 'moved' };

export const SIGINT = 2;
export const SIGTRAP = 5;
export const SIGABRT = 6;

/** A stop as the stub reports it: `T<signal>` with an optional reason, and console text before it. */
export interface GdbStop {
  signal: number;
  reason?: StopReasonField;
  /** Shown by gdb (as an `O` packet) before the stop reply. */
  message?: string;
}

/**
 * A long operation in time slices: each next() does about one slice and yields 'working', or
 * 'waiting' when it cannot progress until something outside changes (e.g. UART input); it
 * returns the stop. return() abandons it; the target is then at a valid position.
 */
export type GdbJob = Generator<'working' | 'waiting', GdbStop, void>;

/**
 * `resync` is the first part of a continue that gdb started from a state it no longer knows
 * (a monitor command moved the target): one instruction forward, stopping there with the
 * reason a forward continue would stop there for, or with reason `moved` where it would go on.
 */
export type ResumeKind = 'continue' | 'step' | 'reverse-continue' | 'reverse-step' | 'resync';
export type BreakpointType = 0 | 1;
export type WatchpointType = 2 | 3 | 4;

export interface GdbTarget {
  /** Registers in the target description; `g` carries those numbered 0..gRegisterCount-1. */
  readonly registers: readonly RegisterInfo[];
  readonly gRegisterCount: number;
  /** The BFD architecture name for the target description (riscv:rv32). */
  readonly architecture: string;

  /** A debugger connected (Rewind pins a snapshot here) / left (its break- and watchpoints go). */
  attach(): void;
  detach(): void;

  /** Where the target is (the instruction count): the stub notices when a monitor command moves it. */
  position(): number;

  readRegister(regnum: number): number;
  /** Throws GdbError when the register cannot be written (e.g. in the past). */
  writeRegister(regnum: number, value: number): void;
  /** Reads up to `len` bytes: a shorter result means the rest is not readable; throws if nothing is. */
  readMemory(addr: number, len: number): Uint8Array;
  writeMemory(addr: number, data: Uint8Array): void;

  insertBreakpoint(type: BreakpointType, addr: number, kind: number): void;
  removeBreakpoint(type: BreakpointType, addr: number, kind: number): void;
  insertWatchpoint(type: WatchpointType, addr: number, len: number): void;
  removeWatchpoint(type: WatchpointType, addr: number, len: number): void;

  resume(kind: ResumeKind): GdbJob;
  /** The stop to report after gdb interrupted a job (the job was abandoned). */
  interrupted(): GdbStop;

  // Monitor commands (QEMU's record/replay names).
  infoReplay(): string;
  replayBreak(icount: number): void;
  replayDeleteBreak(): void;
  replaySeek(icount: number): GdbJob;
}
