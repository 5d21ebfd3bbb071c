/** Turns what the user opened (ELF bytes or assembly source) into a program image. */
import { readElf } from '../src/elf';
import { assemble } from '../src/asm';
import type { ProgramImage } from '../src/core';
import type { DiagnosticInfo, ProgramInput, SymbolInfo } from './api';

export type Built =
  | { ok: true; image: ProgramImage; symbols: SymbolInfo[]; source: { fileName: string; text: string } | null; diagnostics: DiagnosticInfo[] }
  | { ok: false; diagnostics: DiagnosticInfo[] };

/** Builds the image; an invalid ELF throws (ElfError), assembly errors come back as diagnostics. */
export function buildProgram(input: ProgramInput, ramSize: number): Built {
  if (input.kind === 'elf') {
    const elf = readElf(new Uint8Array(input.bytes), { ramSize });
    const symbols = elf.symbols
      .filter((s) => s.name !== '' && s.type !== 'section' && s.type !== 'file')
      .map((s) => ({ name: s.name, value: s.value, size: s.size }));
    return { ok: true, image: { entry: elf.entry, segments: elf.segments.map((s) => ({ addr: s.addr, data: s.data, memSize: s.memSize })) }, symbols, source: null, diagnostics: [] };
  }
  const res = assemble(input.text, { ramSize });
  const diagnostics = res.diagnostics.map((d) => ({ severity: d.severity, line: d.line, column: d.column, endColumn: d.endColumn, message: d.message }));
  if (!res.ok) return { ok: false, diagnostics };
  const symbols = res.symbols.map((s) => ({ name: s.name, value: s.addr, size: s.size }));
  return {
    ok: true,
    image: { entry: res.entry, segments: res.segments.map((s) => ({ addr: s.addr, data: s.data, memSize: s.memSize })) },
    symbols,
    source: { fileName: input.fileName ?? 'program.s', text: input.text },
    diagnostics,
  };
}
