// The RV32IMAC + Zicsr + Zifencei instruction table (riscv-opcodes style: name, match, mask, operands).
// Everything else in src/isa (decoder, encoder, disassembler) is derived from it.

import type { FieldName } from './fields';

export type Extension = 'I' | 'M' | 'A' | 'C' | 'Zicsr' | 'Zifencei' | 'Priv';
export type Format =
  | 'R' | 'I' | 'S' | 'B' | 'U' | 'J'
  | 'CR' | 'CI' | 'CSS' | 'CIW' | 'CL' | 'CS' | 'CA' | 'CB' | 'CJ';

/** A field value the encoding reserves (the instruction is another one, reserved or a HINT of it). */
export interface Constraint { readonly field: FieldName; readonly not: number }

/** The 32-bit instruction a compressed one stands for: operand of the base form <- compressed field or constant. */
export interface Expansion {
  readonly name: string;
  readonly operands: Readonly<Partial<Record<FieldName, FieldName | number>>>;
}

export interface InstructionDef {
  readonly name: string;
  readonly match: number;
  readonly mask: number;
  readonly size: 2 | 4;
  readonly format: Format;
  readonly extension: Extension;
  /**
   * Operand syntax as GNU as and objdump write it: field names, literal registers and
   * punctuation, e.g. `rd,rs1,imm12`, `rd,imm12(rs1)`, `crdq,sp,caddi4spn`, `rd,rs2,(rs1)`.
   */
  readonly syntax: string;
  /** Values the operand fields may not take for this instruction. */
  readonly constraints?: readonly Constraint[];
  readonly expansion?: Expansion;
}

// Encoding helpers: opcode/funct fields -> match, fixed bits -> mask.
const OPC = 0x7f;
const F3 = 0x7 << 12;
const F7 = 0x7f << 25;
const u = (x: number): number => x >>> 0;

interface Opt { constraints?: Constraint[]; expansion?: Expansion }

function def(name: string, match: number, mask: number, size: 2 | 4, format: Format, extension: Extension,
  syntax: string, opt: Opt = {}): InstructionDef {
  return { name, match: u(match), mask: u(mask), size, format, extension, syntax, ...opt };
}

const r = (name: string, opcode: number, f3: number, f7: number, ext: Extension = 'I'): InstructionDef =>
  def(name, opcode | (f3 << 12) | (f7 << 25), OPC | F3 | F7, 4, 'R', ext, 'rd,rs1,rs2');
const i = (name: string, opcode: number, f3: number, syntax = 'rd,rs1,imm12'): InstructionDef =>
  def(name, opcode | (f3 << 12), OPC | F3, 4, 'I', 'I', syntax);
const load = (name: string, f3: number): InstructionDef => i(name, 0x03, f3, 'rd,imm12(rs1)');
const store = (name: string, f3: number): InstructionDef =>
  def(name, 0x23 | (f3 << 12), OPC | F3, 4, 'S', 'I', 'rs2,simm12(rs1)');
const branch = (name: string, f3: number): InstructionDef =>
  def(name, 0x63 | (f3 << 12), OPC | F3, 4, 'B', 'I', 'rs1,rs2,bimm');
const shift = (name: string, f3: number, f7: number): InstructionDef =>
  def(name, 0x13 | (f3 << 12) | (f7 << 25), OPC | F3 | F7, 4, 'I', 'I', 'rd,rs1,shamt');
const system = (name: string, word: number, ext: Extension): InstructionDef =>
  def(name, word, 0xffffffff, 4, 'I', ext, '');
const csr = (name: string, f3: number, syntax: string): InstructionDef =>
  def(name, 0x73 | (f3 << 12), OPC | F3, 4, 'I', 'Zicsr', syntax);

/** LR/SC/AMO with the four aq/rl variants (the ordering bits are part of the mnemonic, as in GNU as). */
function amo(base: string, f5: number, lr = false): InstructionDef[] {
  const out: InstructionDef[] = [];
  const suffixes = ['', '.aq', '.rl', '.aqrl'];
  const bits = [0, 2, 1, 3];
  for (let k = 0; k < 4; k++) {
    const match = 0x2f | (2 << 12) | (f5 << 27) | ((bits[k] ?? 0) << 25);
    const mask = OPC | F3 | (0x7f << 25) | (lr ? 0x1f << 20 : 0);
    out.push(def(`${base}${suffixes[k]}`, match, mask, 4, 'R', 'A', lr ? 'rd,(rs1)' : 'rd,rs2,(rs1)'));
  }
  return out;
}

// Compressed helpers: quadrant (bits 1:0) and funct3 (bits 15:13).
const cq = (q: number, f3: number): number => q | (f3 << 13);
const CMASK = 0xe003;
const cdef = (name: string, match: number, mask: number, format: Format, syntax: string, opt: Opt = {}): InstructionDef =>
  def(name, match, mask, 2, format, 'C', syntax, opt);
const ne = (field: FieldName, not: number): Constraint => ({ field, not });
const ex = (name: string, operands: Expansion['operands']): Expansion => ({ name, operands });

