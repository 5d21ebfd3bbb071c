// The replay session as a GDB target: registers, memory, break/watchpoints and the time-travel
// operations of a Timeline, with the stop semantics of DESIGN.md section 3.
import type { Watchpoint, WatchKind } from '../core';
import { CSRS, REGISTERS } from '../isa';
import type { Operation, Stop, Timeline } from '../replay';
import {
  EFAULT, EINVAL, EPERM, GdbError, SIGABRT, SIGINT, SIGTRAP,
  type BreakpointType, type GdbJob, type GdbStop, type GdbTarget, type RegisterInfo, type ResumeKind, type WatchpointType,
} from './target';

/** gdb's default RISC-V numbering: x0-x31 = 0-31, pc = 32, f0-f31 = 33-64, CSR n = 65 + n. */
export const PC_REGNUM = 32;
export const CSR_REGNUM_BASE = 65;
/** gdb's virtual "priv" register (RISCV_PRIV_REGNUM = 65 + 4096). */
export const PRIV_REGNUM = CSR_REGNUM_BASE + 4096;
/** Timeline register numbers for CSRs (writeRegister). */
const TIMELINE_CSR_BASE = 0x1000;
/** The largest watched range one core watchpoint covers. */
const CORE_WATCH_MAX = 8;

export interface TimelineTargetOptions {
  /**
   * Whether UART input may still arrive for a guest idling at the recording frontier. While it
   * may, a continue waits (gdb can interrupt it); otherwise it stops and says why.
   */
  inputOpen?: () => boolean;
}

interface GdbWatch { type: WatchpointType; addr: number; len: number }

const WATCH_KIND: Record<WatchpointType, WatchKind> = { 2: 'write', 3: 'read', 4: 'access' };
const WATCH_REASON = { 2: 'watch', 3: 'rwatch', 4: 'awatch' } as const;

/** CSR numbers a debugger shows: machine-level and counter CSRs (not `seed`, whose reads are inputs). */
function isDebuggerCsr(n: number): boolean {
  return (n >= 0x300 && n <= 0x3ff) || (n >= 0xb00 && n <= 0xbff) || (n >= 0xc00 && n <= 0xcff) || (n >= 0xf00 && n <= 0xfff);
}

export class TimelineTarget implements GdbTarget {
  readonly architecture = 'riscv:rv32';
  readonly registers: readonly RegisterInfo[];
  readonly gRegisterCount = 33;
  private readonly csrNumbers = new Set<number>();
  private readonly swBreaks = new Map<number, number>();
  private readonly hwBreaks = new Map<number, number>();
  private watches: GdbWatch[] = [];
  /** The core watchpoint list handed to the timeline, and the gdb watchpoint each came from. */
  private coreWatches: Watchpoint[] = [];
  private coreWatchOwner = new Map<Watchpoint, GdbWatch>();
  private readonly inputOpen: () => boolean;

  constructor(readonly timeline: Timeline, options: TimelineTargetOptions = {}) {
    this.inputOpen = options.inputOpen ?? (() => false);
    const regs: RegisterInfo[] = REGISTERS.map((r) => ({
      name: r.abi, regnum: r.number, bitsize: 32,
      type: r.number === 1 ? 'code_ptr' : r.number >= 2 && r.number <= 4 ? 'data_ptr' : 'int',
      feature: 'cpu',
    }));
    regs.push({ name: 'pc', regnum: PC_REGNUM, bitsize: 32, type: 'code_ptr', feature: 'cpu' });
    const seen = new Set<number>();
    for (const c of CSRS) {
      if (!isDebuggerCsr(c.number) || c.spec === '1.11' || seen.has(c.number)) continue;
      try {
        timeline.machine.readCsr(c.number);
      } catch {
        continue; // not implemented by the core
      }
      seen.add(c.number);
      this.csrNumbers.add(c.number);
      regs.push({ name: c.name, regnum: CSR_REGNUM_BASE + c.number, bitsize: 32, feature: 'csr' });
    }
    regs.push({ name: 'priv', regnum: PRIV_REGNUM, bitsize: 32, feature: 'virtual' });
    this.registers = regs;
  }

