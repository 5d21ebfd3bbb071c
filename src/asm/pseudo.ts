// Pseudo-instructions that expand to several instructions (GNU as macros): li, la, lla, call,
// tail, loads and stores of a symbol, and unimp. The expansions are assembled through the
// ordinary instruction path, so their parts are compressed exactly as GNU as does.

import { registerName, registerNumber } from '../isa';
import type { Span } from './diagnostics';
import type { Token } from './lexer';
import { splitOperands } from './operands';

/** What pseudo.ts needs from the assembler. */
export interface MacroHost {
  readonly rvc: boolean;
  error(span: Span, message: string): void;
  /** Assembles one instruction from synthesized tokens. */
  instruction(mnemonic: string, tokens: Token[], span: Span): void;
  /** Emits raw instruction bytes. */
  raw(bytes: number[], span: Span): void;
  /** Value of tokens[s..e) if an absolute constant now; undefined if not; null if it is not an expression. */
  constNow(tokens: readonly Token[], s: number, e: number): number | undefined | null;
  /** A new internal label at the current location, returning its name. */
  hereLabel(): string;
}

const LOADS = new Set(['lb', 'lbu', 'lh', 'lhu', 'lw']);
const STORES = new Set(['sb', 'sh', 'sw']);

function synth(ref: Token, kind: Token['kind'], text: string, value = 0): Token {
  return { kind, text, value, col: ref.col, end: ref.end };
}

function regTok(ref: Token, reg: number): Token {
  return synth(ref, 'ident', registerName(reg));
}


function sext12(v: number): number {
  return ((v & 0xfff) ^ 0x800) - 0x800;
}

/** Whether tokens[s..e) looks like a memory operand `...(name)` (the name is checked later). */
function isMemOperand(tokens: readonly Token[], s: number, e: number): boolean {
  return e - s >= 3 && tokens[e - 1]?.text === ')' && tokens[e - 3]?.text === '(' && tokens[e - 2]?.kind === 'ident';
}

/** One macro statement being expanded (a class so that no closures are made per statement). */
class Expansion {
  readonly ops: [number, number][];
  readonly first: Token;

  constructor(readonly host: MacroHost, readonly mnemonic: string, readonly tokens: readonly Token[], start: number, end: number, readonly span: Span) {
    this.ops = splitOperands(tokens, start, end);
    this.first = tokens[start] ?? { kind: 'punct', text: '', value: 0, col: span.column, end: span.endColumn };
  }

  reg(i: number): number | undefined {
    const r = this.ops[i];
    if (!r || r[1] - r[0] !== 1) return undefined;
    const t = this.tokens[r[0]];
    return t?.kind === 'ident' ? registerNumber(t.text.toLowerCase()) : undefined;
  }

  slice(i: number): Token[] {
    const r = this.ops[i];
    return r ? this.tokens.slice(r[0], r[1]) : [];
  }

  opSpan(i: number): Span {
    const r = this.ops[i];
    const a = r ? this.tokens[r[0]] : undefined;
    const b = r ? this.tokens[r[1] - 1] : undefined;
    return a && b ? { line: this.span.line, column: a.col, endColumn: b.end } : this.span;
  }

  needOps(n: number, example: string): boolean {
    if (this.ops.length === n) return true;
    this.host.error(this.ops.length > 0 ? { ...this.span, column: this.first.col } : this.span,
      `${this.mnemonic} expects ${n} operand${n > 1 ? 's' : ''}, like: ${example}`);
    return false;
  }

  needReg(i: number): number | undefined {
    const r = this.reg(i);
    if (r === undefined) this.host.error(this.opSpan(i), 'expected a register (x0..x31 or an ABI name like a0)');
    return r;
  }

  tok(kind: Token['kind'], text: string, value = 0): Token {
    return synth(this.first, kind, text, value);
  }

  r(reg: number): Token {
    return regTok(this.first, reg);
  }

  num(v: number): Token {
    return this.tok('num', String(v), v);
  }

