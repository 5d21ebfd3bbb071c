// Decoder: one instruction -> two int32 words, the form the exec loop switches on.
//   word 0: op (bits 0-7) | rd (bits 8-13, x0 mapped to the sink register 32) | rs1 (14-18)
//           | rs2 (19-23) | bit 24 set for a 4-byte instruction. Bit 31 is left to the machine
//           (breakpoint mark in its decode cache). A decoded word 0 is never 0.
//   word 1: immediate; the raw instruction bits for ILLEGAL; the CSR number for CSR ops;
//           the fault address for FETCH_FAULT.
// Compressed instructions decode to the op of their 32-bit expansion.
// The exec loop in machine.ts switches on these numbers as literals (for V8's jump tables):
// keep both in sync.

export const OP_ILLEGAL = 1;
export const OP_FETCH_FAULT = 2;
export const OP_LUI = 3;
export const OP_AUIPC = 4;
export const OP_JAL = 5;
export const OP_JALR = 6;
export const OP_BEQ = 7;
export const OP_BNE = 8;
export const OP_BLT = 9;
export const OP_BGE = 10;
export const OP_BLTU = 11;
export const OP_BGEU = 12;
export const OP_LB = 13;
export const OP_LH = 14;
export const OP_LW = 15;
export const OP_LBU = 16;
export const OP_LHU = 17;
export const OP_SB = 18;
export const OP_SH = 19;
export const OP_SW = 20;
export const OP_ADDI = 21;
export const OP_SLTI = 22;
export const OP_SLTIU = 23;
export const OP_XORI = 24;
export const OP_ORI = 25;
export const OP_ANDI = 26;
export const OP_SLLI = 27;
export const OP_SRLI = 28;
export const OP_SRAI = 29;
export const OP_ADD = 30;
export const OP_SUB = 31;
export const OP_SLL = 32;
export const OP_SLT = 33;
export const OP_SLTU = 34;
export const OP_XOR = 35;
export const OP_SRL = 36;
export const OP_SRA = 37;
export const OP_OR = 38;
export const OP_AND = 39;
export const OP_MUL = 40;
export const OP_MULH = 41;
export const OP_MULHSU = 42;
export const OP_MULHU = 43;
export const OP_DIV = 44;
export const OP_DIVU = 45;
export const OP_REM = 46;
export const OP_REMU = 47;
export const OP_FENCE = 48;
export const OP_ECALL = 49;
export const OP_EBREAK = 50;
export const OP_MRET = 51;
export const OP_WFI = 52;
export const OP_CSRRW = 53;
export const OP_CSRRS = 54;
export const OP_CSRRC = 55;
export const OP_CSRRWI = 56;
export const OP_CSRRSI = 57;
export const OP_CSRRCI = 58;
export const OP_LR = 59;
export const OP_SC = 60;
export const OP_AMOSWAP = 61;
export const OP_AMOADD = 62;
export const OP_AMOXOR = 63;
export const OP_AMOAND = 64;
export const OP_AMOOR = 65;
export const OP_AMOMIN = 66;
export const OP_AMOMAX = 67;
export const OP_AMOMINU = 68;
export const OP_AMOMAXU = 69;

export const LEN4 = 1 << 24;
export const SINK = 32;

function pack(op: number, rd: number, rs1: number, rs2: number, len4: number): number {
  return op | ((rd === 0 ? SINK : rd) << 8) | (rs1 << 14) | (rs2 << 19) | len4;
}

function put(out: Int32Array, i: number, w0: number, imm: number): void {
  out[i] = w0;
  out[i + 1] = imm;
}

