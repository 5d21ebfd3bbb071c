// The RV32IMAC machine compatible with QEMU 7.2's riscv32 "virt" board (see docs/machine.md).
import { decodeInsn } from './decode';
import { compileBlock, blockSource, isBranchOp, isJumpOp, isStraightOp, mulhu, MAX_BLOCK, PC_OUT, type BlockFn } from './translate';
import { Plic, PLIC_SIZE } from './devices/plic';
import { Uart16550 } from './devices/uart';
import type { InputPort, MachineOptions, ProgramImage, StopReason, Watchpoint, LoadSegment } from './types';

export const RAM_BASE = 0x80000000;
export const ROM_BASE = 0x1000;
export const ROM_SIZE = 0xf000;
export const TEST_BASE = 0x100000;
export const RTC_BASE = 0x101000;
export const CLINT_BASE = 0x2000000;
export const PLIC_BASE = 0xc000000;
export const UART_BASE = 0x10000000;
export const UART_IRQ = 10;
export const RTC_IRQ = 11;
/** Size of the device tree blob QEMU 7.2 builds for virt (fdt_totalsize), used for its load address. */
const QEMU_FDT_SIZE = 0x107e;
const MARCHID = 0x70216;   // what QEMU 7.2 reports in marchid and mimpid
const MISA = 0x40101105;   // MXL=32 | A C I M U
const MSTATUS_MIE = 0x8, MSTATUS_MPIE = 0x80, MSTATUS_MPP = 0x1800, MSTATUS_MPRV = 0x20000, MSTATUS_TW = 0x200000;
const MSTATUS_WRITABLE = MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TW;
const MIP_MSIP = 0x8, MIP_MTIP = 0x80, MIP_MEIP = 0x800;
const MIE_WRITABLE = MIP_MSIP | MIP_MTIP | MIP_MEIP;
// Flags in word 0 of a decoded instruction. The sign bit sends it to the slow path, where
// BPB means "breakpoint here", TRK means "note this pc for the interval summary" and XLT
// (below) means "the translator is interested in this pc".
const SLOW = -2147483648;
const BPB = 0x20000000;
const TRK = 0x40000000;
const BP_FLAG = SLOW | BPB;
/** Slow-path flag: the translator counts executions here or a block starts here (blockMap). */
const XLT = 0x02000000;
const TWO32 = 4294967296;
const MAX_CHUNK = 0x40000000;
const STATE_MAGIC = 0x52574431;   // 'RWD1'
const STATE_VERSION = 2;   // 2: the timer deadline is state (QEMU's arming rule)

const DEFAULT_INPUT: InputPort = { rtcNanoseconds: () => 0, seedEntropy: () => 0 };

/** The Block entry of a dropped block (its map entry no longer points to it). */
const DEAD: Block = { fn: () => 0, len: 0, pcs: new Uint32Array(0), epoch: 0, bails: 0, start: 0, end: 0 };
/** Default number of interpreted executions of a pc before a block is translated from it. */
const HOT_DEFAULT = 32;
/** A translated block (see translate.ts): `len` instructions from slot `start` up to slot `end` of its page.
 *  Execution tracking: the block's pcs have been noted in interval `epoch`. */
interface Block { fn: BlockFn; len: number; pcs: Uint32Array; epoch: number; bails: number; start: number; end: number }

export class Machine {
  static readonly PAGE_SIZE = 4096 as const;
  readonly ramSize: number;
  readonly ram: Uint8Array;
  /** Set once a program was loaded: RAM may hold something other than zeros. */
  private ramUsed = false;
  private readonly ram8s: Int8Array;
  private readonly ram16: Uint16Array;
  private readonly ram16s: Int16Array;
  private readonly ram32: Int32Array;
  readonly dirtyPages: Uint8Array;
  readonly execPages: Uint8Array;
  /** Per page: writes to it must invalidate decoded instructions (its own or a page-crossing one before it). */
  private readonly codeFlag: Uint8Array;
  private readonly decPages: (Int32Array | undefined)[];
  private readonly decodedList: number[] = [];
  /** Per decoded page, per halfword slot: >= 0 an execution count towards translation (> hot: never),
   *  < 0 the block ~v of blocks[page] starts here. */
  private readonly blockMap: (Int32Array | undefined)[];
  private readonly blocks: (Block[] | undefined)[];
  private readonly deadBlocks: Uint16Array;
  private readonly noBlocks = new Int32Array(2048);
  private hot = HOT_DEFAULT;
  private trkEpoch = 0;
  private readonly invFn = (off: number, len: number): boolean => this.invalidateCode(off, len);
  /** Basic-block translation (on by default). Off: the interpreter runs everything. */
  translate = true;
  /** Whether decoded RAM instructions carry XLT (translate on and no watchpoints) since the last flush. */
  private xltOn = true;
  private xlatCount = 0;
  /** Diagnostics: instructions executed inside translated blocks since construction. */
  get translatedInstructions(): number { return this.xlatCount; }
  private tracking = false;
  private execList = new Uint32Array(1024);
  private execCount = 0;
  private readonly scratchDec = new Int32Array(4096);
  private flushOnRun = false;
  readonly rom = new Uint8Array(ROM_SIZE);

  /** x0..x31, a sink (index 32) that decoded instructions with rd = x0 write to, and PC_OUT (33). */
  private readonly regs = new Int32Array(34);
  readonly x: Int32Array = this.regs.subarray(0, 32);
  pc = ROM_BASE;
  icount = 0;
  priv: 0 | 3 = 3;

  // CSRs
  private mstatus = 0; private mie = 0; private mtvec = 0; private mscratch = 0; private mepc = 0;
  private mcause = 0; private mtval = 0; private mcounteren = 0; private mcountinhibit = 0;
  private menvcfg = 0; private mseccfg = 0;
  private readonly pmpcfg = new Uint8Array(16);
  private readonly pmpaddr = new Uint32Array(16);
  /** mcycle lo val, lo prev, hi val, hi prev, then the same for minstret (QEMU 7.2's PMU scheme). */
  private readonly ctr = new Float64Array(8);

  /** Virtual ns = icount + bias. */
  bias = 0;
  halted = false;
  exited = false;
  exitCode = 0;
  private resAddr = -1;
  private resVal = 0;

  // CLINT
  private msip = 0;
  private mtimecmpLo = 0;
  private mtimecmpHi = 0;
  private timeDelta = 0;
  /** Virtual ns from which MTIP is raised: set when mtimecmp or mtime is written (armTimer). */
  private timerNs = 0;

  // Goldfish RTC
  private rtcTickOffset = 0; private rtcTimeHigh = 0; private rtcAlarmLo = 0; private rtcAlarmHi = 0;
  private rtcIrqEnabled = 0; private rtcAlarmRunning = 0; private rtcIrqPending = 0;

  readonly plic = new Plic();
  readonly uart: Uart16550;
  onUartTx: ((byte: number) => void) | null = null;
  private readonly input: InputPort;
  private image: ProgramImage = { entry: RAM_BASE, segments: [] };

  // Debug state
  private bpSet = new Set<number>();
  private watches: Watchpoint[] = [];
  private runStart = 0;
  private stop: StopReason | null = null;
  private busErr = false;
  /** Counts SiFive-test resets so a store that caused one does not then set pc. */
  private resets = 0;

  constructor(options: MachineOptions = {}) {
    const ramSize = options.ramSize ?? 128 * 1024 * 1024;
    if (!Number.isInteger(ramSize) || ramSize <= 0 || ramSize % Machine.PAGE_SIZE !== 0 || ramSize > 0x80000000) {
      throw new RangeError(`ramSize must be a positive multiple of 4096 up to 2 GiB, got ${ramSize}`);
    }
    if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('little-endian host required');
    this.ramSize = ramSize;
    const buf = new ArrayBuffer(ramSize);
    this.ram = new Uint8Array(buf);
    this.ram8s = new Int8Array(buf);
    this.ram16 = new Uint16Array(buf);
    this.ram16s = new Int16Array(buf);
    this.ram32 = new Int32Array(buf);
    const pages = ramSize / Machine.PAGE_SIZE;
    this.dirtyPages = new Uint8Array(pages);
    this.execPages = new Uint8Array(pages);
    this.codeFlag = new Uint8Array(pages);
    this.decPages = new Array<Int32Array | undefined>(pages).fill(undefined);
    this.blockMap = new Array<Int32Array | undefined>(pages).fill(undefined);
    this.blocks = new Array<Block[] | undefined>(pages).fill(undefined);
    this.deadBlocks = new Uint16Array(pages);
    if (options.translate === false) this.translate = false;
    if (options.translateThreshold !== undefined) {
      const t = options.translateThreshold;
      if (!Number.isInteger(t) || t < 0 || t > 1_000_000) throw new RangeError(`translateThreshold must be an integer 0..1000000, got ${t}`);
      this.hot = t;
    }
    this.noBlocks.fill(this.hot + 1);
    this.input = options.input ?? DEFAULT_INPUT;
    this.uart = new Uart16550((level) => this.plic.setLevel(UART_IRQ, level), (b) => this.onUartTx?.(b));
    this.resetCpuAndDevices(0);
  }

  /** Where QEMU 7.2 puts the device tree (a1 at entry) for this RAM size with -bios none. */
  get fdtAddress(): number {
    const end = Math.min(RAM_BASE + this.ramSize, 0xc0000000);
    return Math.floor((end - QEMU_FDT_SIZE) / 0x200000) * 0x200000;
  }