  /** `reloc(tokens)` as tokens. */
  wrap(reloc: string, inner: Token[]): Token[] {
    return [this.tok('reloc', reloc), this.tok('punct', '('), ...inner, this.tok('punct', ')')];
  }

  /** auipc tmp, %pcrel_hi(expr), then `mnemonic` with `before`, %pcrel_lo(label of the auipc), `after`. */
  pcrelPair(tmp: number, exprToks: Token[], mnemonic: string, before: Token[], after: Token[]): void {
    const label = this.host.hereLabel();
    const c = this.tok('punct', ',');
    this.host.instruction('auipc', [this.r(tmp), c, ...this.wrap('%pcrel_hi', exprToks)], this.span);
    this.host.instruction(mnemonic, [...before, ...this.wrap('%pcrel_lo', [this.tok('ident', label)]), ...after], this.span);
  }

  /** GNU as's load_const for RV32: lui (if the upper part is not 0) and addi (if needed). */
  loadConst(rd: number, v: number): void {
    const lower = sext12(v);
    const upper = ((v - lower) >>> 12) & 0xfffff;
    const c = this.tok('punct', ',');
    let hiReg = 0;
    if (upper !== 0) {
      this.host.instruction('lui', [this.r(rd), c, this.num(upper)], this.span);
      hiReg = rd;
    }
    if (lower !== 0 || hiReg === 0) this.host.instruction('addi', [this.r(rd), c, this.r(hiReg), c, this.num(lower)], this.span);
  }

  li(): void {
    if (!this.needOps(2, 'li a0, 0x12345678')) return;
    const rd = this.needReg(0);
    if (rd === undefined) return;
    const r = this.ops[1] as [number, number];
    const v = this.host.constNow(this.tokens, r[0], r[1]);
    if (v === null) return;
    const c = this.tok('punct', ',');
    if (v === undefined) {
      // Not a constant yet (a label or a later .equ): always lui + addi with %hi/%lo.
      const e = this.slice(1);
      this.host.instruction('lui', [this.r(rd), c, ...this.wrap('%hi', e)], this.span);
      this.host.instruction('addi', [this.r(rd), c, this.r(rd), c, ...this.wrap('%lo', e)], this.span);
      return;
    }
    if (v < -0x80000000 || v > 0xffffffff) {
      this.host.error(this.opSpan(1), `li value ${v} does not fit in 32 bits: use a value in -0x80000000..0xffffffff`);
      return;
    }
    const u = v >>> 0;
    const s = u | 0;
    const hi = u >>> 12;
    if (this.host.rvc && rd !== 0 && rd !== 2 && (u & 0xfff) === 0 && ((hi >= 1 && hi <= 31) || hi >= 0xfffe0)) {
      this.host.instruction('c.lui', [this.r(rd), c, this.num(hi)], this.span);
    } else if (this.host.rvc && rd !== 0 && v >= -32 && v <= 31) {
      this.host.instruction('c.li', [this.r(rd), c, this.num(v)], this.span);
    } else if (s >= -2048 && s <= 2047) {
      // `li rd, imm` is addi rd, zero, imm (GNU as uses the 32-bit form here)
      this.host.instruction('addi.32', [this.r(rd), c, this.r(0), c, this.num(s)], this.span);
    } else {
      this.loadConst(rd, s);
    }
  }

  la(): void {
    if (!this.needOps(2, `${this.mnemonic} a0, symbol`)) return;
    const rd = this.needReg(0);
    if (rd === undefined) return;
    const r = this.ops[1] as [number, number];
    const v = this.host.constNow(this.tokens, r[0], r[1]);
    if (v === null) return;
    if (v !== undefined) {
      if (v < -0x80000000 || v > 0xffffffff) this.host.error(this.opSpan(1), `address ${v} does not fit in 32 bits`);
      else this.loadConst(rd, v | 0);
      return;
    }
    const c = this.tok('punct', ',');
    this.pcrelPair(rd, this.slice(1), 'addi.32', [this.r(rd), c, this.r(rd), c], []);
  }

