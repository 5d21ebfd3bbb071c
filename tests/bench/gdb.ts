/**
 * GDB stub benchmark: the latency of `reverse-stepi` and `reverse-continue` as gdb-multiarch
 * sees them (timed inside gdb with Python around the command), for Rewind and for QEMU 7.2's
 * record/replay gdbstub side by side, at depths of 1e6, 1e8 and 1e9 instructions into a
 * recording. `--quick`: depths 1e6 and 1e7 only.
 *
 * The program: one instruction at _start (0x80000000, its own page, the reverse-continue
 * breakpoint), then a two-instruction countdown loop of about 1.1e9 instructions on the next
 * page, then exit. At each depth D the session goes forward to D (`monitor replay_break D`,
 * `continue`: Rewind records up to D, QEMU replays its recording up to D), then times
 * three `reverse-stepi` (to D-1, D-2, D-3) and, with a breakpoint at _start, `reverse-continue` (back to
 * instruction 6, the whole recording behind it). The first reverse command of a session
 * includes warming up the replay path (Node's JIT); the next two reverse-stepi show the
 * steady state. Run: npx tsx tests/bench/gdb.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readElf } from '../../src/elf';
import { Timeline } from '../../src/replay';
import { startGdbServer } from '../../src/cli/gdbserver';
import { assemble, elf32, exitSequence, R, type Insn } from '../unit/gdb/program';
import { fixedInputs, qemuRecord, qemuReplayGdb, runGdb, type GdbRun } from '../differential/gdb/gdb';

export interface Figure { name: string; value: number; unit: string }

/** Loop iterations (2 instructions each): about 1.1e9 instructions in all. */
const ITERATIONS = 0x21000000;
/** The position of _start's instruction (after QEMU's six-instruction reset vector). */
const START_ICOUNT = 6;
const START = 0x80000000;

function benchProgram(iterations: number): Uint8Array {
  const start: Insn[] = [['addi', { rd: R.a0, rs1: 0, imm12: 0 }], ['jal', { rd: 0, jimm: 0x1000 - 4 }]];
  const hi = (iterations + 0x800) >>> 12;
  const lo = iterations - (hi << 12);
  const loop: Insn[] = [
    ['lui', { rd: R.t0, uimm20: hi }],
    ['addi', { rd: R.t0, rs1: R.t0, imm12: lo }],
    ['addi', { rd: R.t0, rs1: R.t0, imm12: -1 }],
    ['bne', { rs1: R.t0, rs2: 0, bimm: -4 }],
    ...exitSequence(),
  ];
  const code = new Uint8Array(0x1000 + loop.length * 4);
  code.set(assemble(start), 0);
  code.set(assemble(loop), 0x1000);
  return elf32(code, START);
}

function timed(command: string, label: string): string[] {
  return [
    'python', 'import time', 't = time.perf_counter()', `gdb.execute(${JSON.stringify(command)})`,
    `print("@@TIME ${label} %.6f" % (time.perf_counter() - t))`, 'end',
    'monitor info replay',
  ];
}

function script(depth: number): string[] {
  return [
    `monitor replay_break ${depth}`, 'continue', 'monitor info replay',
    ...timed('reverse-stepi', 'reverse-stepi-1'),
    ...timed('reverse-stepi', 'reverse-stepi-2'),
    ...timed('reverse-stepi', 'reverse-stepi-3'),
    `break *0x${START.toString(16)}`,
    ...timed('reverse-continue', 'reverse-continue'),
    'kill',
  ];
}

interface Measured { reverseStepi: number; reverseStepiAgain: number; reverseContinue: number }

