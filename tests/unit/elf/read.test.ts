import { describe, expect, it } from 'vitest';
import { ElfError, findSymbol, readElf } from '../../../src/elf';
import { ElfPatch, exampleElf } from './fixture';

const hello = exampleElf('hello');
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;

function expectElfError(bytes: Uint8Array, field: string, message: RegExp, options?: Parameters<typeof readElf>[1]): ElfError {
  let caught: unknown;
  try {
    readElf(bytes, options);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ElfError);
  const err = caught as ElfError;
  expect(err.field).toBe(field);
  expect(err.message).toMatch(message);
  expect(err.message.startsWith(`${field} = `)).toBe(true);
  return err;
}

describe('readElf on the example programs', () => {
  it('reads entry, segments and symbols of hello.elf', () => {
    const p = readElf(hello);
    const patch = new ElfPatch(hello);
    expect(p.entry).toBe(patch.get32(24));
    expect(findSymbol(p, '_start')?.value).toBe(p.entry);
    expect(p.flags & 1).toBe(1); // RVC
    // Text segment: file bytes copied verbatim from p_offset.
    const text = p.segments[0]!;
    const off = patch.get32(patch.ph(0, 4));
    expect(text.addr).toBe(0x8000_0000);
    expect(text.flags).toBe(5);
    expect(text.memSize).toBe(patch.get32(patch.ph(0, 20)));
    expect(Array.from(text.data)).toEqual(Array.from(hello.subarray(off, off + text.data.length)));
    // bss + stack segment: no file bytes, only memory.
    const bss = p.segments[1]!;
    expect(bss.data.length).toBe(0);
    expect(bss.memSize).toBeGreaterThanOrEqual(0x10000);
    expect(bss.addr).toBeGreaterThanOrEqual(text.addr + text.memSize);

    const main = findSymbol(p, 'main')!;
    expect(main).toMatchObject({ type: 'func', binding: 'global' });
    expect(main.size).toBeGreaterThan(0);
    expect(main.value).toBeGreaterThanOrEqual(text.addr);
    expect(main.value + main.size).toBeLessThanOrEqual(text.addr + text.memSize);
    expect(findSymbol(p, 'hello.c')?.type).toBe('file');
    expect(findSymbol(p, 'rt_exit_store')?.binding).toBe('global');
    expect(findSymbol(p, 'no_such_symbol')).toBeUndefined();
    expect(p.sections.map((s) => s.name)).toEqual(expect.arrayContaining(['.text', '.symtab', '.strtab', '.shstrtab', '.debug_line']));
  });

  it('loads every example', () => {
    for (const name of ['hello', 'compute', 'memory', 'echo', 'timer', 'traps', 'fib-asm']) {
      const p = readElf(exampleElf(name));
      expect(findSymbol(p, 'main')?.section).toBeGreaterThan(0);
      expect(p.segments.length).toBeGreaterThan(0);
    }
  });

  it('takes the RAM range as a parameter', () => {
    expectElfError(hello, 'p_paddr of program header 1', /outside RAM 0x80000000\.\.0x80001000/, { ramSize: 0x1000 });
    expectElfError(hello, 'p_paddr of program header 0', /outside RAM 0x90000000/, { ramBase: 0x9000_0000 });
    expect(readElf(hello, { ramBase: 0x8000_0000, ramSize: 0x20000 }).segments).toHaveLength(2);
  });

  it('ignores a stripped file\'s missing sections', () => {
    const p = new ElfPatch(hello).u32(32, 0).u16(48, 0).u16(50, 0);
    const prog = readElf(p.bytes);
    expect(prog.symbols).toEqual([]);
    expect(prog.sections).toEqual([]);
    expect(prog.segments).toHaveLength(2);
  });
});

