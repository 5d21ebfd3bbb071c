// The full stream of executed pcs, in order, under QEMU and under Rewind.
//
// QEMU: -singlestep -d exec,nochain makes every translation block one instruction and logs each
// block it enters ("Trace 0: host [cs_base/pc/flags/cflags]"). Entered blocks that do not retire
// are logged too and are taken back off the stream: "cpu_io_recompile: rewound execution of TB to
// PC" (an I/O access not at the end of its block is re-executed alone) and "Stopped execution of
// TB chain before HOST [PC]" (the icount budget or an interrupt ended execution before the block's
// first instruction); each names the pc it takes back, which is checked. A fetch that faults never
// makes a block, so it is not in the stream (QEMU counts it as zero instructions). QEMU exits
// inside the exit store, so the stream ends with it.
//
// Rewind: the core steps one instruction at a time; the pc before each step is the stream.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../../src/core';
import { readElf } from '../../../src/elf';
import { QEMU } from './qemu';
import { runProcess } from './process';

export interface PcStream {
  pcs: Uint32Array;
  stdout: Buffer;
  exitCode: number | null;
}

const QEMU_ARGS = ['-M', 'virt', '-bios', 'none', '-nographic', '-icount', 'shift=0,sleep=off', '-serial', 'stdio', '-monitor', 'none'];

/** QEMU's retired pcs. `singlestep` false: QEMU's normal translation blocks, output only (pcs empty). */
export async function qemuPcStream(elfPath: string, singlestep = true, timeoutMs = 60_000): Promise<PcStream> {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-qemu-pcs-'));
  const log = join(dir, 'exec.log');
  try {
    const trace = singlestep ? ['-singlestep', '-d', 'exec,nochain', '-D', log] : [];
    const { stdout, stderr, exitCode } = await runProcess(QEMU, [...QEMU_ARGS, ...trace, '-kernel', elfPath], undefined, timeoutMs,
      undefined, { stdoutToFile: true });
    if (exitCode === null) throw new Error(`QEMU did not finish in ${timeoutMs} ms\nQEMU stderr: ${stderr}`);
    return { pcs: singlestep ? parseExecLog(readFileSync(log, 'latin1')) : new Uint32Array(0), stdout, exitCode };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function parseExecLog(text: string): Uint32Array {
  let pcs = new Uint32Array(1 << 16);
  let n = 0;
  const takeBack = (pc: number, line: string): void => {
    if (n === 0 || pcs[n - 1] !== pc) throw new Error(`QEMU exec log: '${line}' does not follow a block at that pc`);
    n--;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('Trace ')) {
      const m = /\[[0-9a-f]+\/([0-9a-f]+)\//.exec(line);
      if (!m) throw new Error(`QEMU exec log: unexpected line '${line}'`);
      if (n === pcs.length) { const more = new Uint32Array(n * 2); more.set(pcs); pcs = more; }
      pcs[n++] = parseInt(m[1]!, 16);
    } else if (line.startsWith('cpu_io_recompile: rewound')) {
      takeBack(parseInt(/to ([0-9a-f]+)/.exec(line)![1]!, 16), line);
    } else if (line.startsWith('Stopped execution of TB chain')) {
      takeBack(parseInt(/\[([0-9a-f]+)\]/.exec(line)![1]!, 16), line);
    }
  }
  return pcs.slice(0, n);
}

const sameStream = (a: PcStream, b: PcStream): boolean =>
  a.exitCode === b.exitCode && a.stdout.equals(b.stdout) && a.pcs.length === b.pcs.length && a.pcs.every((pc, i) => pc === b.pcs[i]);

/** The reference: QEMU's stream once two consecutive runs agree (at most four runs), as qemu.test.ts
 *  does for its counts, so a run disturbed by host load is not taken for QEMU's answer. */
export async function stableQemuPcStream(elfPath: string): Promise<PcStream> {
  let prev = await qemuPcStream(elfPath);
  for (let k = 0; k < 3; k++) {
    const next = await qemuPcStream(elfPath);
    if (sameStream(prev, next)) return next;
    prev = next;
  }
  throw new Error(`QEMU gave a different pc stream on each of 4 runs of ${elfPath}`);
}

export interface RewindStream extends PcStream {
  icount: number;
  /** Positions whose instruction fetch faulted (QEMU counts those as zero instructions). */
  fetchFaults: number[];
  /** Positions at which a timer interrupt was taken (before the instruction there). */
  timerInterrupts: number[];
  /** Virtual time (icount + bias) at each of those positions. */
  timerInterruptNs: number[];
}

export function loadMachine(elfPath: string, translate: boolean): { m: Machine; out: number[] } {
  const m = new Machine({ translate });
  m.load(readElf(readFileSync(elfPath)));
  const out: number[] = [];
  m.onUartTx = (b) => out.push(b);
  return { m, out };
}

/** Rewind's stream, one step at a time (the interpreter). */
export function rewindPcStream(elfPath: string, maxInsns = 5_000_000): RewindStream {
  const { m, out } = loadMachine(elfPath, false);
  const pcs: number[] = [], fetchFaults: number[] = [], timerInterrupts: number[] = [], timerInterruptNs: number[] = [];
  let exitCode: number | null = null;
  for (let i = 0; i < maxInsns; i++) {
    const pc = m.pc, at = m.icount;
    pcs.push(pc);
    const r = m.run(at + 1);
    if (r.kind === 'exit') { exitCode = r.code; break; }
    if (r.kind !== 'limit') throw new Error(`Rewind stopped with ${JSON.stringify(r)} at icount ${m.icount}`);
    if (m.pc !== ((m.readCsr(0x305) & ~3) >>> 0)) continue;
    const cause = m.readCsr(0x342);
    if (cause === 1 && m.readCsr(0x341) === pc) fetchFaults.push(at);
    // The programs compared here reach their trap vector only by traps, so this is an interrupt entry.
    if (cause === 0x80000007) {
      timerInterrupts.push(m.icount);
      timerInterruptNs.push(m.icount + m.bias);
    }
  }
  if (exitCode === null) throw new Error(`${elfPath} did not exit within ${maxInsns} instructions`);
  return { pcs: Uint32Array.from(pcs), stdout: Buffer.from(out), exitCode, icount: m.icount, fetchFaults, timerInterrupts, timerInterruptNs };
}

// ---------------------------------------------------------------- small test programs (GNU as + ld)

const AS = 'riscv64-unknown-elf-as', LD = 'riscv64-unknown-elf-ld';

export function gnuToolsAvailable(): boolean {
  return [AS, LD].every((t) => spawnSync(t, ['--version']).status === 0);
}

/** Assembles `source` (entry `_start`, linked at 0x80000000 in one RWX segment) into an ELF in a temp dir. */
export function buildProgram(name: string, source: string): { elfPath: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `rewind-${name}-`));
  const s = join(dir, `${name}.s`), o = join(dir, `${name}.o`), elfPath = join(dir, `${name}.elf`);
  writeFileSync(s, source);
  const as = spawnSync(AS, ['-march=rv32imac_zicsr_zifencei', '-mabi=ilp32', '-o', o, s], { encoding: 'utf8' });
  if (as.status !== 0) throw new Error(`${AS} failed:\n${as.stderr}`);
  const ld = spawnSync(LD, ['-m', 'elf32lriscv', '-N', '-Ttext=0x80000000', '-e', '_start', '--no-warn-rwx-segments', '-o', elfPath, o], { encoding: 'utf8' });
  if (ld.status !== 0 || !existsSync(elfPath)) throw new Error(`${LD} failed:\n${ld.stderr}`);
  return { elfPath, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
