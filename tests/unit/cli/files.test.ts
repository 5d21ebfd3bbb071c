// Bounded reads: devices, pipes and oversized files fail fast with a clear error, without
// reading more than the format allows (the CLI's `run`, `replay` and `asm` read through this).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileLimitError, readFileBounded } from '../../../src/cli/files';
import { runRewind } from '../../differential/qemu/rewind';

const tmp = mkdtempSync(join(tmpdir(), 'rewind-files-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('readFileBounded', () => {
  it('reads a regular file within the limit whole', () => {
    const p = join(tmp, 'small.bin');
    writeFileSync(p, Buffer.from([1, 2, 3, 4, 5]));
    expect([...readFileBounded(p, { limit: 5, what: 'a test file' })]).toEqual([1, 2, 3, 4, 5]);
  });

  it('rejects a regular file over the limit from its size, before reading it', () => {
    const p = join(tmp, 'big.bin');
    writeFileSync(p, new Uint8Array(1000));
    expect(() => readFileBounded(p, { limit: 999, what: 'a test file' })).toThrow(/is 1000 bytes; a test file is at most 999 bytes/);
  });

  it('stops reading an endless device at the limit', () => {
    const before = process.memoryUsage().arrayBuffers;
    expect(() => readFileBounded('/dev/zero', { limit: 1 << 20, what: 'a test file' })).toThrow(FileLimitError);
    expect(() => readFileBounded('/dev/zero', { limit: 1 << 20, what: 'a test file' })).toThrow(/larger than 1 MiB, the most a test file can be/);
    // What was read is dropped with the error; nothing near the size of the device is held.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });

  it('sniffs the first bytes of a device and stops there', () => {
    let seen = 0;
    expect(() => readFileBounded('/dev/zero', {
      limit: 1 << 30, what: 'a test file', sniff: (head) => { seen = head.length; return 'not a test file'; },
    })).toThrow(/'\/dev\/zero': not a test file/);
    expect(seen).toBe(64 * 1024);
  });

  it('applies the limit the sniff picks', () => {
    expect(() => readFileBounded('/dev/zero', {
      limit: 1 << 30, what: 'anything', sniff: () => ({ limit: 100_000, what: 'a small kind' }),
    })).toThrow(/larger than 100000 bytes, the most a small kind can be/);
  });

  it('passes fs errors through', () => {
    expect(() => readFileBounded(join(tmp, 'missing'), { limit: 10, what: 'x' })).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => readFileBounded(tmp, { limit: 10, what: 'x' })).toThrow(expect.objectContaining({ code: 'EISDIR' }));
  });
});

describe('the CLI on endless devices', () => {
  const cases: [string, string[], RegExp][] = [
    ['run /dev/zero', ['run', '/dev/zero'], /rewind run: zero: e_ident\[EI_MAG0..3\] = 00 00 00 00: not an ELF file/],
    ['run /dev/urandom', ['run', '/dev/urandom'], /rewind run: urandom: e_ident\[EI_MAG0..3\] = [0-9a-f ]+: not an ELF file/],
    ['replay /dev/zero', ['replay', '/dev/zero'], /rewind replay: '\/dev\/zero': not a Rewind replay file/],
    ['asm /dev/zero', ['asm', '/dev/zero', '-o', join(tmp, 'zero.elf')], /rewind asm: '\/dev\/zero': not an assembly source: it holds a NUL byte at offset 0/],
    ['record /dev/zero', ['record', '/dev/zero', '-o', join(tmp, 'zero.rwd')], /rewind record: zero: e_ident\[EI_MAG0..3\] = 00 00 00 00: not an ELF file/],
  ];
  for (const [name, args, message] of cases) {
    it(`${name}: a clear error and a non-zero status`, async () => {
      const r = await runRewind(args);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.exitCode).not.toBe(0);
    });
  }
});
