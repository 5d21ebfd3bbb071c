// How objdump (GNU binutils 2.40) names each encoding: an ordered table of display forms.
// The first form whose bits and conditions match is printed; alias forms are skipped for
// `-M no-aliases`. Raw forms follow binutils' masks, which are looser than the ISA table in a
// few reserved corners (e.g. c.srli with shamt[5] set, c.addi16sp with a zero immediate).

import type { FieldName } from './fields';

export interface Cond { readonly field: FieldName; readonly eq?: number; readonly ne?: number }

export interface DisplayForm {
  readonly name: string;
  readonly syntax: string;
  readonly match: number;
  readonly mask: number;
  readonly size: 2 | 4;
  readonly alias: boolean;
  readonly conds: readonly Cond[];
}

const ne = (field: FieldName, v: number): Cond => ({ field, ne: v });

// Masks of the 32-bit operand fields, to build "field fixed" masks.
const RD = 0x1f << 7;
const RS1 = 0x1f << 15;
const RS2 = 0x1f << 20;
const IMM = 0xfff << 20;

function form(alias: boolean, size: 2 | 4, name: string, syntax: string, match: number, mask: number, conds: Cond[] = []): DisplayForm {
  return { name, syntax, match: match >>> 0, mask: mask >>> 0, size, alias, conds };
}
const A = (name: string, syntax: string, match: number, mask: number, conds: Cond[] = []): DisplayForm =>
  form(true, 4, name, syntax, match, mask, conds);
const B = (name: string, syntax: string, match: number, mask: number, conds: Cond[] = []): DisplayForm =>
  form(false, 4, name, syntax, match, mask, conds);
const CA = (name: string, syntax: string, match: number, mask: number, conds: Cond[] = []): DisplayForm =>
  form(true, 2, name, syntax, match, mask, conds);
const CB = (name: string, syntax: string, match: number, mask: number, conds: Cond[] = []): DisplayForm =>
  form(false, 2, name, syntax, match, mask, conds);

// 32-bit base encodings (match, mask)
const ADDI = 0x13, M_I = 0x707f;
const SLTIU = 0x3013, XORI = 0x4013, ORI = 0x6013, ANDI = 0x7013;
const SLLI = 0x1013, SRLI = 0x5013, SRAI = 0x40005013, M_SH = 0xfc00707f;
const SUB = 0x40000033, SLT = 0x2033, SLTU = 0x3033, M_R = 0xfe00707f;
const JAL = 0x6f, JALR = 0x67;
const BEQ = 0x63, BNE = 0x1063, BLT = 0x4063, BGE = 0x5063;
const CSRRW = 0x1073, CSRRS = 0x2073, CSRRC = 0x3073, CSRRWI = 0x5073, CSRRSI = 0x6073, CSRRCI = 0x7073;
const CSR = 0xfff << 20;
const FENCE = 0x0f;
const SFENCE_VMA = 0x12000073, M_SFENCE = 0xfe007fff;

// 16-bit encodings
const CM = 0xe003;

