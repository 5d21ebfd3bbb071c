// Runs a child process to completion with its stdin from a file, collecting its output; it is
// killed at the time limit and if the test runner exits first.
//
// stdoutToFile: the child writes its stdout to a temporary file instead of a pipe. Use it for
// QEMU: Node's stdio pipes are socketpairs, where every 1-byte UART write QEMU makes takes about a
// kilobyte of socket buffer; when this process is slow to read (host load), QEMU's write fails
// with EAGAIN and its UART keeps THRE clear until the host drains the socket, so the guest polls
// LSR longer and retires more instructions — QEMU even drops the byte after a few retries. Seen
// with the rtos example under load: 1 to 3 of 6 concurrent single-step runs retired 70,000–84,000
// instead of 65,574 instructions, one printed 711 of its 712 bytes; with a file, none did.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProcessResult { stdout: Buffer; stderr: string; exitCode: number | null }

export async function runProcess(command: string, args: string[], stdinPath: string | undefined, timeoutMs: number, cwd?: string,
  { stdoutToFile = false }: { stdoutToFile?: boolean } = {}): Promise<ProcessResult> {
  const stdin = stdinPath === undefined ? 'ignore' : openSync(stdinPath, 'r');
  const outDir = stdoutToFile ? mkdtempSync(join(tmpdir(), 'rewind-stdout-')) : undefined;
  const outFile = outDir === undefined ? undefined : join(outDir, 'stdout');
  const stdout = outFile === undefined ? 'pipe' : openSync(outFile, 'w');
  try {
    const child = spawn(command, args, { stdio: [stdin, stdout, 'pipe'], ...(cwd !== undefined ? { cwd } : {}) });
    if (typeof stdin === 'number') closeSync(stdin);
    if (typeof stdout === 'number') closeSync(stdout);
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
    return { stdout: outFile === undefined ? Buffer.concat(out) : readFileSync(outFile), stderr: Buffer.concat(err).toString(), exitCode };
  } finally {
    if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
  }
}
