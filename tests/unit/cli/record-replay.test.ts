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

    const info = await runRewind(['replay', file, '--info']);
    expect(info.exitCode).toBe(0);
    expect(info.stdout.toString()).toContain(`end of log: instruction count ${end}`);
    expect(info.stdout.toString()).toContain(`Replaying execution 'echo.elf': instruction count = ${end}`);

    const at = await runRewind(['replay', file, '--seek', '5000', '--output']);
    expect(at.exitCode).toBe(0);
    const text = at.stdout.toString();
    expect(text).toContain("Replaying execution 'echo.elf': instruction count = 5000");
    expect(text).toMatch(/^pc 0x8[0-9a-f]{7}/m);
    expect(text).toMatch(/^sp +0x8[0-9a-f]{7}/m);
    expect(text).toContain('echo: type text');

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
    expect(r.stderr).toMatch(/invalid replay file: checksum mismatch/);
    expect(r.stdout.length).toBe(0);
    const none = await runRewind(['replay', join(tmp, 'missing.rwd')]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('no such file or directory');
  });
});