  // ---------------------------------------------------------------- loading and reset

  load(image: ProgramImage): void {
    // Like QEMU's ROM loader, bytes of a segment that fall outside RAM are dropped (GNU ld often puts the
    // ELF headers in the first PT_LOAD, below 0x80000000). A segment with no byte in RAM is an error.
    const segments: LoadSegment[] = [];
    for (const s of image.segments) {
      const addr = s.addr >>> 0;
      const size = Math.max(s.memSize, s.data.length);
      const lo = Math.max(addr, RAM_BASE), hi = Math.min(addr + size, RAM_BASE + this.ramSize);
      if (size === 0) continue;
      if (lo >= hi) throw new RangeError(`segment at 0x${addr.toString(16)} (+0x${size.toString(16)}) is outside RAM`);
      const data = s.data.slice(Math.min(lo - addr, s.data.length), Math.min(hi - addr, s.data.length));
      segments.push({ addr: lo, data, memSize: hi - lo });
    }
    this.image = { entry: image.entry >>> 0, segments };
    // A fresh machine's RAM is already zero: not touching it keeps untouched pages unallocated.
    if (this.ramUsed) this.ram.fill(0);
    this.ramUsed = true;
    this.dirtyPages.fill(0);
    this.execPages.fill(0);
    this.flushDecodeCache();
    this.codeFlag.fill(0);
    this.copySegments();
    this.writeRom();
    this.icount = 0;
    this.bias = 0;
    this.exited = false;
    this.exitCode = 0;
    this.mtimecmpLo = 0; this.mtimecmpHi = 0;
    this.resetCpuAndDevices(0);
  }

  private copySegments(): void {
    for (const s of this.image.segments) {
      const off = s.addr - RAM_BASE;
      this.ram.set(s.data, off);
      this.ram.fill(0, off + s.data.length, off + s.memSize);
      this.markWritten(off, s.memSize);
    }
  }

  private writeRom(): void {
    const words = [0x00000297, 0x02828613, 0xf1402573, 0x0202a583, 0x0182a283, 0x00028067,
      this.image.entry, 0, this.fdtAddress, 0];
    this.rom.fill(0);
    const dv = new DataView(this.rom.buffer);
    words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  }

  /** Reset as QEMU's system reset does it at position `pos`. */
  private resetCpuAndDevices(pos: number): void {
    this.regs.fill(0);
    this.pc = ROM_BASE;
    this.priv = 3;
    this.mstatus = 0; this.mie = 0; this.mtvec = 0; this.mscratch = 0; this.mepc = 0; this.mcause = 0;
    this.mtval = 0; this.mcounteren = 0; this.mcountinhibit = 0; this.menvcfg = 0; this.mseccfg = 0;
    this.pmpcfg.fill(0); this.pmpaddr.fill(0); this.ctr.fill(0);
    this.halted = false;
    this.resAddr = -1; this.resVal = 0;
    // QEMU 7.2's riscv_aclint_mtimer_reset_enter writes mtime = 0 (re-arming the timer) and keeps mtimecmp.
    this.msip = 0;
    this.timeDelta = -Math.floor((pos + this.bias) / 100);
    this.armTimer(pos);
    this.rtcTickOffset = 0; this.rtcTimeHigh = 0; this.rtcAlarmLo = 0; this.rtcAlarmHi = 0;
    this.rtcIrqEnabled = 0; this.rtcAlarmRunning = 0; this.rtcIrqPending = 0;
    this.plic.reset();
    this.uart.reset();
  }

  /** SiFive test device 0x7777 at position `pos`: system reset as QEMU does it (image reloaded, other RAM kept,
   *  the clock runs on, mtime starts again from 0). */
  private systemReset(pos: number): void {
    this.resets++;
    this.copySegments();
    this.resetCpuAndDevices(pos);
  }

  // ---------------------------------------------------------------- RAM bookkeeping

  private markWritten(off: number, len: number): void {
    if (len <= 0) return;
    let code = false;
    for (let p = off >>> 12, last = (off + len - 1) >>> 12; p <= last; p++) {
      this.dirtyPages[p] = 1;
      if (this.codeFlag[p]) code = true;
    }
    if (code) this.invalidateCode(off, len);
  }

  /** Drop decoded instructions overlapping RAM bytes [off, off+len), and the translated blocks of
   *  every page where one was dropped. True if anything was dropped. */
  private invalidateCode(off: number, len: number): boolean {
    const end = off + len;
    let hit = false;
    for (let a = (off - 2) & ~1; a < end; a += 2) {
      if (a < 0) continue;
      const p = a >>> 12;
      const d = this.decPages[p];
      if (d !== undefined && d[a & 4094] !== 0) {
        d[a & 4094] = 0; d[(a & 4094) + 1] = 0;
        hit = true;
        this.dropBlocks(p, a & 4094);
      }
    }
    return hit;
  }

  /** Forget the blocks of page p that contain the instruction at slot s. A block's instructions
   *  are all decoded in its page, so zeroing any of them comes here. */
  private dropBlocks(p: number, s: number): void {
    const list = this.blocks[p]!;
    if (list.length === 0) return;
    const bmap = this.blockMap[p]!;
    for (let h = s >> 1, lo = Math.max(0, (s >> 1) - 2 * MAX_BLOCK); h >= lo; h--) {
      const v = bmap[h]!;
      if (v >= 0) continue;
      const b = list[~v]!;
      if (b.end > s) {   // b.start <= s since h <= s/2
        bmap[h] = 0;
        list[~v] = DEAD;
        if (++this.deadBlocks[p]! > 256) this.compactBlocks(p);
      }
    }
  }

  /** Drop the dead entries of a page's block list (ids are indices, so re-number the map). */
  private compactBlocks(p: number): void {
    const list = this.blocks[p]!, bmap = this.blockMap[p]!;
    const live: Block[] = [];
    for (let i = 0; i < list.length; i++) {
      const b = list[i]!;
      if (b === DEAD || bmap[b.start >> 1] !== ~i) continue;
      bmap[b.start >> 1] = ~live.length;
      live.push(b);
    }
    this.blocks[p] = live;
    this.deadBlocks[p] = 0;
  }

  private flushDecodeCache(): void {
    for (const p of this.decodedList) {
      this.decPages[p]?.fill(0);
      this.blockMap[p]?.fill(0);
      this.blocks[p] = [];
      this.deadBlocks[p] = 0;
    }
  }

  /** Call after writing `ram` directly (restoreState arranges this itself). */
  invalidateDecodeCache(): void {
    this.flushOnRun = true;
    this.ramUsed = true;
  }

  clearDirtyPages(): void { this.dirtyPages.fill(0); }
  clearExecPages(): void { this.execPages.fill(0); }

  private allocDec(page: number): Int32Array {
    const d = new Int32Array(4096);
    this.decPages[page] = d;
    this.blockMap[page] = new Int32Array(2048);
    this.blocks[page] = [];
    this.decodedList.push(page);
    this.codeFlag[page] = 1;
    return d;
  }

  /** Decode the instruction at RAM offset `off` into dec[s], dec[s+1]; returns word 0. */
  private decodeRam(dec: Int32Array, s: number, off: number): number {
    const lo = this.ram16[off >>> 1]!;
    let bits = lo;
    if ((lo & 3) === 3) {
      if ((off & 4095) === 4094) {
        if (off + 4 > this.ramSize) {
          dec[s] = 2 | (1 << 24);   // FETCH_FAULT on the second half
          dec[s + 1] = (RAM_BASE + off + 2) | 0;
          return this.markBp(dec, s, off);
        }
        const next = (off >>> 12) + 1;
        this.codeFlag[next] = 1;
        this.execPages[next] = 1;
      }
      bits = lo | (this.ram16[(off >>> 1) + 1]! << 16);
    }
    decodeInsn(bits, dec, s);
    return this.markBp(dec, s, off);
  }

  private markBp(dec: Int32Array, s: number, off: number): number {
    if (this.bpSet.size !== 0 && this.bpSet.has((RAM_BASE + off) >>> 0)) dec[s] = dec[s]! | BP_FLAG;
    if (this.tracking) dec[s] = dec[s]! | SLOW | TRK;
    if (this.xltOn) dec[s] = dec[s]! | SLOW | XLT;
    return dec[s]!;
  }

  /**
   * Execution tracking for the replay engine's interval summaries: when on, the first execution
   * of each RAM instruction after takeExecutedPcs() is noted. It rides on the decode cache's
   * slow-path flag, so the hot loop pays nothing per instruction.
   */
  get execTracking(): boolean { return this.tracking; }
  set execTracking(on: boolean) {
    if (on === this.tracking) return;
    this.tracking = on;
    this.execCount = 0;
    this.flushOnRun = true;
  }

