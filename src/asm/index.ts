// RISC-V assembler (GNU as syntax) producing a linked program image, and its ELF output.

export { assemble, DEFAULT_RAM_SIZE } from './assembler';
export type { AssembleOptions, AssembleResult, AsmSymbol, SectionImage, LoadSegment } from './assembler';
export type { Diagnostic, Severity } from './diagnostics';
export { LineMap } from './linemap';
export type { LineEntry } from './linemap';
export { toElf } from './elf';
export type { OutputKind } from './sections';
