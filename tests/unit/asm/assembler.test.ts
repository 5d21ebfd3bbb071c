import { describe, expect, it } from 'vitest';
import { assemble, toElf } from '../../../src/asm';
import { decode, disassemble } from '../../../src/isa';

const word = (r: ReturnType<typeof assemble>, addr: number): number => {
  for (const s of r.segments) {
    if (addr >= s.addr && addr + 4 <= s.addr + s.data.length) {
      const o = addr - s.addr;
      return ((s.data[o] ?? 0) | ((s.data[o + 1] ?? 0) << 8) | ((s.data[o + 2] ?? 0) << 16) | ((s.data[o + 3] ?? 0) << 24)) >>> 0;
    }
  }
  throw new Error(`no data at ${addr.toString(16)}`);
};
const half = (r: ReturnType<typeof assemble>, addr: number): number => {
  for (const s of r.segments) {
    if (addr >= s.addr && addr + 2 <= s.addr + s.data.length) return (s.data[addr - s.addr] ?? 0) | ((s.data[addr - s.addr + 1] ?? 0) << 8);
  }
  throw new Error(`no data at ${addr.toString(16)}`);
};
const errors = (r: ReturnType<typeof assemble>) => r.diagnostics.filter((d) => d.severity === 'error');

describe('assembler: program image', () => {
  const src = [
    '  .globl _start',             // 1
    '_start:',                     // 2
    '  li a0, 0x12345678',         // 3
    '  call f',                    // 4
    '  j _start',                  // 5
    'f: ret',                      // 6
    '  .data',                     // 7
    'v: .word 7',                  // 8
    '  .bss',                      // 9
    'b: .zero 16',                 // 10
  ].join('\n');
  const r = assemble(src);

  it('has the ProgramImage shape: entry and loadable segments', () => {
    expect(r.ok).toBe(true);
    expect(r.entry).toBe(0x80000000);
    expect(r.segments[0]?.addr).toBe(0x80000000);
    const data = r.segments[1];
    expect(data).toBeDefined();
    expect(data?.data.length).toBe(4);
    expect(data?.memSize).toBeGreaterThanOrEqual(4 + 16);
  });

  it('lays out text, then data on the next page at the same offset (GNU ld)', () => {
    const text = r.sections.find((s) => s.name === '.text');
    const data = r.sections.find((s) => s.name === '.data');
    expect(text?.size).toBe(8 + 8 + 2 + 2);
    expect(data?.addr).toBe(0x80001000 + (text?.size ?? 0));
  });

  it('encodes li as lui+addi, call as auipc+jalr, j and ret compressed', () => {
    expect(disassemble(word(r, 0x80000000), 0x80000000)).toBe('lui\ta0,0x12345');
    expect(disassemble(word(r, 0x80000004), 0x80000004)).toBe('add\ta0,a0,1656');
    expect(disassemble(word(r, 0x80000008), 0x80000008)).toBe('auipc\tra,0x0');
    expect(disassemble(word(r, 0x8000000c), 0x8000000c)).toBe('jalr\t10(ra)'); // f is at 0x80000012
    expect(disassemble(half(r, 0x80000010), 0x80000010)).toBe('j\t80000000');
    expect(disassemble(half(r, 0x80000012), 0x80000012)).toBe('ret');
  });

  it('exports symbols with addresses and sections', () => {
    const sym = (n: string) => r.symbols.find((s) => s.name === n);
    expect(sym('_start')).toMatchObject({ addr: 0x80000000, global: true, section: '.text' });
    expect(sym('f')).toMatchObject({ addr: 0x80000012, global: false });
    expect(sym('v')?.section).toBe('.data');
    expect(sym('b')?.section).toBe('.bss');
  });

  it('maps addresses to lines and lines to addresses', () => {
    expect(r.lineMap.lineOf(0x80000000)).toBe(3);
    expect(r.lineMap.lineOf(0x80000006)).toBe(3);
    expect(r.lineMap.lineOf(0x80000012)).toBe(6);
    expect(r.lineMap.addressesOf(3)).toEqual([0x80000000, 0x80000004]);
    expect(r.lineMap.addressesOf(5)).toEqual([0x80000010]);
    expect(r.lineMap.addressesOf(2)).toEqual([]);
    expect(r.lineMap.lineOf(0x70000000)).toBeUndefined();
  });

  it('produces a listing with addresses, encodings and source', () => {
    const l = r.listing().split('\n');
    expect(l[2]).toMatch(/^ 3 80000000 12345537\s+ li a0, 0x12345678$/);
    expect(l[3]).toMatch(/^ 3 80000004 67850513$/);
    expect(l.some((x) => /^ 8 8000101\d 07000000 +v: \.word 7$/.test(x))).toBe(true);
  });

  it('writes an ELF32 RISC-V executable', () => {
    const elf = toElf(r);
    expect([...elf.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    const dv = new DataView(elf.buffer, elf.byteOffset);
    expect(dv.getUint16(18, true)).toBe(243); // EM_RISCV
    expect(dv.getUint32(24, true)).toBe(0x80000000);
    expect(dv.getUint32(36, true)).toBe(1); // EF_RISCV_RVC
  });
});

describe('assembler: syntax', () => {
  it('handles comments, separators, local labels and expressions', () => {
    const r = assemble([
      '/* block',
      '   comment */ nop ; nop # two',
      '1: addi a0, a0, (3 + 4) * 2 // c++ style',
      '   bnez a0, 1b; j 2f',
      '2: .equ K, 1 << 4',
      '   li a1, K | 1',
      '   li a2, -K >> 1',
      "   li a3, 'z' - 'a'",
    ].join('\n'));
    expect(errors(r)).toEqual([]);
    expect(r.lineMap.addressesOf(2)).toEqual([0x80000000, 0x80000002]);
    const d = decode(half(r, 0x80000004));
    expect(d?.name).toBe('c.addi');
    expect(d?.operands.cimm6).toBe(14);
    expect(decode(half(r, 0x80000006))?.operands.cbimm).toBe(-2);
    expect(decode(half(r, 0x8000000a))).toMatchObject({ name: 'c.li', operands: { crd: 11, cimm6: 17 } });
    expect(decode(half(r, 0x8000000c))?.operands.cimm6).toBe(-8);
    expect(decode(half(r, 0x8000000e))?.operands.cimm6).toBe(25);
  });

  it('resolves %hi/%lo, %pcrel_hi/%pcrel_lo and forward .equ', () => {
    const r = assemble([
      '  lui a0, %hi(x)', '  addi a0, a0, %lo(x)',
      'p: auipc a1, %pcrel_hi(x)', '  addi a1, a1, %pcrel_lo(p)',
      '  li a2, LATER',
      '  .equ LATER, 0x12345',
      '  .data', 'x: .word 1',
    ].join('\n'));
    expect(errors(r)).toEqual([]);
    const x = r.symbols.find((s) => s.name === 'x')?.addr ?? 0;
    const lui = decode(word(r, 0x80000000));
    const addi = decode(word(r, 0x80000004));
    expect(((lui?.operands.uimm20 ?? 0) << 12) + (addi?.operands.imm12 ?? 0) >>> 0).toBe(x);
    const auipc = decode(word(r, 0x80000008));
    const lo = decode(word(r, 0x8000000c));
    expect((0x80000008 + ((auipc?.operands.uimm20 ?? 0) << 12) + (lo?.operands.imm12 ?? 0)) >>> 0).toBe(x);
    // li with a symbol defined later: always lui + addi
    expect(decode(word(r, 0x80000010))?.operands.uimm20).toBe(0x12);
    expect(decode(word(r, 0x80000014))?.operands.imm12).toBe(0x345);
  });

  it('honours .option norvc / rvc / push / pop', () => {
    const r = assemble('.option push\n.option norvc\naddi a0,a0,1\n.option pop\naddi a0,a0,1\n');
    expect(r.sections[0]?.size).toBe(6);
    expect(assemble('addi a0,a0,1', { rvc: false }).sections[0]?.size).toBe(4);
  });

  it('accepts x names, ABI names and fp', () => {
    const r = assemble('add x10, fp, s0\nadd a0, x8, s0');
    expect(word(r, 0x80000000)).toBe(word(r, 0x80000004));
  });
});

describe('assembler: diagnostics', () => {
  const diag = (src: string) => assemble(src).diagnostics;

  it('suggests the closest mnemonic for an unknown one', () => {
    expect(diag('  adi a0, a0, 1')[0]).toMatchObject({ line: 1, column: 3, severity: 'error', message: expect.stringContaining('did you mean addi') });
  });

  it('gives the range of an out-of-range operand', () => {
    const d = diag('addi a0, a0, 4096')[0];
    expect(d?.message).toContain('-2048..2047');
    expect([d?.column, d?.endColumn]).toEqual([14, 18]);
    expect(diag('c.lwsp a0, 3(sp)')[0]?.message).toContain('0..252 in steps of 4');
    expect(diag('beq a0, a1, x\n.fill 3000, 4, 0\nx: nop\n.option norvc\nc.nop').length).toBeGreaterThan(0);
  });

  it('reports undefined and duplicate symbols', () => {
    expect(diag('j nowhere')[0]?.message).toContain("undefined symbol 'nowhere'");
    const d = diag('a: nop\na: nop');
    expect(d[0]).toMatchObject({ line: 2, message: expect.stringContaining('already defined on line 1') });
  });

  it('warns about misaligned data', () => {
    const d = diag('.data\n.byte 1\n.word 2');
    expect(d[0]).toMatchObject({ severity: 'warning', line: 3, message: expect.stringContaining('.align 2') });
  });

  it('explains wrong register classes of compressed forms', () => {
    expect(diag('c.lw t0, 0(a0)')[0]?.message).toContain('x8..x15');
    expect(diag('c.addi16sp a0, 16')[0]?.message).toMatch(/sp/);
  });

  it('collects all errors of a file in one pass', () => {
    const d = diag('bad1\nadd a0\nli a0, 1, 2\nlw a0, 5000(sp)\n.word undefined_sym\n.align 99\ncsrr a0, nocsr');
    expect(d.filter((x) => x.severity === 'error').map((x) => x.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const x of d) expect(x.endColumn).toBeGreaterThan(x.column);
  });

  it('never throws on malformed input', () => {
    for (const src of ['(', ')))', '"unterminated', "'", '1:', '.section', 'li', '%hi(', 'addi a0,a0,%lo(', '.word 1/0', '\u0000\u0001', '9b', 'x = x + 1\nli a0, x']) {
      expect(() => assemble(src)).not.toThrow();
    }
  });
});
