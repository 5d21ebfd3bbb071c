/**
 * Random RV32IMAC programs for the translator's differential test: a main loop calling random
 * leaf functions (directly and through jalr), each with an inner counted loop over a random body
 * of ALU/M ops (32-bit and compressed), loads/stores of every size to RAM (aligned, misaligned,
 * across a page end, into the data area of a code page), MMIO (UART, CLINT), faulting
 * loads/stores, illegal instructions, ecall/ebreak, CSR reads/writes, WFI, short forward branches,
 * and self-modifying code (a store patching an instruction later in the same straight-line run
 * or in another function, with or without fence.i). A trap handler skips faulting instructions
 * and re-arms the timer, so timer interrupts land anywhere.
 */
import { RAM_BASE } from '../../../src/core';
import * as E from './enc';
import type { Insn } from './enc';

export const DATA = RAM_BASE + 0x10000;         // two data pages
export const UNMAPPED = 0x40000000;
const UART = 0x10000000, CLINT = 0x2000000, TEST = 0x100000;

// Fixed roles. x28..x31 belong to the trap handler; random code writes only POOL.
const S0 = 8, S1 = 9, UARTR = 18, CLINTR = 19, CDATA = 20, MAINCTR = 21, FNCTR = 24, SELF = 27, UNM = 26, PAT = 25;
const POOL = [5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17];
const CPOOL = [10, 11, 12, 13, 14, 15];   // usable as x8..x15 compressed operands

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

/** An item is an instruction that may depend on label addresses. */
type Item = { size: 2 | 4; at: (here: number, label: (n: string) => number) => Insn } | { label: string } | { align4: true };

export interface Program { entry: number; segments: { addr: number; data: Uint8Array; memSize: number }[]; codeEnd: number; labels: Map<string, number> }

export interface RandomOptions {
  functions?: number; bodyLength?: number; mainIterations?: number; timer?: boolean;
  /** Share (0..1) of the MMIO/fault/CSR/system/self-modifying kinds that are kept (default 1). */
  slowShare?: number;
}