describe('readElf errors name the field and the value', () => {
  it('empty file and bad magic', () => {
    expectElfError(new Uint8Array(0), 'e_ident[EI_MAG0..3]', /\(empty file\): not an ELF file/);
    expectElfError(new ElfPatch(hello).u8(1, 0x50).bytes, 'e_ident[EI_MAG0..3]', /7f 50 4c 46: not an ELF file/);
    expectElfError(new TextEncoder().encode('#!/bin/sh\n'), 'e_ident[EI_MAG0..3]', /23 21 2f 62/);
  });

  it('truncated header', () => {
    expectElfError(hello.slice(0, 40), 'file size', /= 40: truncated ELF header/);
  });

  it('wrong class, endianness, version, type, machine', () => {
    expectElfError(new ElfPatch(hello).u8(4, 2).bytes, 'e_ident[EI_CLASS]', /= 2: ELF64 file/);
    expectElfError(new ElfPatch(hello).u8(4, 0).bytes, 'e_ident[EI_CLASS]', /= 0: expected 1/);
    expectElfError(new ElfPatch(hello).u8(5, 2).bytes, 'e_ident[EI_DATA]', /= 2: big-endian/);
    expectElfError(new ElfPatch(hello).u8(6, 0).bytes, 'e_ident[EI_VERSION]', /= 0/);
    expectElfError(new ElfPatch(hello).u16(16, 1).bytes, 'e_type', /= 1: a relocatable object/);
    expectElfError(new ElfPatch(hello).u16(16, 3).bytes, 'e_type', /= 3: a shared object or PIE/);
    expectElfError(new ElfPatch(hello).u16(18, 62).bytes, 'e_machine', /= 62: not a RISC-V file/);
    expectElfError(new ElfPatch(hello).u32(20, 2).bytes, 'e_version', /= 2/);
    expectElfError(new ElfPatch(hello).u16(40, 64).bytes, 'e_ehsize', /= 64: expected 52/);
  });

  it('program header table problems', () => {
    expectElfError(new ElfPatch(hello).u16(44, 0).bytes, 'e_phnum', /= 0: no program headers/);
    expectElfError(new ElfPatch(hello).u16(44, 0xffff).bytes, 'e_phnum', /PN_XNUM/);
    expectElfError(new ElfPatch(hello).u16(42, 56).bytes, 'e_phentsize', /= 56: expected 32/);
    expectElfError(new ElfPatch(hello).u32(28, hello.length - 10).bytes, 'e_phoff', /program header table \(2 entries of 32 bytes\) does not fit/);
    expectElfError(new ElfPatch(hello).u32(28, 0xffffffff).bytes, 'e_phoff', /= 0xffffffff/);
    expectElfError(new ElfPatch(hello).u16(44, 5000).bytes, 'e_phoff', /5000 entries/);
    expectElfError(hello.slice(0, 60), 'e_phoff', /does not fit in the file \(0x3c bytes\)/);
  });

  it('segment offsets, sizes and addresses', () => {
    const p = new ElfPatch(hello);
    expectElfError(new ElfPatch(hello).u32(p.ph(0, 4), hello.length - 4).bytes, 'p_offset of program header 0', /extends past the end of the file/);
    expectElfError(new ElfPatch(hello).u32(p.ph(0, 4), 0xffffff00).bytes, 'p_offset of program header 0', /= 0xffffff00/);
    expectElfError(new ElfPatch(hello).u32(p.ph(0, 16), 0x7fffffff).u32(p.ph(0, 20), 0x7fffffff).bytes,
      'p_offset of program header 0', /\(0x7fffffff bytes\) extends past/);
    expectElfError(new ElfPatch(hello).u32(p.ph(0, 16), p.get32(p.ph(0, 20)) + 1).bytes, 'p_filesz of program header 0', /larger than p_memsz/);
    expectElfError(new ElfPatch(hello).u32(p.ph(0, 12), 0x1000).bytes, 'p_paddr of program header 0', /= 0x1000: segment 0x1000\.\.0x150f .* outside RAM/);
    expectElfError(new ElfPatch(hello).u32(p.ph(1, 20), 0xffffffff).bytes, 'p_paddr of program header 1', /p_memsz 0xffffffff\) lies outside RAM/);
    expectElfError(new ElfPatch(hello).u32(p.ph(1, 12), 0x87fff000).bytes, 'p_paddr of program header 1', /= 0x87fff000/);
  });

  it('overlapping segments', () => {
    const p = new ElfPatch(hello);
    const err = expectElfError(new ElfPatch(hello).u32(p.ph(1, 12), 0x8000_0100).bytes,
      'p_paddr of program header 1', /overlaps program header 0 \(0x80000000\.\.0x8000050f\)/);
    expect(err.value).toBe(0x8000_0100);
  });

  it('unsupported segment kinds and no loadable segment', () => {
    const p = new ElfPatch(hello);
    expectElfError(new ElfPatch(hello).u32(p.ph(1, 0), 3).bytes, 'p_type of program header 1', /= 3: dynamically linked/);
    expectElfError(new ElfPatch(hello).u32(p.ph(0, 0), 4).u32(p.ph(1, 0), 0).bytes, 'e_phnum', /no PT_LOAD segment/);
  });

  it('entry point outside the loaded segments', () => {
    expectElfError(new ElfPatch(hello).u32(24, 0x1000).bytes, 'e_entry', /= 0x1000: entry point is not inside any loadable segment/);
  });

  it('section header table problems', () => {
    expectElfError(new ElfPatch(hello).u32(32, hello.length - 40).bytes, 'e_shoff', /section header table \(17 entries of 40 bytes\) does not fit/);
    expectElfError(new ElfPatch(hello).u16(48, 0).bytes, 'e_shnum', /extended section numbering/);
    expectElfError(new ElfPatch(hello).u16(46, 64).bytes, 'e_shentsize', /= 64: expected 40/);
    expectElfError(new ElfPatch(hello).u16(50, 17).bytes, 'e_shstrndx', /= 17: no such section \(e_shnum is 17\)/);
    expectElfError(new ElfPatch(hello).u16(50, 0xffff).bytes, 'e_shstrndx', /SHN_XINDEX/);
    expectElfError(new ElfPatch(hello).u16(50, 1).bytes, 'sh_type of section 1 (e_shstrndx)', /= 1: expected 3/);
    const p = new ElfPatch(hello);
    expectElfError(new ElfPatch(hello).u32(p.sh(1, 16), 0xfffffff0).bytes, 'sh_offset of section 1', /= 0xfffffff0: section data .* past the end/);
    expectElfError(new ElfPatch(hello).u32(p.sh(1, 20), 0x100000).bytes, 'sh_offset of section 1', /\(0x100000 bytes\) extends past/);
  });

  it('bad string table indices', () => {
    const p = new ElfPatch(hello);
    const shstrndx = p.get16(50);
    const shstrSize = p.get32(p.sh(shstrndx, 20));
    expectElfError(new ElfPatch(hello).u32(p.sh(3, 0), shstrSize).bytes, 'sh_name of section 3', /string table index past the end/);
    expectElfError(new ElfPatch(hello).u32(p.sh(3, 0), 0xffffffff).bytes, 'sh_name of section 3', /= 0xffffffff/);
    const symtab = p.sectionOfType(SHT_SYMTAB);
    const symOff = p.get32(p.sh(symtab, 16));
    const strtab = p.get32(p.sh(symtab, 24));
    const strSize = p.get32(p.sh(strtab, 20));
    expectElfError(new ElfPatch(hello).u32(symOff + 16 * 3, strSize + 5).bytes, 'st_name of symbol 3', /string table index past the end of the table/);
    // A string table whose last byte is not NUL: the last string runs off the table.
    const strOff = p.get32(p.sh(strtab, 16));
    const unterminated = new ElfPatch(hello).u8(strOff + strSize - 1, 0x41);
    expect(() => readElf(unterminated.bytes)).toThrow(/not NUL-terminated/);
  });

  it('symbol table problems', () => {
    const p = new ElfPatch(hello);
    const symtab = p.sectionOfType(SHT_SYMTAB);
    expectElfError(new ElfPatch(hello).u32(p.sh(symtab, 36), 20).bytes, `sh_entsize of section ${symtab} (.symtab)`, /= 20: expected 16/);
    expectElfError(new ElfPatch(hello).u32(p.sh(symtab, 20), p.get32(p.sh(symtab, 20)) - 4).bytes, `sh_size of section ${symtab} (.symtab)`, /not a multiple of 16/);
    expectElfError(new ElfPatch(hello).u32(p.sh(symtab, 24), 99).bytes, `sh_link of section ${symtab} (.symtab)`, /= 99: no such string table/);
    expectElfError(new ElfPatch(hello).u32(p.sh(symtab, 24), 1).bytes, 'sh_type of section 1 (symbol string table)', /expected 3/);
    const symOff = p.get32(p.sh(symtab, 16));
    expectElfError(new ElfPatch(hello).u16(symOff + 16 * 2 + 14, 300).bytes, 'st_shndx of symbol 2', /= 300: no such section/);
    expect(p.sectionOfType(SHT_STRTAB)).toBeGreaterThan(0);
    // Section 0 is never a symbol table, whatever its header says.
    const zero = new ElfPatch(hello).u32(p.sh(0, 4), SHT_SYMTAB).u32(p.sh(0, 16), 0xfffffff0).u32(p.sh(0, 20), 0x20);
    expectElfError(zero.bytes, 'sh_offset of section 0', /past the end of the file/);
    const zeroInFile = new ElfPatch(hello).u32(p.sh(0, 4), SHT_SYMTAB).u32(p.sh(0, 16), 0).u32(p.sh(0, 20), 0x20);
    expect(readElf(zeroInFile.bytes).symbols).toEqual(readElf(hello).symbols);
  });
});
