// ELF32 little-endian RISC-V executable reader: loadable segments, entry, symbols, sections.
// Every offset, size and count is checked against the file before it is used, so a malformed
// file gives an ElfError and never a host exception or an allocation sized by the file's claims.
import { ElfError, hex } from './errors';

/** One loadable piece of the program: `data` goes to `addr`, zero-filled up to `memSize`
 *  (the shape of `LoadSegment` in docs/core-api.md). */
export interface ElfSegment {
  addr: number;
  data: Uint8Array;
  memSize: number;
  /** PF_R | PF_W | PF_X bits (4, 2, 1). */
  flags: number;
}

export type ElfSymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'common' | 'tls' | 'other';
export type ElfSymbolBinding = 'local' | 'global' | 'weak' | 'other';

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  type: ElfSymbolType;
  binding: ElfSymbolBinding;
  /** st_shndx: the section the symbol is defined in (0 = undefined, 0xfff1 = absolute). */
  section: number;
}

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
}

export interface ElfProgram {
  entry: number;
  /** PT_LOAD segments with a non-zero memory size, sorted by address. */
  segments: ElfSegment[];
  symbols: ElfSymbol[];
  sections: ElfSection[];
  /** e_flags (EF_RISCV_RVC = 1, float ABI in bits 1-2, EF_RISCV_RVE = 8). */
  flags: number;
}

export interface ElfReadOptions {
  /** Guest RAM, where every loadable segment must lie. Default: 0x80000000, 128 MiB (QEMU virt). */
  ramBase?: number;
  ramSize?: number;
}

export const DEFAULT_RAM_BASE = 0x8000_0000;
export const DEFAULT_RAM_SIZE = 128 * 1024 * 1024;

const EHDR_SIZE = 52;
const PHDR_SIZE = 32;
const SHDR_SIZE = 40;
const SYM_SIZE = 16;
const EM_RISCV = 243;
const ET_EXEC = 2;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_NOBITS = 8;
const SHN_LORESERVE = 0xff00;
const SHN_XINDEX = 0xffff;
const PN_XNUM = 0xffff;

const SYMBOL_TYPES: readonly ElfSymbolType[] = ['notype', 'object', 'func', 'section', 'file', 'common', 'tls'];
const SYMBOL_BINDINGS: readonly ElfSymbolBinding[] = ['local', 'global', 'weak'];

const utf8 = new TextDecoder('utf-8');

