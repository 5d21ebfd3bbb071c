// Tiny RISC-V encoder for the core's unit tests (test-only; cross-checked against GNU as in encoder.test.ts).
import { Machine, RAM_BASE } from '../../../src/core';
import type { InputPort, MachineOptions } from '../../../src/core';

export const R = (f7: number, rs2: number, rs1: number, f3: number, rd: number, opc: number): number =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc) >>> 0;
export const I = (imm: number, rs1: number, f3: number, rd: number, opc: number): number =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc) >>> 0;
export const S = (imm: number, rs2: number, rs1: number, f3: number, opc: number): number =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | opc) >>> 0;
export const B = (imm: number, rs2: number, rs1: number, f3: number): number =>
  ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 63) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12)
    | (((imm >> 1) & 15) << 8) | (((imm >> 11) & 1) << 7) | 0x63) >>> 0;
export const U = (imm: number, rd: number, opc: number): number => ((imm & 0xfffff000) | (rd << 7) | opc) >>> 0;
export const J = (imm: number, rd: number): number =>
  ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 1023) << 21) | (((imm >> 11) & 1) << 20) | (((imm >> 12) & 255) << 12)
    | (rd << 7) | 0x6f) >>> 0;

export const lui = (rd: number, imm: number): number => U(imm, rd, 0x37);
export const auipc = (rd: number, imm: number): number => U(imm, rd, 0x17);
export const jal = (rd: number, off: number): number => J(off, rd);
export const jalr = (rd: number, rs1: number, imm: number): number => I(imm, rs1, 0, rd, 0x67);
export const beq = (a: number, b: number, off: number): number => B(off, b, a, 0);
export const bne = (a: number, b: number, off: number): number => B(off, b, a, 1);
export const blt = (a: number, b: number, off: number): number => B(off, b, a, 4);
export const bge = (a: number, b: number, off: number): number => B(off, b, a, 5);
export const bltu = (a: number, b: number, off: number): number => B(off, b, a, 6);
export const bgeu = (a: number, b: number, off: number): number => B(off, b, a, 7);
export const lb = (rd: number, rs1: number, imm: number): number => I(imm, rs1, 0, rd, 3);
export const lh = (rd: number, rs1: number, imm: number): number => I(imm, rs1, 1, rd, 3);
export const lw = (rd: number, rs1: number, imm: number): number => I(imm, rs1, 2, rd, 3);
export const lbu = (rd: number, rs1: number, imm: number): number => I(imm, rs1, 4, rd, 3);
export const lhu = (rd: number, rs1: number, imm: number): number => I(imm, rs1, 5, rd, 3);
export const sb = (rs2: number, rs1: number, imm: number): number => S(imm, rs2, rs1, 0, 0x23);
export const sh = (rs2: number, rs1: number, imm: number): number => S(imm, rs2, rs1, 1, 0x23);
export const sw = (rs2: number, rs1: number, imm: number): number => S(imm, rs2, rs1, 2, 0x23);
export const addi = (rd: number, rs1: number, imm: number): number => I(imm, rs1, 0, rd, 0x13);
export const slti = (rd: number, rs1: number, imm: number): number => I(imm, rs1, 2, rd, 0x13);
export const sltiu = (rd: number, rs1: number, imm: number): number => I(imm, rs1, 3, rd, 0x13);
export const xori = (rd: number, rs1: number, imm: number): number => I(imm, rs1, 4, rd, 0x13);
export const ori = (rd: number, rs1: number, imm: number): number => I(imm, rs1, 6, rd, 0x13);
export const andi = (rd: number, rs1: number, imm: number): number => I(imm, rs1, 7, rd, 0x13);
export const slli = (rd: number, rs1: number, sh: number): number => I(sh, rs1, 1, rd, 0x13);
export const srli = (rd: number, rs1: number, sh: number): number => I(sh, rs1, 5, rd, 0x13);
export const srai = (rd: number, rs1: number, sh: number): number => I(sh | 0x400, rs1, 5, rd, 0x13);
const op = (f7: number, f3: number) => (rd: number, rs1: number, rs2: number): number => R(f7, rs2, rs1, f3, rd, 0x33);
export const add = op(0, 0), sub = op(0x20, 0), sll = op(0, 1), slt = op(0, 2), sltu = op(0, 3), xor = op(0, 4);
export const srl = op(0, 5), sra = op(0x20, 5), or = op(0, 6), and = op(0, 7);
export const mul = op(1, 0), mulh = op(1, 1), mulhsu = op(1, 2), mulhu = op(1, 3);
export const div = op(1, 4), divu = op(1, 5), rem = op(1, 6), remu = op(1, 7);
export const fence = (): number => 0x0ff0000f;
export const fencei = (): number => 0x0000100f;
export const ecall = (): number => 0x00000073;
export const ebreak = (): number => 0x00100073;
export const mret = (): number => 0x30200073;
export const wfi = (): number => 0x10500073;
const csr = (f3: number) => (rd: number, c: number, rs1: number): number => I(c, rs1, f3, rd, 0x73);
export const csrrw = csr(1), csrrs = csr(2), csrrc = csr(3), csrrwi = csr(5), csrrsi = csr(6), csrrci = csr(7);
const amo = (f5: number) => (rd: number, rs2: number, rs1: number): number => R(f5 << 2, rs2, rs1, 2, rd, 0x2f);
export const lrw = (rd: number, rs1: number): number => R(2 << 2, 0, rs1, 2, rd, 0x2f);
export const scw = amo(3), amoswap = amo(1), amoadd = amo(0), amoxor = amo(4), amoand = amo(0xc), amoor = amo(8);
export const amomin = amo(0x10), amomax = amo(0x14), amominu = amo(0x18), amomaxu = amo(0x1c);

