// Runs real gdb-multiarch scripts against Rewind's gdbserver (in-process) and QEMU's
// record/replay gdbstub, and reads the (pc, icount) of every stop from gdb's output.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readElf } from '../../../src/elf';
import { Timeline, type LiveInputs } from '../../../src/replay';
import { startGdbServer, type GdbServer } from '../../../src/cli/gdbserver';

export const GDB = 'gdb-multiarch';
export const QEMU = 'qemu-system-riscv32';
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function available(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

export const haveGdb = available(GDB, ['--version']);
export const haveQemu = available(QEMU, ['--version']) && available('qemu-img', ['--version']);

/** In CI the tools must be there: a missing one fails the run instead of skipping it. */
export function requireTools(what: string, tools: { name: string; ok: boolean }[]): boolean {
  const missing = tools.filter((t) => !t.ok).map((t) => t.name);
  if (missing.length === 0) return true;
  const msg = `${what} needs ${missing.join(' and ')} on PATH (Debian: gdb-multiarch, qemu-system-misc, qemu-utils)`;
  if (process.env.CI) throw new Error(msg);
  console.warn(`SKIPPED: ${msg}`);
  return false;
}

/** Marks a stop in a script: gdb prints the marker, the replay position and the pc. */
export const PROBE = ['echo @@STOP\\n', 'monitor info replay', 'p/x $pc'];

/** A command that may fail without ending the batch script: its error is printed as `@@ERROR msg`. */
export function tryCommand(command: string): string[] {
  return ['python', 'try:', `    gdb.execute(${JSON.stringify(command)})`, 'except gdb.error as e:', '    print("@@ERROR " + str(e))', 'end'];
}

export interface StopInfo { pc: number; icount: number }

/** The (pc, icount) after every PROBE, in order. */
export function parseStops(output: string): StopInfo[] {
  const parts = output.split('@@STOP\n').slice(1);
  return parts.map((p, i) => {
    const ic = /instruction count = (\d+)/.exec(p);
    const pc = /\$\d+ = (0x[0-9a-f]+)/.exec(p);
    if (!ic || !pc) throw new Error(`stop ${i}: no icount/pc in gdb output:\n${p.slice(0, 500)}`);
    return { pc: Number(pc[1]), icount: Number(ic[1]) };
  });
}

export interface GdbRun { stdout: string; stderr: string; code: number | null; timedOut: boolean }

const children = new Set<ChildProcess>();
process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); });

/** Spawns a child that is killed at `timeoutMs` and when the test process exits. */
function spawnBounded(cmd: string, args: string[], timeoutMs: number): { child: ChildProcess; done: Promise<GdbRun> } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout!.on('data', (b: Buffer) => { stdout += b.toString('latin1'); });
  child.stderr!.on('data', (b: Buffer) => { stderr += b.toString('latin1'); });
  const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
  const done = new Promise<GdbRun>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ stdout, stderr, code, timedOut });
    });
    child.on('error', (err) => { stderr += String(err); });
  });
  return { child, done };
}

