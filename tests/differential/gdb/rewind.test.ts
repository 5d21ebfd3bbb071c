// Rewind's gdbserver driven by real gdb-multiarch (-batch scripts): the pc and the instruction
// count at every stop, register and memory views, writes, the monitor commands, the ends of the
// log, interrupts, replay files, a refused second debugger and a debugger that disappears.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../src/core';
import { findSymbol, readElf } from '../../../src/elf';
import { Timeline, complete, toReplayFile, writeReplayFile } from '../../../src/replay';
import { WATCH, assemble, elf32, watchProgram } from '../../unit/gdb/program';
import {
  GDB, PROBE, tryCommand, fixedInputs, haveGdb, parseStops, repoRoot, requireTools, rewindSession, runGdb, startRewind, withTempFile,
  type StopInfo,
} from './gdb';

const ok = requireTools('tests/differential/gdb (Rewind under gdb)', [{ name: GDB, ok: haveGdb }]);
const TIMEOUT = 90_000;

const stop = (pc: number, icount: number): StopInfo => ({ pc, icount });

async function watchSession(lines: string[]): Promise<{ out: string; stops: StopInfo[]; logs: string[] }> {
  const elf = watchProgram();
  return withTempFile('watch.elf', elf, async (path) => {
    const r = await rewindSession(path, elf, lines);
    return { out: r.stdout, stops: parseStops(r.stdout), logs: r.logs };
  });
}

/** Register values as gdb's `info registers` prints them (name -> value). */
function infoRegisters(out: string): Map<string, number> {
  const regs = new Map<string, number>();
  for (const m of out.matchAll(/^(\w+)\s+(0x[0-9a-f]+)\s/gm)) regs.set(m[1]!, Number(m[2]));
  return regs;
}

/** The first position where `pc` is reached, found by the core alone (no replay engine, no stub). */
function firstHit(elf: Uint8Array, pc: number, after = -1): number {
  const m = new Machine();
  m.load(readElf(elf));
  m.setBreakpoints([pc]);
  for (;;) {
    const r = m.run(Number.MAX_SAFE_INTEGER);
    if (r.kind !== 'breakpoint') throw new Error(`no hit of 0x${pc.toString(16)} (${r.kind})`);
    if (m.icount > after) return m.icount;
  }
}