function parse(run: GdbRun, depth: number, who: string): Measured {
  const out = run.stdout;
  const t = (label: string): number => {
    const m = new RegExp(`@@TIME ${label} ([0-9.]+)`).exec(out);
    if (!m) throw new Error(`${who} at ${depth}: no ${label} timing in gdb output:\n${out.slice(-2000)}`);
    return Number(m[1]) * 1000;
  };
  const counts = [...out.matchAll(/instruction count = (\d+)/g)].map((m) => Number(m[1]));
  // Where each command ended: checked, so a fast wrong answer cannot pass for a fast one.
  const expected = [depth, depth - 1, depth - 2, depth - 3, START_ICOUNT];
  if (counts.join() !== expected.join()) {
    throw new Error(`${who} at ${depth}: positions ${counts.join(', ')} instead of ${expected.join(', ')}`);
  }
  return {
    reverseStepi: t('reverse-stepi-1'),
    reverseStepiAgain: (t('reverse-stepi-2') + t('reverse-stepi-3')) / 2,
    reverseContinue: t('reverse-continue'),
  };
}

async function rewindAt(elf: Uint8Array, elfPath: string, depth: number): Promise<Measured> {
  const tl = new Timeline(readElf(elf), { name: 'bench', live: fixedInputs });
  const server = await startGdbServer(tl, { port: 0, log: () => {} });
  try {
    return parse(await runGdb(server.port, script(depth), { elf: elfPath, timeoutMs: 600_000 }), depth, 'Rewind');
  } finally {
    await server.close();
  }
}

function have(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function benchGdb(options: { quick?: boolean } = {}): Promise<Figure[]> {
  const quick = options.quick ?? process.argv.includes('--quick');
  const depths = quick ? [1e6, 1e7] : [1e6, 1e8, 1e9];
  if (!have('gdb-multiarch')) return [{ name: 'gdb: gdb-multiarch not installed, no figures', value: 0, unit: '' }];
  const withQemu = have('qemu-system-riscv32') && have('qemu-img');
  const iterations = quick ? 6_000_000 : ITERATIONS;
  const elf = benchProgram(iterations);
  const dir = mkdtempSync(join(tmpdir(), 'rewind-bench-gdb-'));
  const figures: Figure[] = [];
  try {
    const elfPath = join(dir, 'countdown.elf');
    writeFileSync(elfPath, elf);
    const rr = join(dir, 'countdown.rr');
    if (withQemu) await qemuRecord(elfPath, rr, 600_000);
    for (const depth of depths) {
      const label = `1e${Math.round(Math.log10(depth))}`;
      const r = await rewindAt(elf, elfPath, depth);
      const q = withQemu ? parse(await qemuReplayGdb(elfPath, rr, script(depth), 600_000), depth, 'QEMU') : null;
      figures.push({ name: `gdb reverse-stepi at ${label} (first): Rewind`, value: r.reverseStepi, unit: 'ms' });
      if (q) figures.push({ name: `gdb reverse-stepi at ${label} (first): QEMU`, value: q.reverseStepi, unit: 'ms' });
      figures.push({ name: `gdb reverse-stepi at ${label} (next two, mean): Rewind`, value: r.reverseStepiAgain, unit: 'ms' });
      if (q) figures.push({ name: `gdb reverse-stepi at ${label} (next two, mean): QEMU`, value: q.reverseStepiAgain, unit: 'ms' });
      figures.push({ name: `gdb reverse-continue at ${label}: Rewind`, value: r.reverseContinue, unit: 'ms' });
      if (q) figures.push({ name: `gdb reverse-continue at ${label}: QEMU`, value: q.reverseContinue, unit: 'ms' });
    }
    if (!withQemu) figures.push({ name: 'gdb: QEMU not installed, no comparison', value: 0, unit: '' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = performance.now();
  const figures = await benchGdb();
  const w = Math.max(...figures.map((f) => f.name.length));
  for (const f of figures) console.log(`  ${f.name.padEnd(w)}  ${f.value.toFixed(f.value >= 100 ? 0 : 1).padStart(10)} ${f.unit}`);
  console.log(`  (bench time ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  process.exit(0);
}
