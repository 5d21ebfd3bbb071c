// The test encoder is checked against GNU as, so the ISA tests do not rest on a self-consistent mistake.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as E from './enc';
import { assemble, type Insn } from './enc';

const cases: [string, Insn][] = [
  ['lui x5, 0xfedcb', E.lui(5, 0xfedcb000)], ['auipc x6, 1', E.auipc(6, 0x1000)],
  ['jal x1, .+2048', E.jal(1, 2048)], ['jal x0, .-4096', E.jal(0, -4096)], ['jalr x5, -3(x6)', E.jalr(5, 6, -3)],
  ['beq x5, x6, .+12', E.beq(5, 6, 12)], ['bne x5, x6, .-4094', E.bne(5, 6, -4094)], ['blt x1, x2, .+4094', E.blt(1, 2, 4094)],
  ['bge x1, x2, .-2', E.bge(1, 2, -2)], ['bltu x3, x4, .+8', E.bltu(3, 4, 8)], ['bgeu x3, x4, .+16', E.bgeu(3, 4, 16)],
  ['lb x5, -1(x8)', E.lb(5, 8, -1)], ['lh x5, 2(x8)', E.lh(5, 8, 2)], ['lw x5, 2047(x8)', E.lw(5, 8, 2047)],
  ['lbu x5, -2048(x8)', E.lbu(5, 8, -2048)], ['lhu x5, 6(x8)', E.lhu(5, 8, 6)],
  ['sb x5, -1(x8)', E.sb(5, 8, -1)], ['sh x5, 2(x8)', E.sh(5, 8, 2)], ['sw x5, -2048(x8)', E.sw(5, 8, -2048)],
  ['addi x5, x6, -6', E.addi(5, 6, -6)], ['slti x5, x6, 7', E.slti(5, 6, 7)], ['sltiu x5, x6, -1', E.sltiu(5, 6, -1)],
  ['xori x5, x6, 0x7ff', E.xori(5, 6, 0x7ff)], ['ori x5, x6, 1', E.ori(5, 6, 1)], ['andi x5, x6, -16', E.andi(5, 6, -16)],
  ['slli x5, x6, 31', E.slli(5, 6, 31)], ['srli x5, x6, 1', E.srli(5, 6, 1)], ['srai x5, x6, 4', E.srai(5, 6, 4)],
  ['add x7, x5, x6', E.add(7, 5, 6)], ['sub x7, x5, x6', E.sub(7, 5, 6)], ['sll x7, x5, x6', E.sll(7, 5, 6)],
  ['slt x7, x5, x6', E.slt(7, 5, 6)], ['sltu x7, x5, x6', E.sltu(7, 5, 6)], ['xor x7, x5, x6', E.xor(7, 5, 6)],
  ['srl x7, x5, x6', E.srl(7, 5, 6)], ['sra x7, x5, x6', E.sra(7, 5, 6)], ['or x7, x5, x6', E.or(7, 5, 6)],
  ['and x7, x5, x6', E.and(7, 5, 6)], ['mul x7, x5, x6', E.mul(7, 5, 6)], ['mulh x7, x5, x6', E.mulh(7, 5, 6)],
  ['mulhsu x7, x5, x6', E.mulhsu(7, 5, 6)], ['mulhu x7, x5, x6', E.mulhu(7, 5, 6)], ['div x7, x5, x6', E.div(7, 5, 6)],
  ['divu x7, x5, x6', E.divu(7, 5, 6)], ['rem x7, x5, x6', E.rem(7, 5, 6)], ['remu x7, x5, x6', E.remu(7, 5, 6)],
  ['fence', E.fence()], ['fence.i', E.fencei()], ['ecall', E.ecall()], ['ebreak', E.ebreak()], ['mret', E.mret()], ['wfi', E.wfi()],
  ['csrrw x5, mscratch, x6', E.csrrw(5, 0x340, 6)], ['csrrs x5, mstatus, x6', E.csrrs(5, 0x300, 6)],
  ['csrrc x5, mie, x6', E.csrrc(5, 0x304, 6)], ['csrrwi x5, mscratch, 31', E.csrrwi(5, 0x340, 31)],
  ['csrrsi x5, mstatus, 8', E.csrrsi(5, 0x300, 8)], ['csrrci x5, mstatus, 8', E.csrrci(5, 0x300, 8)],
  ['lr.w x5, (x8)', E.lrw(5, 8)], ['sc.w x5, x6, (x8)', E.scw(5, 6, 8)], ['amoswap.w x5, x6, (x8)', E.amoswap(5, 6, 8)],
  ['amoadd.w x5, x6, (x8)', E.amoadd(5, 6, 8)], ['amoxor.w x5, x6, (x8)', E.amoxor(5, 6, 8)], ['amoand.w x5, x6, (x8)', E.amoand(5, 6, 8)],
  ['amoor.w x5, x6, (x8)', E.amoor(5, 6, 8)], ['amomin.w x5, x6, (x8)', E.amomin(5, 6, 8)], ['amomax.w x5, x6, (x8)', E.amomax(5, 6, 8)],
  ['amominu.w x5, x6, (x8)', E.amominu(5, 6, 8)], ['amomaxu.w x5, x6, (x8)', E.amomaxu(5, 6, 8)],
  ['c.addi4spn x9, x2, 1020', E.cAddi4spn(9, 1020)], ['c.lw x9, 124(x10)', E.cLw(9, 10, 124)], ['c.sw x9, 64(x10)', E.cSw(9, 10, 64)],
  ['c.nop', E.cNop()], ['c.addi x5, -32', E.cAddi(5, -32)], ['c.jal .+2046', E.cJal(2046)], ['c.li x5, 31', E.cLi(5, 31)],
  ['c.lui x5, 0xfffe0', E.cLui(5, 0xfffe0000)], ['c.addi16sp x2, -512', E.cAddi16sp(-512)], ['c.addi16sp x2, 496', E.cAddi16sp(496)],
  ['c.srli x9, 31', E.cSrli(9, 31)], ['c.srai x9, 1', E.cSrai(9, 1)], ['c.andi x9, -16', E.cAndi(9, -16)],
  ['c.sub x9, x10', E.cSub(9, 10)], ['c.xor x9, x10', E.cXor(9, 10)], ['c.or x9, x10', E.cOr(9, 10)], ['c.and x9, x10', E.cAnd(9, 10)],
  ['c.j .-2048', E.cJ(-2048)], ['c.beqz x9, .+254', E.cBeqz(9, 254)], ['c.bnez x15, .-256', E.cBnez(15, -256)],
  ['c.slli x5, 31', E.cSlli(5, 31)], ['c.lwsp x5, 252(x2)', E.cLwsp(5, 252)], ['c.jr x5', E.cJr(5)], ['c.mv x5, x6', E.cMv(5, 6)],
  ['c.ebreak', E.cEbreak()], ['c.jalr x5', E.cJalr(5)], ['c.add x5, x6', E.cAdd(5, 6)], ['c.swsp x5, 252(x2)', E.cSwsp(5, 252)],
];

describe('test encoder vs GNU as', () => {
  it('encodes every instruction exactly as riscv64-unknown-elf-as', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rewind-enc-'));
    const src = ['.option norvc', '.text', ...cases.map(([t, x]) => (typeof x === 'number' ? t : `.option rvc\n${t}\n.option norvc`))].join('\n');
    writeFileSync(join(dir, 'a.s'), `${src}\n`);
    execFileSync('riscv64-unknown-elf-as', ['-march=rv32imac_zicsr_zifencei', '-mabi=ilp32', '-o', join(dir, 'a.o'), join(dir, 'a.s')]);
    execFileSync('riscv64-unknown-elf-objcopy', ['-O', 'binary', '-j', '.text', join(dir, 'a.o'), join(dir, 'a.bin')]);
    const gnu = new Uint8Array(readFileSync(join(dir, 'a.bin')));
    let off = 0;
    for (const [text, insn] of cases) {
      const mine = assemble([insn]);
      expect([...gnu.subarray(off, off + mine.length)], text).toEqual([...mine]);
      off += mine.length;
    }
    expect(off).toBe(gnu.length);
  });
});