const BRANCH_OPS = [OP_BEQ, OP_BNE, 0, 0, OP_BLT, OP_BGE, OP_BLTU, OP_BGEU];
const LOAD_OPS = [OP_LB, OP_LH, OP_LW, 0, OP_LBU, OP_LHU, 0, 0];
const OPIMM_OPS = [OP_ADDI, 0, OP_SLTI, OP_SLTIU, OP_XORI, 0, OP_ORI, OP_ANDI];
const OP_OPS = [OP_ADD, OP_SLL, OP_SLT, OP_SLTU, OP_XOR, OP_SRL, OP_OR, OP_AND];
const M_OPS = [OP_MUL, OP_MULH, OP_MULHSU, OP_MULHU, OP_DIV, OP_DIVU, OP_REM, OP_REMU];
const CSR_OPS = [0, OP_CSRRW, OP_CSRRS, OP_CSRRC, 0, OP_CSRRWI, OP_CSRRSI, OP_CSRRCI];
/** AMO funct5 -> op. */
const AMO_OPS: Record<number, number> = {
  0x00: OP_AMOADD, 0x01: OP_AMOSWAP, 0x02: OP_LR, 0x03: OP_SC, 0x04: OP_AMOXOR,
  0x08: OP_AMOOR, 0x0c: OP_AMOAND, 0x10: OP_AMOMIN, 0x14: OP_AMOMAX, 0x18: OP_AMOMINU, 0x1c: OP_AMOMAXU,
};

/** Is `bits` (low 16 bits of the first halfword) the start of a 32-bit instruction? */
export function isLen4(lowHalf: number): boolean {
  return (lowHalf & 3) === 3;
}

/** Decode one instruction. `bits`: the 32 bits at pc (only the low 16 are used for a compressed one). */
export function decodeInsn(bits: number, out: Int32Array, i: number): void {
  if ((bits & 3) !== 3) {
    decodeCompressed(bits & 0xffff, out, i);
    return;
  }
  bits |= 0;
  const ill = (): void => put(out, i, OP_ILLEGAL | LEN4, bits);
  const opc = bits & 0x7f;
  const rd = (bits >> 7) & 31;
  const f3 = (bits >> 12) & 7;
  const rs1 = (bits >> 15) & 31;
  const rs2 = (bits >> 20) & 31;
  const f7 = bits >>> 25;
  const immI = bits >> 20;
  switch (opc) {
    case 0x37: return put(out, i, pack(OP_LUI, rd, 0, 0, LEN4), bits & 0xfffff000);
    case 0x17: return put(out, i, pack(OP_AUIPC, rd, 0, 0, LEN4), bits & 0xfffff000);
    case 0x6f: {
      const imm = ((bits >> 31) << 20) | (((bits >> 12) & 255) << 12) | (((bits >> 20) & 1) << 11) | (((bits >> 21) & 1023) << 1);
      return put(out, i, pack(OP_JAL, rd, 0, 0, LEN4), imm);
    }
    case 0x67:
      if (f3 !== 0) return ill();
      return put(out, i, pack(OP_JALR, rd, rs1, 0, LEN4), immI);
    case 0x63: {
      const op = BRANCH_OPS[f3] ?? 0;
      if (op === 0) return ill();
      const imm = ((bits >> 31) << 12) | (((bits >> 7) & 1) << 11) | (((bits >> 25) & 63) << 5) | (((bits >> 8) & 15) << 1);
      return put(out, i, pack(op, 0, rs1, rs2, LEN4), imm);
    }
    case 0x03: {
      const op = LOAD_OPS[f3] ?? 0;
      if (op === 0) return ill();
      return put(out, i, pack(op, rd, rs1, 0, LEN4), immI);
    }
    case 0x23: {
      if (f3 > 2) return ill();
      const imm = ((bits >> 25) << 5) | ((bits >> 7) & 31);
      return put(out, i, pack(OP_SB + f3, 0, rs1, rs2, LEN4), imm);
    }
    case 0x13: {
      if (f3 === 1) {
        if (f7 !== 0) return ill();
        return put(out, i, pack(OP_SLLI, rd, rs1, 0, LEN4), rs2);
      }
      if (f3 === 5) {
        if (f7 === 0) return put(out, i, pack(OP_SRLI, rd, rs1, 0, LEN4), rs2);
        if (f7 === 0x20) return put(out, i, pack(OP_SRAI, rd, rs1, 0, LEN4), rs2);
        return ill();
      }
      return put(out, i, pack(OPIMM_OPS[f3] ?? 0, rd, rs1, 0, LEN4), immI);
    }
    case 0x33: {
      let op = 0;
      if (f7 === 0) op = OP_OPS[f3] ?? 0;
      else if (f7 === 1) op = M_OPS[f3] ?? 0;
      else if (f7 === 0x20) op = f3 === 0 ? OP_SUB : f3 === 5 ? OP_SRA : 0;
      if (op === 0) return ill();
      return put(out, i, pack(op, rd, rs1, rs2, LEN4), 0);
    }
    case 0x0f:
      if (f3 > 1) return ill();
      return put(out, i, pack(OP_FENCE, 0, 0, 0, LEN4), 0);
    case 0x73: {
      if (f3 === 0) {
        if (bits === 0x00000073) return put(out, i, pack(OP_ECALL, 0, 0, 0, LEN4), 0);
        if (bits === 0x00100073) return put(out, i, pack(OP_EBREAK, 0, 0, 0, LEN4), 0);
        if (bits === 0x30200073) return put(out, i, pack(OP_MRET, 0, 0, 0, LEN4), 0);
        if (bits === 0x10500073) return put(out, i, pack(OP_WFI, 0, 0, 0, LEN4), 0);
        return ill();
      }
      const op = CSR_OPS[f3] ?? 0;
      if (op === 0) return ill();
      return put(out, i, pack(op, rd, rs1, 0, LEN4), bits >>> 20);
    }
    case 0x2f: {
      if (f3 !== 2) return ill();
      const op = AMO_OPS[bits >>> 27] ?? 0;
      if (op === 0 || (op === OP_LR && rs2 !== 0)) return ill();
      return put(out, i, pack(op, rd, rs1, rs2, LEN4), 0);
    }
    default:
      return ill();
  }
}

