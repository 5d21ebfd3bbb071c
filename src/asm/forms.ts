// Which instruction encodings each mnemonic may assemble to, in GNU as's order of preference
// (compressed forms first when RVC is enabled). Written as a small table:
//   mnemonic: form | form | ...     form = insn [syntax] [!field ...] [field=value ...]
// `syntax` uses the operand field names of src/isa (a field named twice must get the same value),
// literal registers (zero, ra, sp) and a literal 0. `!field` requires a non-zero value (GNU as's
// extra conditions for choosing a compressed form). `field=value` fixes a field not written.

import { FIELDS, INSTRUCTIONS, instructionByName, isFieldName, registerNumber, type FieldDef, type FieldName, type InstructionDef } from '../isa';

export type FormToken =
  | { t: 'field'; name: FieldName; field: FieldDef }
  | { t: 'reg'; reg: number; text: string }
  | { t: 'zero' }
  | { t: 'punct'; text: ',' | '(' | ')' };

export interface AsmForm {
  def: InstructionDef;
  syntax: FormToken[];
  /** The syntax split at commas: one list per operand. */
  groups: FormToken[][];
  nonzero: FieldName[];
  fixed: Partial<Record<FieldName, number>>;
  /** Compressed form (only tried when RVC is enabled, unless the mnemonic is an explicit c.*). */
  rvc: boolean;
  /** A pc-relative branch or jump target that GNU as relaxes (length chosen after layout). */
  branch: boolean;
}