  attach(): void {
    this.timeline.pinSnapshot();
  }

  detach(): void {
    this.swBreaks.clear();
    this.hwBreaks.clear();
    this.watches = [];
    this.syncBreakpoints();
    this.syncWatchpoints();
  }

  position(): number {
    return this.timeline.icount;
  }

  // ---------------------------------------------------------------- registers, memory

  readRegister(regnum: number): number {
    const m = this.timeline.machine;
    if (regnum >= 0 && regnum < 32) return m.x[regnum]! >>> 0;
    if (regnum === PC_REGNUM) return m.pc >>> 0;
    if (regnum === PRIV_REGNUM) return m.priv;
    const csr = regnum - CSR_REGNUM_BASE;
    if (this.csrNumbers.has(csr)) return m.readCsr(csr) >>> 0;
    throw new GdbError(EINVAL, `no register number ${regnum}`);
  }

  writeRegister(regnum: number, value: number): void {
    let timelineReg: number;
    if (regnum >= 0 && regnum <= PC_REGNUM) timelineReg = regnum;
    else if (this.csrNumbers.has(regnum - CSR_REGNUM_BASE)) timelineReg = TIMELINE_CSR_BASE + regnum - CSR_REGNUM_BASE;
    else if (regnum === PRIV_REGNUM) throw new GdbError(EPERM, 'the privilege level cannot be written');
    else throw new GdbError(EINVAL, `no register number ${regnum}`);
    if (regnum === 0) return; // x0 stays zero
    try {
      this.timeline.writeRegister(timelineReg, value >>> 0);
    } catch (err) {
      throw new GdbError(EPERM, err instanceof Error ? err.message : String(err));
    }
  }

  readMemory(addr: number, len: number): Uint8Array {
    const m = this.timeline.machine;
    try {
      return m.readMemory(addr, len);
    } catch {
      // Part of the range may be readable: return the readable prefix.
      let n = 0;
      while (n < len) {
        try { m.readMemory(addr + n, 1); } catch { break; }
        n++;
      }
      if (n === 0) throw new GdbError(EFAULT, `cannot read memory at 0x${addr.toString(16)}`);
      return m.readMemory(addr, n);
    }
  }

  writeMemory(addr: number, data: Uint8Array): void {
    try {
      this.timeline.writeMemory(addr, data);
    } catch (err) {
      throw new GdbError(err instanceof RangeError ? EFAULT : EPERM, err instanceof Error ? err.message : String(err));
    }
  }

  // ---------------------------------------------------------------- break- and watchpoints

  insertBreakpoint(type: BreakpointType, addr: number): void {
    const map = type === 0 ? this.swBreaks : this.hwBreaks;
    map.set(addr, (map.get(addr) ?? 0) + 1);
    this.syncBreakpoints();
  }

  removeBreakpoint(type: BreakpointType, addr: number): void {
    const map = type === 0 ? this.swBreaks : this.hwBreaks;
    const n = map.get(addr) ?? 0;
    if (n <= 1) map.delete(addr); else map.set(addr, n - 1);
    this.syncBreakpoints();
  }

  insertWatchpoint(type: WatchpointType, addr: number, len: number): void {
    if (len > 0x10000) throw new GdbError(EINVAL, `watchpoint of ${len} bytes is too large (64 KiB at most)`);
    this.watches.push({ type, addr, len });
    this.syncWatchpoints();
  }

  removeWatchpoint(type: WatchpointType, addr: number, len: number): void {
    const i = this.watches.findIndex((w) => w.type === type && w.addr === addr && w.len === len);
    if (i >= 0) this.watches.splice(i, 1);
    this.syncWatchpoints();
  }

  private syncBreakpoints(): void {
    const set = this.timeline.breakpoints;
    set.clear();
    for (const a of this.swBreaks.keys()) set.add(a);
    for (const a of this.hwBreaks.keys()) set.add(a);
  }

