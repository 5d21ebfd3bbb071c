export { ElfError } from './errors';
export { readElf, findSymbol, DEFAULT_RAM_BASE, DEFAULT_RAM_SIZE } from './read';
export type { ElfProgram, ElfSegment, ElfSymbol, ElfSymbolType, ElfSymbolBinding, ElfSection, ElfReadOptions } from './read';
export { makeSymbolizer } from './symbolize';