/** Display forms in objdump's order. Base (non-alias) 32-bit forms come from the ISA table (see disasm.ts). */
export const DISPLAY_FORMS_C: readonly DisplayForm[] = [
  CA('unimp', '', 0x0000, 0xffff),
  CB('c.unimp', '', 0x0000, 0xffff),
  CA('ebreak', '', 0x9002, 0xffff),
  CA('ret', '', 0x8002 | (1 << 7), 0xffff),
  CA('jr', 'crs1', 0x8002, 0xf07f, [ne('crs1', 0)]),
  CA('jalr', 'crs1', 0x9002, 0xf07f, [ne('crs1', 0)]),
  CA('j', 'cjimm', 0xa001, CM),
  CA('jal', 'cjimm', 0x2001, CM),
  CA('nop', '', 0x0001, 0xffff),
  CA('lui', 'crd,clui', 0x6001, CM, [ne('crd', 0), ne('crd', 2), ne('clui', 0)]),
  CA('li', 'crd,cimm6', 0x4001, CM, [ne('crd', 0)]),
  CA('mv', 'crd,crs2', 0x8002, 0xf003, [ne('crd', 0), ne('crs2', 0)]),
  CA('and', 'crs1q,crs1q,cimm6', 0x8801, 0xec03),
  CA('and', 'crs1q,crs1q,crs2q', 0x8c61, 0xfc63),
  CA('beqz', 'crs1q,cbimm', 0xc001, CM),
  CA('bnez', 'crs1q,cbimm', 0xe001, CM),
  CA('add', 'crd,crd,crs2', 0x9002, 0xf003, [ne('crd', 0), ne('crs2', 0)]),
  CA('add', 'crd,crd,cimm6', 0x0001, CM, [ne('crd', 0)]),
  CA('add', 'crdq,sp,caddi4spn', 0x0000, CM, [ne('caddi4spn', 0)]),
  CA('add', 'sp,sp,caddi16sp', 0x6101, 0xef83),
  CA('sll', 'crd,crd,cshamt6', 0x0002, CM, [ne('crd', 0), ne('cshamt6', 0)]),
  CA('srl', 'crs1q,crs1q,cshamt6', 0x8001, 0xec03, [ne('cshamt6', 0)]),
  CA('sra', 'crs1q,crs1q,cshamt6', 0x8401, 0xec03, [ne('cshamt6', 0)]),
  CA('sub', 'crs1q,crs1q,crs2q', 0x8c01, 0xfc63),
  CA('lw', 'crd,clwsp(sp)', 0x4002, CM, [ne('crd', 0)]),
  CA('lw', 'crdq,clw(crs1q)', 0x4000, CM),
  CA('or', 'crs1q,crs1q,crs2q', 0x8c41, 0xfc63),
  CA('sw', 'crs2,cswsp(sp)', 0xc002, CM),
  CA('sw', 'crs2q,clw(crs1q)', 0xc000, CM),
  CA('xor', 'crs1q,crs1q,crs2q', 0x8c21, 0xfc63),
  // Raw compressed forms (binutils' masks and matchers)
  CB('c.addi4spn', 'crdq,sp,caddi4spn', 0x0000, CM, [ne('caddi4spn', 0)]),
  CB('c.addi16sp', 'sp,caddi16sp', 0x6101, 0xef83),
  CB('c.jr', 'crs1', 0x8002, 0xf07f, [ne('crs1', 0)]),
  CB('c.jalr', 'crs1', 0x9002, 0xf07f, [ne('crs1', 0)]),
  CB('c.j', 'cjimm', 0xa001, CM),
  CB('c.jal', 'cjimm', 0x2001, CM),
  CB('c.beqz', 'crs1q,cbimm', 0xc001, CM),
  CB('c.bnez', 'crs1q,cbimm', 0xe001, CM),
  CB('c.lwsp', 'crd,clwsp(sp)', 0x4002, CM, [ne('crd', 0)]),
  CB('c.lw', 'crdq,clw(crs1q)', 0x4000, CM),
  CB('c.swsp', 'crs2,cswsp(sp)', 0xc002, CM),
  CB('c.sw', 'crs2q,clw(crs1q)', 0xc000, CM),
  CA('c.nop', 'cimm6', 0x0001, 0xef83),
  CB('c.addi', 'crd,cimm6', 0x0001, CM),
  CB('c.li', 'crd,cimm6', 0x4001, CM),
  CB('c.lui', 'crd,clui', 0x6001, CM, [ne('crd', 2), ne('clui', 0)]),
  CB('c.slli', 'crd,cshamt6', 0x0002, CM, [ne('cshamt6', 0)]),
  CB('c.slli64', 'crd', 0x0002, 0xf07f),
  CB('c.srli', 'crs1q,cshamt6', 0x8001, 0xec03, [ne('cshamt6', 0)]),
  CB('c.srli64', 'crs1q', 0x8001, 0xfc7f),
  CB('c.srai', 'crs1q,cshamt6', 0x8401, 0xec03, [ne('cshamt6', 0)]),
  CB('c.srai64', 'crs1q', 0x8401, 0xfc7f),
  CB('c.andi', 'crs1q,cimm6', 0x8801, 0xec03),
  CB('c.mv', 'crd,crs2', 0x8002, 0xf003, [ne('crs2', 0)]),
  CB('c.and', 'crs1q,crs2q', 0x8c61, 0xfc63),
  CB('c.or', 'crs1q,crs2q', 0x8c41, 0xfc63),
  CB('c.xor', 'crs1q,crs2q', 0x8c21, 0xfc63),
  CB('c.sub', 'crs1q,crs2q', 0x8c01, 0xfc63),
  CB('c.ebreak', '', 0x9002, 0xffff),
  CB('c.add', 'crd,crs2', 0x9002, 0xf003, [ne('crs2', 0)]),
];

