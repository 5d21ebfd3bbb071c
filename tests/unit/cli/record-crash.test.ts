// `rewind record` never loses a recording: killed at random moments (SIGKILL), its file reads
// back up to its last checkpoint with the same state hashes as an uninterrupted recording, and
// says what was cut; Ctrl-C (SIGINT) finishes the file cleanly. Through the real launcher.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../differential/qemu/examples';
import { runRewind } from '../../differential/qemu/rewind';
import { Timeline, complete, readReplayFile, recoveryNotice, timelineFromReplay, hashEquals, type ReplayFile } from '../../../src/replay';
import { rng } from '../replay/randomProgram';
import { printerSource } from '../../e2e/fixtures/programs';

const tmp = mkdtempSync(join(tmpdir(), 'rewind-crash-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs for ever: stores a counter around a 4 KiB buffer and prints a dot every 2^20 iterations. */
const SOURCE = `  .text
  .globl _start
_start:
  li a0, 0x80010000
  li a1, 0x10000000
  li t0, 0
  li t4, 0xfffff
loop:
  addi t0, t0, 1
  andi t2, t0, 1023
  slli t2, t2, 2
  add t3, a0, t2
  sw t0, 0(t3)
  and t5, t0, t4
  bnez t5, loop
  li t6, 46
  sb t6, 0(a1)
  j loop
`;
const prog = join(tmp, 'forever.s');
beforeAll(() => writeFileSync(prog, SOURCE));

interface Recorder { stderr: string; exitCode: number | null; signal: NodeJS.Signals | null }

/** Generous: the CLI starts in seconds when the machine is loaded; these bound hangs, not speed. */
const HANG_GUARD = 600_000;

/**
 * Starts `rewind record` with checkpoints every 20 ms, waits until `ready` holds for what it
 * reported (a number: that many checkpoints), then sends `signal` after `extraMs` more (any
 * moment is a valid moment to kill it).
 */
function recordThenSignal(args: string[], ready: number | ((stderr: string) => boolean), extraMs: number, signal: NodeJS.Signals, input?: string): Promise<Recorder> {
  const isReady = typeof ready === 'number' ? (e: string) => (e.match(/saved up to icount/g) ?? []).length >= ready : ready;
  const child = spawn(process.execPath, [`${repoRoot}bin/rewind.mjs`, 'record', ...args, '--progress', '--checkpoint-ms', '20'], {
    stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
  });
  if (input !== undefined) child.stdin!.write(input);
  let stderr = '';
  let sent = false;
  const guard = setTimeout(() => child.kill('SIGKILL'), HANG_GUARD);
  child.stderr!.on('data', (b: Buffer) => {
    stderr += b.toString();
    if (!sent && isReady(stderr)) {
      sent = true;
      setTimeout(() => child.kill(signal), extraMs);
    }
  });
  return new Promise((resolve) => child.on('close', (exitCode, sig) => {
    clearTimeout(guard);
    resolve({ stderr, exitCode, signal: sig });
  }));
}

/** The uninterrupted recording of the same program, to compare state hashes with. */
class Reference {
  private readonly tl: Timeline;
  constructor(file: ReplayFile) {
    this.tl = new Timeline(file.image, { ramSize: file.ramSize, snapshotInterval: file.snapshotInterval, live: { rtcNanoseconds: () => 0, seedEntropy: () => 0 } });
  }
  /** The recording's state hash at `icount` (no input: the log index is always 0). */
  hashAt(icount: number) {
    const tl = this.tl;
    if (icount > tl.frontier) {
      tl.setReplayBreak(icount);
      complete(tl.continueForward());
    } else {
      complete(tl.seek(icount));
    }
    expect(tl.icount).toBe(icount);
    return tl.stateHash();
  }
}

describe('rewind record survives being killed', () => {
  it('20 SIGKILLs at random moments: every file reads back to its last checkpoint, as recorded', async () => {
    const next = rng(0x5161);
    const runs: { file: string; rec: Recorder }[] = [];
    for (let i = 0; i < 20; i += 2) {
      // Two at a time: the machine has two cores.
      const pair = [i, i + 1].map(async (k) => {
        const file = join(tmp, `kill-${k}.rwd`);
        const rec = await recordThenSignal([prog, '-o', file], 1 + (next() % 6), next() % 60, 'SIGKILL');
        runs.push({ file, rec });
      });
      await Promise.all(pair);
    }
    let ref: Reference | null = null;
    for (const { file, rec } of runs) {
      expect(rec.signal).toBe('SIGKILL');
      const f = readReplayFile(readFileSync(file));
      expect(f.recovered, file).not.toBeNull();
      const r = f.recovered!;
      expect(r.recoveredTo).toBe(f.finalIcount);
      // At least what the recorder reported saved before it was killed.
      const saved = [...rec.stderr.matchAll(/saved up to icount (\d+)/g)].map((m) => Number(m[1]));
      expect(r.recoveredTo).toBeGreaterThanOrEqual(Math.max(...saved));
      expect(recoveryNotice(r)).toMatch(/^recording was cut at icount \d+; recovered up to icount \d+$/);

      // It replays to the recovered end, checking every hash it recorded on the way...
      const rp = timelineFromReplay(f);
      const stop = complete(rp.continueForward());
      expect(stop).toMatchObject({ icount: f.finalIcount, cause: { kind: 'end-of-log' } });
      // ...and those hashes are the uninterrupted recording's.
      ref ??= new Reference(f);
      for (const h of f.hashes) expect(hashEquals(ref.hashAt(h.icount), h.hash), `${file} at ${h.icount}`).toBe(true);
      expect(f.hashes[f.hashes.length - 1]!.icount).toBe(f.finalIcount);
    }
    // The CLI says what was cut.
    const cli = await runRewind(['replay', runs[0]!.file, '--info']);
    expect(cli.exitCode).toBe(0);
    expect(cli.stderr).toMatch(/rewind replay: .*kill-\d+\.rwd: recording was cut at icount \d+; recovered up to icount \d+/);
    expect(cli.stdout.toString()).toMatch(/^recovered: recording was cut at icount/m);
  }, HANG_GUARD);

  it('Ctrl-C (SIGINT) finishes the file cleanly and says so', async () => {
    const file = join(tmp, 'interrupted.rwd');
    const rec = await recordThenSignal([prog, '-o', file], 2, 0, 'SIGINT');
    expect(rec.exitCode).toBe(130);
    expect(rec.stderr).toMatch(/rewind record: interrupted by SIGINT; wrote .*interrupted\.rwd: (\d+) instructions, 0 input events, \d+ bytes/);
    const end = Number(/interrupted by SIGINT; wrote .*: (\d+) instructions/.exec(rec.stderr)![1]);
    const f = readReplayFile(readFileSync(file));
    expect(f.recovered).toBeNull();
    expect(f.finalIcount).toBe(end);
    expect(f.exit).toBeNull();
    const rp = timelineFromReplay(f);
    expect(complete(rp.continueForward())).toMatchObject({ icount: end, cause: { kind: 'end-of-log' } });
    expect(hashEquals(new Reference(f).hashAt(end), rp.stateHash())).toBe(true);
  }, HANG_GUARD);

  it('keeps the input typed so far when killed while the guest waits for more', async () => {
    const file = join(tmp, 'echo-killed.rwd');
    // The guest echoes what it reads and waits for more; the recorder saves before it waits.
    const rec = await recordThenSignal([`${repoRoot}examples/build/echo.elf`, '-o', file], (e) => /\(6 input events/.test(e), 0, 'SIGKILL', 'hello\n');
    expect(rec.signal).toBe('SIGKILL');
    const f = readReplayFile(readFileSync(file));
    const typed = [...f.log.events()].map((e) => String.fromCharCode(e.payload)).join('');
    expect(typed).toBe('hello\n');
    const rp = timelineFromReplay(f, { outputLimit: 1 << 20 });
    expect(complete(rp.continueForward()).cause.kind).toBe('end-of-log');
    expect(rp.output.textBefore(Infinity)).toContain('HELLO');
  }, HANG_GUARD);
});

describe('rewind record keeps memory bounded', () => {
  it('a guest printing 32 MiB in a loop: output streams through, the recorder stays small', async () => {
    const src = join(tmp, 'printer.s');
    writeFileSync(src, printerSource(32 * 1024 * 1024));
    const file = join(tmp, 'printer.rwd');
    const child = spawn(process.execPath, [`${repoRoot}bin/rewind.mjs`, 'record', src, '-o', file, '--stats'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let outBytes = 0;
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { outBytes += b.length; });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const guard = setTimeout(() => child.kill('SIGKILL'), HANG_GUARD);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(guard);
    expect(code).toBe(0);
    expect(outBytes).toBe(32 * 1024 * 1024);
    const rss = Number(/maxrss=(\d+)MiB/.exec(stderr)?.[1]);
    // ~30 bytes per output byte would be about 1 GiB; the output is not kept at all.
    expect(rss).toBeGreaterThan(0);
    expect(rss).toBeLessThan(400);
  }, HANG_GUARD);
});
