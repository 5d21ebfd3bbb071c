// `rewind asm prog.s -o prog.elf [--listing[=FILE]] [--norvc] [--text-base=ADDR]`

import { writeFileSync } from 'node:fs';
import { describeFsError, FileLimitError, readFileBounded } from './files';
import { basename, extname } from 'node:path';
import { assemble, toElf, type AssembleOptions, type AssembleResult, type Diagnostic } from '../asm';

const USAGE = `usage: rewind asm SOURCE.s [-o OUT.elf] [--listing[=FILE]] [--norvc] [--text-base=ADDR]

Assembles RISC-V assembly (GNU as syntax, RV32IMAC + Zicsr + Zifencei) into an ELF that runs
on QEMU's virt board and on Rewind. Output bytes match GNU as -mno-relax + ld -Ttext=0x80000000.

  -o FILE            output ELF (default: SOURCE with .elf)
  --listing[=FILE]   print the listing (addresses, bytes, source) to stdout or FILE
  --norvc            start without compressed instructions (like .option norvc)
  --text-base=ADDR   address of .text (default 0x80000000)
`;

/** Diagnostics in the compiler format editors understand: `file:line:col: error: message` + source + caret. */
export function formatDiagnostics(path: string, source: string, diagnostics: readonly Diagnostic[]): string {
  const lines = source.split(/\r?\n/);
  let out = '';
  for (const d of diagnostics) {
    // A huge line is shown as a window around the column, so a few errors never print megabytes.
    const full = lines[d.line - 1] ?? '';
    const from = Math.max(0, Math.min(d.column - 1 - 80, full.length - 200));
    const text = (from > 0 ? '…' : '') + full.slice(from, from + 200) + (from + 200 < full.length ? '…' : '');
    const col = d.column - 1 - from + (from > 0 ? 1 : 0);
    const width = Math.min(Math.max(0, d.endColumn - d.column - 1), 200);
    const caret = ' '.repeat(Math.max(0, col)) + '^' + '~'.repeat(width);
    out += `${path}:${d.line}:${d.column}: ${d.severity}: ${d.message}\n  ${text.replace(/\t/g, ' ')}\n  ${caret}\n`;
  }
  return out;
}

/** Reads and assembles a source file (for `rewind run prog.s`). Errors are in result.diagnostics. */
export function assembleFile(path: string, options: AssembleOptions = {}): { source: string; result: AssembleResult } {
  const bytes = readFileBounded(path, {
    limit: MAX_SOURCE_BYTES,
    what: 'an assembly source',
    sniff: (head) => {
      const nul = head.indexOf(0);
      return nul >= 0 ? `not an assembly source: it holds a NUL byte at offset ${nul}` : { limit: MAX_SOURCE_BYTES, what: 'an assembly source' };
    },
  });
  if (bytes.indexOf(0) >= 0) throw new FileLimitError(`'${path}': not an assembly source: it holds a NUL byte at offset ${bytes.indexOf(0)}`);
  const source = new TextDecoder().decode(bytes);
  return { source, result: assemble(source, options) };
}

/** The largest assembly source read (as large as a replay file's embedded source may be). */
export const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

export async function asmCommand(args: string[]): Promise<number> {
  let input: string | undefined;
  let output: string | undefined;
  let listing: string | true | undefined;
  const options: AssembleOptions = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--help' || a === '-h') { process.stdout.write(USAGE); return 0; }
    if (a === '-o') {
      output = args[++i];
      if (output === undefined) { process.stderr.write(`rewind asm: -o needs a file name\n${USAGE}`); return 2; }
    } else if (a === '--listing') listing = true;
    else if (a.startsWith('--listing=')) listing = a.slice('--listing='.length);
    else if (a === '--norvc') options.rvc = false;
    else if (a.startsWith('--text-base=')) {
      const v = Number(a.slice('--text-base='.length));
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff || v % 4 !== 0) {
        process.stderr.write(`rewind asm: --text-base needs a 4-byte aligned address like 0x80000000\n`);
        return 2;
      }
      options.textBase = v;
    } else if (a.startsWith('-')) {
      process.stderr.write(`rewind asm: unknown option ${a}\n${USAGE}`);
      return 2;
    } else if (input === undefined) input = a;
    else { process.stderr.write(`rewind asm: one source file at a time (got ${input} and ${a})\n`); return 2; }
  }
  if (input === undefined) { process.stderr.write(USAGE); return 2; }
  let source: string;
  let result: AssembleResult;
  try {
    ({ source, result } = assembleFile(input, options));
  } catch (err) {
    process.stderr.write(err instanceof FileLimitError ? `rewind asm: ${err.message}\n` : `rewind asm: cannot read ${input}: ${describeFsError(err)}\n`);
    return 1;
  }
  if (result.diagnostics.length > 0) process.stderr.write(formatDiagnostics(input, source, result.diagnostics));
  if (!result.ok) {
    const n = result.diagnostics.filter((d) => d.severity === 'error').length;
    process.stderr.write(`rewind asm: ${n} error${n > 1 ? 's' : ''}, no output written\n`);
    return 1;
  }
  const out = output ?? `${basename(input, extname(input))}.elf`;
  try {
    writeFileSync(out, toElf(result));
    if (listing === true) process.stdout.write(result.listing());
    else if (typeof listing === 'string') writeFileSync(listing, result.listing());
  } catch (err) {
    process.stderr.write(`rewind asm: cannot write: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  return 0;
}