/** 32-bit alias forms, tried before the base forms. */
export const DISPLAY_ALIASES_32: readonly DisplayForm[] = [
  B('unimp', '', 0xc0001073, 0xffffffff),
  A('ret', '', JALR | (1 << 15), M_I | RD | RS1 | IMM),
  A('jr', 'rs1', JALR, M_I | RD | IMM),
  A('jr', 'imm12(rs1)', JALR, M_I | RD),
  A('jalr', 'rs1', JALR | (1 << 7), M_I | RD | IMM),
  A('jalr', 'imm12(rs1)', JALR | (1 << 7), M_I | RD),
  A('jalr', 'rd,rs1', JALR, M_I | IMM),
  A('j', 'jimm', JAL, 0x7f | RD),
  A('jal', 'jimm', JAL | (1 << 7), 0x7f | RD),
  A('nop', '', ADDI, M_I | RD | RS1 | IMM),
  A('li', 'rd,imm12', ADDI, M_I | RS1),
  A('mv', 'rd,rs1', ADDI, M_I | IMM),
  A('zext.b', 'rd,rs1', ANDI | (255 << 20), M_I | IMM),
  A('and', 'rd,rs1,imm12', ANDI, M_I),
  A('beqz', 'rs1,bimm', BEQ, M_I | RS2),
  A('blez', 'rs2,bimm', BGE, M_I | RS1),
  A('bgez', 'rs1,bimm', BGE, M_I | RS2),
  A('bltz', 'rs1,bimm', BLT, M_I | RS2),
  A('bgtz', 'rs2,bimm', BLT, M_I | RS1),
  A('bnez', 'rs1,bimm', BNE, M_I | RS2),
  A('add', 'rd,rs1,imm12', ADDI, M_I),
  A('neg', 'rd,rs2', SUB, M_R | RS1),
  A('sll', 'rd,rs1,shamt6', SLLI, M_SH),
  A('srl', 'rd,rs1,shamt6', SRLI, M_SH),
  A('sra', 'rd,rs1,shamt6', SRAI, M_SH),
  A('not', 'rd,rs1', XORI | IMM, M_I | IMM),
  A('or', 'rd,rs1,imm12', ORI, M_I),
  A('seqz', 'rd,rs1', SLTIU | (1 << 20), M_I | IMM),
  A('snez', 'rd,rs2', SLTU, M_R | RS1),
  A('sltz', 'rd,rs1', SLT, M_R | RS2),
  A('sgtz', 'rd,rs2', SLT, M_R | RS1),
  A('fence', '', FENCE | (0xff << 20), 0xffffffff),
  A('rdcycle', 'rd', CSRRS | (0xc00 << 20), M_I | CSR | RS1),
  A('rdinstret', 'rd', CSRRS | (0xc02 << 20), M_I | CSR | RS1),
  A('rdtime', 'rd', CSRRS | (0xc01 << 20), M_I | CSR | RS1),
  A('rdcycleh', 'rd', CSRRS | (0xc80 << 20), M_I | CSR | RS1),
  A('rdinstreth', 'rd', CSRRS | (0xc82 << 20), M_I | CSR | RS1),
  A('rdtimeh', 'rd', CSRRS | (0xc81 << 20), M_I | CSR | RS1),
  A('xor', 'rd,rs1,imm12', XORI, M_I),
  A('csrr', 'rd,csr', CSRRS, M_I | RS1),
  A('csrw', 'csr,rs1', CSRRW, M_I | RD),
  A('csrs', 'csr,rs1', CSRRS, M_I | RD),
  A('csrc', 'csr,rs1', CSRRC, M_I | RD),
  A('csrw', 'csr,zimm', CSRRWI, M_I | RD),
  A('csrs', 'csr,zimm', CSRRSI, M_I | RD),
  A('csrc', 'csr,zimm', CSRRCI, M_I | RD),
  A('csrrw', 'rd,csr,zimm', CSRRWI, M_I),
  A('csrrs', 'rd,csr,zimm', CSRRSI, M_I),
  A('csrrc', 'rd,csr,zimm', CSRRCI, M_I),
  A('sfence.vma', '', SFENCE_VMA, M_SFENCE | RS1 | RS2),
  A('sfence.vma', 'rs1', SFENCE_VMA, M_SFENCE | RS2),
  // binutils decodes the RV64 shift encodings (shamt[5] set) on RV32 as well
  B('slli', 'rd,rs1,shamt6', SLLI, M_SH),
  B('srli', 'rd,rs1,shamt6', SRLI, M_SH),
  B('srai', 'rd,rs1,shamt6', SRAI, M_SH),
];
