import { describe, expect, it } from 'vitest';
import { RAM_BASE } from '../../../src/core';
import * as E from './enc';
import { boot, step, u32, type Insn } from './enc';

/** Run `code` (after setting registers) for `n` instructions. */
function exec(code: Insn[], regs: Record<number, number> = {}, n = code.length) {
  const m = boot([...code, E.jal(0, 0)]);
  for (const [r, v] of Object.entries(regs)) m.x[Number(r)] = v;
  const r = step(m, n);
  expect(r.kind).toBe('limit');
  return m;
}
const NEG = -2147483648;

describe('RV32I register-register and immediate ALU ops', () => {
  const rr: [string, (rd: number, a: number, b: number) => number, number, number, number][] = [
    ['add', E.add, 5, 7, 12], ['add wraps', E.add, 0x7fffffff, 1, NEG],
    ['sub', E.sub, 5, 7, -2], ['sub wraps', E.sub, NEG, 1, 0x7fffffff],
    ['sll', E.sll, 1, 31, NEG], ['sll uses low 5 bits', E.sll, 1, 33, 2],
    ['slt true', E.slt, -1, 0, 1], ['slt false', E.slt, 0, -1, 0],
    ['sltu', E.sltu, 0, -1, 1], ['sltu false', E.sltu, -1, 0, 0],
    ['xor', E.xor, 0x0f0f, 0x00ff, 0x0ff0], ['srl', E.srl, NEG, 31, 1], ['srl by 32+4', E.srl, 0x100, 36, 0x10],
    ['sra', E.sra, NEG, 31, -1], ['or', E.or, 0x0f00, 0x00f0, 0x0ff0], ['and', E.and, 0x0ff0, 0x00ff, 0x00f0],
    ['mul', E.mul, 0x12345678, 0x9abcdef, Math.imul(0x12345678, 0x9abcdef)],
    ['mul negative', E.mul, -3, 7, -21],
    ['mulh', E.mulh, -2, 3, -1], ['mulh big', E.mulh, 0x40000000, 0x40000000, 0x10000000],
    ['mulh min*min', E.mulh, NEG, NEG, 0x40000000],
    ['mulhsu', E.mulhsu, -1, -1, -1], ['mulhsu pos', E.mulhsu, 2, -1, 1],
    ['mulhu', E.mulhu, -1, -1, -2], ['mulhu small', E.mulhu, 3, 5, 0],
    ['div', E.div, -7, 2, -3], ['div by zero', E.div, 5, 0, -1], ['div overflow', E.div, NEG, -1, NEG],
    ['divu', E.divu, -1, 2, 0x7fffffff], ['divu by zero', E.divu, 5, 0, -1],
    ['rem', E.rem, -7, 2, -1], ['rem by zero', E.rem, -5, 0, -5], ['rem overflow', E.rem, NEG, -1, 0],
    ['remu', E.remu, -1, 10, 5], ['remu by zero', E.remu, -5, 0, -5],
  ];
  for (const [name, f, a, b, want] of rr) {
    it(name, () => {
      const m = exec([f(7, 5, 6)], { 5: a, 6: b });
      expect(m.x[7]).toBe(want | 0);
      expect(m.pc).toBe(RAM_BASE + 4);
    });
  }
  const ri: [string, (rd: number, rs1: number, imm: number) => number, number, number, number][] = [
    ['addi', E.addi, 5, -6, -1], ['slti', E.slti, -5, -4, 1], ['slti false', E.slti, 3, -4, 0],
    ['sltiu (imm sign-extended)', E.sltiu, 5, -1, 1], ['sltiu false', E.sltiu, -1, 5, 0],
    ['xori -1 is not', E.xori, 0x1234, -1, ~0x1234], ['ori', E.ori, 0x100, 0x0ff, 0x1ff], ['andi', E.andi, -1, 0x7f0, 0x7f0],
    ['slli', E.slli, 3, 30, NEG | 0x40000000], ['srli', E.srli, -1, 28, 15], ['srai', E.srai, -256, 4, -16],
  ];
  for (const [name, f, a, imm, want] of ri) {
    it(name, () => {
      const m = exec([f(7, 5, imm)], { 5: a });
      expect(m.x[7]).toBe(want | 0);
    });
  }
  it('lui and auipc', () => {
    const m = exec([E.lui(5, 0xfedcb000), E.auipc(6, 0x1000)]);
    expect(u32(m.x[5]!)).toBe(0xfedcb000);
    expect(u32(m.x[6]!)).toBe(RAM_BASE + 4 + 0x1000);
  });
  it('x0 stays zero as a destination', () => {
    const m = exec([E.addi(0, 0, 5), E.lui(0, 0x1000), E.add(0, 5, 5), E.lw(0, 8, 0)], { 5: 3, 8: RAM_BASE });
    expect(m.x[0]).toBe(0);
    expect(m.readCsr(0x342)).toBe(0);
  });
});