const TABLE = `
nop: c.nop cimm6=0 | addi rd=0 rs1=0 imm12=0
addi: c.addi4spn crdq,sp,caddi4spn | c.addi crd,crd,cimm6 !crd !cimm6 | c.nop zero,zero,0 cimm6=0 | c.addi16sp sp,sp,caddi16sp | c.li crd,zero,cimm6 !crd | c.mv crd,crs2,0 !crd | addi rd,rs1,imm12
add: c.add crd,crd,crs2 !crd | c.add crd,crs2,crd !crd | c.addi crd,crd,cimm6 !crd | c.addi4spn crdq,sp,caddi4spn | c.addi16sp sp,sp,caddi16sp | c.mv crd,zero,crs2 !crd | add rd,rs1,rs2 | addi rd,rs1,imm12
lui: c.lui crd,clui !crd | lui rd,uimm20
mv: c.mv crd,crs2 !crd | addi rd,rs1 imm12=0
move: c.mv crd,crs2 !crd | addi rd,rs1 imm12=0
andi: c.andi crs1q,crs1q,cimm6 | andi rd,rs1,imm12
and: c.and crs1q,crs1q,crs2q | c.and crs1q,crs2q,crs1q | c.andi crs1q,crs1q,cimm6 | and rd,rs1,rs2 | andi rd,rs1,imm12
or: c.or crs1q,crs1q,crs2q | c.or crs1q,crs2q,crs1q | or rd,rs1,rs2 | ori rd,rs1,imm12
ori: ori rd,rs1,imm12
xor: c.xor crs1q,crs1q,crs2q | c.xor crs1q,crs2q,crs1q | xor rd,rs1,rs2 | xori rd,rs1,imm12
xori: xori rd,rs1,imm12
sub: c.sub crs1q,crs1q,crs2q | sub rd,rs1,rs2
slli: c.slli crd,crd,cshamt !crd !cshamt | slli rd,rs1,shamt
sll: c.slli crd,crd,cshamt !crd !cshamt | sll rd,rs1,rs2 | slli rd,rs1,shamt
srli: c.srli crs1q,crs1q,cshamt !cshamt | srli rd,rs1,shamt
srl: c.srli crs1q,crs1q,cshamt !cshamt | srl rd,rs1,rs2 | srli rd,rs1,shamt
srai: c.srai crs1q,crs1q,cshamt !cshamt | srai rd,rs1,shamt
sra: c.srai crs1q,crs1q,cshamt !cshamt | sra rd,rs1,rs2 | srai rd,rs1,shamt
slt: slt rd,rs1,rs2 | slti rd,rs1,imm12
sltu: sltu rd,rs1,rs2 | sltiu rd,rs1,imm12
slti: slti rd,rs1,imm12
sltiu: sltiu rd,rs1,imm12
sgt: slt rd,rs2,rs1
sgtu: sltu rd,rs2,rs1
not: xori rd,rs1 imm12=-1
neg: sub rd,rs2 rs1=0
seqz: sltiu rd,rs1 imm12=1
snez: sltu rd,rs2 rs1=0
sltz: slt rd,rs1 rs2=0
sgtz: slt rd,rs2 rs1=0
lb: lb rd,imm12(rs1)
lbu: lbu rd,imm12(rs1)
lh: lh rd,imm12(rs1)
lhu: lhu rd,imm12(rs1)
lw: c.lwsp crd,clwsp(sp) !crd | c.lw crdq,clw(crs1q) | lw rd,imm12(rs1)
sb: sb rs2,simm12(rs1)
sh: sh rs2,simm12(rs1)
sw: c.swsp crs2,cswsp(sp) | c.sw crs2q,clw(crs1q) | sw rs2,simm12(rs1)
beqz: c.beqz crs1q,cbimm | beq rs1,bimm rs2=0
bnez: c.bnez crs1q,cbimm | bne rs1,bimm rs2=0
beq: c.beqz crs1q,zero,cbimm | beq rs1,rs2,bimm
bne: c.bnez crs1q,zero,cbimm | bne rs1,rs2,bimm
blt: blt rs1,rs2,bimm
bge: bge rs1,rs2,bimm
bltu: bltu rs1,rs2,bimm
bgeu: bgeu rs1,rs2,bimm
blez: bge rs2,bimm rs1=0
bgez: bge rs1,bimm rs2=0
bltz: blt rs1,bimm rs2=0
bgtz: blt rs2,bimm rs1=0
bgt: blt rs2,rs1,bimm
ble: bge rs2,rs1,bimm
bgtu: bltu rs2,rs1,bimm
bleu: bgeu rs2,rs1,bimm
j: c.j cjimm | jal jimm rd=0
jal: jal jimm rd=1 | jal rd,jimm
jr: c.jr crs1 !crs1 | jalr rs1 rd=0 imm12=0 | jalr imm12(rs1) rd=0 | jalr rs1,imm12 rd=0
jalr: c.jalr crs1 !crs1 | jalr rs1 rd=1 imm12=0 | jalr imm12(rs1) rd=1 | jalr rs1,imm12 rd=1 | jalr rd,rs1 imm12=0 | jalr rd,imm12(rs1) | jalr rd,rs1,imm12
ret: c.jr crs1=1 | jalr rd=0 rs1=1 imm12=0
auipc: auipc rd,uimm20
ebreak: c.ebreak | ebreak
sbreak: c.ebreak | ebreak
ecall: ecall
scall: ecall
fence: fence pred=15 succ=15 | fence pred,succ
fence.i: fence.i
fence.tso: fence.tso
mret: mret
sret: sret
wfi: wfi
sfence.vma: sfence.vma rs1=0 rs2=0 | sfence.vma rs1 rs2=0 | sfence.vma rs1,rs2
csrrw: csrrw rd,csr,rs1 | csrrwi rd,csr,zimm
csrrs: csrrs rd,csr,rs1 | csrrsi rd,csr,zimm
csrrc: csrrc rd,csr,rs1 | csrrci rd,csr,zimm
csrrwi: csrrwi rd,csr,zimm
csrrsi: csrrsi rd,csr,zimm
csrrci: csrrci rd,csr,zimm
csrr: csrrs rd,csr rs1=0
csrw: csrrw csr,rs1 rd=0 | csrrwi csr,zimm rd=0
csrs: csrrs csr,rs1 rd=0 | csrrsi csr,zimm rd=0
csrc: csrrc csr,rs1 rd=0 | csrrci csr,zimm rd=0
csrwi: csrrwi csr,zimm rd=0
csrsi: csrrsi csr,zimm rd=0
csrci: csrrci csr,zimm rd=0
rdcycle: csrrs rd csr=3072 rs1=0
rdtime: csrrs rd csr=3073 rs1=0
rdinstret: csrrs rd csr=3074 rs1=0
rdcycleh: csrrs rd csr=3200 rs1=0
rdtimeh: csrrs rd csr=3201 rs1=0
rdinstreth: csrrs rd csr=3202 rs1=0
c.nop: c.nop cimm6=0 | c.nop cimm6
c.addi: c.addi crd,cimm6
c.li: c.li crd,cimm6
c.lui: c.lui crd,clui
c.mv: c.mv crd,crs2
c.add: c.add crd,crs2
c.j: c.j cjimm
c.jal: c.jal cjimm
c.beqz: c.beqz crs1q,cbimm
c.bnez: c.bnez crs1q,cbimm
c.slli: c.slli crd,cshamt !cshamt
c.srli: c.srli crs1q,cshamt !cshamt
c.srai: c.srai crs1q,cshamt !cshamt
`;