function sext(v: number, bitsWide: number): number {
  const s = 32 - bitsWide;
  return (v << s) >> s;
}

function decodeCompressed(b: number, out: Int32Array, i: number): void {
  const ill = (): void => put(out, i, OP_ILLEGAL, b);
  const q = b & 3;
  const f3 = b >> 13;
  const rdp = 8 + ((b >> 2) & 7);   // rd' / rs2'
  const rs1p = 8 + ((b >> 7) & 7);  // rs1' / rd'
  const rd = (b >> 7) & 31;
  const rs2 = (b >> 2) & 31;
  const imm6 = sext((((b >> 12) & 1) << 5) | ((b >> 2) & 31), 6);
  if (q === 0) {
    switch (f3) {
      case 0: {
        const nzuimm = (((b >> 11) & 3) << 4) | (((b >> 7) & 15) << 6) | (((b >> 6) & 1) << 2) | (((b >> 5) & 1) << 3);
        if (nzuimm === 0) return ill();
        return put(out, i, pack(OP_ADDI, rdp, 2, 0, 0), nzuimm);
      }
      case 2: case 6: {
        const uimm = (((b >> 10) & 7) << 3) | (((b >> 6) & 1) << 2) | (((b >> 5) & 1) << 6);
        if (f3 === 2) return put(out, i, pack(OP_LW, rdp, rs1p, 0, 0), uimm);
        return put(out, i, pack(OP_SW, 0, rs1p, rdp, 0), uimm);
      }
      default: return ill();   // C.FLD/C.FLW/C.FSD/C.FSW (no F/D) and the reserved slot
    }
  }
  if (q === 1) {
    switch (f3) {
      case 0: return put(out, i, pack(OP_ADDI, rd, rd, 0, 0), imm6);
      case 1: case 5: {
        const imm = sext((((b >> 12) & 1) << 11) | (((b >> 11) & 1) << 4) | (((b >> 9) & 3) << 8) | (((b >> 8) & 1) << 10)
          | (((b >> 7) & 1) << 6) | (((b >> 6) & 1) << 7) | (((b >> 3) & 7) << 1) | (((b >> 2) & 1) << 5), 12);
        return put(out, i, pack(OP_JAL, f3 === 1 ? 1 : 0, 0, 0, 0), imm);
      }
      case 2: return put(out, i, pack(OP_ADDI, rd, 0, 0, 0), imm6);
      case 3: {
        if (rd === 2) {
          const imm = sext((((b >> 12) & 1) << 9) | (((b >> 6) & 1) << 4) | (((b >> 5) & 1) << 6) | (((b >> 3) & 3) << 7) | (((b >> 2) & 1) << 5), 10);
          if (imm === 0) return ill();
          return put(out, i, pack(OP_ADDI, 2, 2, 0, 0), imm);
        }
        if (imm6 === 0) return ill();
        return put(out, i, pack(OP_LUI, rd, 0, 0, 0), imm6 << 12);
      }
      case 4: {
        const f2 = (b >> 10) & 3;
        if (f2 === 0 || f2 === 1) {
          if ((b >> 12) & 1) return ill();   // shamt[5] = 1 is reserved on RV32
          return put(out, i, pack(f2 === 0 ? OP_SRLI : OP_SRAI, rs1p, rs1p, 0, 0), (b >> 2) & 31);
        }
        if (f2 === 2) return put(out, i, pack(OP_ANDI, rs1p, rs1p, 0, 0), imm6);
        if ((b >> 12) & 1) return ill();   // C.SUBW/C.ADDW: RV64 only
        const op = [OP_SUB, OP_XOR, OP_OR, OP_AND][(b >> 5) & 3] ?? 0;
        return put(out, i, pack(op, rs1p, rs1p, rdp, 0), 0);
      }
      default: {   // 6, 7: C.BEQZ, C.BNEZ
        const imm = sext((((b >> 12) & 1) << 8) | (((b >> 10) & 3) << 3) | (((b >> 5) & 3) << 6) | (((b >> 3) & 3) << 1) | (((b >> 2) & 1) << 5), 9);
        return put(out, i, pack(f3 === 6 ? OP_BEQ : OP_BNE, 0, rs1p, 0, 0), imm);
      }
    }
  }
  if (q === 2) {
    switch (f3) {
      case 0:
        if ((b >> 12) & 1) return ill();
        return put(out, i, pack(OP_SLLI, rd, rd, 0, 0), rs2);
      case 2: {
        if (rd === 0) return ill();
        const uimm = (((b >> 12) & 1) << 5) | (((b >> 4) & 7) << 2) | (((b >> 2) & 3) << 6);
        return put(out, i, pack(OP_LW, rd, 2, 0, 0), uimm);
      }
      case 4: {
        if (((b >> 12) & 1) === 0) {
          if (rs2 === 0) {
            if (rd === 0) return ill();
            return put(out, i, pack(OP_JALR, 0, rd, 0, 0), 0);
          }
          return put(out, i, pack(OP_ADD, rd, 0, rs2, 0), 0);
        }
        if (rs2 === 0) {
          if (rd === 0) return put(out, i, pack(OP_EBREAK, 0, 0, 0, 0), 0);
          return put(out, i, pack(OP_JALR, 1, rd, 0, 0), 0);
        }
        return put(out, i, pack(OP_ADD, rd, rd, rs2, 0), 0);
      }
      case 6: {
        const uimm = (((b >> 9) & 15) << 2) | (((b >> 7) & 3) << 6);
        return put(out, i, pack(OP_SW, 0, 2, rs2, 0), uimm);
      }
      default: return ill();   // C.FLDSP/C.FLWSP/C.FSDSP/C.FSWSP
    }
  }
  return ill();
}
