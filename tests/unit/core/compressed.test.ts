import { describe, expect, it } from 'vitest';
import { RAM_BASE } from '../../../src/core';
import * as E from './enc';
import { boot, step, u32, type Insn } from './enc';

/** Run one compressed instruction and the 32-bit instruction it expands to on the same registers and
 *  memory; both must leave identical registers, memory and pc (pc relative to the instruction length). */
function sameAsExpansion(c: E.C16, full: number, regs: Record<number, number>) {
  const D = RAM_BASE + 0x800;
  const runOne = (insn: Insn) => {
    const m = boot([insn, E.jal(0, 0)]);
    for (const [r, v] of Object.entries(regs)) m.x[Number(r)] = v;
    m.writeMemory(D, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(step(m).kind).toBe('limit');
    return { x: [...m.x], mem: [...m.readMemory(D, 8)], pc: m.pc, cause: m.readCsr(0x342) };
  };
  const a = runOne(c), b = runOne(full);
  expect(a.cause).toBe(0);
  expect(a.x).toEqual(b.x.map((v, i) => (i === 1 && v === RAM_BASE + 4 ? RAM_BASE + 2 : v)));
  expect(a.mem).toEqual(b.mem);
  return a;
}

const D = RAM_BASE + 0x800;
describe('every RV32C instruction behaves as its expansion', () => {
  it('c.addi4spn', () => sameAsExpansion(E.cAddi4spn(9, 1020), E.addi(9, 2, 1020), { 2: 0x100 }));
  it('c.lw', () => expect(sameAsExpansion(E.cLw(9, 10, 4), E.lw(9, 10, 4), { 10: D }).x[9]).toBe(0x08070605));
  it('c.sw', () => sameAsExpansion(E.cSw(9, 10, 4), E.sw(9, 10, 4), { 9: -1, 10: D }));
  it('c.nop', () => sameAsExpansion(E.cNop(), E.addi(0, 0, 0), {}));
  it('c.addi negative', () => sameAsExpansion(E.cAddi(5, -32), E.addi(5, 5, -32), { 5: 7 }));
  it('c.li', () => sameAsExpansion(E.cLi(5, -1), E.addi(5, 0, -1), {}));
  it('c.lui (sign-extended)', () => expect(u32(sameAsExpansion(E.cLui(5, 0xfffe0000), E.lui(5, 0xfffe0000), {}).x[5]!)).toBe(0xfffe0000));
  it('c.addi16sp', () => sameAsExpansion(E.cAddi16sp(-512), E.addi(2, 2, -512), { 2: 0x10000 }));
  it('c.addi16sp positive', () => sameAsExpansion(E.cAddi16sp(496), E.addi(2, 2, 496), { 2: 0x10000 }));
  it('c.srli', () => sameAsExpansion(E.cSrli(9, 31), E.srli(9, 9, 31), { 9: -1 }));
  it('c.srai', () => sameAsExpansion(E.cSrai(9, 4), E.srai(9, 9, 4), { 9: -256 }));
  it('c.andi', () => sameAsExpansion(E.cAndi(9, -16), E.andi(9, 9, -16), { 9: 0x1234 }));
  it('c.sub', () => sameAsExpansion(E.cSub(9, 10), E.sub(9, 9, 10), { 9: 3, 10: 5 }));
  it('c.xor', () => sameAsExpansion(E.cXor(9, 10), E.xor(9, 9, 10), { 9: 3, 10: 5 }));
  it('c.or', () => sameAsExpansion(E.cOr(9, 10), E.or(9, 9, 10), { 9: 3, 10: 5 }));
  it('c.and', () => sameAsExpansion(E.cAnd(9, 10), E.and(9, 9, 10), { 9: 3, 10: 5 }));
  it('c.slli', () => sameAsExpansion(E.cSlli(5, 31), E.slli(5, 5, 31), { 5: 3 }));
  it('c.lwsp', () => sameAsExpansion(E.cLwsp(5, 252), E.lw(5, 2, 252), { 2: D - 252 }));
  it('c.swsp', () => sameAsExpansion(E.cSwsp(5, 4), E.sw(5, 2, 4), { 2: D, 5: 0x55aa }));
  it('c.mv', () => sameAsExpansion(E.cMv(5, 6), E.add(5, 0, 6), { 6: 99 }));
  it('c.add', () => sameAsExpansion(E.cAdd(5, 6), E.add(5, 5, 6), { 5: 1, 6: 99 }));
  it('c.slli/c.addi/c.li/c.mv/c.add with rd = x0 are hints (no effect)', () => {
    for (const c of [E.cSlli(0, 3), E.cAddi(0, 5), E.cLi(0, 5), E.cMv(0, 5), E.cAdd(0, 5), E.cLui(0, 0x1000)]) {
      const m = boot([c, E.jal(0, 0)]);
      m.x[5] = 7;
      step(m);
      expect(m.x[0]).toBe(0);
      expect(m.pc).toBe(RAM_BASE + 2);
      expect(m.readCsr(0x342)).toBe(0);
    }
  });
});

describe('compressed control transfer', () => {
  it('c.j and c.jal (link = pc + 2)', () => {
    const m = boot([E.cJal(6), E.cNop(), E.cNop(), E.cJ(-6), E.jal(0, 0)]);
    step(m);
    expect(m.pc).toBe(RAM_BASE + 6);
    expect(u32(m.x[1]!)).toBe(RAM_BASE + 2);
    step(m);
    expect(m.pc).toBe(RAM_BASE);
  });
  it('c.jr and c.jalr (link = pc + 2, rs1 read first)', () => {
    const m = boot([E.cJalr(1), E.cNop(), E.cJr(5), E.jal(0, 0)]);
    m.x[1] = RAM_BASE + 4; m.x[5] = RAM_BASE + 2;
    step(m);
    expect(m.pc).toBe(RAM_BASE + 4);
    expect(u32(m.x[1]!)).toBe(RAM_BASE + 2);
    step(m);
    expect(m.pc).toBe(RAM_BASE + 2);
  });
  it('c.beqz / c.bnez taken and not taken', () => {
    for (const [f, off, v, taken] of [[E.cBeqz, 8, 0, true], [E.cBeqz, 8, 1, false], [E.cBnez, -2, 1, true], [E.cBnez, 8, 0, false]] as const) {
      const m = boot([E.cNop(), f(9, off), E.jal(0, 0)]);
      m.x[9] = v;
      step(m, 2);
      expect(m.pc).toBe(RAM_BASE + 2 + (taken ? off : 2));
    }
  });
  it('c.ebreak raises a breakpoint exception with mepc at it', () => {
    const m = boot([E.cNop(), E.cEbreak(), E.jal(0, 0)]);
    step(m, 2);
    expect(m.readCsr(0x342)).toBe(3);
    expect(m.readCsr(0x341)).toBe(RAM_BASE + 2);
    expect(m.readCsr(0x343)).toBe(0);
  });
  it('mixes 16- and 32-bit instructions at 2-byte alignment', () => {
    const m = boot([E.cLi(5, 1), E.addi(5, 5, 1), E.cAddi(5, 1), E.addi(5, 5, 1), E.jal(0, 0)]);
    step(m, 4);
    expect(m.x[5]).toBe(4);
    expect(m.pc).toBe(RAM_BASE + 12);
  });
});

describe('reserved and illegal compressed encodings', () => {
  const cases: [string, number][] = [
    ['all zero', 0x0000], ['c.addi4spn with imm 0', 0x0004], ['c.fld', 0x2000], ['c.flw', 0x6000], ['reserved Q0 100', 0x8000],
    ['c.fsd', 0xa000], ['c.fsw', 0xe000], ['c.lui imm 0', 0x6281], ['c.addi16sp imm 0', 0x6101],
    ['c.srli shamt[5] on RV32', 0x9005 | (1 << 12) | (1 << 7)], ['c.srai shamt[5]', 0x9405 | (1 << 12) | (1 << 7)],
    ['c.subw (RV64)', 0x9c01 | (1 << 7)], ['c.slli shamt[5]', 0x1006 | (5 << 7)], ['c.fldsp', 0x2002], ['c.lwsp rd 0', 0x4002],
    ['c.flwsp', 0x6002], ['c.jr x0', 0x8002], ['c.fsdsp', 0xa002], ['c.fswsp', 0xe002],
  ];
  for (const [name, bits] of cases) {
    it(`${name} (0x${bits.toString(16)}) -> illegal instruction, mtval = the 16 bits`, () => {
      const m = boot([E.raw16(bits), E.cNop(), E.jal(0, 0)]);
      step(m);
      expect(m.readCsr(0x342)).toBe(2);
      expect(m.readCsr(0x343)).toBe(bits);
      expect(m.readCsr(0x341)).toBe(RAM_BASE);
    });
  }
});
