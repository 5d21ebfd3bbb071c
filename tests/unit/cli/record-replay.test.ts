// `rewind record` and `rewind replay` end to end, through the real launcher.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../differential/qemu/examples';
import { runRewind } from '../../differential/qemu/rewind';

const tmp = mkdtempSync(join(tmpdir(), 'rewind-record-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const elf = (name: string): string => `${repoRoot}examples/build/${name}.elf`;

describe('rewind record / replay', () => {
  it('records a run with input, then replays it to the end and to a position', async () => {
    const file = join(tmp, 'echo.rwd');
    const rec = await runRewind(['record', elf('echo'), '-o', file, '--input', `${repoRoot}examples/inputs/echo.txt`]);
    expect(rec.exitCode).toBe(0);
    expect(rec.stdout.toString()).toContain('HELLO FROM THE UART!');
    const m = /wrote .*: (\d+) instructions, (\d+) input events/.exec(rec.stderr);
    expect(m).not.toBeNull();
    const end = Number(m![1]);
    expect(Number(m![2])).toBeGreaterThan(100);

    // --info says what the file holds without replaying it.
    const info = await runRewind(['replay', file, '--info']);
    expect(info.exitCode).toBe(0);
    expect(info.stdout.toString()).toContain(`end of log: instruction count ${end}`);
    expect(info.stdout.toString()).toContain('format version: 2');
    expect(info.stdout.toString()).not.toContain('Replaying execution');
    const whole = await runRewind(['replay', file]);
    expect(whole.stdout.toString()).toContain(`Replaying execution 'echo.elf': instruction count = ${end}`);

    const at = await runRewind(['replay', file, '--seek', '5000', '--output']);
    expect(at.exitCode).toBe(0);
    const text = at.stdout.toString();
    expect(text).toContain("Replaying execution 'echo.elf': instruction count = 5000");
    expect(text).toMatch(/^pc 0x8[0-9a-f]{7}/m);
    expect(text).toMatch(/^sp +0x8[0-9a-f]{7}/m);
    expect(text).toMatch(/^--- UART output up to instruction count 5000 ---\necho: type text/);
    expect(text).toContain('--- end of UART output ---');

    const past = await runRewind(['replay', file, '--seek', String(end + 1)]);
    expect(past.exitCode).toBe(2);
    expect(past.stderr).toContain(`past the end of the log (${end})`);
  });

  it('records the guest exit code and --max-insns', async () => {
    const file = join(tmp, 'hello.rwd');
    const rec = await runRewind(['record', elf('hello'), '-o', file, '--max-insns', '300'], undefined);
    expect(rec.exitCode).toBe(0);
    expect(rec.stderr).toContain('--max-insns reached; wrote');
    const r = await runRewind(['replay', file]);
    expect(r.stdout.toString()).toContain('instruction count = 300');
  });

  it('rejects a damaged replay file with a precise error and no output state', async () => {
    const good = join(tmp, 'good.rwd');
    await runRewind(['record', elf('hello'), '-o', good]);
    const bytes = readFileSync(good);
    bytes[40] = bytes[40]! ^ 0xff;
    const bad = join(tmp, 'bad.rwd');
    writeFileSync(bad, bytes);
    const r = await runRewind(['replay', bad]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/invalid replay file: record at byte \d+: record [A-Z_]{4}: checksum mismatch: the file is damaged/);
    expect(r.stdout.length).toBe(0);
    const none = await runRewind(['replay', join(tmp, 'missing.rwd')]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('no such file or directory');
  });

  it('--output prints any amount of output, decoded as UTF-8 as the console does', async () => {
    const src = join(tmp, 'utf8.s');
    // 40,000 times "é→x\n" (7 bytes): 280 KB, with two- and three-byte sequences.
    writeFileSync(src, `  .text
  .globl _start
_start:
  li a1, 0x10000000
  li t0, 40000
again:
  la a2, text
  li a3, 7
byte:
  lbu t1, 0(a2)
  sb t1, 0(a1)
  addi a2, a2, 1
  addi a3, a3, -1
  bnez a3, byte
  addi t0, t0, -1
  bnez t0, again
  li t1, 0x5555
  li a2, 0x100000
  sw t1, 0(a2)
  .data
text:
  .byte 0xc3, 0xa9, 0xe2, 0x86, 0x92, 0x78, 0x0a
`);
    const file = join(tmp, 'utf8.rwd');
    const rec = await runRewind(['record', src, '-o', file]);
    expect(rec.exitCode).toBe(0);
    const r = await runRewind(['replay', file, '--output']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const text = r.stdout.toString('utf8');
    const body = text.slice(text.indexOf('---\n') + 4, text.indexOf('--- end of UART output ---'));
    expect(body).toBe('é→x\n'.repeat(40000) + '\n');
  });

  it('--info says what the file holds without running it, however long the log', async () => {
    const { Timeline, complete, toReplayFile, writeReplayFile } = await import('../../../src/replay');
    const { readElf } = await import('../../../src/elf');
    const tl = new Timeline(readElf(readFileSync(elf('hello'))), { live: { rtcNanoseconds: () => 0, seedEntropy: () => 0 } });
    tl.setReplayBreak(500);
    complete(tl.continueForward());
    const f = toReplayFile(tl);
    const file = join(tmp, 'endless.rwd');
    writeFileSync(file, writeReplayFile({ ...f, finalIcount: Number.MAX_SAFE_INTEGER, hashes: f.hashes.filter((h) => h.icount < 500) }));
    const r = await runRewind(['replay', file, '--info']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toContain('end of log: instruction count 9007199254740991');
  });
});
