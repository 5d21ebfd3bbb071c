// Small test programs, hand-encoded with the ISA table's encoder and wrapped in a minimal ELF32
// executable (one PT_LOAD segment, no sections) that Rewind and QEMU both load.
import { encode } from '../../../src/isa';
import type { FieldName } from '../../../src/isa/fields';

export type Insn = [name: string, operands?: Partial<Record<FieldName, number>>];

export const RAM = 0x80000000;

/** Registers by ABI name, for readable programs. */
export const R = { zero: 0, ra: 1, sp: 2, t0: 5, t1: 6, t2: 7, s0: 8, s1: 9, a0: 10, a1: 11, a2: 12, t3: 28 } as const;

/** Encodes 32-bit instructions placed one after another from `base`. */
export function assemble(insns: readonly Insn[]): Uint8Array {
  const out = new Uint8Array(insns.length * 4);
  const view = new DataView(out.buffer);
  insns.forEach(([name, ops], i) => view.setUint32(i * 4, encode(name, ops ?? {}), true));
  return out;
}

/** A minimal little-endian RISC-V ELF32 executable loading `code` at `base` with entry `base`. */
export function elf32(code: Uint8Array, base = RAM, memSize = code.length): Uint8Array {
  const EH = 52, PH = 32;
  const off = EH + PH;
  const out = new Uint8Array(off + code.length);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0); // \x7fELF, 32-bit, little-endian, version 1
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 243, true); // EM_RISCV
  v.setUint32(20, 1, true);
  v.setUint32(24, base, true); // e_entry
  v.setUint32(28, EH, true); // e_phoff
  v.setUint32(32, 0, true); // e_shoff
  v.setUint32(36, 0, true); // e_flags (no RVC, soft float)
  v.setUint16(40, EH, true);
  v.setUint16(42, PH, true);
  v.setUint16(44, 1, true); // e_phnum
  v.setUint16(46, 40, true);
  v.setUint16(48, 0, true);
  v.setUint16(50, 0, true);
  v.setUint32(EH + 0, 1, true); // PT_LOAD
  v.setUint32(EH + 4, off, true);
  v.setUint32(EH + 8, base, true);
  v.setUint32(EH + 12, base, true);
  v.setUint32(EH + 16, code.length, true);
  v.setUint32(EH + 20, Math.max(memSize, code.length), true);
  v.setUint32(EH + 24, 7, true); // RWX
  v.setUint32(EH + 28, 4, true);
  out.set(code, off);
  return out;
}

/** The SiFive test device exit sequence: t0 = 0x5555, store it to 0x100000, then spin. */
export function exitSequence(): Insn[] {
  return [
    ['lui', { rd: R.t1, uimm20: 0x100 }],
    ['lui', { rd: R.t0, uimm20: 5 }],
    ['addi', { rd: R.t0, rs1: R.t0, imm12: 0x555 }],
    ['sw', { rs1: R.t1, rs2: R.t0, simm12: 0 }],
    ['jal', { rd: 0, jimm: 0 }],
  ];
}

/**
 * The watch program: a loop that stores 1..N to the word at DATA, reads it back and exits.
 *   0x80000000 lui  t1, 0x80001        ; t1 = DATA
 *   0x80000004 addi t0, zero, 1
 *   0x80000008 addi t3, zero, N+1
 *   0x8000000c sw   t0, 0(t1)          ; STORE
 *   0x80000010 lw   t2, 0(t1)          ; LOAD
 *   0x80000014 addi t0, t0, 1
 *   0x80000018 blt  t0, t3, -12        ; back to STORE
 *   0x8000001c exit sequence
 */
export const WATCH = { DATA: 0x80001000, STORE: 0x8000000c, LOAD: 0x80000010, LOOP_END: 0x80000018, EXIT: 0x8000001c } as const;

export function watchProgram(n = 5): Uint8Array {
  const code = assemble([
    ['lui', { rd: R.t1, uimm20: 0x80001 }],
    ['addi', { rd: R.t0, rs1: 0, imm12: 1 }],
    ['addi', { rd: R.t3, rs1: 0, imm12: n + 1 }],
    ['sw', { rs1: R.t1, rs2: R.t0, simm12: 0 }],
    ['lw', { rd: R.t2, rs1: R.t1, imm12: 0 }],
    ['addi', { rd: R.t0, rs1: R.t0, imm12: 1 }],
    ['blt', { rs1: R.t0, rs2: R.t3, bimm: -12 }],
    ...exitSequence(),
  ]);
  return elf32(code, RAM, 0x1000 + 4);
}

/**
 * The fault program: a load from address 0 (no device there: a load access fault) caught by a
 * handler that skips it.
 *   0x80000000 lui  t0, 0x80000 ; addi t0, t0, 0x40 ; csrw mtvec, t0
 *   0x8000000c lw   t1, 0(zero)       ; FAULT
 *   0x80000010 addi t2, zero, 1       ; AFTER
 *   0x80000014 exit sequence
 *   0x80000040 csrr t3, mepc ; addi t3, t3, 4 ; csrw mepc, t3 ; mret   ; HANDLER
 */
export const FAULT = { FAULT: 0x8000000c, AFTER: 0x80000010, HANDLER: 0x80000040 } as const;

export function faultProgram(): Uint8Array {
  const MTVEC = 0x305, MEPC = 0x341;
  const main = assemble([
    ['lui', { rd: R.t0, uimm20: 0x80000 }],
    ['addi', { rd: R.t0, rs1: R.t0, imm12: 0x40 }],
    ['csrrw', { rd: 0, rs1: R.t0, csr: MTVEC }],
    ['lw', { rd: R.t1, rs1: 0, imm12: 0 }],
    ['addi', { rd: R.t2, rs1: 0, imm12: 1 }],
    ...exitSequence(),
  ]);
  const handler = assemble([
    ['csrrs', { rd: R.t3, rs1: 0, csr: MEPC }],
    ['addi', { rd: R.t3, rs1: R.t3, imm12: 4 }],
    ['csrrw', { rd: 0, rs1: R.t3, csr: MEPC }],
    ['mret'],
  ]);
  const code = new Uint8Array(0x40 + handler.length);
  code.set(main, 0);
  code.set(handler, 0x40);
  return elf32(code);
}