  private syncWatchpoints(): void {
    this.coreWatches = [];
    this.coreWatchOwner = new Map();
    for (const w of this.watches) {
      for (let off = 0; off < w.len; off += CORE_WATCH_MAX) {
        const cw: Watchpoint = { addr: (w.addr + off) >>> 0, len: Math.min(CORE_WATCH_MAX, w.len - off), kind: WATCH_KIND[w.type] };
        this.coreWatches.push(cw);
        this.coreWatchOwner.set(cw, w);
      }
    }
    this.timeline.watchpoints = this.coreWatches;
  }

  // ---------------------------------------------------------------- execution

  resume(kind: ResumeKind): GdbJob {
    return this.resumeJob(kind);
  }

  interrupted(): GdbStop {
    return { signal: SIGINT };
  }

  private *resumeJob(kind: ResumeKind): GdbJob {
    const tl = this.timeline;
    switch (kind) {
      case 'continue':
      case 'step': {
        const stop = yield* this.forward(kind === 'continue' ? () => tl.continueForward() : () => tl.step());
        return isStop(stop) ? this.toGdbStop(stop) : stop;
      }
      case 'resync':
        return yield* this.resyncJob();
      case 'reverse-step':
        return this.toGdbStop(yield* drive(tl.reverseStep()));
      case 'reverse-continue': {
        const stop = yield* drive(tl.reverseContinue());
        if (stop.cause.kind === 'watchpoint') {
          // The timeline stops before the latest access (pc at the accessing instruction).
          // gdb steps over a watchpoint stop itself (RISC-V watchpoints are non-steppable):
          // going backwards that step is a reverse step, so report the stop one instruction
          // later and gdb's own `bs` lands exactly before the access, with old and new value.
          const after = yield* drive(tl.seek(stop.icount + 1));
          if (after.cause.kind !== 'seek') return this.toGdbStop(after);
          return this.toGdbStop({ ...stop, icount: after.icount, pc: after.pc });
        }
        return this.toGdbStop(stop);
      }
    }
  }

  /**
   * A forward operation; when the guest sleeps at the frontier waiting for UART input (as it
   * would under QEMU), waits for input that may still come and runs it again.
   */
  private *forward(op: () => Operation): Generator<'working' | 'waiting', Stop | GdbStop, void> {
    const tl = this.timeline;
    for (;;) {
      const stop = yield* drive(op());
      if (stop.cause.kind !== 'idle') return stop;
      if (tl.pendingInputLength === 0 && !this.inputOpen()) {
        return { signal: SIGTRAP, message: `[the guest waits for UART input (WFI) at instruction count ${stop.icount} and no more input can come]` };
      }
      while (tl.pendingInputLength === 0 && this.inputOpen()) yield 'waiting';
    }
  }

  /**
   * The first instruction of a continue from s that gdb started with the registers of another
   * position: a stop at s+1 for whatever a continue from s would stop there for (breakpoint,
   * watched access by instruction s+1, replay break, exit, end of the log), else a `moved` stop
   * at s+1, after which gdb, now knowing the state, continues by itself.
   */
  private *resyncJob(): GdbJob {
    const tl = this.timeline;
    const s = tl.icount;
    if (this.coreWatches.length === 0) {
      const stop = yield* drive(tl.step());
      // Idle at the frontier: gdb learns the position and its next continue waits for input.
      if (stop.cause.kind === 'idle') return { signal: SIGTRAP, reason: { kind: 'moved' } };
      if (stop.cause.kind !== 'step') return this.toGdbStop(stop);
      if (tl.replayBreak === s + 1) return { signal: SIGTRAP };
      if (tl.breakpoints.has(tl.pc >>> 0)) return this.toGdbStop({ ...stop, cause: { kind: 'breakpoint', pc: tl.pc >>> 0 } });
      return { signal: SIGTRAP, reason: { kind: 'moved' } };
    }
    // Whether instruction s+1 accesses a watched location shows only by running it: a continue
    // from s bounded at s+2 (with the replay break, put back afterwards), then back to s+1. At
    // the frontier of a recording that records instruction s+1 one step early.
    const saved = tl.replayBreak;
    let stop: Stop;
    try {
      if (saved === null || saved <= s || saved > s + 2) tl.replayBreak = s + 2;
      stop = yield* drive(tl.continueForward());
    } finally {
      tl.replayBreak = saved;
    }
    if (stop.cause.kind === 'idle') return { signal: SIGTRAP, reason: { kind: 'moved' } };
    if (stop.icount <= s + 1) return this.toGdbStop(stop);
    if (stop.icount > s + 1) {
      const back = yield* drive(tl.seek(s + 1));
      if (back.cause.kind !== 'seek') return this.toGdbStop(back);
    }
    return { signal: SIGTRAP, reason: { kind: 'moved' } };
  }