  /** The distinct RAM pcs executed since the last call (sorted), and starts a new interval. */
  takeExecutedPcs(): Uint32Array {
    const out = this.execList.slice(0, this.execCount).sort();
    let n = 0;
    for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[i - 1]) out[n++] = out[i]!;
    this.resetExecutedPcs();
    return out.slice(0, n);
  }

  /** Starts a new interval without collecting the previous one. */
  resetExecutedPcs(): void {
    this.execCount = 0;
    this.trkEpoch++;
    if (!this.tracking) return;
    for (const p of this.decodedList) {
      const d = this.decPages[p];
      if (d === undefined) continue;
      for (let k = 0; k < 4096; k += 2) if (d[k] !== 0) d[k] = d[k]! | SLOW | TRK;
    }
  }

  private noteExec(pc: number): void {
    if (this.execCount === this.execList.length) {
      const bigger = new Uint32Array(this.execList.length * 2);
      bigger.set(this.execList);
      this.execList = bigger;
    }
    this.execList[this.execCount++] = pc;
  }

  /**
   * Decode the instruction at a pc outside RAM into scratch[s]. `pos` is the current position; `bpStop`:
   * a breakpoint at pc stops the run before this instruction, so nothing is fetched (a fetch can have side
   * effects). Returns true if the fetch touched a device other than the ROM (the caller ends its chunk).
   */
  private decodeOther(pc: number, s: number, pos: number, bpStop: boolean): boolean {
    const dec = this.scratchDec;
    const a = pc >>> 0;
    if (bpStop && this.bpSet.size !== 0 && this.bpSet.has(a)) { dec[s] = BP_FLAG; dec[s + 1] = 0; return false; }
    const lo = this.fetchParcel(a, pos);
    if (lo < 0) {
      dec[s] = 2 | (1 << 24); dec[s + 1] = a | 0;   // FETCH_FAULT
    } else if ((lo & 3) !== 3) {
      decodeInsn(lo, dec, s);
    } else {
      const hi = this.fetchParcel((a + 2) >>> 0, pos);
      if (hi < 0) { dec[s] = 2 | (1 << 24); dec[s + 1] = (a + 2) | 0; }
      else decodeInsn(lo | (hi << 16), dec, s);
    }
    if (this.bpSet.size !== 0 && this.bpSet.has(a)) dec[s] = dec[s]! | BP_FLAG;
    return a < ROM_BASE || a >= ROM_BASE + ROM_SIZE;
  }

  /**
   * One 16-bit instruction parcel outside RAM, or -1 for an access fault. QEMU 7.2 fetches from a device
   * with 2-byte reads through the bus, with the device's access rules and side effects (measured): the
   * SiFive test device reads 0 (an illegal instruction), the UART reads its byte registers (so code runs
   * from them), the RTC, CLINT and PLIC take only 4-byte accesses (instruction access fault).
   */
  private fetchParcel(a: number, pos: number): number {
    const off = a - RAM_BASE;
    if (off >= 0 && off + 2 <= this.ramSize) return this.ram16[off >>> 1]!;
    const v = this.deviceRead(a, 2, pos, true);
    if (this.busErr) { this.busErr = false; return -1; }
    return v;
  }

  // ---------------------------------------------------------------- time

  /**
   * QEMU 7.2's riscv_aclint_mtimer_write_timecmp, run on every write of mtimecmp or mtime (position `pos`):
   * MTIP is raised now if mtimecmp <= mtime, else at now + (mtimecmp - mtime)·100 ns. So the deadline keeps
   * the phase of the write within its 100 ns tick: up to 99 ns after mtime reaches mtimecmp. Deadlines past
   * 2^53 ns (QEMU caps at INT64_MAX) are never reached.
   */
  private armTimer(pos: number): void {
    const ns = pos + this.bias;
    const cmp = this.mtimecmpHi * TWO32 + this.mtimecmpLo;
    const now = this.mtimeAt(pos);
    this.timerNs = cmp <= now ? ns : ns + (cmp - now) * 100;
  }

  private mtimeAt(pos: number): number {
    return Math.floor((pos + this.bias) / 100) + this.timeDelta;
  }

  private mipAt(pos: number): number {
    return (this.msip ? MIP_MSIP : 0) | (pos + this.bias >= this.timerNs ? MIP_MTIP : 0) | (this.plic.meip ? MIP_MEIP : 0);
  }

  /** The next icount at which a device timer (mtimecmp, UART RX timeout) changes something. */
  private nextEventIcount(): number {
    const pos = this.icount;
    let e = Number.POSITIVE_INFINITY;
    const t = this.timerNs - this.bias;
    if (t > pos) e = t;
    const u = this.uart.timeoutNs - this.bias;
    if (u > pos && u < e) e = u;
    return e;
  }

  private fireDeviceTimers(): void {
    if (this.uart.timeoutNs <= this.icount + this.bias) this.uart.timeout();
  }

  /** Halted in WFI: wake if an interrupt is pending and enabled; otherwise let virtual time jump to the
   *  next timer deadline (QEMU's icount warp) until one is. False if nothing can wake the hart. */
  private wakeOrWarp(): boolean {
    for (;;) {
      if ((this.mipAt(this.icount) & this.mie) !== 0) { this.halted = false; return true; }
      const ns = this.icount + this.bias;
      let d = Number.POSITIVE_INFINITY;
      if (this.timerNs > ns) d = this.timerNs;
      if (this.uart.timeoutNs > ns && this.uart.timeoutNs < d) d = this.uart.timeoutNs;
      if (d > Number.MAX_SAFE_INTEGER) return false;
      this.bias += d - ns;
      this.fireDeviceTimers();
    }
  }

  // ---------------------------------------------------------------- traps

  private trapEnter(cause: number, tval: number, epc: number, interrupt: boolean): void {
    this.mepc = epc >>> 0;
    this.mcause = interrupt ? (0x80000000 | cause) >>> 0 : cause;
    this.mtval = tval >>> 0;
    const s = this.mstatus;
    this.mstatus = (s & ~(MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP)) | ((s & MSTATUS_MIE) << 4) | (this.priv << 11);
    this.priv = 3;
    const base = this.mtvec & ~3;
    this.pc = ((this.mtvec & 3) === 1 && interrupt ? base + 4 * cause : base) >>> 0;
  }

  /** Synchronous exception for the instruction at this.pc. */
  private exception(cause: number, tval: number): void {
    this.trapEnter(cause, tval, this.pc, false);
  }

  private takeInterrupt(): void {
    const pend = this.mipAt(this.icount) & this.mie;
    if (pend === 0) return;
    if (this.priv === 3 && (this.mstatus & MSTATUS_MIE) === 0) return;
    const cause = pend & MIP_MEIP ? 11 : pend & MIP_MSIP ? 3 : 7;
    this.trapEnter(cause, 0, this.pc, true);
  }

  private pmpRuleCount(): number {
    let n = 0;
    for (let i = 0; i < 16; i++) if ((this.pmpcfg[i]! & 0x18) !== 0) n++;
    return n;
  }

  private mret(): void {
    const mpp = (this.mstatus >> 11) & 3;
    // QEMU 7.2 refuses mret to a lower privilege while no PMP rule is set.
    if (this.priv !== 3 || (mpp !== 3 && this.pmpRuleCount() === 0)) { this.exception(2, 0x30200073); return; }
    let s = this.mstatus;
    s = (s & ~(MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP)) | ((s & MSTATUS_MPIE) >> 4) | MSTATUS_MPIE;
    if (mpp !== 3) s &= ~MSTATUS_MPRV;
    this.mstatus = s;
    this.priv = mpp === 3 ? 3 : 0;
    this.pc = (this.mepc & ~1) >>> 0;
  }

  private wfi(npc: number): void {
    // As on QEMU (which has S-mode), WFI in U-mode is an illegal instruction.
    if (this.priv === 0) { this.exception(2, 0x10500073); return; }
    this.pc = npc >>> 0;
    if ((this.mipAt(this.icount + 1) & this.mie) === 0) this.halted = true;
  }

  // ---------------------------------------------------------------- CSRs

  private counterRead(idx: number, high: boolean, pos: number): number {
    const base = (idx === 0 ? 0 : 4) + (high ? 2 : 0);
    const val = this.ctr[base]!, prev = this.ctr[base + 1]!;
    if (this.mcountinhibit & (1 << idx)) return val >>> 0;
    const ticks = pos + this.bias;
    const t = high ? Math.floor(ticks / TWO32) : ticks % TWO32;
    return (t - prev + val) % TWO32 >>> 0;
  }

  private counterWrite(idx: number, high: boolean, value: number, pos: number): void {
    const base = (idx === 0 ? 0 : 4) + (high ? 2 : 0);
    const ticks = pos + this.bias;
    this.ctr[base] = value >>> 0;
    this.ctr[base + 1] = high ? Math.floor(ticks / TWO32) % TWO32 : ticks % TWO32;
  }

  /** CSR value at position `pos`, or undefined if the CSR does not exist. `sideEffects` false: debugger peek. */
  private csrRead(csr: number, pos: number, sideEffects: boolean): number | undefined {
    switch (csr) {
      case 0x015: return sideEffects ? (0x80000000 | (this.input.seedEntropy() & 0xffff)) >>> 0 : 0x80000000;
      case 0x300: return this.mstatus >>> 0;
      case 0x301: return MISA;
      case 0x302: case 0x303: return 0;   // medeleg/mideleg: present on QEMU (it has S-mode), read-only zero here
      case 0x304: return this.mie;
      case 0x305: return this.mtvec >>> 0;
      case 0x306: return this.mcounteren >>> 0;
      case 0x30a: return this.menvcfg;
      case 0x31a: return 0;
      case 0x310: return 0;
      case 0x320: return this.mcountinhibit >>> 0;
      case 0x340: return this.mscratch >>> 0;
      case 0x341: return this.mepc >>> 0;
      case 0x342: return this.mcause >>> 0;
      case 0x343: return this.mtval >>> 0;
      case 0x344: return this.mipAt(this.icount);   // QEMU raises MTIP between instructions, not during one
      case 0x747: return this.mseccfg;
      case 0x757: return 0;
      case 0xf11: return 0;
      case 0xf12: case 0xf13: return MARCHID;
      case 0xf14: return 0;
      case 0xf15: return 0;
      case 0xb00: case 0xc00: return this.counterRead(0, false, pos);
      case 0xb80: case 0xc80: return this.counterRead(0, true, pos);
      case 0xb02: case 0xc02: return this.counterRead(2, false, pos);
      case 0xb82: case 0xc82: return this.counterRead(2, true, pos);
      case 0xc01: return this.mtimeAt(pos) % TWO32 >>> 0;
      case 0xc81: return Math.floor(this.mtimeAt(pos) / TWO32) % TWO32 >>> 0;
    }
    if (csr >= 0x3a0 && csr <= 0x3a3) {
      const i = (csr - 0x3a0) * 4;
      return (this.pmpcfg[i]! | (this.pmpcfg[i + 1]! << 8) | (this.pmpcfg[i + 2]! << 16) | (this.pmpcfg[i + 3]! << 24)) >>> 0;
    }
    if (csr >= 0x3b0 && csr <= 0x3bf) return this.pmpaddr[csr - 0x3b0]!;
    // hpmcounter3..31(h), mhpmcounter3..31(h), mhpmevent3..31: no events counted, read zero.
    if ((csr >= 0xc03 && csr <= 0xc1f) || (csr >= 0xc83 && csr <= 0xc9f) || (csr >= 0xb03 && csr <= 0xb1f)
      || (csr >= 0xb83 && csr <= 0xb9f) || (csr >= 0x323 && csr <= 0x33f)) return 0;
    return undefined;
  }

  /** Write a CSR that exists and is writable (checks done by the caller). */
  private csrWrite(csr: number, v: number, pos: number): void {
    v >>>= 0;
    switch (csr) {
      case 0x300: {
        let s = v & MSTATUS_WRITABLE;
        const mpp = (s >> 11) & 3;
        if (mpp === 1 || mpp === 2) s &= ~MSTATUS_MPP;   // WARL: only M and U exist
        this.mstatus = s;
        return;
      }
      case 0x304: this.mie = v & MIE_WRITABLE; return;
      case 0x305: if ((v & 3) < 2) this.mtvec = v; return;   // QEMU 7.2 ignores writes of a reserved mode
      case 0x306: this.mcounteren = v; return;
      case 0x30a: this.menvcfg = v & 1; return;
      case 0x320: this.mcountinhibit = v; return;
      case 0x340: this.mscratch = v; return;
      case 0x341: this.mepc = v; return;   // QEMU 7.2 keeps bit 0 as written; mret clears it
      case 0x342: this.mcause = v; return;
      case 0x343: this.mtval = v; return;
      case 0x747: this.mseccfg = v & 0x100; return;   // USEED only (no S-mode)
      case 0xb00: this.counterWrite(0, false, v, pos); return;
      case 0xb80: this.counterWrite(0, true, v, pos); return;
      case 0xb02: this.counterWrite(2, false, v, pos); return;
      case 0xb82: this.counterWrite(2, true, v, pos); return;
    }
    if (csr >= 0x3a0 && csr <= 0x3a3) {
      for (let k = 0; k < 4; k++) {
        const i = (csr - 0x3a0) * 4 + k;
        if ((this.pmpcfg[i]! & 0x80) === 0) this.pmpcfg[i] = (v >>> (8 * k)) & 0xff;
      }
      return;
    }
    if (csr >= 0x3b0 && csr <= 0x3bf) {
      const i = csr - 0x3b0;
      const locked = (this.pmpcfg[i]! & 0x80) !== 0
        || (i < 15 && (this.pmpcfg[i + 1]! & 0x98) === 0x88);   // next entry is a locked TOR
      if (!locked) this.pmpaddr[i] = v;
      return;
    }
    // everything else that exists is read-only zero or ignores writes (misa, medeleg, mhpm*, ...)
  }

  /** Execute a CSR instruction at this.pc (op 53..58). */
  private execCsr(op: number, rd: number, rs1: number, csr: number, npc: number): void {
    const imm = op >= 56;
    const src = imm ? rs1 : this.regs[rs1]!;
    const kind = imm ? op - 55 : op - 52;   // 1 W, 2 S, 3 C
    const write = kind === 1 || rs1 !== 0;
    const raw = ((csr << 20) | (rs1 << 15) | ((imm ? kind + 4 : kind) << 12) | ((rd === 32 ? 0 : rd) << 7) | 0x73) >>> 0;
    const pos = this.icount + 1;
    // No closure here: this runs for every CSR instruction.
    let ok = ((csr >> 8) & 3) <= this.priv && !(write && (csr >>> 10) === 3);
    if (ok && csr === 0x015) ok = write && !(this.priv === 0 && (this.mseccfg & 0x100) === 0);
    if (ok && this.priv === 0 && ((csr >= 0xc00 && csr <= 0xc1f) || (csr >= 0xc80 && csr <= 0xc9f))) {
      ok = (this.mcounteren & (1 << (csr & 31))) !== 0;
    }
    const old = ok ? this.csrRead(csr, pos, true) : undefined;
    if (old === undefined) { this.exception(2, raw); return; }
    if (write) {
      const nv = kind === 1 ? src : kind === 2 ? old | src : old & ~src;
      this.csrWrite(csr, nv, pos);
    }
    this.regs[rd] = old | 0;
    this.pc = npc >>> 0;
  }

  // ---------------------------------------------------------------- bus (slow paths)

  /** Read `size` bytes at `a` (uint32) with device side effects; sets busErr on an access fault. */
  private busRead(a: number, size: number, pos: number): number {
    const off = a - RAM_BASE;
    if (off >= 0 && off + size <= this.ramSize) {
      const r = this.ram;
      if (size === 1) return r[off]!;
      if (size === 2) return r[off]! | (r[off + 1]! << 8);
      return (r[off]! | (r[off + 1]! << 8) | (r[off + 2]! << 16) | (r[off + 3]! << 24)) >>> 0;
    }
    if ((a & (size - 1)) !== 0) {
      // QEMU: an unaligned device access is two aligned accesses of the same size, combined.
      const a1 = (a & ~(size - 1)) >>> 0;
      const r1 = this.deviceRead(a1, size, pos, true);
      if (this.busErr) return 0;
      const r2 = this.deviceRead((a1 + size) >>> 0, size, pos, true);
      if (this.busErr) return 0;
      const sh = (a - a1) * 8;
      const v = Math.floor(r1 / 2 ** sh) + (r2 * 2 ** (size * 8 - sh)) % 2 ** (size * 8);
      return v % 2 ** (size * 8);
    }
    return this.deviceRead(a, size, pos, true);
  }

  private busWrite(a: number, size: number, v: number, pos: number): void {
    const off = a - RAM_BASE;
    if (off >= 0 && off + size <= this.ramSize) {
      const r = this.ram;
      r[off] = v;
      if (size > 1) r[off + 1] = v >>> 8;
      if (size > 2) { r[off + 2] = v >>> 16; r[off + 3] = v >>> 24; }
      this.markWritten(off, size);
      return;
    }
    if ((a & (size - 1)) !== 0) {
      // QEMU: an unaligned device store is done byte by byte.
      for (let i = 0; i < size; i++) {
        this.busWrite((a + i) >>> 0, 1, (v >>> (8 * i)) & 0xff, pos);
        if (this.busErr || this.exited) return;
      }
      return;
    }
    this.deviceWrite(a, size, v, pos);
  }

  /** Aligned device read. `sideEffects` false for the debugger. */
  private deviceRead(a: number, size: number, pos: number, sideEffects: boolean): number {
    if (a >= ROM_BASE && a < ROM_BASE + ROM_SIZE) {
      const o = a - ROM_BASE;
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = v * 256 + (this.rom[o + i] ?? 0);
      return v;
    }
    if (a >= TEST_BASE && a < TEST_BASE + 0x1000) {
      if (size < 2) { this.busErr = true; return 0; }
      return 0;
    }
    if (a >= RTC_BASE && a < RTC_BASE + 0x1000) {
      if (size !== 4) { this.busErr = true; return 0; }
      return this.rtcRead(a - RTC_BASE, sideEffects);
    }
    if (a >= CLINT_BASE && a < CLINT_BASE + 0x4000) {
      if (size !== 4) { this.busErr = true; return 0; }
      return a === CLINT_BASE ? this.msip : 0;
    }
    if (a >= CLINT_BASE + 0x4000 && a < CLINT_BASE + 0xc000) {
      if (size < 4) { this.busErr = true; return 0; }
      const o = a - CLINT_BASE - 0x4000;
      if (o === 0) return this.mtimecmpLo;
      if (o === 4) return this.mtimecmpHi;
      if (o === 0x7ff8) return this.mtimeAt(pos) % TWO32 >>> 0;
      if (o === 0x7ffc) return Math.floor(this.mtimeAt(pos) / TWO32) % TWO32 >>> 0;
      return 0;
    }
    if (a >= PLIC_BASE && a < PLIC_BASE + PLIC_SIZE) {
      if (size !== 4) { this.busErr = true; return 0; }
      return this.plic.read(a - PLIC_BASE, sideEffects);
    }
    if (a >= UART_BASE && a < UART_BASE + 8) {
      return sideEffects ? this.uart.read(a - UART_BASE, pos + this.bias) : this.uart.peek(a - UART_BASE);
    }
    this.busErr = true;
    return 0;
  }

  private deviceWrite(a: number, size: number, v: number, pos: number): void {
    v >>>= 0;
    if (a >= ROM_BASE && a < ROM_BASE + ROM_SIZE) return;   // ROM: writes are ignored
    if (a >= TEST_BASE && a < TEST_BASE + 0x1000) {
      if (size < 2) { this.busErr = true; return; }
      if (a !== TEST_BASE) return;
      const status = v & 0xffff, code = (v >>> 16) & 0xffff;
      if (status === 0x3333) { this.exited = true; this.exitCode = code; }
      else if (status === 0x5555) { this.exited = true; this.exitCode = 0; }
      else if (status === 0x7777) this.systemReset(pos);
      return;
    }
    if (a >= RTC_BASE && a < RTC_BASE + 0x1000) {
      if (size !== 4) { this.busErr = true; return; }
      this.rtcWrite(a - RTC_BASE, v);
      return;
    }
    if (a >= CLINT_BASE && a < CLINT_BASE + 0x4000) {
      if (size !== 4) { this.busErr = true; return; }
      if (a === CLINT_BASE) this.msip = v & 1;
      return;
    }
    if (a >= CLINT_BASE + 0x4000 && a < CLINT_BASE + 0xc000) {
      if (size < 4) { this.busErr = true; return; }
      const o = a - CLINT_BASE - 0x4000;
      if (o === 0) { this.mtimecmpLo = v; this.armTimer(pos); }
      else if (o === 4) { this.mtimecmpHi = v; this.armTimer(pos); }
      else if (o === 0x7ff8 || o === 0x7ffc) {
        // QEMU: the written half replaces that half of the raw (undelayed) clock.
        const raw = Math.floor((pos + this.bias) / 100);
        const rawLo = raw % TWO32, rawHi = Math.floor(raw / TWO32);
        const nv = o === 0x7ff8 ? rawHi * TWO32 + v : v * TWO32 + rawLo;
        this.timeDelta = nv - raw;
        this.armTimer(pos);
      }
      return;
    }
    if (a >= PLIC_BASE && a < PLIC_BASE + PLIC_SIZE) {
      if (size !== 4) { this.busErr = true; return; }
      this.plic.write(a - PLIC_BASE, v);
      return;
    }
    if (a >= UART_BASE && a < UART_BASE + 8) {
      this.uart.write(a - UART_BASE, v, pos + this.bias);
      return;
    }
    this.busErr = true;
  }

  private rtcNow(): number {
    return this.rtcTickOffset + this.input.rtcNanoseconds();
  }

  private rtcRead(o: number, sideEffects: boolean): number {
    switch (o) {
      case 0x00: {
        if (!sideEffects) return 0;
        const r = this.rtcNow();
        this.rtcTimeHigh = Math.floor(r / TWO32) % TWO32 >>> 0;
        return ((r % TWO32) + TWO32) % TWO32 >>> 0;
      }
      case 0x04: return this.rtcTimeHigh;
      case 0x08: return this.rtcAlarmLo;
      case 0x0c: return this.rtcAlarmHi;
      case 0x10: return this.rtcIrqEnabled;
      case 0x18: return this.rtcAlarmRunning;
      default: return 0;
    }
  }

  private rtcWrite(o: number, v: number): void {
    switch (o) {
      case 0x00: case 0x04: {
        const cur = this.rtcNow();
        const lo = ((cur % TWO32) + TWO32) % TWO32, hi = Math.floor(cur / TWO32);
        const nt = o === 0 ? hi * TWO32 + v : v * TWO32 + lo;
        this.rtcTickOffset += nt - cur;
        return;
      }
      case 0x08: {
        this.rtcAlarmLo = v;
        const next = this.rtcAlarmHi * TWO32 + v;
        // An alarm already due fires at once; later alarms would need the host clock to advance
        // during the run and are not delivered (docs/machine.md).
        if (next <= this.rtcNow()) { this.rtcAlarmRunning = 0; this.rtcIrqPending = 1; }
        else this.rtcAlarmRunning = 1;
        this.rtcUpdate();
        return;
      }
      case 0x0c: this.rtcAlarmHi = v; return;
      case 0x10: this.rtcIrqEnabled = v & 1; this.rtcUpdate(); return;
      case 0x14: this.rtcAlarmRunning = 0; return;
      case 0x1c: this.rtcIrqPending = 0; this.rtcUpdate(); return;
      default: return;
    }
  }

  private rtcUpdate(): void {
    this.plic.setLevel(RTC_IRQ, this.rtcIrqPending !== 0 && this.rtcIrqEnabled !== 0);
  }

  // ---------------------------------------------------------------- slow-path instructions

  private slowLoad(rd: number, a: number, size: number, signed: boolean, npc: number): void {
    const v = this.busRead(a >>> 0, size, this.icount + 1);
    if (this.busErr) { this.busErr = false; this.exception(5, a); return; }
    const sh = 32 - size * 8;
    this.regs[rd] = signed ? (v << sh) >> sh : v | 0;
    this.pc = npc >>> 0;
  }

  private slowStore(a: number, size: number, v: number, npc: number): void {
    const resets = this.resets;
    this.busWrite(a >>> 0, size, size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff), this.icount + 1);
    if (this.busErr) { this.busErr = false; this.exception(7, a); return; }
    if (this.resets !== resets) return;
    this.pc = npc >>> 0;
  }

  /** LR/SC/AMO (op 59..69) at this.pc. Fault causes follow QEMU 7.2 (see docs/machine.md). */
  private execAtomic(op: number, rd: number, a: number, src: number, npc: number): void {
    const pos = this.icount + 1;
    const au = a >>> 0;
    if (op === 60) {   // SC.W: fails without accessing memory unless the reservation matches
      if (this.resAddr !== au) {
        this.regs[rd] = 1;
      } else {
        const cur = this.busRead(au, 4, pos);
        if (this.busErr) { this.busErr = false; this.resAddr = -1; this.exception(5, a); return; }
        if ((cur | 0) === this.resVal) {
          const resets = this.resets;
          this.busWrite(au, 4, src >>> 0, pos);
          if (this.busErr) { this.busErr = false; this.resAddr = -1; this.exception(7, a); return; }
          if (this.resets !== resets) return;
          this.regs[rd] = 0;
        } else {
          this.regs[rd] = 1;
        }
      }
      this.resAddr = -1;
      this.pc = npc >>> 0;
      return;
    }
    if ((au & 3) !== 0) { this.exception(4, a); return; }
    const old = this.busRead(au, 4, pos) | 0;
    if (this.busErr) { this.busErr = false; this.exception(5, a); return; }
    if (op === 59) {
      this.resAddr = au;
      this.resVal = old;
      this.regs[rd] = old;
      this.pc = npc >>> 0;
      return;
    }
    let nv: number;
    switch (op) {
      case 61: nv = src; break;
      case 62: nv = (old + src) | 0; break;
      case 63: nv = old ^ src; break;
      case 64: nv = old & src; break;
      case 65: nv = old | src; break;
      case 66: nv = old < src ? old : src; break;
      case 67: nv = old > src ? old : src; break;
      case 68: nv = (old >>> 0) < (src >>> 0) ? old : src; break;
      default: nv = (old >>> 0) > (src >>> 0) ? old : src; break;
    }
    const resets = this.resets;
    this.busWrite(au, 4, nv >>> 0, pos);
    if (this.busErr) { this.busErr = false; this.exception(7, a); return; }
    if (this.resets !== resets) return;
    this.regs[rd] = old;
    this.pc = npc >>> 0;
  }

  /** Does the access [a, a+size) of kind 1 read / 2 write / 3 both hit a watchpoint? Sets this.stop. */
  private watchHit(a: number, size: number, kind: number, pos: number): boolean {
    if (pos === this.runStart) return false;
    const lo = a >>> 0, hi = lo + size;
    const ws = this.watches;
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      const wlo = w.addr >>> 0, whi = wlo + w.len;
      // overlap, also across the 2^32 wrap of the access
      const overlaps = (lo < whi && wlo < hi) || (hi > TWO32 && wlo < hi - TWO32);
      if (!overlaps) continue;
      const wantsWrite = w.kind !== 'read', wantsRead = w.kind !== 'write';
      if ((kind & 2) && wantsWrite) {
        this.stop = { kind: 'watchpoint', addr: lo, size, access: 'write', index: i };
        return true;
      }
      if ((kind & 1) && wantsRead) {
        this.stop = { kind: 'watchpoint', addr: lo, size, access: 'read', index: i };
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- run

  setBreakpoints(addrs: Iterable<number>): void {
    const next = new Set<number>();
    for (const a of addrs) next.add(a >>> 0);
    let same = next.size === this.bpSet.size;
    if (same) for (const a of next) if (!this.bpSet.has(a)) { same = false; break; }
    if (same) return;
    this.bpSet = next;
    this.flushDecodeCache();
  }

  setWatchpoints(list: readonly Watchpoint[]): void {
    for (const w of list) {
      if (!Number.isInteger(w.len) || w.len < 1 || w.len > 8) throw new RangeError(`watchpoint length must be 1..8, got ${w.len}`);
    }
    this.watches = list.map((w) => ({ addr: w.addr >>> 0, len: w.len, kind: w.kind }));
  }

  run(targetIcount: number, skipHitsAtStart = true): StopReason {
    // Blocks never run while watchpoints are set (the interpreter checks every access); the XLT
    // marks follow that, so switching either way starts from a fresh decode cache.
    const xlt = this.translate && this.watches.length === 0;
    if (xlt !== this.xltOn) { this.xltOn = xlt; this.flushOnRun = true; }
    if (this.flushOnRun) { this.flushOnRun = false; this.flushDecodeCache(); }
    this.runStart = skipHitsAtStart ? this.icount : -1;
    this.stop = null;
    for (;;) {
      if (this.exited) return { kind: 'exit', code: this.exitCode };
      this.fireDeviceTimers();
      if (this.halted && !this.wakeOrWarp()) return { kind: 'idle' };
      this.takeInterrupt();
      if (this.icount >= targetIcount) return { kind: 'limit' };
      this.execute(Math.min(targetIcount, this.nextEventIcount(), this.icount + MAX_CHUNK));
      if (this.stop !== null) {
        const s: StopReason = this.stop;
        this.stop = null;
        return s;
      }
    }
  }

  /** The hot loop: run from this.icount up to chunkEnd instructions, leaving early (with the count
   *  exact) after anything that may change interrupts or devices, or on a breakpoint/watchpoint. */
  private execute(chunkEnd: number): void {
    const regs = this.regs, ram8s = this.ram8s, ram = this.ram, ram16 = this.ram16, ram16s = this.ram16s;
    const ram32 = this.ram32, dirty = this.dirtyPages, execPages = this.execPages, codeFlag = this.codeFlag;
    const decPages = this.decPages;
    const ramSize = this.ramSize;
    const startPos = this.runStart;
    const wOn = this.watches.length !== 0;
    const tOn = this.xltOn;
    const hot = this.hot;
    const tracking = this.tracking;
    let n = (chunkEnd - this.icount) | 0;
    let pc = this.pc | 0;
    let curPage = -1;
    let dec: Int32Array = this.scratchDec;
    let bmap: Int32Array = this.noBlocks;
    inner: while (n > 0) {
      n--;
      const off = pc ^ -2147483648;
      if ((off >>> 12) !== curPage) {
        if ((off >>> 0) < ramSize) {
          curPage = off >>> 12;
          dec = decPages[curPage] ?? this.allocDec(curPage);
          bmap = this.blockMap[curPage]!;
          execPages[curPage] = 1;
        } else {
          curPage = -1;
          dec = this.scratchDec;
          bmap = this.noBlocks;
          const p = chunkEnd - n - 1;
          // A fetch from a device may change interrupt state: end the chunk after this instruction.
          if (this.decodeOther(pc, off & 4094, p, p !== startPos)) { chunkEnd -= n; n = 0; }
        }
      }
      const s = off & 4094;
      let d0 = dec[s]!;
      if (d0 <= 0) {
        if (d0 === 0) d0 = this.decodeRam(dec, s, off);
        if ((d0 & TRK) !== 0) {
          d0 &= ~TRK;
          if ((d0 & (BPB | XLT)) === 0) d0 &= 0x7fffffff;
          dec[s] = d0;
          this.noteExec(pc >>> 0);
        }
        if ((d0 & BPB) !== 0) {
          if (chunkEnd - n - 1 !== startPos) {
            n++;
            this.stop = { kind: 'breakpoint', pc: pc >>> 0 };
            chunkEnd -= n; n = 0;
            break;
          }
          d0 &= 0x7fffffff;
        }
        if ((d0 & XLT) !== 0 && tOn) {
          const v = bmap[s >> 1]!;
          if (v < 0) {
            const b = this.blocks[curPage]![~v]!;
            const avail = n + 1;
            if (b.len <= avail) {
              // Execution tracking notes a block's pcs on its first entry in each interval: all of
              // them, a superset when a pass skips or leaves early, which interval summaries allow.
              if (tracking && b.epoch !== this.trkEpoch) { b.epoch = this.trkEpoch; this.noteBlock(b); }
              const k = b.fn(regs, ram, ram8s, ram16, ram16s, ram32, dirty, codeFlag, this.invFn, mulhu, avail);
              if (k !== 0) {
                this.xlatCount += k;
                n = avail - k;
                pc = regs[PC_OUT]!;
                continue;
              }
              // It stopped before its first instruction (a slow-path access): interpret that one.
              if (++b.bails > 16) bmap[s >> 1] = hot + 1;
            }
          } else if (v < hot) {
            bmap[s >> 1] = v + 1;
          } else {
            if (v === hot) this.translateAt(curPage, s);
            if (bmap[s >> 1]! >= 0) {   // no block starts here: stop counting
              let w = dec[s]! & ~XLT;
              if ((w & (BPB | TRK)) === 0) w &= 0x7fffffff;
              dec[s] = w;
            }
          }
        }
      }
      const imm = dec[s + 1]!;
      const npc = (pc + 2 + ((d0 >> 23) & 2)) | 0;
      switch (d0 & 255) {
        case 3: regs[(d0 >> 8) & 63] = imm; pc = npc; break;                       // LUI
        case 4: regs[(d0 >> 8) & 63] = (pc + imm) | 0; pc = npc; break;            // AUIPC
        case 5: regs[(d0 >> 8) & 63] = npc; pc = (pc + imm) | 0; break;            // JAL
        case 6: { const t = (regs[(d0 >> 14) & 31]! + imm) & -2; regs[(d0 >> 8) & 63] = npc; pc = t; break; }   // JALR
        case 7: pc = regs[(d0 >> 14) & 31] === regs[(d0 >> 19) & 31] ? (pc + imm) | 0 : npc; break;            // BEQ
        case 8: pc = regs[(d0 >> 14) & 31] !== regs[(d0 >> 19) & 31] ? (pc + imm) | 0 : npc; break;            // BNE
        case 9: pc = regs[(d0 >> 14) & 31]! < regs[(d0 >> 19) & 31]! ? (pc + imm) | 0 : npc; break;            // BLT
        case 10: pc = regs[(d0 >> 14) & 31]! >= regs[(d0 >> 19) & 31]! ? (pc + imm) | 0 : npc; break;          // BGE
        case 11: pc = (regs[(d0 >> 14) & 31]! >>> 0) < (regs[(d0 >> 19) & 31]! >>> 0) ? (pc + imm) | 0 : npc; break;   // BLTU
        case 12: pc = (regs[(d0 >> 14) & 31]! >>> 0) >= (regs[(d0 >> 19) & 31]! >>> 0) ? (pc + imm) | 0 : npc; break;  // BGEU
        case 13: case 16: {                                            // LB, LBU
          const a = (regs[(d0 >> 14) & 31]! + imm) | 0;
          if (wOn && this.watchHit(a, 1, 1, chunkEnd - n - 1)) { n++; chunkEnd -= n; n = 0; break inner; }
          const o = a ^ -2147483648;
          if ((o >>> 0) < ramSize) { regs[(d0 >> 8) & 63] = (d0 & 255) === 13 ? ram8s[o]! : ram[o]!; pc = npc; break; }
          this.pc = pc >>> 0; this.icount = chunkEnd - n - 1;
          this.slowLoad((d0 >> 8) & 63, a, 1, (d0 & 255) === 13, npc);
          pc = this.pc | 0; chunkEnd -= n; n = 0; break;
        }
        case 14: case 17: {                                            // LH, LHU
          const a = (regs[(d0 >> 14) & 31]! + imm) | 0;
          if (wOn && this.watchHit(a, 2, 1, chunkEnd - n - 1)) { n++; chunkEnd -= n; n = 0; break inner; }
          const o = a ^ -2147483648;
          if ((o & 1) === 0 && (o >>> 0) < ramSize) { regs[(d0 >> 8) & 63] = (d0 & 255) === 14 ? ram16s[o >> 1]! : ram16[o >> 1]!; pc = npc; break; }
          this.pc = pc >>> 0; this.icount = chunkEnd - n - 1;
          this.slowLoad((d0 >> 8) & 63, a, 2, (d0 & 255) === 14, npc);
          pc = this.pc | 0; chunkEnd -= n; n = 0; break;
        }
        case 15: {                                                     // LW
          const a = (regs[(d0 >> 14) & 31]! + imm) | 0;
          if (wOn && this.watchHit(a, 4, 1, chunkEnd - n - 1)) { n++; chunkEnd -= n; n = 0; break inner; }
          const o = a ^ -2147483648;
          if ((o & 3) === 0 && (o >>> 0) < ramSize) { regs[(d0 >> 8) & 63] = ram32[o >> 2]!; pc = npc; break; }
          this.pc = pc >>> 0; this.icount = chunkEnd - n - 1;
          this.slowLoad((d0 >> 8) & 63, a, 4, true, npc);
          pc = this.pc | 0; chunkEnd -= n; n = 0; break;
        }
        case 18: {                                                     // SB
          const a = (regs[(d0 >> 14) & 31]! + imm) | 0;
          if (wOn && this.watchHit(a, 1, 2, chunkEnd - n - 1)) { n++; chunkEnd -= n; n = 0; break inner; }
          const o = a ^ -2147483648;
          if ((o >>> 0) < ramSize) {
            ram[o] = regs[(d0 >> 19) & 31]!;
            const p = o >>> 12; dirty[p] = 1;
            if (codeFlag[p] !== 0) this.invalidateCode(o, 1);
            pc = npc; break;
          }
          this.pc = pc >>> 0; this.icount = chunkEnd - n - 1;
          this.slowStore(a, 1, regs[(d0 >> 19) & 31]!, npc);
          pc = this.pc | 0; chunkEnd -= n; n = 0; break;
        }
        case 19: {                                                     // SH
          const a = (regs[(d0 >> 14) & 31]! + imm) | 0;
          if (wOn && this.watchHit(a, 2, 2, chunkEnd - n - 1)) { n++; chunkEnd -= n; n = 0; break inner; }
          const o = a ^ -2147483648;
          if ((o & 1) === 0 && (o >>> 0) < ramSize) {
            ram16[o >> 1] = regs[(d0 >> 19) & 31]!;
            const p = o >>> 12; dirty[p] = 1;
            if (codeFlag[p] !== 0) this.invalidateCode(o, 2);
            pc = npc; break;
          }
          this.pc = pc >>> 0; this.icount = chunkEnd - n - 1;
          this.slowStore(a, 2, regs[(d0 >> 19) & 31]!, npc);
          pc = this.pc | 0; chunkEnd -= n; n = 0; break;
        }
        case 20: {                                                     // SW
          const a = (regs[(d0 >> 14) & 31]! + imm) | 0;
          if (wOn && this.watchHit(a, 4, 2, chunkEnd - n - 1)) { n++; chunkEnd -= n; n = 0; break inner; }
          const o = a ^ -2147483648;
          if ((o & 3) === 0 && (o >>> 0) < ramSize) {
            ram32[o >> 2] = regs[(d0 >> 19) & 31]!;
            const p = o >>> 12; dirty[p] = 1;
            if (codeFlag[p] !== 0) this.invalidateCode(o, 4);
            pc = npc; break;
          }
          this.pc = pc >>> 0; this.icount = chunkEnd - n - 1;
          this.slowStore(a, 4, regs[(d0 >> 19) & 31]!, npc);
          pc = this.pc | 0; chunkEnd -= n; n = 0; break;
        }
        case 21: regs[(d0 >> 8) & 63] = (regs[(d0 >> 14) & 31]! + imm) | 0; pc = npc; break;                  // ADDI
        case 22: regs[(d0 >> 8) & 63] = regs[(d0 >> 14) & 31]! < imm ? 1 : 0; pc = npc; break;                // SLTI
        case 23: regs[(d0 >> 8) & 63] = (regs[(d0 >> 14) & 31]! >>> 0) < (imm >>> 0) ? 1 : 0; pc = npc; break;   // SLTIU
        case 24: regs[(d0 >> 8) & 63] = regs[(d0 >> 14) & 31]! ^ imm; pc = npc; break;                        // XORI
        case 25: regs[(d0 >> 8) & 63] = regs[(d0 >> 14) & 31]! | imm; pc = npc; break;                        // ORI
        case 26: regs[(d0 >> 8) & 63] = regs[(d0 >> 14) & 31]! & imm; pc = npc; break;                        // ANDI
        case 27: regs[(d0 >> 8) & 63] = regs[(d0 >> 14) & 31]! << imm; pc = npc; break;                       // SLLI
        case 28: regs[(d0 >> 8) & 63] = regs[(d0 >> 14) & 31]! >>> imm; pc = npc; break;                      // SRLI
        case 29: regs[(d0 >> 8) & 63] = regs[(d0 >> 14) & 31]! >> imm; pc = npc; break;                       // SRAI
        case 30: regs[(d0 >> 8) & 63] = (regs[(d0 >> 14) & 31]! + regs[(d0 >> 19) & 31]!) | 0; pc = npc; break;           // ADD
        case 31: regs[(d0 >> 8) & 63] = (regs[(d0 >> 14) & 31]! - regs[(d0 >> 19) & 31]!) | 0; pc = npc; break;           // SUB
        case 32: regs[(d0 >> 8) & 63] = regs[(d0 >> 14) & 31]! << regs[(d0 >> 19) & 31]!; pc = npc; break;                // SLL
        case 33: regs[(d0 >> 8) & 63] = regs[(d0 >> 14) & 31]! < regs[(d0 >> 19) & 31]! ? 1 : 0; pc = npc; break;         // SLT
        case 34: regs[(d0 >> 8) & 63] = (regs[(d0 >> 14) & 31]! >>> 0) < (regs[(d0 >> 19) & 31]! >>> 0) ? 1 : 0; pc = npc; break;   // SLTU
        case 35: regs[(d0 >> 8) & 63] = regs[(d0 >> 14) & 31]! ^ regs[(d0 >> 19) & 31]!; pc = npc; break;                 // XOR
        case 36: regs[(d0 >> 8) & 63] = regs[(d0 >> 14) & 31]! >>> regs[(d0 >> 19) & 31]!; pc = npc; break;               // SRL
        case 37: regs[(d0 >> 8) & 63] = regs[(d0 >> 14) & 31]! >> regs[(d0 >> 19) & 31]!; pc = npc; break;                // SRA
        case 38: regs[(d0 >> 8) & 63] = regs[(d0 >> 14) & 31]! | regs[(d0 >> 19) & 31]!; pc = npc; break;                 // OR
        case 39: regs[(d0 >> 8) & 63] = regs[(d0 >> 14) & 31]! & regs[(d0 >> 19) & 31]!; pc = npc; break;                 // AND
        case 40: regs[(d0 >> 8) & 63] = Math.imul(regs[(d0 >> 14) & 31]!, regs[(d0 >> 19) & 31]!); pc = npc; break;       // MUL
        case 41: {                                                                    // MULH
          const x = regs[(d0 >> 14) & 31]!, y = regs[(d0 >> 19) & 31]!;
          regs[(d0 >> 8) & 63] = (mulhu(x, y) - (x < 0 ? y : 0) - (y < 0 ? x : 0)) | 0; pc = npc; break;
        }
        case 42: {                                                                    // MULHSU
          const x = regs[(d0 >> 14) & 31]!, y = regs[(d0 >> 19) & 31]!;
          regs[(d0 >> 8) & 63] = (mulhu(x, y) - (x < 0 ? y : 0)) | 0; pc = npc; break;
        }
        case 43: regs[(d0 >> 8) & 63] = mulhu(regs[(d0 >> 14) & 31]!, regs[(d0 >> 19) & 31]!); pc = npc; break;           // MULHU
        case 44: {                                                                    // DIV
          const x = regs[(d0 >> 14) & 31]!, y = regs[(d0 >> 19) & 31]!;
          regs[(d0 >> 8) & 63] = y === 0 ? -1 : (x === -2147483648 && y === -1) ? x : (x / y) | 0; pc = npc; break;
        }
        case 45: {                                                                    // DIVU
          const x = regs[(d0 >> 14) & 31]! >>> 0, y = regs[(d0 >> 19) & 31]! >>> 0;
          regs[(d0 >> 8) & 63] = y === 0 ? -1 : (x / y) | 0; pc = npc; break;
        }
        case 46: {                                                                    // REM
          const x = regs[(d0 >> 14) & 31]!, y = regs[(d0 >> 19) & 31]!;
          regs[(d0 >> 8) & 63] = y === 0 ? x : (x === -2147483648 && y === -1) ? 0 : (x % y) | 0; pc = npc; break;
        }
        case 47: {                                                                    // REMU
          const x = regs[(d0 >> 14) & 31]! >>> 0, y = regs[(d0 >> 19) & 31]! >>> 0;
          regs[(d0 >> 8) & 63] = y === 0 ? x | 0 : (x % y) | 0; pc = npc; break;
        }
        case 48: pc = npc; break;                                                     // FENCE, FENCE.I
        case 1:                                                                       // illegal
          this.pc = pc >>> 0; this.icount = chunkEnd - n - 1;
          this.exception(2, imm);
          pc = this.pc | 0; chunkEnd -= n; n = 0; break;
        case 2:                                                                       // fetch fault
          this.pc = pc >>> 0; this.icount = chunkEnd - n - 1;
          this.exception(1, imm);
          pc = this.pc | 0; chunkEnd -= n; n = 0; break;
        case 49:                                                                      // ECALL
          this.pc = pc >>> 0; this.icount = chunkEnd - n - 1;
          this.exception(this.priv === 0 ? 8 : 11, 0);
          pc = this.pc | 0; chunkEnd -= n; n = 0; break;
        case 50:                                                                      // EBREAK
          this.pc = pc >>> 0; this.icount = chunkEnd - n - 1;
          this.exception(3, 0);
          pc = this.pc | 0; chunkEnd -= n; n = 0; break;
        case 51:                                                                      // MRET
          this.pc = pc >>> 0; this.icount = chunkEnd - n - 1;
          this.mret();
          pc = this.pc | 0; chunkEnd -= n; n = 0; break;
        case 52:                                                                      // WFI
          this.pc = pc >>> 0; this.icount = chunkEnd - n - 1;
          this.wfi(npc);
          pc = this.pc | 0; chunkEnd -= n; n = 0; break;
        case 53: case 54: case 55: case 56: case 57: case 58:                         // CSR*
          this.pc = pc >>> 0; this.icount = chunkEnd - n - 1;
          this.execCsr(d0 & 255, (d0 >> 8) & 63, (d0 >> 14) & 31, imm, npc);
          pc = this.pc | 0; chunkEnd -= n; n = 0; break;
        default: {                                                                    // LR, SC, AMO*
          const op = d0 & 255;
          const a = regs[(d0 >> 14) & 31]!;
          if (wOn) {
            const kind = op === 59 ? 1 : op === 60 ? (this.resAddr === (a >>> 0) ? 3 : 0) : 3;
            if (kind !== 0 && this.watchHit(a, 4, kind, chunkEnd - n - 1)) { n++; chunkEnd -= n; n = 0; break inner; }
          }
          this.pc = pc >>> 0; this.icount = chunkEnd - n - 1;
          this.execAtomic(op, (d0 >> 8) & 63, a, regs[(d0 >> 19) & 31]!, npc);
          pc = this.pc | 0; chunkEnd -= n; n = 0; break;
        }
      }
    }
    this.icount = chunkEnd - n;
    this.pc = pc >>> 0;
  }

  /** Notes all of a block's pcs for this interval. */
  private noteBlock(b: Block): void {
    for (let i = 0; i < b.pcs.length; i++) this.noteExec(b.pcs[i]!);
  }

  /** Translate the block starting at RAM slot s of page p (all its instructions must be in p),
   *  or mark the slot as not worth it. */
  private translateAt(p: number, s: number): void {
    const dec = this.decPages[p]!, bmap = this.blockMap[p]!;
    const words: number[] = [], pcs: number[] = [];
    let slot = s;
    while (pcs.length < MAX_BLOCK && slot < 4096) {
      let d0 = dec[slot]!;
      if (d0 === 0) {
        // Not decoding a page-crossing instruction keeps execPages/codeFlag to what really ran.
        if (slot === 4094 && (this.ram16[(p * 4096 + slot) >>> 1]! & 3) === 3) break;
        d0 = this.decodeRam(dec, slot, p * 4096 + slot);
      }
      if ((d0 & BPB) !== 0) break;
      d0 &= 0x1ffffff;
      const len4 = (d0 & (1 << 24)) !== 0;
      if (len4 && slot === 4094) break;
      const op = d0 & 255;
      const jump = isJumpOp(op);
      if (!jump && !isBranchOp(op) && !isStraightOp(op)) break;
      words.push(d0, dec[slot + 1]!);
      pcs.push((RAM_BASE + p * 4096 + slot) >>> 0);
      slot += len4 ? 4 : 2;
      if (jump) break;
    }
    const len = pcs.length;
    let fn: BlockFn | null = null;
    // A lone instruction is not worth a call unless it loops on itself.
    const op0 = words[0]! & 255;
    if (len > 1 || (len === 1 && (op0 === 5 || isBranchOp(op0)) && (((pcs[0]! + words[1]!) | 0) === (pcs[0]! | 0)))) {
      fn = compileBlock(blockSource(words, pcs, this.ramSize, true));
    }
    if (fn === null) { bmap[s >> 1] = this.hot + 1; return; }
    const list = this.blocks[p]!;
    bmap[s >> 1] = ~list.length;
    list.push({ fn, len, pcs: Uint32Array.from(pcs), epoch: -1, bails: 0, start: s, end: slot });
  }

  // ---------------------------------------------------------------- debugger access

  readCsr(num: number): number {
    const v = this.csrRead(num, this.icount, false);
    if (v === undefined) throw new RangeError(`no CSR 0x${num.toString(16)}`);
    return v >>> 0;
  }

  writeCsr(num: number, value: number): void {
    if (this.csrRead(num, this.icount, false) === undefined) throw new RangeError(`no CSR 0x${num.toString(16)}`);
    this.csrWrite(num, value, this.icount);
  }

  readMemory(addr: number, len: number): Uint8Array {
    const a = addr >>> 0;
    const off = a - RAM_BASE;
    if (off >= 0 && off + len <= this.ramSize) return this.ram.slice(off, off + len);
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const b = (a + i) >>> 0;
      const o = b - RAM_BASE;
      if (o >= 0 && o < this.ramSize) { out[i] = this.ram[o]!; continue; }
      const aligned = (b & ~3) >>> 0;
      const size = b >= UART_BASE && b < UART_BASE + 8 ? 1 : b >= TEST_BASE && b < TEST_BASE + 0x1000 ? 2 : 4;
      const base = size === 1 ? b : size === 2 ? (b & ~1) >>> 0 : aligned;
      const v = this.deviceRead(base, size, this.icount, false);
      if (this.busErr) { this.busErr = false; throw new RangeError(`address 0x${b.toString(16)} is not readable`); }
      out[i] = Math.floor(v / 2 ** (8 * (b - base))) & 0xff;
    }
    return out;
  }

  writeMemory(addr: number, bytes: Uint8Array): void {
    const off = (addr >>> 0) - RAM_BASE;
    if (off < 0 || off + bytes.length > this.ramSize) {
      throw new RangeError(`0x${(addr >>> 0).toString(16)} (+${bytes.length}) is not writable RAM`);
    }
    this.ramUsed = true;
    this.ram.set(bytes, off);
    this.markWritten(off, bytes.length);
  }

  // ---------------------------------------------------------------- UART host side

  uartRxSpace(): number {
    return this.uart.canReceive();
  }

  uartReceive(byte: number): boolean {
    if (this.uart.canReceive() <= 0) return false;
    this.uart.receive(byte & 0xff, this.icount + this.bias);
    return true;
  }

  // ---------------------------------------------------------------- snapshots

  saveState(): Uint8Array {
    const w: number[] = [STATE_MAGIC, STATE_VERSION, this.ramSize, this.pc, this.icount, this.priv];
    w.push(...this.x);
    w.push(this.mstatus, this.mie, this.mtvec, this.mscratch, this.mepc, this.mcause, this.mtval,
      this.mcounteren, this.mcountinhibit, this.menvcfg, this.mseccfg);
    w.push(...this.pmpcfg, ...this.pmpaddr, ...this.ctr);
    w.push(this.bias, this.halted ? 1 : 0, this.exited ? 1 : 0, this.exitCode, this.resAddr, this.resVal);
    w.push(this.msip, this.mtimecmpLo, this.mtimecmpHi, this.timeDelta, this.timerNs);
    w.push(this.rtcTickOffset, this.rtcTimeHigh, this.rtcAlarmLo, this.rtcAlarmHi, this.rtcIrqEnabled,
      this.rtcAlarmRunning, this.rtcIrqPending);
    this.uart.save(w);
    this.plic.save(w);
    w.push(STATE_MAGIC);
    return new Uint8Array(new Float64Array(w).buffer);
  }

  restoreState(bytes: Uint8Array): void {
    if (bytes.length % 8 !== 0 || bytes.length < 64) throw new RangeError('machine state: bad length');
    const f = new Float64Array(bytes.slice().buffer);
    if (f[0] !== STATE_MAGIC || f[1] !== STATE_VERSION) throw new RangeError('machine state: bad magic or version');
    if (f[2] !== this.ramSize) throw new RangeError(`machine state: RAM size ${f[2]} differs from ${this.ramSize}`);
    if (f[f.length - 1] !== STATE_MAGIC) throw new RangeError('machine state: bad trailer');
    let i = 3;
    const r = (): number => {
      const v = f[i++];
      if (v === undefined || !Number.isFinite(v)) throw new RangeError('machine state: truncated or corrupt');
      return v;
    };
    // Parse into a scratch machine first so a bad buffer changes nothing.
    const pc = r(), icount = r(), priv = r();
    if (priv !== 0 && priv !== 3) throw new RangeError('machine state: bad privilege');
    const xs: number[] = [];
    for (let k = 0; k < 32; k++) xs.push(r());
    const csrs: number[] = [];
    for (let k = 0; k < 11; k++) csrs.push(r());
    const pmpcfg: number[] = [], pmpaddr: number[] = [], ctr: number[] = [];
    for (let k = 0; k < 16; k++) pmpcfg.push(r());
    for (let k = 0; k < 16; k++) pmpaddr.push(r());
    for (let k = 0; k < 8; k++) ctr.push(r());
    const misc: number[] = [];
    for (let k = 0; k < 6 + 5 + 7; k++) misc.push(r());
    const uartStart = i;
    const probe = new Uart16550(() => undefined, () => undefined);
    probe.load(r);
    const plicProbe = new Plic();
    plicProbe.load(r);
    if (i !== f.length - 1) throw new RangeError('machine state: bad length');
    // Commit.
    this.pc = pc >>> 0; this.icount = icount; this.priv = priv;
    xs.forEach((v, k) => { this.x[k] = v; });
    this.x[0] = 0;
    [this.mstatus, this.mie, this.mtvec, this.mscratch, this.mepc, this.mcause, this.mtval,
      this.mcounteren, this.mcountinhibit, this.menvcfg, this.mseccfg] = csrs as [number, number, number, number, number, number, number, number, number, number, number];
    this.pmpcfg.set(pmpcfg); this.pmpaddr.set(pmpaddr); this.ctr.set(ctr);
    let m = 0;
    const g = (): number => misc[m++]!;
    this.bias = g(); this.halted = g() !== 0; this.exited = g() !== 0; this.exitCode = g();
    this.resAddr = g(); this.resVal = g();
    this.msip = g(); this.mtimecmpLo = g(); this.mtimecmpHi = g(); this.timeDelta = g(); this.timerNs = g();
    this.rtcTickOffset = g(); this.rtcTimeHigh = g(); this.rtcAlarmLo = g(); this.rtcAlarmHi = g();
    this.rtcIrqEnabled = g(); this.rtcAlarmRunning = g(); this.rtcIrqPending = g();
    i = uartStart;
    this.uart.load(r);
    this.plic.load(r);
    this.flushOnRun = true;
  }
}