/** A 16-bit instruction, tagged so the program builder emits 2 bytes. */
export interface C16 { c: number }
const c = (v: number): C16 => ({ c: v & 0xffff });
const p = (r: number): number => r - 8;   // x8..x15 -> 3-bit field
export const cAddi4spn = (rd: number, imm: number): C16 =>
  c((((imm >> 4) & 3) << 11) | (((imm >> 6) & 15) << 7) | (((imm >> 2) & 1) << 6) | (((imm >> 3) & 1) << 5) | (p(rd) << 2));
export const cLw = (rd: number, rs1: number, imm: number): C16 =>
  c((2 << 13) | (((imm >> 3) & 7) << 10) | (p(rs1) << 7) | (((imm >> 2) & 1) << 6) | (((imm >> 6) & 1) << 5) | (p(rd) << 2));
export const cSw = (rs2: number, rs1: number, imm: number): C16 =>
  c((6 << 13) | (((imm >> 3) & 7) << 10) | (p(rs1) << 7) | (((imm >> 2) & 1) << 6) | (((imm >> 6) & 1) << 5) | (p(rs2) << 2));
const ci = (f3: number, rd: number, imm: number): C16 => c((f3 << 13) | (((imm >> 5) & 1) << 12) | (rd << 7) | ((imm & 31) << 2) | 1);
export const cNop = (): C16 => ci(0, 0, 0);
export const cAddi = (rd: number, imm: number): C16 => ci(0, rd, imm);
export const cLi = (rd: number, imm: number): C16 => ci(2, rd, imm);
export const cLui = (rd: number, imm: number): C16 => ci(3, rd, imm >> 12);
export const cAddi16sp = (imm: number): C16 =>
  c((3 << 13) | (((imm >> 9) & 1) << 12) | (2 << 7) | (((imm >> 4) & 1) << 6) | (((imm >> 6) & 1) << 5) | (((imm >> 7) & 3) << 3) | (((imm >> 5) & 1) << 2) | 1);
const cjImm = (off: number): number =>
  (((off >> 11) & 1) << 12) | (((off >> 4) & 1) << 11) | (((off >> 8) & 3) << 9) | (((off >> 10) & 1) << 8)
  | (((off >> 6) & 1) << 7) | (((off >> 7) & 1) << 6) | (((off >> 1) & 7) << 3) | (((off >> 5) & 1) << 2);
export const cJal = (off: number): C16 => c((1 << 13) | cjImm(off) | 1);
export const cJ = (off: number): C16 => c((5 << 13) | cjImm(off) | 1);
export const cSrli = (rd: number, sh: number): C16 => c((4 << 13) | (((sh >> 5) & 1) << 12) | (0 << 10) | (p(rd) << 7) | ((sh & 31) << 2) | 1);
export const cSrai = (rd: number, sh: number): C16 => c((4 << 13) | (((sh >> 5) & 1) << 12) | (1 << 10) | (p(rd) << 7) | ((sh & 31) << 2) | 1);
export const cAndi = (rd: number, imm: number): C16 => c((4 << 13) | (((imm >> 5) & 1) << 12) | (2 << 10) | (p(rd) << 7) | ((imm & 31) << 2) | 1);
const ca = (f: number) => (rd: number, rs2: number): C16 => c((4 << 13) | (3 << 10) | (p(rd) << 7) | (f << 5) | (p(rs2) << 2) | 1);
export const cSub = ca(0), cXor = ca(1), cOr = ca(2), cAnd = ca(3);
const cb = (f3: number) => (rs1: number, off: number): C16 =>
  c((f3 << 13) | (((off >> 8) & 1) << 12) | (((off >> 3) & 3) << 10) | (p(rs1) << 7) | (((off >> 6) & 3) << 5) | (((off >> 1) & 3) << 3) | (((off >> 5) & 1) << 2) | 1);