export function randomProgram(seed: number, opts: RandomOptions = {}): Program {
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length]!;
  const items: Item[] = [];
  const emit = (x: Insn): void => { items.push({ size: typeof x === 'number' ? 4 : 2, at: () => x }); };
  const emitAt = (size: 2 | 4, at: (here: number, label: (n: string) => number) => Insn): void => { items.push({ size, at }); };
  const label = (name: string): void => { items.push({ label: name }); };
  const li = (rd: number, v: number): void => E.li(rd, v).forEach(emit);
  const liLabel = (rd: number, name: string): void => {
    emitAt(4, (_h, l) => E.lui(rd, ((l(name) + 0x800) & 0xfffff000) | 0));
    emitAt(4, (_h, l) => E.addi(rd, rd, (l(name) << 20) >> 20));
  };
  const t = (): number => pick(POOL);
  const ct = (): number => pick(CPOOL);
  const nFn = opts.functions ?? 4;
  const body = opts.bodyLength ?? 40;
  const slowShare = opts.slowShare ?? 1;
  let uniq = 0;

  // ---- start-up
  // a data area inside the first code page, jumped over
  emitAt(4, (h, l) => E.jal(0, l('over') - h));
  label('cdata');
  for (let i = 0; i < 32; i++) emit(E.raw16(next()));
  label('over');
  emit(E.auipc(CDATA, 0));
  emitAt(4, (h, l) => E.addi(CDATA, CDATA, l('cdata') - (h - 4)));
  liLabel(29, 'handler');
  emit(E.csrrw(0, 0x305, 29));                         // mtvec = handler
  li(S0, DATA); li(S1, DATA + 0x1000 - 6); li(UARTR, UART); li(CLINTR, CLINT + 0xc000);
  li(UNM, UNMAPPED);
  li(2, RAM_BASE + 0x20000);                           // sp (for c.lwsp/c.swsp)
  for (const r of POOL) li(r, next());
  if (opts.timer !== false) {
    li(5, CLINT + 0x4000); emit(E.addi(6, 0, 7)); emit(E.sw(6, 5, 0)); emit(E.sw(0, 5, 4));
    emit(E.addi(6, 0, 0x80)); emit(E.csrrs(0, 0x304, 6)); emit(E.csrrsi(0, 0x300, 8));
  }
  li(MAINCTR, opts.mainIterations ?? 30);
  label('main');
  randomBody(Math.max(4, body >> 2), 'm');
  for (let f = 0; f < nFn; f++) {
    if (next() % 3 === 0) {
      liLabel(PAT, `fn${f}`);
      emit(E.jalr(1, PAT, 0));
    } else {
      const call = `fn${f}`;
      emitAt(4, (h, l) => E.jal(1, l(call) - h));
    }
  }
  emit(E.addi(MAINCTR, MAINCTR, -1));
  emitAt(4, (h, l) => E.bne(MAINCTR, 0, l('main') - h));
  li(5, 0x5555); li(6, TEST); emit(E.sw(5, 6, 0));
  emitAt(4, () => E.jal(0, 0));

  // ---- functions
  for (let f = 0; f < nFn; f++) {
    label(`fn${f}`);
    li(FNCTR, 1 + (next() % 12));
    label(`fn${f}loop`);
    randomBody(body, `f${f}`);
    emit(E.addi(FNCTR, FNCTR, -1));
    if (next() % 2 === 0) emitAt(4, (h, l) => E.bne(FNCTR, 0, l(`fn${f}loop`) - h));
    else { emitAt(4, (h, l) => E.beq(FNCTR, 0, l(`fn${f}end`) - h)); emitAt(4, (h, l) => E.jal(0, l(`fn${f}loop`) - h)); }
    label(`fn${f}end`);
    emit(next() % 2 === 0 ? E.cJr(1) : E.jalr(0, 1, 0));
    // a patchable instruction another function may rewrite
    label(`patch${f}`);
    emit(E.addi(10 + (f % 6), 10 + (f % 6), 1));
    emit(E.jalr(0, SELF, 0));
  }

  // ---- trap handler: interrupts re-arm the timer; exceptions skip the instruction.
  items.push({ align4: true });   // mtvec needs a 4-byte aligned base
  label('handler');
  emit(E.csrrw(31, 0x340, 31));   // swap x31 with mscratch (kept for nothing but exercise)
  emit(E.csrrw(31, 0x340, 31));
  emit(E.csrrs(28, 0x342, 0));    // mcause
  emitAt(4, (h, l) => E.blt(28, 0, l('irq') - h));
  emit(E.csrrs(29, 0x341, 0));    // mepc
  emit(E.lhu(30, 29, 0));
  emit(E.andi(30, 30, 3));
  emit(E.addi(31, 0, 3));
  emitAt(4, (h, l) => E.beq(30, 31, l('len4') - h));
  emit(E.addi(29, 29, 2));
  emitAt(4, (h, l) => E.jal(0, l('setepc') - h));
  label('len4');
  emit(E.addi(29, 29, 4));
  label('setepc');
  emit(E.csrrw(0, 0x341, 29));
  emit(E.mret());
  label('irq');
  li(29, CLINT + 0x4000);
  li(30, CLINT + 0xbff8);
  emit(E.lw(30, 30, 0));          // mtime
  emit(E.andi(31, 10, 7));
  emit(E.add(30, 30, 31));
  emit(E.addi(30, 30, 2));
  emit(E.sw(30, 29, 0));
  emit(E.sw(0, 29, 4));
  emit(E.mret());

  function randomBody(n: number, tag: string): void {
    for (let k = 0; k < n; k++) {
      let r = next() % 1000;
      // branches, MMIO, faults, CSRs, system and self-modifying code: thinned out by slowShare
      if (r >= 760 && r < 950 && (next() % 1000) >= slowShare * 1000) r = next() % 710;
      const base = next() % 4 === 0 ? S1 : S0;
      if (r < 220) {
        emit(pick([E.add, E.sub, E.xor, E.or, E.and, E.sll, E.srl, E.sra, E.slt, E.sltu, E.mul, E.mulh, E.mulhsu, E.mulhu,
          E.div, E.divu, E.rem, E.remu])(t(), pick([0, ...POOL]), pick([0, ...POOL])));
      } else if (r < 330) {
        const op = pick(['addi', 'xori', 'ori', 'andi', 'slti', 'sltiu', 'slli', 'srli', 'srai'] as const);
        const rd = t(), rs = pick([0, ...POOL]);
        if (op === 'slli' || op === 'srli' || op === 'srai') emit(E[op](rd, rs, next() % 32));
        else emit(E[op](rd, rs, (next() % 4096) - 2048));
      } else if (r < 350) {
        emit(next() % 2 ? E.lui(t(), next() & 0xfffff000) : E.auipc(t(), next() & 0xfffff000));
      } else if (r < 460) {                          // compressed ALU
        const c = next() % 11;
        const rd = ct(), rs = ct();
        emit(c === 0 ? E.cAddi(t(), ((next() % 63) - 31) || 1) : c === 1 ? E.cLi(t(), (next() % 64) - 32)
          : c === 2 ? E.cLui(t(), (((next() % 31) + 1) << 12)) : c === 3 ? E.cAdd(t(), t()) : c === 4 ? E.cMv(t(), t())
            : c === 5 ? E.cSlli(t(), 1 + (next() % 31)) : c === 6 ? E.cSrli(rd, 1 + (next() % 31)) : c === 7 ? E.cSrai(rd, 1 + (next() % 31))
              : c === 8 ? E.cAndi(rd, (next() % 64) - 32) : pick([E.cSub, E.cXor, E.cOr, E.cAnd])(rd, rs));
      } else if (r < 590) {                          // loads, all sizes, some misaligned / across the page end
        const off = next() % 3 === 0 ? next() % 16 : (next() % 8) * 4;
        const op = pick([E.lb, E.lh, E.lw, E.lbu, E.lhu]);
        if (next() % 6 === 0) emit(E.cLw(ct(), base, (next() % 8) * 4));
        else if (next() % 8 === 0) emit(E.cLwsp(t(), (next() % 8) * 4));
        else emit(op(t(), base, off));
      } else if (r < 710) {                          // stores
        const off = next() % 3 === 0 ? next() % 16 : (next() % 8) * 4;
        const c = next() % 10;
        if (c === 0) emit(E.cSw(ct(), base, (next() % 8) * 4));
        else if (c === 1) emit(E.cSwsp(t(), (next() % 8) * 4));
        else if (c === 2) emit(pick([E.sb, E.sh, E.sw])(t(), CDATA, (next() % 16) * 2));   // data in a code page
        else emit(pick([E.sb, E.sh, E.sw])(t(), base, off));
      } else if (r < 760) {                          // forward branches over 1..2 instructions
        const target = `${tag}b${uniq++}`;
        if (next() % 3 === 0) {
          const cop = pick([E.cBeqz, E.cBnez]), rs = ct();
          emitAt(2, (h, l) => cop(rs, l(target) - h));
        } else {
          const bop = pick([E.beq, E.bne, E.blt, E.bge, E.bltu, E.bgeu]);
          const a = pick([0, ...POOL]), b = pick([0, ...POOL]);
          emitAt(4, (h, l) => bop(a, b, l(target) - h));
        }
        emit(E.addi(t(), t(), 1));
        const overlap = next() % 3 === 0 ? `${tag}o${uniq++}` : null;
        if (overlap !== null) {
          // a second branch from inside the skipped range to beyond its end (ranges that do not nest)
          const bop = pick([E.beq, E.bne, E.bltu]);
          const a = pick(POOL), b = pick([0, ...POOL]);
          emitAt(4, (h, l) => bop(a, b, l(overlap) - h));
          emit(E.addi(t(), t(), 7));
        }
        if (next() % 2) emit(E.cAddi(t(), 3));
        label(target);
        if (overlap !== null) {
          emit(E.xori(t(), t(), 0x55));
          label(overlap);
        }
      } else if (r < 790) {                          // MMIO
        const c = next() % 5;
        if (c === 0) emit(E.sb(t(), UARTR, 0));
        else if (c === 1) emit(E.lbu(t(), UARTR, 5));
        else if (c === 2) emit(E.lw(t(), CLINTR, -8));   // mtime low
        else if (c === 3) emit(E.lw(t(), CLINTR, -4));   // mtime high
        else emit(E.lh(t(), UARTR, 1));                  // misaligned-capable device read
      } else if (r < 820) {                          // faults and system
        const c = next() % 7;
        if (c === 0) emit(E.lw(t(), UNM, 0));
        else if (c === 1) emit(E.sw(t(), UNM, 4));
        else if (c === 2) emit(0xffffffff);           // illegal (32-bit)
        else if (c === 3) emit(E.ecall());
        else if (c === 4) emit(E.cEbreak());
        else if (c === 5) emit(E.raw16(0));           // illegal (16-bit)
        else emit(E.ebreak());
      } else if (r < 860) {                          // CSRs
        const c = next() % 4;
        if (c === 0) emit(E.csrrs(t(), pick([0xc00, 0xc02, 0xb00, 0xc01]), 0));
        else if (c === 1) emit(E.csrrw(t(), 0x340, t()));
        else if (c === 2) emit(E.csrrs(t(), 0x300, 0));
        else emit(E.csrrc(t(), 0x340, t()));
      } else if (r < 870) {
        emit(next() % 4 === 0 ? E.wfi() : next() % 2 ? E.fence() : E.fencei());
      } else if (r < 930) {                          // self-modifying: patch an instruction 8 bytes ahead
        const rd = pick([10, 11, 12, 13, 14, 15]);
        const word = E.addi(rd, rd, (next() % 2000) - 1000);
        li(PAT, word);
        emit(E.auipc(SELF, 0));
        emit(E.sw(PAT, SELF, 12));
        emit(E.addi(t(), t(), 5));
        emit(E.addi(rd, rd, 1));                     // rewritten by the sw above
        if (next() % 2) emit(E.fencei());
      } else if (r < 950) {                          // patch another function's instruction
        const f = next() % nFn;
        const rd = 10 + (f % 6);
        li(PAT, E.addi(rd, rd, (next() % 200) - 100));
        const lab = `patch${f}`;
        liLabel(SELF, lab);
        emit(next() % 3 === 0 ? E.sh(PAT, SELF, 0) : E.sw(PAT, SELF, 0));
        if (next() % 2) emit(E.fencei());
        emit(E.jalr(SELF, SELF, 0));                 // call it: addi; jr SELF
      } else {
        emit(E.addi(t(), pick([0, ...POOL]), (next() % 64) - 32));
      }
    }
  }

  // ---- layout
  const labels = new Map<string, number>();
  let pc = RAM_BASE;
  for (const it of items) {
    if ('label' in it) labels.set(it.label, pc);
    else if ('align4' in it) pc += pc & 2;
    else pc += it.size;
  }
  const l = (n: string): number => {
    const v = labels.get(n);
    if (v === undefined) throw new Error(`no label ${n}`);
    return v;
  };
  const code: Insn[] = [];
  pc = RAM_BASE;
  for (const it of items) {
    if ('label' in it) continue;
    if ('align4' in it) {
      if (pc & 2) { code.push(E.cNop()); pc += 2; }
      continue;
    }
    code.push(it.at(pc, l));
    pc += it.size;
  }
  const bytes = E.assemble(code);
  if (RAM_BASE + bytes.length > DATA) throw new Error('random program too long');
  const dataBytes = new Uint8Array(0x2000);
  for (let i = 0; i < dataBytes.length; i++) dataBytes[i] = next() & 0xff;
  return {
    entry: RAM_BASE,
    segments: [{ addr: RAM_BASE, data: bytes, memSize: bytes.length }, { addr: DATA, data: dataBytes, memSize: dataBytes.length }],
    codeEnd: RAM_BASE + bytes.length, labels,
  };
}
