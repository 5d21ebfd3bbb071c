/**
 * Random RV32IMA programs for the replay property tests: a loop over a random body of ALU
 * operations, loads/stores (aligned and misaligned) to two data pages, AMOs, RTC reads, `seed`
 * CSR reads, UART reads and writes, counter reads and short forward branches. They always end
 * by writing the SiFive test device.
 */
import { encode } from '../../../src/isa/encode';

export const DATA0 = 0x80004000;
export const DATA1 = 0x80005000;
const RTC = 0x00101000;
const UART = 0x10000000;
const TEST = 0x00100000;

// s0..s5 hold bases and the loop counter; random operands use temporaries.
const S0 = 8, S1 = 9, S2 = 18, S3 = 19, S4 = 20, S5 = 21;
const TEMPS = [5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 28, 29, 30];
const ADDR = 31; // t6: computed AMO address

/** xorshift32 */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

function li(rd: number, value: number): number[] {
  const v = value | 0;
  const lo = (v << 20) >> 20;
  const hi = ((v - lo) >>> 12) & 0xfffff;
  const out: number[] = [];
  if (hi !== 0) out.push(encode('lui', { rd, uimm20: hi }));
  if (lo !== 0 || hi === 0) out.push(encode('addi', { rd, rs1: hi !== 0 ? rd : 0, imm12: lo }));
  return out;
}

export interface RandomProgramOptions { bodyLength?: number; iterations?: number }

export function randomProgram(seed: number, opts: RandomProgramOptions = {}): { entry: number; segments: { addr: number; data: Uint8Array; memSize: number }[] } {
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length]!;
  const temp = (): number => pick(TEMPS);
  const words: number[] = [];
  words.push(...li(S0, DATA0), ...li(S1, DATA1), ...li(S2, RTC), ...li(S3, UART), ...li(S5, TEST));
  words.push(...li(S4, opts.iterations ?? 20));
  const loopStart = words.length;
  const body = opts.bodyLength ?? 60;
  for (let k = 0; k < body; k++) {
    const r = next() % 100;
    const base = next() % 2 === 0 ? S0 : S1;
    if (r < 30) {
      words.push(encode(pick(['add', 'sub', 'xor', 'or', 'and', 'sll', 'srl', 'sra', 'slt', 'sltu', 'mul', 'mulh', 'mulhu', 'div', 'divu', 'rem', 'remu']),
        { rd: temp(), rs1: temp(), rs2: temp() }));
    } else if (r < 45) {
      const op = pick(['addi', 'xori', 'ori', 'andi', 'slti', 'sltiu', 'slli', 'srli', 'srai']);
      if (op.endsWith('li') || op === 'srai') words.push(encode(op, { rd: temp(), rs1: temp(), shamt: next() % 32 }));
      else words.push(encode(op, { rd: temp(), rs1: temp(), imm12: (next() % 4096) - 2048 }));
    } else if (r < 48) {
      words.push(encode('lui', { rd: temp(), uimm20: next() & 0xfffff }));
    } else if (r < 62) {
      words.push(encode(pick(['lb', 'lh', 'lw', 'lbu', 'lhu']), { rd: temp(), rs1: base, imm12: next() % 64 }));
    } else if (r < 76) {
      words.push(encode(pick(['sb', 'sh', 'sw']), { rs2: temp(), rs1: base, simm12: next() % 64 }));
    } else if (r < 80) {
      words.push(encode('addi', { rd: ADDR, rs1: base, imm12: (next() % 16) * 4 }));
      words.push(encode(pick(['amoadd.w', 'amoswap.w', 'amoxor.w', 'amomax.w']), { rd: temp(), rs1: ADDR, rs2: temp() }));
    } else if (r < 83) {
      words.push(encode('lw', { rd: temp(), rs1: S2, imm12: 0 }));
    } else if (r < 85) {
      words.push(encode('csrrw', { rd: temp(), csr: 0x015, rs1: 0 }));
    } else if (r < 89) {
      words.push(encode('lbu', { rd: temp(), rs1: S3, imm12: pick([0, 5]) }));
    } else if (r < 91) {
      words.push(encode('sb', { rs2: temp(), rs1: S3, simm12: 0 }));
    } else if (r < 94) {
      words.push(encode('csrrs', { rd: temp(), csr: pick([0xc00, 0xc02, 0xc01]), rs1: 0 }));
    } else {
      words.push(encode(pick(['beq', 'bne', 'blt', 'bgeu']), { rs1: temp(), rs2: temp(), bimm: 8 }));
      words.push(encode('addi', { rd: temp(), rs1: temp(), imm12: 1 }));
    }
  }
  words.push(encode('addi', { rd: S4, rs1: S4, imm12: -1 }));
  words.push(encode('bne', { rs1: S4, rs2: 0, bimm: (loopStart - words.length) * 4 }));
  words.push(...li(5, 0x5555), encode('sw', { rs2: 5, rs1: S5, simm12: 0 }));
  words.push(encode('jal', { rd: 0, jimm: 0 }));
  const data = new Uint8Array(new Uint32Array(words).buffer);
  return { entry: 0x80000000, segments: [{ addr: 0x80000000, data, memSize: data.length }] };
}