/** Reads an ELF32 LE RISC-V executable (ET_EXEC). Throws ElfError for anything malformed. */
export function readElf(file: Uint8Array, options: ElfReadOptions = {}): ElfProgram {
  const ramBase = options.ramBase ?? DEFAULT_RAM_BASE;
  const ramSize = options.ramSize ?? DEFAULT_RAM_SIZE;
  const length = file.length;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const u8 = (off: number): number => view.getUint8(off);
  const u16 = (off: number): number => view.getUint16(off, true);
  const u32 = (off: number): number => view.getUint32(off, true);

  // --- ELF header ---
  if (length < 4 || u8(0) !== 0x7f || u8(1) !== 0x45 || u8(2) !== 0x4c || u8(3) !== 0x46) {
    const magic = Array.from(file.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new ElfError('e_ident[EI_MAG0..3]', magic === '' ? '(empty file)' : magic, 'not an ELF file (expected 7f 45 4c 46)');
  }
  if (length < EHDR_SIZE) {
    throw new ElfError('file size', length, `truncated ELF header (an ELF32 header is ${EHDR_SIZE} bytes)`);
  }
  const eiClass = u8(4);
  if (eiClass !== 1) {
    throw new ElfError('e_ident[EI_CLASS]', eiClass, eiClass === 2 ? 'ELF64 file; only ELF32 (RV32) is supported' : 'expected 1 (ELFCLASS32)');
  }
  const eiData = u8(5);
  if (eiData !== 1) {
    throw new ElfError('e_ident[EI_DATA]', eiData, eiData === 2 ? 'big-endian file; RISC-V is little-endian' : 'expected 1 (ELFDATA2LSB)');
  }
  const eiVersion = u8(6);
  if (eiVersion !== 1) throw new ElfError('e_ident[EI_VERSION]', eiVersion, 'expected 1 (EV_CURRENT)');
  const eType = u16(16);
  if (eType !== ET_EXEC) {
    const what = eType === 1 ? 'a relocatable object (link it first)' : eType === 3 ? 'a shared object or PIE' : eType === 4 ? 'a core file' : 'unknown type';
    throw new ElfError('e_type', eType, `${what}; expected 2 (ET_EXEC)`);
  }
  const eMachine = u16(18);
  if (eMachine !== EM_RISCV) throw new ElfError('e_machine', eMachine, `not a RISC-V file; expected ${EM_RISCV} (EM_RISCV)`);
  const eVersion = u32(20);
  if (eVersion !== 1) throw new ElfError('e_version', eVersion, 'expected 1 (EV_CURRENT)');
  const entry = u32(24);
  const phoff = u32(28);
  const shoff = u32(32);
  const flags = u32(36);
  const ehsize = u16(40);
  if (ehsize !== EHDR_SIZE) throw new ElfError('e_ehsize', ehsize, `expected ${EHDR_SIZE}`);
  const phentsize = u16(42);
  const phnum = u16(44);
  const shentsize = u16(46);
  const shnum = u16(48);
  const shstrndx = u16(50);

  // --- program headers ---
  if (phnum === 0) throw new ElfError('e_phnum', 0, 'no program headers, nothing to load');
  if (phnum === PN_XNUM) throw new ElfError('e_phnum', phnum, 'extended program header numbering (PN_XNUM) is not supported');
  if (phentsize !== PHDR_SIZE) throw new ElfError('e_phentsize', phentsize, `expected ${PHDR_SIZE}`);
  checkTable('e_phoff', phoff, phnum, PHDR_SIZE, 'program header table', length);

  const segments: (ElfSegment & { index: number })[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * PHDR_SIZE;
    const pType = u32(at);
    const pOffset = u32(at + 4);
    const pPaddr = u32(at + 12);
    const pFilesz = u32(at + 16);
    const pMemsz = u32(at + 20);
    const pFlags = u32(at + 24);
    if (pType === PT_DYNAMIC || pType === PT_INTERP) {
      throw new ElfError(`p_type of program header ${i}`, pType, 'dynamically linked executables are not supported');
    }
    if (pType !== PT_LOAD) continue;
    if (pFilesz > pMemsz) {
      throw new ElfError(`p_filesz of program header ${i}`, pFilesz, `larger than p_memsz (${hex(pMemsz)})`);
    }
    if (pFilesz > 0 && pOffset + pFilesz > length) {
      throw new ElfError(`p_offset of program header ${i}`, pOffset,
        `segment file data (${hex(pFilesz)} bytes) extends past the end of the file (${hex(length)} bytes)`);
    }
    if (pMemsz === 0) continue;
    // QEMU loads -kernel ELF segments at their physical address (p_paddr); so do we.
    if (pPaddr < ramBase || pPaddr + pMemsz > ramBase + ramSize) {
      throw new ElfError(`p_paddr of program header ${i}`, pPaddr,
        `segment ${hex(pPaddr)}..${hex(pPaddr + pMemsz)} (p_memsz ${hex(pMemsz)}) lies outside RAM ${hex(ramBase)}..${hex(ramBase + ramSize)}`);
    }
    segments.push({ addr: pPaddr, data: file.slice(pOffset, pOffset + pFilesz), memSize: pMemsz, flags: pFlags, index: i });
  }
  if (segments.length === 0) throw new ElfError('e_phnum', phnum, 'no PT_LOAD segment with a non-zero p_memsz');
  segments.sort((a, b) => a.addr - b.addr);
  for (let i = 1; i < segments.length; i++) {
    const prev = segments[i - 1];
    const cur = segments[i];
    if (prev === undefined || cur === undefined) continue;
    if (cur.addr < prev.addr + prev.memSize) {
      throw new ElfError(`p_paddr of program header ${cur.index}`, cur.addr,
        `segment overlaps program header ${prev.index} (${hex(prev.addr)}..${hex(prev.addr + prev.memSize)})`);
    }
  }
  const loaded: ElfSegment[] = segments.map(({ addr, data, memSize, flags: f }) => ({ addr, data, memSize, flags: f }));
  if (!loaded.some((s) => entry >= s.addr && entry < s.addr + s.memSize)) {
    throw new ElfError('e_entry', entry, 'entry point is not inside any loadable segment');
  }

  // --- section headers (optional: a stripped file may have none) ---
  const sections: ElfSection[] = [];
  const symbols: ElfSymbol[] = [];
  if (shnum > 0 || shoff !== 0) {
    if (shnum === 0) {
      // e_shnum = 0 with e_shoff set means extended numbering (count in section 0's sh_size).
      throw new ElfError('e_shnum', 0, `e_shoff is ${hex(shoff)} but there are no sections (extended section numbering is not supported)`);
    }
    if (shentsize !== SHDR_SIZE) throw new ElfError('e_shentsize', shentsize, `expected ${SHDR_SIZE}`);
    checkTable('e_shoff', shoff, shnum, SHDR_SIZE, 'section header table', length);
    if (shstrndx === SHN_XINDEX) throw new ElfError('e_shstrndx', shstrndx, 'extended section index (SHN_XINDEX) is not supported');
    if (shstrndx >= shnum) throw new ElfError('e_shstrndx', shstrndx, `no such section (e_shnum is ${shnum})`);

    const raw: { nameIndex: number; type: number; flags: number; addr: number; offset: number; size: number; link: number; entsize: number }[] = [];
    for (let i = 0; i < shnum; i++) {
      const at = shoff + i * SHDR_SIZE;
      const sh = {
        nameIndex: u32(at), type: u32(at + 4), flags: u32(at + 8), addr: u32(at + 12),
        offset: u32(at + 16), size: u32(at + 20), link: u32(at + 24), entsize: u32(at + 36),
      };
      if (sh.type !== SHT_NOBITS && sh.type !== 0 && sh.size > 0 && sh.offset + sh.size > length) {
        throw new ElfError(`sh_offset of section ${i}`, sh.offset,
          `section data (${hex(sh.size)} bytes) extends past the end of the file (${hex(length)} bytes)`);
      }
      raw.push(sh);
    }
    const shstr = raw[shstrndx];
    if (shstrndx !== 0 && shstr !== undefined) {
      if (shstr.type !== SHT_STRTAB) throw new ElfError(`sh_type of section ${shstrndx} (e_shstrndx)`, shstr.type, `expected ${SHT_STRTAB} (SHT_STRTAB)`);
    }
    raw.forEach((sh, i) => {
      const name = shstrndx === 0 || shstr === undefined ? '' : readString(file, shstr.offset, shstr.size, sh.nameIndex, `sh_name of section ${i}`);
      sections.push({ name, type: sh.type, flags: sh.flags, addr: sh.addr, offset: sh.offset, size: sh.size });
    });

    const symIndex = raw.findIndex((sh, i) => i > 0 && sh.type === SHT_SYMTAB);
    const symtab = raw[symIndex];
    if (symtab !== undefined) {
      if (symtab.entsize !== SYM_SIZE) throw new ElfError(`sh_entsize of section ${symIndex} (.symtab)`, symtab.entsize, `expected ${SYM_SIZE}`);
      if (symtab.size % SYM_SIZE !== 0) throw new ElfError(`sh_size of section ${symIndex} (.symtab)`, symtab.size, `not a multiple of ${SYM_SIZE}`);
      const strtab = raw[symtab.link];
      if (symtab.link === 0 || strtab === undefined) {
        throw new ElfError(`sh_link of section ${symIndex} (.symtab)`, symtab.link, `no such string table section (e_shnum is ${shnum})`);
      }
      if (strtab.type !== SHT_STRTAB) throw new ElfError(`sh_type of section ${symtab.link} (symbol string table)`, strtab.type, `expected ${SHT_STRTAB} (SHT_STRTAB)`);
      const count = symtab.size / SYM_SIZE;
      for (let i = 1; i < count; i++) {
        const at = symtab.offset + i * SYM_SIZE;
        const nameIndex = u32(at);
        const info = u8(at + 12);
        const shndx = u16(at + 14);
        if (shndx !== 0 && shndx < SHN_LORESERVE && shndx >= shnum) {
          throw new ElfError(`st_shndx of symbol ${i}`, shndx, `no such section (e_shnum is ${shnum})`);
        }
        symbols.push({
          name: readString(file, strtab.offset, strtab.size, nameIndex, `st_name of symbol ${i}`),
          value: u32(at + 4),
          size: u32(at + 8),
          type: SYMBOL_TYPES[info & 0xf] ?? 'other',
          binding: SYMBOL_BINDINGS[info >> 4] ?? 'other',
          section: shndx,
        });
      }
    }
  }

  return { entry, segments: loaded, symbols, sections, flags };
}

/** Finds a defined symbol by name (global ones first). */
export function findSymbol(program: Pick<ElfProgram, 'symbols'>, name: string): ElfSymbol | undefined {
  let found: ElfSymbol | undefined;
  for (const s of program.symbols) {
    if (s.name !== name || s.section === 0) continue;
    if (s.binding === 'global') return s;
    found ??= s;
  }
  return found;
}

function checkTable(field: string, offset: number, count: number, entrySize: number, what: string, length: number): void {
  if (offset === 0 || offset + count * entrySize > length) {
    throw new ElfError(field, offset, `${what} (${count} entries of ${entrySize} bytes) does not fit in the file (${hex(length)} bytes)`);
  }
}

/** A NUL-terminated string at `index` inside the string table at file[offset, offset+size). */
function readString(file: Uint8Array, offset: number, size: number, index: number, field: string): string {
  if (index >= size) throw new ElfError(field, index, `string table index past the end of the table (size ${hex(size)})`);
  const table = file.subarray(offset, offset + size);
  const end = table.indexOf(0, index);
  if (end < 0) throw new ElfError(field, index, 'string is not NUL-terminated inside its string table');
  return utf8.decode(table.subarray(index, end));
}
