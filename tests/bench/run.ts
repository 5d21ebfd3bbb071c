/**
 * `npm run bench`: prints every benchmark figure, and QEMU's time on the same ELF where QEMU
 * is installed, as ratios from one run. Figures, not pass/fail: the README quotes them.
 * Options: --only core,qemu,asm,replay,gdb,worker   (default: all)   --quick (shorter gdb bench)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Machine } from '../../src/core';
import { readElf } from '../../src/elf';
import { Timeline, complete } from '../../src/replay';

interface Figure { name: string; value: number; unit: string; target?: string }

const only = (() => {
  const i = process.argv.indexOf('--only');
  return i >= 0 ? new Set((process.argv[i + 1] ?? '').split(',')) : null;
})();
const want = (s: string): boolean => only === null || only.has(s);

function print(title: string, figures: Figure[]): void {
  console.log(`\n## ${title}`);
  const w = Math.max(...figures.map((f) => f.name.length));
  for (const f of figures) {
    const v = Number.isInteger(f.value) ? String(f.value) : f.value >= 100 ? f.value.toFixed(0) : f.value.toFixed(2);
    console.log(`  ${f.name.padEnd(w)}  ${v.padStart(12)} ${f.unit}${f.target ? `   (target ${f.target})` : ''}`);
  }
}

function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Rewind's plain run and QEMU's (-icount shift=0,sleep=off, as Rewind counts time: WFI warps to the next timer deadline) on the same ELF. */
function qemuComparison(elfPath: string): Figure[] {
  const image = readElf(readFileSync(elfPath));
  const m = new Machine();
  m.load(image);
  let out = '';
  m.onUartTx = (b) => { out += String.fromCharCode(b); };
  const t0 = performance.now();
  m.run(Number.MAX_SAFE_INTEGER);
  const rewindMs = performance.now() - t0;
  const tl = new Timeline(image, { live: { rtcNanoseconds: () => Date.now() * 1e6, seedEntropy: () => 0 } });
  const r0 = performance.now();
  complete(tl.continueForward());
  const recordMs = performance.now() - r0;
  const figures: Figure[] = [
    { name: `Rewind ${elfPath}`, value: rewindMs, unit: 'ms' },
    { name: '  instructions', value: m.icount, unit: '' },
    { name: '  MIPS', value: m.icount / rewindMs / 1000, unit: '' },
    { name: '  recording the same run (snapshots, log)', value: recordMs, unit: 'ms' },
    { name: '  recording overhead', value: (recordMs / rewindMs - 1) * 100, unit: '%', target: '<= 25 %' },
  ];
  if (!hasCommand('qemu-system-riscv32')) {
    figures.push({ name: 'QEMU not installed: no comparison', value: 0, unit: '' });
    return figures;
  }
  for (const [label, icount] of [['QEMU -icount shift=0,sleep=off', ['-icount', 'shift=0,sleep=off']], ['QEMU (TCG, no icount)', []]] as const) {
    const q0 = performance.now();
    // QEMU's stdout goes to a file: through a pipe read late, its UART drops bytes (docs/cli.md).
    const outPath = join(tmpdir(), `rewind-bench-qemu-${process.pid}.out`);
    const fd = openSync(outPath, 'w');
    try {
      execFileSync('qemu-system-riscv32', ['-M', 'virt', '-bios', 'none', '-nographic', '-monitor', 'none', ...icount, '-kernel', elfPath], { stdio: ['ignore', fd, 'ignore'], timeout: 600_000 });
    } finally {
      closeSync(fd);
    }
    const qout = readFileSync(outPath, 'latin1');
    rmSync(outPath, { force: true });
    const qemuMs = performance.now() - q0;
    figures.push({ name: label, value: qemuMs, unit: 'ms' });
    figures.push({ name: `  Rewind speed / ${label}`, value: qemuMs / rewindMs, unit: 'x' });
    figures.push({ name: '  same UART output', value: qout.replace(/\r/g, '') === out.replace(/\r/g, '') ? 1 : 0, unit: '(1 = yes)' });
  }
  return figures;
}

async function main(): Promise<void> {
  console.log(`# Rewind benchmarks — node ${process.version}, ${new Date().toISOString()}`);
  if (want('core')) {
    const { benchCore } = await import('./core');
    print('Interpreter (src/core)', benchCore());
  }
  if (want('qemu')) {
    const elf = 'examples/build/compute-bench.elf';
    if (existsSync(elf)) print('Rewind vs QEMU on the same ELF', qemuComparison(elf));
    const mem = 'examples/build/memory-bench.elf';
    if (existsSync(mem)) print('Rewind vs QEMU on the same ELF (memory)', qemuComparison(mem));
    const rtos = 'examples/build/rtos-bench.elf';
    if (existsSync(rtos)) print('Rewind vs QEMU on the same ELF (system code: timer-preempted RTOS)', qemuComparison(rtos));
  }
  if (want('asm')) {
    const { benchAssembler } = await import('./asm');
    print('Assembler (src/asm)', benchAssembler());
  }
  if (want('replay')) {
    const { benchReplay } = await import('./replay');
    print('Record/replay (src/replay), compute workload', benchReplay());
  }
  if (want('worker')) {
    // Chromium figures (MIPS in the worker vs Node, seek latency, seeks/s during a drag): a
    // separate script, since it builds the app and drives Debian's Chromium with Playwright.
    if (hasCommand('chromium')) {
      console.log('\n## Engine worker in Chromium (tests/bench/worker.ts)');
      spawnSync('npx', ['tsx', 'tests/bench/worker.ts'], { stdio: 'inherit' });
    } else {
      console.log('\n## Engine worker in Chromium: chromium not installed, skipped');
    }
  }
  if (want('gdb')) {
    const { benchGdb } = await import('./gdb');
    print('Reverse execution as gdb-multiarch sees it, Rewind vs QEMU', await benchGdb({ quick: process.argv.includes('--quick') }));
  }
}

await main();