export const cBeqz = cb(6), cBnez = cb(7);
export const cSlli = (rd: number, sh: number): C16 => c((((sh >> 5) & 1) << 12) | (rd << 7) | ((sh & 31) << 2) | 2);
export const cLwsp = (rd: number, imm: number): C16 => c((2 << 13) | (((imm >> 5) & 1) << 12) | (rd << 7) | (((imm >> 2) & 7) << 4) | (((imm >> 6) & 3) << 2) | 2);
export const cSwsp = (rs2: number, imm: number): C16 => c((6 << 13) | (((imm >> 2) & 15) << 9) | (((imm >> 6) & 3) << 7) | (rs2 << 2) | 2);
export const cJr = (rs1: number): C16 => c((4 << 13) | (rs1 << 7) | 2);
export const cMv = (rd: number, rs2: number): C16 => c((4 << 13) | (rd << 7) | (rs2 << 2) | 2);
export const cEbreak = (): C16 => c((4 << 13) | (1 << 12) | 2);
export const cJalr = (rs1: number): C16 => c((4 << 13) | (1 << 12) | (rs1 << 7) | 2);
export const cAdd = (rd: number, rs2: number): C16 => c((4 << 13) | (1 << 12) | (rd << 7) | (rs2 << 2) | 2);
export const raw16 = (v: number): C16 => c(v);

export type Insn = number | C16;

/** Encode a list of instructions to bytes. */
export function assemble(insns: readonly Insn[]): Uint8Array {
  const out: number[] = [];
  for (const x of insns) {
    if (typeof x === 'number') out.push(x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff);
    else out.push(x.c & 0xff, x.c >>> 8);
  }
  return new Uint8Array(out);
}

/** Byte length of a list of instructions (for computing offsets). */
export function size(insns: readonly Insn[]): number {
  return insns.reduce<number>((n, x) => n + (typeof x === 'number' ? 4 : 2), 0);
}

/** li rd, value as lui+addi (always two instructions). */
export function li(rd: number, value: number): number[] {
  const v = value | 0;
  const lo = (v << 20) >> 20;
  const hi = (v - lo) | 0;
  return [lui(rd, hi), addi(rd, rd, lo)];
}

/** A fresh machine with `code` at 0x80000000 (entry), run through the 6-instruction reset ROM. */
export function boot(code: readonly Insn[], opts: MachineOptions & { data?: { addr: number; bytes: Uint8Array }[] } = {}): Machine {
  const m = new Machine({ ramSize: opts.ramSize ?? 1 << 20, ...(opts.input ? { input: opts.input } : {}) });
  const bytes = assemble(code);
  const segments = [{ addr: RAM_BASE, data: bytes, memSize: bytes.length }];
  for (const d of opts.data ?? []) segments.push({ addr: d.addr, data: d.bytes, memSize: d.bytes.length });
  m.load({ entry: RAM_BASE, segments });
  const r = m.run(6);
  if (r.kind !== 'limit' || m.pc !== RAM_BASE) throw new Error(`reset ROM did not reach the entry: ${JSON.stringify(r)} pc=${m.pc}`);
  return m;
}

/** Run n more instructions. */
export function step(m: Machine, n = 1): ReturnType<Machine['run']> {
  return m.run(m.icount + n);
}

export const u32 = (v: number): number => v >>> 0;
export const fixedInput = (rtc: number, seeds: number[]): InputPort & { seedCalls: number; rtcCalls: number } => {
  const port = {
    seedCalls: 0, rtcCalls: 0,
    rtcNanoseconds(): number { port.rtcCalls++; return rtc; },
    seedEntropy(): number { const v = seeds[port.seedCalls % seeds.length] ?? 0; port.seedCalls++; return v; },
  };
  return port;
};