/** Runs `gdb-multiarch -batch` with the script lines, connected to 127.0.0.1:port. */
export async function runGdb(port: number, lines: string[], options: { elf?: string; timeoutMs?: number } = {}): Promise<GdbRun> {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-gdb-'));
  try {
    const script = join(dir, 'script.gdb');
    writeFileSync(script, [
      'set pagination off', 'set confirm off', 'set width 0', 'set architecture riscv:rv32',
      'set tcp connect-timeout 20', `target remote 127.0.0.1:${port}`, ...lines,
    ].join('\n') + '\n');
    const args = ['-nx', '-batch', '-x', script];
    if (options.elf) args.push(options.elf);
    // gdb prints monitor output on stderr: one pipe for both keeps the order.
    const { done } = spawnBounded('sh', ['-c', 'exec "$0" "$@" 2>&1', GDB, ...args], options.timeoutMs ?? 60_000);
    const r = await done;
    if (r.timedOut) throw new Error(`gdb timed out; output so far:\n${r.stdout}\n${r.stderr}`);
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Fixed inputs: the examples read no RTC or seed, and tests stay reproducible if one does. */
export const fixedInputs: LiveInputs = { rtcNanoseconds: () => 1_700_000_000_000_000_000, seedEntropy: () => 0x1234 };

export interface RewindServer { server: GdbServer; timeline: Timeline; logs: string[] }

/** Rewind's gdbserver in this process, recording a new run of `elf` (a path or the bytes). */
export async function startRewind(elf: Uint8Array, name: string, timeline?: Timeline): Promise<RewindServer> {
  const tl = timeline ?? new Timeline(readElf(elf), { name, live: fixedInputs });
  const logs: string[] = [];
  const server = await startGdbServer(tl, { port: 0, log: (l) => logs.push(l) });
  return { server, timeline: tl, logs };
}

/** Runs a gdb script against a fresh Rewind gdbserver for `elf`. */
export async function rewindSession(elfPath: string, elf: Uint8Array, lines: string[], timeoutMs = 60_000): Promise<GdbRun & { logs: string[] }> {
  const r = await startRewind(elf, elfPath.split('/').pop()!);
  try {
    const run = await runGdb(r.server.port, lines, { elf: elfPath, timeoutMs });
    return { ...run, logs: r.logs };
  } finally {
    await r.server.close();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const QEMU_BASE = ['-M', 'virt', '-bios', 'none', '-nographic', '-monitor', 'none', '-serial', 'null', '-net', 'none'];

/** Records a run of `elfPath` to its exit with QEMU (-icount shift=0,rr=record) into `rrFile`. */
export async function qemuRecord(elfPath: string, rrFile: string, timeoutMs = 120_000): Promise<void> {
  const rec = spawnBounded(QEMU, [...QEMU_BASE, '-icount', `shift=0,rr=record,rrfile=${rrFile}`, '-kernel', elfPath], timeoutMs);
  const recorded = await rec.done;
  if (recorded.timedOut) throw new Error(`QEMU's record run of ${elfPath} did not exit in ${timeoutMs} ms`);
  // The exit status is the guest's; a signal or a QEMU error message means no recording.
  if (recorded.code === null || /qemu-system-riscv32:/.test(recorded.stderr)) throw new Error(`QEMU's record run failed: ${recorded.stderr}`);
}

/**
 * Runs a gdb script against QEMU replaying `rrFile`, with a fresh qcow2 overlay for the
 * snapshots reverse debugging needs (QEMU takes one when gdb attaches). QEMU refuses
 * -snapshot in record/replay mode, so each session gets its own overlay file instead.
 */
export async function qemuReplayGdb(elfPath: string, rrFile: string, lines: string[], timeoutMs = 120_000): Promise<GdbRun> {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-qemu-ov-'));
  let qemu: ChildProcess | null = null;
  try {
    const overlay = join(dir, 'snapshots.qcow2');
    const img = spawnSync('qemu-img', ['create', '-f', 'qcow2', overlay, '16M'], { encoding: 'utf8' });
    if (img.status !== 0) throw new Error(`qemu-img: ${img.stderr}`);
    const port = await freePort();
    const replay = spawnBounded(QEMU, [...QEMU_BASE, '-icount', `shift=0,rr=replay,rrfile=${rrFile}`,
      '-drive', `file=${overlay},if=none,id=rr`, '-S', '-gdb', `tcp:127.0.0.1:${port}`, '-kernel', elfPath], timeoutMs);
    qemu = replay.child;
    return await runGdb(port, lines, { elf: elfPath, timeoutMs });
  } finally {
    if (qemu && qemu.exitCode === null) qemu.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Records `elfPath` with QEMU, then runs the gdb script against the replay. */
export async function qemuSession(elfPath: string, lines: string[], timeoutMs = 120_000): Promise<GdbRun> {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-qemu-gdb-'));
  try {
    const rr = join(dir, 'replay.bin');
    await qemuRecord(elfPath, rr, timeoutMs);
    return await qemuReplayGdb(elfPath, rr, lines, timeoutMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes bytes to a temporary file for the duration of `fn`. */
export async function withTempFile<T>(name: string, bytes: Uint8Array, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-elf-'));
  try {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return await fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