export const INSTRUCTIONS: readonly InstructionDef[] = [
  // RV32I
  def('lui', 0x37, OPC, 4, 'U', 'I', 'rd,uimm20'),
  def('auipc', 0x17, OPC, 4, 'U', 'I', 'rd,uimm20'),
  def('jal', 0x6f, OPC, 4, 'J', 'I', 'rd,jimm'),
  i('jalr', 0x67, 0, 'rd,imm12(rs1)'),
  branch('beq', 0), branch('bne', 1), branch('blt', 4), branch('bge', 5), branch('bltu', 6), branch('bgeu', 7),
  load('lb', 0), load('lh', 1), load('lw', 2), load('lbu', 4), load('lhu', 5),
  store('sb', 0), store('sh', 1), store('sw', 2),
  i('addi', 0x13, 0), i('slti', 0x13, 2), i('sltiu', 0x13, 3), i('xori', 0x13, 4), i('ori', 0x13, 6), i('andi', 0x13, 7),
  shift('slli', 1, 0x00), shift('srli', 5, 0x00), shift('srai', 5, 0x20),
  r('add', 0x33, 0, 0x00), r('sub', 0x33, 0, 0x20), r('sll', 0x33, 1, 0), r('slt', 0x33, 2, 0), r('sltu', 0x33, 3, 0),
  r('xor', 0x33, 4, 0), r('srl', 0x33, 5, 0), r('sra', 0x33, 5, 0x20), r('or', 0x33, 6, 0), r('and', 0x33, 7, 0),
  // FENCE: GNU binutils requires fm, rs1 and rd to be zero (those encodings are reserved).
  def('fence', 0x0f, 0xf00fffff, 4, 'I', 'I', 'pred,succ'),
  system('fence.tso', 0x8330000f, 'I'),
  system('ecall', 0x00000073, 'I'),
  system('ebreak', 0x00100073, 'I'),
  // Zifencei (imm, rs1, rd reserved: must be zero)
  system('fence.i', 0x0000100f, 'Zifencei'),
  // Privileged
  system('sret', 0x10200073, 'Priv'),
  system('mret', 0x30200073, 'Priv'),
  system('wfi', 0x10500073, 'Priv'),
  def('sfence.vma', 0x12000073, 0xfe007fff, 4, 'R', 'Priv', 'rs1,rs2'),
  // Zicsr
  csr('csrrw', 1, 'rd,csr,rs1'), csr('csrrs', 2, 'rd,csr,rs1'), csr('csrrc', 3, 'rd,csr,rs1'),
  csr('csrrwi', 5, 'rd,csr,zimm'), csr('csrrsi', 6, 'rd,csr,zimm'), csr('csrrci', 7, 'rd,csr,zimm'),
  // M
  r('mul', 0x33, 0, 1, 'M'), r('mulh', 0x33, 1, 1, 'M'), r('mulhsu', 0x33, 2, 1, 'M'), r('mulhu', 0x33, 3, 1, 'M'),
  r('div', 0x33, 4, 1, 'M'), r('divu', 0x33, 5, 1, 'M'), r('rem', 0x33, 6, 1, 'M'), r('remu', 0x33, 7, 1, 'M'),
  // A
  ...amo('lr.w', 0x02, true), ...amo('sc.w', 0x03), ...amo('amoswap.w', 0x01), ...amo('amoadd.w', 0x00),
  ...amo('amoxor.w', 0x04), ...amo('amoand.w', 0x0c), ...amo('amoor.w', 0x08), ...amo('amomin.w', 0x10),
  ...amo('amomax.w', 0x14), ...amo('amominu.w', 0x18), ...amo('amomaxu.w', 0x1c),

  // C, quadrant 0
  cdef('c.addi4spn', cq(0, 0), CMASK, 'CIW', 'crdq,sp,caddi4spn',
    { constraints: [ne('caddi4spn', 0)], expansion: ex('addi', { rd: 'crdq', rs1: 2, imm12: 'caddi4spn' }) }),
  cdef('c.lw', cq(0, 2), CMASK, 'CL', 'crdq,clw(crs1q)',
    { expansion: ex('lw', { rd: 'crdq', rs1: 'crs1q', imm12: 'clw' }) }),
  cdef('c.sw', cq(0, 6), CMASK, 'CS', 'crs2q,clw(crs1q)',
    { expansion: ex('sw', { rs2: 'crs2q', rs1: 'crs1q', simm12: 'clw' }) }),
  // C, quadrant 1
  cdef('c.nop', cq(1, 0), CMASK | 0x0f80, 'CI', 'cimm6',
    { expansion: ex('addi', { rd: 0, rs1: 0, imm12: 'cimm6' }) }),
  cdef('c.addi', cq(1, 0), CMASK, 'CI', 'crd,cimm6',
    { constraints: [ne('crd', 0)], expansion: ex('addi', { rd: 'crd', rs1: 'crd', imm12: 'cimm6' }) }),
  cdef('c.jal', cq(1, 1), CMASK, 'CJ', 'cjimm', { expansion: ex('jal', { rd: 1, jimm: 'cjimm' }) }),
  cdef('c.li', cq(1, 2), CMASK, 'CI', 'crd,cimm6', { expansion: ex('addi', { rd: 'crd', rs1: 0, imm12: 'cimm6' }) }),
  cdef('c.addi16sp', cq(1, 3) | (2 << 7), CMASK | 0x0f80, 'CI', 'sp,caddi16sp',
    { constraints: [ne('caddi16sp', 0)], expansion: ex('addi', { rd: 2, rs1: 2, imm12: 'caddi16sp' }) }),
  cdef('c.lui', cq(1, 3), CMASK, 'CI', 'crd,clui',
    { constraints: [ne('crd', 2), ne('clui', 0)], expansion: ex('lui', { rd: 'crd', uimm20: 'clui' }) }),
  cdef('c.srli', cq(1, 4), CMASK | 0x1c00, 'CB', 'crs1q,cshamt',
    { expansion: ex('srli', { rd: 'crs1q', rs1: 'crs1q', shamt: 'cshamt' }) }),
  cdef('c.srai', cq(1, 4) | 0x0400, CMASK | 0x1c00, 'CB', 'crs1q,cshamt',
    { expansion: ex('srai', { rd: 'crs1q', rs1: 'crs1q', shamt: 'cshamt' }) }),
  cdef('c.andi', cq(1, 4) | 0x0800, CMASK | 0x0c00, 'CB', 'crs1q,cimm6',
    { expansion: ex('andi', { rd: 'crs1q', rs1: 'crs1q', imm12: 'cimm6' }) }),
  cdef('c.sub', 0x8c01, 0xfc63, 'CA', 'crs1q,crs2q', { expansion: ex('sub', { rd: 'crs1q', rs1: 'crs1q', rs2: 'crs2q' }) }),
  cdef('c.xor', 0x8c21, 0xfc63, 'CA', 'crs1q,crs2q', { expansion: ex('xor', { rd: 'crs1q', rs1: 'crs1q', rs2: 'crs2q' }) }),
  cdef('c.or', 0x8c41, 0xfc63, 'CA', 'crs1q,crs2q', { expansion: ex('or', { rd: 'crs1q', rs1: 'crs1q', rs2: 'crs2q' }) }),
  cdef('c.and', 0x8c61, 0xfc63, 'CA', 'crs1q,crs2q', { expansion: ex('and', { rd: 'crs1q', rs1: 'crs1q', rs2: 'crs2q' }) }),
  cdef('c.j', cq(1, 5), CMASK, 'CJ', 'cjimm', { expansion: ex('jal', { rd: 0, jimm: 'cjimm' }) }),
  cdef('c.beqz', cq(1, 6), CMASK, 'CB', 'crs1q,cbimm', { expansion: ex('beq', { rs1: 'crs1q', rs2: 0, bimm: 'cbimm' }) }),
  cdef('c.bnez', cq(1, 7), CMASK, 'CB', 'crs1q,cbimm', { expansion: ex('bne', { rs1: 'crs1q', rs2: 0, bimm: 'cbimm' }) }),
  // C, quadrant 2
  cdef('c.slli', cq(2, 0), CMASK | 0x1000, 'CI', 'crd,cshamt',
    { expansion: ex('slli', { rd: 'crd', rs1: 'crd', shamt: 'cshamt' }) }),
  cdef('c.lwsp', cq(2, 2), CMASK, 'CI', 'crd,clwsp(sp)',
    { constraints: [ne('crd', 0)], expansion: ex('lw', { rd: 'crd', rs1: 2, imm12: 'clwsp' }) }),
  cdef('c.jr', 0x8002, 0xf07f, 'CR', 'crs1',
    { constraints: [ne('crs1', 0)], expansion: ex('jalr', { rd: 0, rs1: 'crs1', imm12: 0 }) }),
  cdef('c.mv', 0x8002, 0xf003, 'CR', 'crd,crs2',
    { constraints: [ne('crs2', 0)], expansion: ex('add', { rd: 'crd', rs1: 0, rs2: 'crs2' }) }),
  cdef('c.ebreak', 0x9002, 0xffff, 'CR', '', { expansion: ex('ebreak', {}) }),
  cdef('c.jalr', 0x9002, 0xf07f, 'CR', 'crs1',
    { constraints: [ne('crs1', 0)], expansion: ex('jalr', { rd: 1, rs1: 'crs1', imm12: 0 }) }),
  cdef('c.add', 0x9002, 0xf003, 'CR', 'crd,crs2',
    { constraints: [ne('crs2', 0)], expansion: ex('add', { rd: 'crd', rs1: 'crd', rs2: 'crs2' }) }),
  cdef('c.swsp', cq(2, 6), CMASK, 'CSS', 'crs2,cswsp(sp)',
    { expansion: ex('sw', { rs2: 'crs2', rs1: 2, simm12: 'cswsp' }) }),
];

const byName = new Map<string, InstructionDef>();
for (const d of INSTRUCTIONS) byName.set(d.name, d);

export function instructionByName(name: string): InstructionDef | undefined {
  return byName.get(name);
}
