// `rewind run` end to end: the real launcher (bin/rewind.mjs), the real machine, the example ELFs.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../differential/qemu/examples';
import { runRewind } from '../../differential/qemu/rewind';

const elf = (name: string): string => `${repoRoot}examples/build/${name}.elf`;
const echoInput = `${repoRoot}examples/inputs/echo.txt`;
const tmp = mkdtempSync(join(tmpdir(), 'rewind-cli-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The compute example's three results, computed here independently of the guest. */
function computeExpected(): { primes: number; hash: number; collatzStart: number; collatzSteps: number } {
  let primes = 0;
  for (let n = 2; n < 20000; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
    if (prime) primes++;
  }
  let x = 0x12345678;
  let acc = 0;
  for (let i = 0; i < 300000; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    const wideHi = Number((BigInt(x) * 0x9e3779b1n) >> 32n) >>> 0;
    const swideHi = Number(BigInt.asUintN(32, (BigInt(x | 0) * BigInt(acc | 0)) >> 32n));
    acc = (((acc ^ wideHi) >>> 0) + swideHi + i) >>> 0;
  }
  let best = 0;
  let bestStart = 1;
  for (let start = 1; start < 3000; start++) {
    let n = start;
    let steps = 0;
    while (n !== 1) { n = n & 1 ? 3 * n + 1 : n / 2; steps++; }
    if (steps > best) { best = steps; bestStart = start; }
  }
  return { primes, hash: (acc ^ x) >>> 0, collatzStart: bestStart, collatzSteps: best };
}

describe('rewind run', () => {
  it('runs hello.elf: UART output on stdout, exit status 0', async () => {
    const r = await runRewind(['run', elf('hello'), '--input', '/dev/null']);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.toString().split('\n');
    expect(lines[0]).toBe('Hello, world! This is RISC-V running on the QEMU virt machine.');
    expect(lines[1]).toMatch(/^instructions to print the greeting: \d+$/);
    expect(r.stderr).toBe('');
  });

  it('computes what the compute example should compute', async () => {
    const r = await runRewind(['run', elf('compute'), '--input', '/dev/null']);
    expect(r.exitCode, r.stderr).toBe(0);
    const want = computeExpected();
    const out = r.stdout.toString();
    expect(out).toContain(`primes below 20000: ${want.primes}\n`);
    expect(out).toContain(`hash: 0x${want.hash.toString(16).padStart(8, '0')}\n`);
    expect(out).toContain(`longest collatz chain start: ${want.collatzStart}\n`);
    expect(out).toContain(`longest collatz chain steps: ${want.collatzSteps}\n`);
  });

  it('passes the guest exit code through (traps exits with 3)', async () => {
    const r = await runRewind(['run', elf('traps'), '--stats', '--input', '/dev/null']);
    expect(r.exitCode).toBe(3);
    expect(r.stdout.toString()).toMatch(/ecall from U: mcause=8 .*\ntraps taken: 6\n.*exiting with status 3\n$/s);
    expect(r.stderr).toMatch(/stop=exit\(3\)/);
  });

  it('--stats prints the instruction count, time and MIPS', async () => {
    const r = await runRewind(['run', elf('hello'), '--stats', '--input', '/dev/null']);
    expect(r.stderr).toMatch(/^rewind: stats: icount=\d+ time=\d+\.\d{3}s mips=\d+\.\d stop=exit\(0\)\n$/);
    // The count includes the six reset-vector instructions and the exit store.
    expect(r.icount).toBeGreaterThan(6 + 449);
  });

  it('feeds UART input from --input FILE and from stdin alike', async () => {
    const input = readFileSync(echoInput);
    const text = input.subarray(0, input.indexOf(4)).toString('latin1');
    const fromFile = await runRewind(['run', elf('echo'), '--input', echoInput, '--stats']);
    expect(fromFile.exitCode, fromFile.stderr).toBe(0);
    const out = fromFile.stdout.toString('latin1');
    expect(out).toContain(text.toUpperCase());
    expect(out).toContain(`\nbytes: ${text.length}\nlines: ${text.split('\n').length - 1}\n`);
    const fromStdin = await runRewind(['run', elf('echo'), '--input', '-', '--stats'], echoInput);
    expect(fromStdin.stdout.toString('latin1')).toBe(out);
    // Same program, same input: same instruction count, however the bytes arrived.
    expect(fromStdin.icount).toBe(fromFile.icount);
    const byDefault = await runRewind(['run', elf('echo')], echoInput);
    expect(byDefault.stdout.toString('latin1')).toBe(out);
  });

  it('ends cleanly when the guest waits for input that has ended', async () => {
    const file = join(tmp, 'no-eot.txt');
    writeFileSync(file, 'no end marker here\n');
    const r = await runRewind(['run', elf('echo'), '--input', file, '--stats']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toBe('echo: type text, end with Ctrl-D (EOT)\nNO END MARKER HERE\n');
    expect(r.stderr).toMatch(/the guest waits for input and the input has ended/);
    expect(r.stderr).toMatch(/stop=idle/);
  });

  it('streams output while the guest runs (not buffered until exit)', async () => {
    const child = spawn(process.execPath, [`${repoRoot}bin/rewind.mjs`, 'run', elf('echo')], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    let step = 0;
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (step === 0 && out.includes('end with Ctrl-D')) {
        step = 1;
        child.stdin.write('first line\n');
      } else if (step === 1 && out.includes('FIRST LINE\n')) {
        // Echoed while the guest still runs and stdin is still open.
        step = 2;
        child.stdin.end('second\x04');
      }
    });
    const timer = setTimeout(() => child.kill(), 30_000);
    expect(await exited).toBe(0);
    clearTimeout(timer);
    expect(step).toBe(2);
    expect(out).toContain('SECOND\nbytes: 17\nlines: 1\n');
  });

  it('--max-insns stops with a message and exit status 124', async () => {
    const r = await runRewind(['run', elf('compute'), '--max-insns', '100000', '--stats', '--input', '/dev/null']);
    expect(r.exitCode).toBe(124);
    expect(r.icount).toBe(100000);
    expect(r.stderr).toMatch(/stopped after 100000 instructions \(--max-insns\)/);
  });

  it('--trace prints icount, pc and disassembly for every instruction', async () => {
    const r = await runRewind(['run', elf('hello'), '--trace', '--stats', '--input', '/dev/null']);
    expect(r.exitCode).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => /^\d+ [0-9a-f]{8} /.test(l));
    expect(lines).toHaveLength(r.icount!);
    expect(lines[0]).toMatch(/^0 00001000 auipc\s+t0,\s*0x0/);
    expect(lines[5]).toMatch(/^5 00001014 jr\s+t0/);
    expect(lines[6]).toMatch(/^6 80000000 /);
    expect(lines.at(-1)).toMatch(/ sw\s+t0,\s*0\(t1\)/); // the exit store
    expect(r.stdout.toString()).toContain('Hello, world!');
  });

  it('assembles and runs a .s source', async () => {
    const src = join(tmp, 'tiny.s');
    writeFileSync(src, [
      '  .text', '  .globl _start', '_start:',
      '  li t0, 0x10000000', '  li t1, 0x4f', '  sb t1, 0(t0)', '  li t1, 0x4b', '  sb t1, 0(t0)', '  li t1, 0x0a', '  sb t1, 0(t0)',
      '  li t0, 0x100000', '  li t1, 0x53333', '  sw t1, 0(t0)', // exit code 5
      '1: j 1b', '',
    ].join('\n'));
    const r = await runRewind(['run', src, '--stats', '--input', '/dev/null']);
    expect(r.stdout.toString()).toBe('OK\n');
    expect(r.exitCode, r.stderr).toBe(5);
    expect(r.icount).toBe(6 + 11); // li t1, 0x53333 is lui + addi
    const bad = join(tmp, 'bad.s');
    writeFileSync(bad, '  .text\n  frobnicate a0\n');
    const rb = await runRewind(['run', bad]);
    expect(rb.exitCode).toBe(2);
    expect(rb.stderr).toMatch(/bad\.s:2:\d+: error/);
  });

  it('reports unreadable files, malformed ELFs and usage errors in one line with status 2', async () => {
    const missing = await runRewind(['run', join(tmp, 'nope.elf')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/^rewind run: cannot read '.*nope\.elf': no such file or directory\n$/);
    const notElf = join(tmp, 'text.elf');
    writeFileSync(notElf, 'hello\n');
    const bad = await runRewind(['run', notElf]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe('rewind run: text.elf: e_ident[EI_MAG0..3] = 68 65 6c 6c: not an ELF file (expected 7f 45 4c 46)\n');
    const truncated = join(tmp, 'truncated.elf');
    writeFileSync(truncated, readFileSync(elf('hello')).subarray(0, 0x200));
    const tr = await runRewind(['run', truncated]);
    expect(tr.exitCode).toBe(2);
    expect(tr.stderr).toMatch(/^rewind run: truncated\.elf: p_offset of program header 0 = 0x1000: .* past the end of the file/);
    expect((await runRewind(['run'])).exitCode).toBe(2);
    expect((await runRewind(['run', elf('hello'), '--bogus'])).stderr).toMatch(/Unknown option '--bogus'/);
    expect((await runRewind(['run', elf('hello'), '--max-insns', 'lots'])).exitCode).toBe(2);
    expect((await runRewind(['run', elf('hello'), '--input', join(tmp, 'none.txt')])).stderr).toMatch(/cannot read input/);
  });
});

describe('rewind (dispatcher)', () => {
  it('lists the commands and rejects unknown ones', async () => {
    const help = await runRewind(['help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout.toString()).toMatch(/^ {2}run {2,}.*\n {2}asm {2,}/m);
    const none = await runRewind([]);
    expect(none.stdout.toString()).toBe(help.stdout.toString());
    const unknown = await runRewind(['frob']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frob'/);
    const runHelp = await runRewind(['help', 'run']);
    expect(runHelp.exitCode).toBe(0);
    expect(runHelp.stdout.toString()).toMatch(/--max-insns N/);
  });
});
