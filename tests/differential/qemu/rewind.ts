// Runs a program under Rewind's CLI (`rewind run --stats`), as a user would.
import { runProcess } from './process';
import { repoRoot } from './examples';

export interface RewindRun {
  stdout: Buffer;
  stderr: string;
  exitCode: number | null;
  /** icount from --stats, or undefined if it was not printed. */
  icount: number | undefined;
}

export async function runRewind(args: string[], stdinPath?: string, timeoutMs = 120_000): Promise<RewindRun> {
  const { stdout, stderr, exitCode } = await runProcess(process.execPath, [`${repoRoot}bin/rewind.mjs`, ...args], stdinPath, timeoutMs, repoRoot);
  const m = /rewind: stats: icount=(\d+)/.exec(stderr);
  return { stdout, stderr, exitCode, icount: m ? Number(m[1]) : undefined };
}
