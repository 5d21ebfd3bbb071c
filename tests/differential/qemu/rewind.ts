// Runs a program under Rewind's CLI (`rewind run --stats`), as a user would.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { repoRoot } from './examples';

export interface RewindRun {
  stdout: Buffer;
  stderr: string;
  exitCode: number | null;
  /** icount from --stats, or undefined if it was not printed. */
  icount: number | undefined;
}

export async function runRewind(args: string[], stdinPath?: string, timeoutMs = 120_000): Promise<RewindRun> {
  const stdin = stdinPath === undefined ? 'ignore' : openSync(stdinPath, 'r');
  const child = spawn(process.execPath, [`${repoRoot}bin/rewind.mjs`, ...args], { stdio: [stdin, 'pipe', 'pipe'], cwd: repoRoot });
  if (typeof stdin === 'number') closeSync(stdin);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => out.push(b));
  child.stderr?.on('data', (b: Buffer) => err.push(b));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  const stderr = Buffer.concat(err).toString();
  const m = /rewind: stats: icount=(\d+)/.exec(stderr);
  return { stdout: Buffer.concat(out), stderr, exitCode, icount: m ? Number(m[1]) : undefined };
}