  call(): void {
    let rd: number;
    let tmp: number;
    let target: Token[];
    if (this.mnemonic === 'tail') {
      if (!this.needOps(1, 'tail function')) return;
      rd = 0; tmp = 6; target = this.slice(0);
    } else if (this.ops.length === 2) {
      const r = this.needReg(0);
      if (r === undefined) return;
      rd = r; tmp = 6; target = this.slice(1);
    } else {
      if (!this.needOps(1, 'call function')) return;
      rd = 1; tmp = 1; target = this.slice(0);
    }
    const t0 = target[0];
    if (target.length === 1 && t0?.kind === 'ident' && registerNumber(t0.text) !== undefined) {
      this.host.error(this.opSpan(this.ops.length - 1), `${this.mnemonic} takes a symbol, not a register: use jalr ${t0.text} (or jr) to jump to an address in a register`);
      return;
    }
    this.pcrelPair(tmp, target, 'jalr', [this.r(rd), this.tok('punct', ',')], [this.tok('punct', '('), this.r(tmp), this.tok('punct', ')')]);
  }

  /** lw rd, symbol -> auipc rd, %pcrel_hi(symbol); lw rd, %pcrel_lo(.)(rd). False: not this form. */
  load(): boolean {
    const r = this.ops[1];
    if (this.ops.length !== 2 || !r || isMemOperand(this.tokens, r[0], r[1])) return false;
    const rd = this.reg(0);
    if (rd === undefined) return false;
    this.pcrelPair(rd, this.slice(1), this.mnemonic, [this.r(rd), this.tok('punct', ',')], [this.tok('punct', '('), this.r(rd), this.tok('punct', ')')]);
    return true;
  }

  /** sw rs, symbol, rt -> auipc rt, %pcrel_hi(symbol); sw rs, %pcrel_lo(.)(rt). False: not this form. */
  store(): boolean {
    const r = this.ops[1];
    if (!r || isMemOperand(this.tokens, r[0], r[1])) return false;
    if (this.ops.length !== 3) {
      this.host.error(this.span, `${this.mnemonic} to a symbol needs a temporary register: ${this.mnemonic} a0, symbol, t0`);
      return true;
    }
    const rs = this.needReg(0);
    const rt = this.needReg(2);
    if (rs === undefined || rt === undefined) return true;
    this.pcrelPair(rt, this.slice(1), this.mnemonic, [this.r(rs), this.tok('punct', ',')], [this.tok('punct', '('), this.r(rt), this.tok('punct', ')')]);
    return true;
  }
}

/**
 * Handles `mnemonic` if it is a macro here. Returns false if the ordinary forms should be used
 * (e.g. `lw a0, 8(sp)`).
 */
export function expandMacro(host: MacroHost, mnemonic: string, tokens: readonly Token[], start: number, end: number, span: Span): boolean {
  if (LOADS.has(mnemonic) || STORES.has(mnemonic)) {
    // Cheap check first: the ordinary `lw a0, 8(sp)` form.
    if (end - start >= 5 && tokens[end - 1]?.text === ')' && tokens[end - 3]?.text === '(') return false;
  }
  const x = new Expansion(host, mnemonic, tokens, start, end, span);
  switch (mnemonic) {
    case 'unimp':
    case 'c.unimp':
      if (!x.needOps(0, mnemonic)) return true;
      if (mnemonic === 'c.unimp' || host.rvc) host.raw([0, 0], span);
      else host.raw([0x73, 0x10, 0x00, 0xc0], span);
      return true;
    case 'li': x.li(); return true;
    case 'la': case 'lla': x.la(); return true;
    case 'call': case 'tail': x.call(); return true;
  }
  if (LOADS.has(mnemonic)) return x.load();
  if (STORES.has(mnemonic)) return x.store();
  return false;
}