describe('RV32I control transfer', () => {
  it('jal links and jumps (forward and backward)', () => {
    const m = boot([E.jal(1, 8), E.addi(5, 0, 1), E.jal(3, -4), E.jal(0, 0)]);
    step(m);
    expect(m.pc).toBe(RAM_BASE + 8);
    expect(u32(m.x[1]!)).toBe(RAM_BASE + 4);
    step(m);
    expect(m.pc).toBe(RAM_BASE + 4);
    expect(u32(m.x[3]!)).toBe(RAM_BASE + 12);
  });
  it('jalr clears bit 0, reads rs1 before writing rd', () => {
    const m = boot([E.jalr(5, 5, 3), E.jal(0, 0), E.jal(0, 0)]);
    m.x[5] = RAM_BASE + 5;
    step(m);
    expect(m.pc).toBe(RAM_BASE + 8);
    expect(u32(m.x[5]!)).toBe(RAM_BASE + 4);
  });
  const br: [string, (a: number, b: number, off: number) => number, number, number, boolean][] = [
    ['beq taken', E.beq, 3, 3, true], ['beq not', E.beq, 3, 4, false],
    ['bne taken', E.bne, 3, 4, true], ['bne not', E.bne, 3, 3, false],
    ['blt taken', E.blt, -1, 0, true], ['blt not', E.blt, 0, -1, false], ['blt equal', E.blt, 2, 2, false],
    ['bge taken', E.bge, 0, -1, true], ['bge equal', E.bge, 2, 2, true], ['bge not', E.bge, -1, 0, false],
    ['bltu taken', E.bltu, 0, -1, true], ['bltu not', E.bltu, -1, 0, false],
    ['bgeu taken', E.bgeu, -1, 0, true], ['bgeu not', E.bgeu, 0, -1, false],
  ];
  for (const [name, f, a, b, taken] of br) {
    it(name, () => {
      const m = exec([f(5, 6, 12)], { 5: a, 6: b });
      expect(m.pc).toBe(RAM_BASE + (taken ? 12 : 4));
    });
  }
  it('backward branch', () => {
    const m = boot([E.addi(5, 0, 1), E.beq(0, 0, -4)]);
    step(m, 2);
    expect(m.pc).toBe(RAM_BASE);
  });
});