function parseForm(mnemonic: string, text: string): AsmForm {
  const parts = text.trim().split(/\s+/);
  const insn = parts[0] ?? '';
  const def = instructionByName(insn);
  if (!def) throw new Error(`forms: ${mnemonic} names unknown instruction ${insn}`);
  const syntax: FormToken[] = [];
  const nonzero: FieldName[] = [];
  const fixed: Partial<Record<FieldName, number>> = {};
  for (const p of parts.slice(1)) {
    if (p.startsWith('!')) {
      const f = p.slice(1);
      if (!isFieldName(f)) throw new Error(`forms: bad field ${f}`);
      nonzero.push(f);
    } else if (p.includes('=')) {
      const [f, v] = p.split('=');
      if (!f || !isFieldName(f)) throw new Error(`forms: bad field ${f}`);
      fixed[f] = Number(v);
    } else {
      for (const m of p.matchAll(/([A-Za-z_][A-Za-z0-9_]*)|([,()])|(0)/g)) {
        if (m[1]) {
          if (isFieldName(m[1])) syntax.push({ t: 'field', name: m[1], field: FIELDS[m[1]] });
          else {
            const reg = registerNumber(m[1]);
            if (reg === undefined) throw new Error(`forms: bad token ${m[1]}`);
            syntax.push({ t: 'reg', reg, text: m[1] });
          }
        } else if (m[2]) syntax.push({ t: 'punct', text: m[2] as ',' | '(' | ')' });
        else syntax.push({ t: 'zero' });
      }
    }
  }
  const branch = syntax.some((s) => s.t === 'field' && FIELDS[s.name].kind === 'pcrel');
  const groups: FormToken[][] = syntax.length === 0 ? [] : [[]];
  for (const t of syntax) {
    if (t.t === 'punct' && t.text === ',') groups.push([]);
    else groups[groups.length - 1]?.push(t);
  }
  return { def, syntax, groups, nonzero, fixed, rvc: def.size === 2, branch };
}

function build(): Map<string, AsmForm[]> {
  const map = new Map<string, AsmForm[]>();
  for (const line of TABLE.split('\n')) {
    const m = /^([a-z0-9.]+):\s*(.*)$/.exec(line.trim());
    if (!m) continue;
    const mnemonic = m[1] as string;
    map.set(mnemonic, (m[2] as string).split('|').map((f) => parseForm(mnemonic, f)));
  }
  // Every table instruction is also available under its own name with its own syntax.
  for (const def of INSTRUCTIONS) {
    if (!map.has(def.name)) map.set(def.name, [parseForm(def.name, `${def.name} ${def.syntax.replace(/\s+/g, '')}`)]);
  }
  return map;
}

export const FORMS: ReadonlyMap<string, readonly AsmForm[]> = build();

/** Mnemonics handled by macro expansion in pseudo.ts (in addition to FORMS). */
export const MACROS = ['li', 'la', 'lla', 'call', 'tail', 'unimp', 'c.unimp', 'lb', 'lbu', 'lh', 'lhu', 'lw', 'sb', 'sh', 'sw'];
