// Runs a child process to completion with its stdin from a file, collecting its output; it is
// killed at the time limit and if the test runner exits first.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface ProcessResult { stdout: Buffer; stderr: string; exitCode: number | null }

export async function runProcess(command: string, args: string[], stdinPath: string | undefined, timeoutMs: number, cwd?: string): Promise<ProcessResult> {
  const stdin = stdinPath === undefined ? 'ignore' : openSync(stdinPath, 'r');
  const child = spawn(command, args, { stdio: [stdin, 'pipe', 'pipe'], ...(cwd !== undefined ? { cwd } : {}) });
  if (typeof stdin === 'number') closeSync(stdin);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => out.push(b));
  child.stderr?.on('data', (b: Buffer) => err.push(b));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const killOnExit = (): void => { child.kill('SIGKILL'); };
  process.once('exit', killOnExit);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  process.removeListener('exit', killOnExit);
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString(), exitCode };
}