describe('loads and stores', () => {
  const D = RAM_BASE + 0x1000;
  const data = new Uint8Array([0x81, 0x82, 0x83, 0x84, 0x05, 0x06, 0x07, 0x08]);
  const run = (code: Insn[]) => {
    const m = boot([...code, E.jal(0, 0)], { data: [{ addr: D, bytes: data }] });
    m.x[8] = D;
    step(m, code.length);
    return m;
  };
  it('lb/lbu/lh/lhu/lw sign and zero extension', () => {
    const m = run([E.lb(5, 8, 0), E.lbu(6, 8, 0), E.lh(7, 8, 0), E.lhu(9, 8, 2), E.lw(10, 8, 0), E.lw(11, 8, 4)]);
    expect(m.x[5]).toBe(-127);
    expect(m.x[6]).toBe(0x81);
    expect(m.x[7]).toBe(0x8281 - 0x10000);
    expect(m.x[9]).toBe(0x8483);
    expect(u32(m.x[10]!)).toBe(0x84838281);
    expect(m.x[11]).toBe(0x08070605);
  });
  it('misaligned loads are done in hardware', () => {
    const m = run([E.lw(5, 8, 1), E.lh(6, 8, 3), E.lhu(7, 8, 1)]);
    expect(u32(m.x[5]!)).toBe(0x05848382);
    expect(m.x[6]).toBe(0x0584);
    expect(m.x[7]).toBe(0x8382);
    expect(m.readCsr(0x342)).toBe(0);
  });
  it('sb/sh/sw, aligned and misaligned, negative offsets', () => {
    const m = run([E.addi(5, 0, -2), E.sb(5, 8, 0), E.sh(5, 8, 2), E.addi(9, 8, 16), E.sw(5, 9, -8), E.sw(5, 8, 13), E.sh(5, 8, 21)]);
    expect([...m.readMemory(D, 24)]).toEqual([
      0xfe, 0x82, 0xfe, 0xff, 0x05, 0x06, 0x07, 0x08, 0xfe, 0xff, 0xff, 0xff, 0, 0xfe, 0xff, 0xff,
      0xff, 0, 0, 0, 0, 0xfe, 0xff, 0]);
  });
  it('stores into already-executed code take effect (decode cache invalidation)', () => {
    const target = E.addi(6, 0, 2);
    const [hi, lo] = E.li(5, target);
    const m = boot([E.addi(6, 0, 1), hi!, lo!, E.sw(5, 7, 0), E.jal(0, -16)]);
    m.x[7] = RAM_BASE;
    step(m, 1);
    expect(m.x[6]).toBe(1);
    step(m, 5);
    expect(m.pc).toBe(RAM_BASE + 4);
    expect(m.x[6]).toBe(2);
  });
  it('fence and fence.i are no-ops that count', () => {
    const m = exec([E.fence(), E.fencei()]);
    expect(m.pc).toBe(RAM_BASE + 8);
    expect(m.icount).toBe(8);
  });
});

describe('A extension', () => {
  const D = RAM_BASE + 0x2000;
  const word = (m: ReturnType<typeof boot>) => new Int32Array(m.readMemory(D, 4).buffer)[0];
  const amos: [string, (rd: number, rs2: number, rs1: number) => number, number, number, number][] = [
    ['amoswap', E.amoswap, 5, 9, 9], ['amoadd', E.amoadd, 5, 9, 14], ['amoxor', E.amoxor, 6, 3, 5],
    ['amoand', E.amoand, 6, 3, 2], ['amoor', E.amoor, 6, 3, 7],
    ['amomin', E.amomin, -5, 3, -5], ['amomax', E.amomax, -5, 3, 3],
    ['amominu', E.amominu, -5, 3, 3], ['amomaxu', E.amomaxu, -5, 3, -5],
  ];
  for (const [name, f, mem, src, want] of amos) {
    it(name, () => {
      const m = boot([f(7, 6, 8), E.jal(0, 0)]);
      m.writeMemory(D, new Uint8Array(new Int32Array([mem]).buffer));
      m.x[8] = D; m.x[6] = src;
      step(m);
      expect(m.x[7]).toBe(mem);
      expect(new Int32Array(m.readMemory(D, 4).buffer)[0]).toBe(want);
    });
  }
  it('lr.w/sc.w succeed on an untouched reservation, fail afterwards', () => {
    const m = boot([E.lrw(5, 8), E.scw(6, 9, 8), E.scw(7, 9, 8), E.jal(0, 0)]);
    m.writeMemory(D, new Uint8Array([1, 0, 0, 0]));
    m.x[8] = D; m.x[9] = 42;
    step(m, 3);
    expect(m.x[5]).toBe(1);
    expect(m.x[6]).toBe(0);
    expect(m.x[7]).toBe(1);
    expect(word(m)).toBe(42);
  });
  it('sc.w fails when the reserved word changed (QEMU compares the value)', () => {
    const m = boot([E.lrw(5, 8), E.sw(10, 8, 0), E.scw(6, 9, 8), E.jal(0, 0)]);
    m.writeMemory(D, new Uint8Array([1, 0, 0, 0]));
    m.x[8] = D; m.x[9] = 42; m.x[10] = 7;
    step(m, 3);
    expect(m.x[6]).toBe(1);
    expect(word(m)).toBe(7);
  });
  it('sc.w to another address fails without touching memory', () => {
    const m2 = boot([E.lrw(5, 8), E.scw(6, 9, 10), E.jal(0, 0)]);
    m2.x[8] = D; m2.x[10] = D + 4; m2.x[9] = 42;
    step(m2, 2);
    expect(m2.x[6]).toBe(1);
    expect([...m2.readMemory(D + 4, 4)]).toEqual([0, 0, 0, 0]);
  });
});
