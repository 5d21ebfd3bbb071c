import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { asmCommand, assembleFile, formatDiagnostics } from '../../../src/cli/asm';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
});
afterEach(() => { vi.restoreAllMocks(); });

const dir = mkdtempSync(join(tmpdir(), 'rewind-cli-'));

describe('rewind asm', () => {
  it('writes an ELF and a listing', async () => {
    const src = join(dir, 'ok.s');
    writeFileSync(src, '_start:\n  li a0, 1\n  ret\n');
    const elf = join(dir, 'ok.elf');
    expect(await asmCommand([src, '-o', elf, '--listing'])).toBe(0);
    const bytes = readFileSync(elf);
    expect([...bytes.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(out).toMatch(/2 80000000 4505 + {2}li a0, 1/);
    expect(err).toBe('');
  });

  it('reports every error with file:line:col and writes nothing', async () => {
    const src = join(dir, 'bad.s');
    writeFileSync(src, 'addi a0, a0, 9999\nfoo a0\n');
    const elf = join(dir, 'bad.elf');
    expect(await asmCommand([src, '-o', elf])).toBe(1);
    expect(err).toContain(`${src}:1:14: error: immediate 9999 out of range for addi: -2048..2047`);
    expect(err).toContain(`${src}:2:1: error: unknown instruction 'foo'`);
    expect(err).toContain('2 errors');
    expect(existsSync(elf)).toBe(false);
  });

  it('prints usage', async () => {
    expect(await asmCommand(['--help'])).toBe(0);
    expect(out).toContain('usage: rewind asm');
    expect(await asmCommand([])).toBe(2);
    expect(await asmCommand(['x.s', '--bogus'])).toBe(2);
  });

  it('exposes assembleFile and a caret formatter', () => {
    const src = join(dir, 'f.s');
    writeFileSync(src, '\tnop\n\tbogus\n');
    const { source, result } = assembleFile(src);
    expect(result.ok).toBe(false);
    expect(formatDiagnostics('f.s', source, result.diagnostics)).toBe("f.s:2:2: error: unknown instruction 'bogus'\n   bogus\n   ^~~~~\n");
  });
});