  private toGdbStop(stop: Stop): GdbStop {
    const c = stop.cause;
    switch (c.kind) {
      case 'breakpoint':
        return { signal: SIGTRAP, reason: { kind: this.swBreaks.has(c.pc) || !this.hwBreaks.has(c.pc) ? 'swbreak' : 'hwbreak' } };
      case 'watchpoint': {
        const w = this.coreWatchOwner.get(c.watch);
        if (!w) return { signal: SIGTRAP };
        // The first watched byte the access touches (gdb matches it against its watchpoints).
        const addr = Math.min(Math.max(c.addr >>> 0, w.addr), w.addr + w.len - 1);
        return { signal: SIGTRAP, reason: { kind: WATCH_REASON[w.type], addr } };
      }
      case 'exit':
        return {
          signal: SIGTRAP, reason: { kind: 'replaylog', end: 'end' },
          message: `[the guest exited with code ${c.code} at instruction count ${stop.icount}]`,
        };
      case 'end-of-log': return { signal: SIGTRAP, reason: { kind: 'replaylog', end: 'end' } };
      case 'beginning-of-log': return { signal: SIGTRAP, reason: { kind: 'replaylog', end: 'begin' } };
      case 'cancelled': return { signal: SIGINT };
      case 'divergence': return { signal: SIGABRT, message: `[${c.message}]` };
      case 'idle': return { signal: SIGTRAP, message: '[the guest waits for UART input]' };
      case 'replay-break':
      case 'step':
      case 'seek':
        return { signal: SIGTRAP };
    }
  }

  // ---------------------------------------------------------------- monitor

  infoReplay(): string {
    return this.timeline.infoReplay().text;
  }

  replayBreak(icount: number): void {
    // QEMU's rule and words.
    if (icount < this.timeline.icount) throw new Error('cannot set breakpoint at the instruction in the past');
    this.timeline.setReplayBreak(icount);
  }

  replayDeleteBreak(): void {
    this.timeline.deleteReplayBreak();
  }

  replaySeek(icount: number): GdbJob {
    return this.seekJob(icount);
  }

  private *seekJob(icount: number): GdbJob {
    const stop = yield* drive(this.timeline.seek(icount));
    if (stop.cause.kind === 'seek') return { signal: SIGTRAP };
    return { ...this.toGdbStop(stop), message: `replay_seek stopped at instruction count ${stop.icount}: ${describe(stop)}` };
  }
}

function isStop(x: Stop | GdbStop): x is Stop {
  return 'cause' in x;
}

function describe(stop: Stop): string {
  const c = stop.cause;
  return c.kind === 'divergence' ? c.message : c.kind;
}

/** Runs a timeline operation slice by slice; abandoning the job abandons the operation. */
function* drive(op: Operation): Generator<'working', Stop, void> {
  let done = false;
  try {
    for (;;) {
      const r = op.next();
      if (r.done) {
        done = true;
        return r.value;
      }
      yield 'working';
    }
  } finally {
    if (!done) op.return(undefined as never);
  }
}