describe.skipIf(!ok)('Rewind gdbserver under gdb-multiarch', () => {
  it('break/continue, stepi, reverse-stepi, reverse-continue and the beginning of the log', async () => {
    const { out, stops } = await watchSession([
      `break *0x${WATCH.STORE.toString(16)}`,
      'continue', ...PROBE,
      'continue', ...PROBE,
      'stepi', ...PROBE,
      'stepi', ...PROBE,
      'reverse-stepi', ...PROBE,
      'reverse-stepi', ...PROBE,
      'reverse-continue', ...PROBE,
      'reverse-continue', ...PROBE,
      'reverse-stepi', ...PROBE,
      'stepi', ...PROBE,
    ]);
    expect(stops).toEqual([
      stop(WATCH.STORE, 9), stop(WATCH.STORE, 13), stop(WATCH.LOAD, 14), stop(WATCH.LOAD + 4, 15),
      stop(WATCH.LOAD, 14), stop(WATCH.STORE, 13), stop(WATCH.STORE, 9), stop(0x1000, 0),
      stop(0x1000, 0), stop(0x1004, 1),
    ]);
    // Both ends of the backward search report the beginning of the log, which gdb words so.
    expect(out.match(/No more reverse-execution history\./g)).toHaveLength(2);
    expect(out).not.toContain('Remote failure reply');
  }, TIMEOUT);

  it('watchpoints: forward stops show old and new value; reverse-continue lands just before the latest access', async () => {
    const { out, stops } = await watchSession([
      `watch *(int*)0x${WATCH.DATA.toString(16)}`,
      'continue', ...PROBE,
      'continue', ...PROBE,
      'continue', ...PROBE,
      'reverse-continue', ...PROBE, 'print *(int*)0x80001000',
      'reverse-continue', ...PROBE, 'print *(int*)0x80001000',
      'delete',
      `rwatch *(int*)0x${WATCH.DATA.toString(16)}`,
      'reverse-continue', ...PROBE,
      'continue', ...PROBE,
      'delete',
      `awatch *(int*)0x${WATCH.DATA.toString(16)}`,
      'continue', ...PROBE,
      'reverse-continue', ...PROBE,
    ]);
    // Forward: each stop is just after the store, gdb having stepped over it (pc at the load).
    // Reverse from 18: the latest access is the store at 17 (3 overwrote 2): gdb ends before
    // it, pc at the store, showing the change backwards; then the store at 13.
    expect(stops).toEqual([
      stop(WATCH.LOAD, 10), stop(WATCH.LOAD, 14), stop(WATCH.LOAD, 18),
      stop(WATCH.STORE, 17), stop(WATCH.STORE, 13),
      stop(WATCH.LOAD, 10), stop(WATCH.LOAD + 4, 15),
      stop(WATCH.LOAD, 18), stop(WATCH.STORE, 17),
    ]);
    const changes = [...out.matchAll(/Old value = (\d+)\nNew value = (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(changes).toEqual([[0, 1], [1, 2], [2, 3], [3, 2], [2, 1], [2, 3], [3, 2]]);
    expect([...out.matchAll(/^\$\d+ = (\d+)$/gm)].map((m) => Number(m[1]))).toEqual([2, 1]);
    expect(out).toMatch(/Hardware read watchpoint 2: \*\(int\*\)0x80001000\n\nValue = 1/);
    expect(out.match(/Hardware access \(read\/write\) watchpoint 3: \*\(int\*\)0x80001000\n\nOld value/g)).toHaveLength(2);
  }, TIMEOUT);

  it('info registers and x show the state at the current position; writes work only at the frontier', async () => {
    const { out, stops } = await watchSession([
      `break *0x${WATCH.LOAD.toString(16)}`,
      'continue', ...PROBE,
      'info registers',
      'x/2wx 0x80001000',
      // At the frontier (recording): writes become part of the recording.
      'set var *(int*)0x80001000 = 42',
      'set $t0 = 7',
      'x/1wx 0x80001000',
      'stepi', ...PROBE, 'p $t2', 'p $t0',
      // In the past: refused with an error, nothing changes.
      'reverse-stepi', ...PROBE,
      ...tryCommand('set var *(int*)0x80001000 = 5'),
      ...tryCommand('set $t0 = 9'),
      'x/1wx 0x80001000', 'p $t0',
      'stepi', ...PROBE, 'p $t2',
    ]);
    expect(stops).toEqual([stop(WATCH.LOAD, 10), stop(WATCH.LOAD + 4, 11), stop(WATCH.LOAD, 10), stop(WATCH.LOAD + 4, 11)]);
    // An independent view of position 10: the core alone, run there.
    const m = new Machine();
    m.load(readElf(watchProgram()));
    expect(m.run(10).kind).toBe('limit');
    const regs = infoRegisters(out);
    expect(regs.get('pc')).toBe(WATCH.LOAD);
    for (const [name, n] of [['t0', 5], ['t1', 6], ['t2', 7], ['a0', 10], ['a1', 11], ['a2', 12], ['t3', 28]] as const) {
      expect(regs.get(name), name).toBe(m.x[n]! >>> 0);
    }
    expect(regs.size).toBeGreaterThanOrEqual(32);
    expect(out).toContain('0x80001000:\t0x00000001\t0x00000000');
    expect(out).toContain('0x80001000:\t0x0000002a');
    // `p` results in decimal: t2 after the load (it saw the written 42), t0 (7, written),
    // then t0 after the refused write in the past, and t2 when the load is replayed.
    expect([...out.matchAll(/^\$\d+ = (-?\d+)$/gm)].map((m) => Number(m[1]))).toEqual([42, 7, 7, 42]);
    expect(out).toContain('Cannot access memory at address 0x80001000');
    expect(out).toContain('@@ERROR Could not write register "t0"; remote failure reply \'E01\'');
    expect(out).toMatch(/0x80001000:\t0x0000002a\n\$\d+ = 7\n/);
  }, TIMEOUT);

  it('monitor commands: info replay, replay_break, replay_delete_break, replay_seek, help', async () => {
    const { out, stops } = await watchSession([
      'monitor help',
      'monitor info replay',
      'monitor replay_break 20',
      'continue', ...PROBE,
      'monitor replay_break 5',
      'monitor replay_break 25',
      'monitor replay_delete_break',
      `break *0x${WATCH.EXIT.toString(16)}`,
      'continue', ...PROBE,
      'monitor replay_seek 7',
      'maintenance flush register-cache', ...PROBE,
      'monitor replay_seek 100',
      'monitor replay_break 30',
      'delete',
      'continue', ...PROBE,
      'monitor frobnicate',
    ]);
    expect(stops).toEqual([stop(WATCH.LOOP_END, 20), stop(WATCH.EXIT, 29), stop(0x80000004, 7), stop(0x80000020, 30)]);
    expect(out).toContain("Recording execution 'watch.elf': instruction count = 0");
    expect(out).toContain("Replaying execution 'watch.elf': instruction count = 7");
    expect(out).toContain('cannot set breakpoint at the instruction in the past');
    expect(out).toMatch(/cannot seek to 100: the recording reaches instruction count 29/);
    expect(out).toContain('replay_seek icount -- replay execution to the specified instruction count');
    expect(out).toContain('replay_break icount -- set breakpoint at the specified instruction count');
    expect(out).toContain("unknown command: 'frobnicate'");
  }, TIMEOUT);

  it('after monitor replay_seek, continue, stepi and the reverse commands start from the new position', async () => {
    // A complete recording, so that seeks go both ways. EXIT plays the issue's `done`.
    const elf = watchProgram();
    const tl = new Timeline(readElf(elf), { name: 'watch', live: fixedInputs });
    complete(tl.continueForward());
    complete(tl.seek(0));
    const server = await startRewind(elf, 'watch', tl);
    try {
      const hex = (n: number): string => `0x${n.toString(16)}`;
      const r = await withTempFile('watch.elf', elf, (path) => runGdb(server.server.port, [
        `break *${hex(WATCH.EXIT)}`,
        'continue', ...PROBE,
        'monitor replay_seek 0',
        'echo @@AFTER-SEEK\\n', 'p/x $pc', `x/1wx ${hex(WATCH.DATA)}`,
        // The case: gdb believes it is at `done` (a breakpoint it steps over) but the
        // target is at 0: the continue must stop at `done` again, not run to the end.
        'continue', ...PROBE,
        'monitor replay_seek 7',
        'stepi', ...PROBE, 'p/x $t0',
        'reverse-stepi', ...PROBE,
        'monitor replay_seek 20',
        'reverse-stepi', ...PROBE,
        `break *${hex(WATCH.STORE)}`,
        'monitor replay_seek 20',
        'reverse-continue', ...PROBE,
        'monitor replay_seek 3',
        'continue', ...PROBE,
        'delete',
        `watch *(int*)${hex(WATCH.DATA)}`,
        'monitor replay_seek 8',
        'continue', ...PROBE,
      ], { elf: path }));
      const out = r.stdout;
      expect(parseStops(out)).toEqual([
        stop(WATCH.EXIT, 29), stop(WATCH.EXIT, 29),
        stop(0x80000008, 8), stop(0x80000004, 7),
        stop(WATCH.LOAD + 4, 19),
        stop(WATCH.STORE, 17),
        stop(WATCH.STORE, 9),
        stop(WATCH.LOAD, 10),
      ]);
      // Right after the seek, memory is read from position 0 (nothing stored yet), while gdb
      // still shows the pc it cached at its last stop, and the monitor output says so.
      const after = out.slice(out.indexOf('@@AFTER-SEEK'));
      expect(after).toMatch(/^@@AFTER-SEEK\n\$\d+ = 0x8000001c\n0x80001000:\t0x00000000\n/);
      expect(out).toContain("[at instruction count 0; gdb shows the registers of instruction count 29 until its next stop or 'maintenance flush register-cache'.");
      // After stepi from 7, t0 holds 1 (addi t0, zero, 1 ran): registers are the new ones.
      expect(out).toMatch(/\$\d+ = 0x1\n/);
      // The watchpoint: instruction 9 (just after the seek target) stores 1, shown as usual.
      expect(out).toMatch(/Old value = 0\nNew value = 1\n/);
    } finally {
      await server.server.close();
    }
  }, TIMEOUT);

  it("with gdb's register cache flushed after monitor commands (hookpost-monitor), the new registers show at once", async () => {
    const elf = watchProgram();
    const tl = new Timeline(readElf(elf), { name: 'watch', live: fixedInputs });
    complete(tl.continueForward());
    const server = await startRewind(elf, 'watch', tl);
    try {
      const r = await runGdb(server.server.port, [
        'define hookpost-monitor', 'maintenance flush register-cache', 'end',
        'monitor replay_seek 7',
        'echo @@AFTER-SEEK\\n', 'info registers pc', 'p/x $t1',
        `break *0x${WATCH.LOOP_END.toString(16)}`,
        'continue', ...PROBE,
      ]);
      expect(r.stdout).toMatch(/@@AFTER-SEEK\npc +0x80000004\t0x80000004\n\$\d+ = 0x80001000\n/);
      expect(parseStops(r.stdout)).toEqual([stop(WATCH.LOOP_END, 12)]);
    } finally {
      await server.server.close();
    }
  }, TIMEOUT);

  it('continue to the guest exit ends the log; reverse execution goes on from there', async () => {
    const { out, stops } = await watchSession([
      'continue', ...PROBE,
      'continue', ...PROBE,
      `break *0x${WATCH.STORE.toString(16)}`,
      'reverse-continue', ...PROBE,
      'reverse-stepi', ...PROBE,
    ]);
    expect(stops).toEqual([stop(0x8000002c, 33), stop(0x8000002c, 33), stop(WATCH.STORE, 25), stop(WATCH.LOOP_END, 24)]);
    expect(out).toContain('[the guest exited with code 0 at instruction count 33]');
    expect(out.match(/No more reverse-execution history\./g)).toHaveLength(2);
  }, TIMEOUT);

  it('the example programs: break at main, stepi, reverse-stepi and reverse-continue at the exact positions', async () => {
    for (const name of ['hello', 'fib-asm', 'traps', 'memory']) {
      const path = `${repoRoot}examples/build/${name}.elf`;
      const elf = new Uint8Array(readFileSync(path));
      const main = findSymbol(readElf(elf), 'main')!.value;
      const tMain = firstHit(elf, main);
      const r = await rewindSession(path, elf, [
        'break main', 'continue', ...PROBE,
        'stepi', ...PROBE, 'stepi', ...PROBE,
        'reverse-stepi', ...PROBE,
        'reverse-continue', ...PROBE,
        'reverse-continue', ...PROBE,
      ]);
      const stops = parseStops(r.stdout);
      expect(stops[0], name).toEqual(stop(main, tMain));
      expect(stops.map((s) => s.icount), name).toEqual([tMain, tMain + 1, tMain + 2, tMain + 1, tMain, 0]);
      expect(stops[4]!.pc).toBe(main);
      expect(stops[5]!.pc).toBe(0x1000);
    }
  }, TIMEOUT * 2);

  it('a watchpoint on an example program variable (traps: trap_count), forward and reverse', async () => {
    const path = `${repoRoot}examples/build/traps.elf`;
    const elf = new Uint8Array(readFileSync(path));
    const addr = findSymbol(readElf(elf), 'trap_count')!.value;
    // The stores that change trap_count (gdb's `watch` ignores the others, like the BSS
    // clearing in _start), found by the core alone: (pc of the store, position t).
    const m = new Machine();
    m.load(readElf(elf));
    m.setWatchpoints([{ addr, len: 4, kind: 'write' }]);
    const stores: { pc: number; t: number; after: number }[] = [];
    while (stores.length < 3) {
      const r = m.run(Number.MAX_SAFE_INTEGER);
      if (r.kind !== 'watchpoint') throw new Error(`expected a watchpoint hit, got ${r.kind}`);
      const pc = m.pc, t = m.icount;
      const before = m.readMemory(addr, 4).join();
      m.setWatchpoints([]);
      m.run(t + 1);
      if (m.readMemory(addr, 4).join() !== before) stores.push({ pc, t, after: m.pc });
      m.setWatchpoints([{ addr, len: 4, kind: 'write' }]);
    }
    const r = await rewindSession(path, elf, [
      'watch trap_count',
      'continue', ...PROBE, 'continue', ...PROBE, 'continue', ...PROBE,
      'reverse-continue', ...PROBE, 'print trap_count',
      'reverse-continue', ...PROBE, 'print trap_count',
    ]);
    const [a, b, c] = stores as [typeof stores[0], typeof stores[0], typeof stores[0]];
    expect(parseStops(r.stdout)).toEqual([
      stop(a.after, a.t + 1), stop(b.after, b.t + 1), stop(c.after, c.t + 1),
      stop(c.pc, c.t), stop(b.pc, b.t),
    ]);
    const changes = [...r.stdout.matchAll(/Old value = (\d+)\nNew value = (\d+)/g)].map((x) => [Number(x[1]), Number(x[2])]);
    expect(changes).toEqual([[0, 1], [1, 2], [2, 3], [3, 2], [2, 1]]);
    expect([...r.stdout.matchAll(/^\$\d+ = (\d+)$/gm)].map((x) => Number(x[1]))).toEqual([2, 1]);
  }, TIMEOUT);

  it('interrupts a running continue with Ctrl-C (0x03) and resumes', async () => {
    const loop = elf32(assemble([['addi', { rd: 5, rs1: 5, imm12: 1 }], ['jal', { rd: 0, jimm: -4 }]]));
    const r = await withTempFile('loop.elf', loop, (path) => rewindSession(path, loop, [
      'python import threading, os, signal; threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()',
      'continue', ...PROBE,
      'reverse-stepi', ...PROBE,
      'p $t0',
    ]));
    expect(r.stdout).toContain('Program received signal SIGINT, Interrupt.');
    const stops = parseStops(r.stdout);
    expect(stops[0]!.icount).toBeGreaterThan(1000);
    expect(stops[1]!.icount).toBe(stops[0]!.icount - 1);
  }, TIMEOUT);

  it('refuses a second debugger clearly and survives one that disappears mid-continue', async () => {
    const loop = elf32(assemble([['addi', { rd: 5, rs1: 5, imm12: 1 }], ['jal', { rd: 0, jimm: -4 }]]));
    const server = await startRewind(loop, 'loop');
    try {
      const port = server.server.port;
      const first = await runGdb(port, [
        `shell ${GDB} -nx -batch -ex "target remote 127.0.0.1:${port}" 2>&1 | sed "s/^/[second] /"`,
        'stepi', ...PROBE,
        'detach',
      ]);
      expect(first.stdout).toContain('[second] warning: Remote failure reply: E.Rewind gdbserver: another debugger is already connected');
      expect(parseStops(first.stdout)).toEqual([stop(0x1004, 1)]);
      expect(server.logs.some((l) => l.includes('refused a second debugger'))).toBe(true);

      // A gdb killed while the target runs: the server abandons the continue and takes the next one.
      const gdb = spawn(GDB, ['-nx', '-batch', '-ex', `target remote 127.0.0.1:${port}`, '-ex', 'continue'], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 1500));
      gdb.kill('SIGKILL');
      await new Promise((r) => gdb.on('close', r));
      const third = await runGdb(port, ['monitor info replay', 'stepi', ...PROBE, 'kill']);
      const stops = parseStops(third.stdout);
      expect(stops).toHaveLength(1);
      expect(stops[0]!.icount).toBeGreaterThan(1000);
      await server.server.finished;
    } finally {
      await server.server.close();
    }
  }, TIMEOUT);

  it('serves a replay file through the CLI (spawned), replay-only', async () => {
    const elf = watchProgram();
    const rec = new Timeline(readElf(elf), { name: 'watch-run', live: fixedInputs });
    complete(rec.continueForward());
    const file = writeReplayFile(toReplayFile(rec));
    await withTempFile('watch.rwd', file, async (path) => {
      const child = spawn(process.execPath, [`${repoRoot}tests/differential/gdb/gdbserver.mjs`, path, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        const port = await new Promise<number>((resolve, reject) => {
          let err = '';
          child.stderr.on('data', (b: Buffer) => {
            err += b.toString();
            const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
            if (m) resolve(Number(m[1]));
          });
          child.on('close', () => reject(new Error(`gdbserver exited: ${err}`)));
          setTimeout(() => reject(new Error(`gdbserver did not start: ${err}`)), 30_000);
        });
        const r = await runGdb(port, [
          'monitor info replay',
          `watch *(int*)0x${WATCH.DATA.toString(16)}`,
          'continue', ...PROBE,
          'delete',
          'continue', ...PROBE,
          ...tryCommand('set var *(int*)0x80001000 = 5'),
          'reverse-stepi', ...PROBE,
          'kill',
        ]);
        expect(r.stdout).toContain("Replaying execution 'watch-run': instruction count = 0");
        expect(parseStops(r.stdout)).toEqual([stop(WATCH.LOAD, 10), stop(0x8000002c, 33), stop(0x80000028, 32)]);
        expect(r.stdout).toContain('[the guest exited with code 0 at instruction count 33]');
        expect(r.stdout).toContain('Cannot access memory at address 0x80001000');
        const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
        expect(code).toBe(0);
      } finally {
        child.kill('SIGKILL');
      }
    });
  }, TIMEOUT);
});
