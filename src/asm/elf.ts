// The assembler's result as an ELF32 executable (GNU ld's output section names and segments).

import { writeElf32, type ElfWriteSection } from '../elf/write';
import type { AssembleResult } from './assembler';
import type { OutputKind } from './sections';

const OUTPUT_ORDER: OutputKind[] = ['text', 'rodata', 'data', 'sdata', 'sbss', 'bss'];

/** ELF file bytes for a successful assembly (input sections merged into .text, .rodata, .data, ...). */
export function toElf(result: AssembleResult): Uint8Array {
  const sections: ElfWriteSection[] = [];
  const outName = new Map<string, string>();
  for (const kind of OUTPUT_ORDER) {
    const parts = result.sections.filter((s) => s.kind === kind && s.size > 0);
    if (parts.length === 0) continue;
    // Loops, not Math.min(...list): a program may have more sections than a call has arguments.
    let start = Infinity, end = 0, align = 1;
    for (const s of parts) { start = Math.min(start, s.addr); end = Math.max(end, s.addr + s.size); align = Math.max(align, s.align); }
    const nobits = kind === 'bss' || kind === 'sbss';
    let data: Uint8Array | null = null;
    if (!nobits) {
      data = new Uint8Array(end - start);
      for (const s of parts) if (s.data) data.set(s.data, s.addr - start);
    }
    for (const s of parts) outName.set(s.name, `.${kind}`);
    sections.push({
      name: `.${kind}`, addr: start, size: end - start, align, data,
      flags: { exec: kind === 'text', write: kind !== 'text' && kind !== 'rodata' },
    });
  }
  const segments = result.segments.map((g, i) => {
    const fileEnd = g.addr + g.data.length;
    return { addr: g.addr, fileSize: fileEnd - g.addr, memSize: g.memSize, exec: i === 0 && result.sections.some((s) => s.kind === 'text' && s.addr === g.addr), write: !(i === 0 && result.sections.some((s) => s.kind === 'text' && s.addr === g.addr)) };
  });
  return writeElf32({
    entry: result.entry,
    sections,
    segments,
    symbols: [
      ...result.mapping.map((m) => ({
        name: m.kind === 'code' ? '$x' : '$d', value: m.addr, size: 0, global: false, type: 'notype' as const, section: '.text',
      })),
      ...result.symbols.map((s) => ({
        name: s.name, value: s.addr, size: s.size, global: s.global, type: s.type,
        section: s.section === null ? null : outName.get(s.section) ?? null,
      })),
    ],
    rvc: result.rvc,
    ...(result.usesCsr ? { privSpec: [1, 11] as [number, number] } : {}),
  });
}
