// Matching a statement's operands against the encoding forms of a mnemonic.

import { CSR_NAMES, csrNumber, encodeFields, EncodeError, FIELDS, fieldFits, fieldRange, registerNumber, type FieldDef, type FieldName } from '../isa';
import { closest, type Span } from './diagnostics';
import { ExprError, hasReloc, parseExpr, type Expr, type ParseContext } from './expr';
import type { AsmForm, FormToken } from './forms';
import type { Token } from './lexer';
import type { Deferred } from './sections';

export interface MatchOk {
  ok: true;
  ops: Partial<Record<FieldName, number>>;
  deferred: Deferred[];
  target?: { expr: Expr; span: Span };
}
export interface MatchFail { ok: false; score: number; message: string; span: Span }
export type MatchResult = MatchOk | MatchFail;

/** Splits tokens[start..end) at top-level commas: [start, end) index pairs. */
export function splitOperands(tokens: readonly Token[], start: number, end: number): [number, number][] {
  const out: [number, number][] = [];
  if (start >= end) return out;
  let depth = 0;
  let s = start;
  for (let i = start; i < end; i++) {
    const t = tokens[i] as Token;
    if (t.kind !== 'punct') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (t.text === ',' && depth === 0) { out.push([s, i]); s = i + 1; }
  }
  out.push([s, end]);
  return out;
}

export function rangeText(field: FieldDef): string {
  const [min, max, step] = fieldRange(field);
  return step > 1 ? `${min}..${max} in steps of ${step}` : `${min}..${max}`;
}

const REG_HINT: Partial<Record<FieldName, string>> = {
  crdq: 'x8..x15 (s0, s1, a0..a5)', crs1q: 'x8..x15 (s0, s1, a0..a5)', crs2q: 'x8..x15 (s0, s1, a0..a5)',
};
const NO_DEFERRED: Deferred[] = [];
const FENCE_BITS: Record<string, number> = { i: 8, o: 4, r: 2, w: 1 };

function syntaxText(form: AsmForm): string {
  return form.syntax.map((t) => (t.t === 'field' ? t.name : t.t === 'reg' ? t.text : t.t === 'zero' ? '0' : t.text)).join('');
}

/** Register number named by an identifier token (cached on the token), or undefined. */
export function tokenReg(t: Token): number | undefined {
  let r = t.reg;
  if (r === undefined) {
    r = t.kind === 'ident' ? registerNumber(t.text) ?? registerNumber(t.text.toLowerCase()) ?? -1 : -1;
    t.reg = r;
  }
  return r < 0 ? undefined : r;
}

const NO_SPAN: Span = { line: 0, column: 1, endColumn: 2 };

/**
 * The operands of one statement, matched against forms one after the other. Operand groups,
 * register lookups and parsed expressions are computed once per statement.
 */
export class OperandMatcher {
  readonly groups: [number, number][];
  private exprCache: Map<number, Expr | ExprError> | undefined;
  private form!: AsmForm;
  private ops: Partial<Record<FieldName, number>> = {};
  private deferred: Deferred[] = [];
  private target: MatchOk['target'];
  private score = 0;
  /** Build failure messages (off for the first try of each form; on to explain the best failure). */
  verbose = false;
  private failMessage = '';
  private failSpan: Span = NO_SPAN;

  /** Records why the form does not match (verbose mode only); returns false for `return this.no(...)`. */
  private no(message: string, span: Span): false {
    this.failMessage = message;
    this.failSpan = span;
    return false;
  }

  constructor(private readonly tokens: readonly Token[], private readonly start: number, private readonly end: number,
    private readonly line: number, private readonly parse: ParseContext, private readonly constNow: (e: Expr) => number | undefined,
    private readonly mnemonic: string) {
    this.groups = splitOperands(tokens, start, end);
  }

  private span(s: number, e: number): Span {
    const a = this.tokens[s] ?? this.tokens[this.start - 1];
    const b = this.tokens[Math.max(s, e - 1)] ?? a;
    return { line: this.line, column: a?.col ?? 1, endColumn: b?.end ?? (a?.end ?? 2) };
  }

  private expr(s: number, e: number): Expr | undefined {
    const key = s * 65536 + e;
    this.exprCache ??= new Map();
    let r = this.exprCache.get(key);
    if (r === undefined) {
      try {
        r = parseExpr(this.tokens, s, e, this.parse);
      } catch (err) {
        if (!(err instanceof ExprError)) throw err;
        r = err;
      }
      this.exprCache.set(key, r);
    }
    if (r instanceof ExprError) {
      if (this.verbose) this.no(r.message, r.span);
      return undefined;
    }
    return r;
  }

  match(form: AsmForm): MatchResult {
    this.form = form;
    this.ops = { ...form.fixed };
    this.deferred = NO_DEFERRED;
    this.target = undefined;
    this.score = 0;
    const bonus = form.rvc ? 0 : 1;
    const sgroups = form.groups;
    if (this.groups.length !== sgroups.length) {
      const want = sgroups.length;
      const m = this.mnemonic;
      return {
        ok: false, score: bonus, span: this.verbose ? this.span(this.start, Math.max(this.end, this.start + 1)) : NO_SPAN,
        message: !this.verbose ? '' : want === 0 ? `${m} takes no operands` : `${m} expects ${want} operand${want > 1 ? 's' : ''} here, like: ${m} ${syntaxText(form)}`,
      };
    }
    this.failMessage = '';
    this.failSpan = NO_SPAN;
    if (!this.all(form)) return { ok: false, score: this.score * 10 + 5 + bonus, message: this.failMessage, span: this.failSpan };
    return this.target ? { ok: true, ops: this.ops, deferred: this.deferred, target: this.target } : { ok: true, ops: this.ops, deferred: this.deferred };
  }

  private all(form: AsmForm): boolean {
    for (let g = 0; g < this.groups.length; g++) {
      const [s, e] = this.groups[g] as [number, number];
      if (!this.group(form.groups[g] as FormToken[], s, e)) return false;
      this.score++;
    }
    for (const f of form.nonzero) {
      if (this.ops[f] === 0 && !this.deferred.some((d) => d.field === f)) {
        return !this.verbose ? false : this.no(`${this.mnemonic}: the compressed form needs a non-zero ${FIELDS[f].kind === 'reg' ? 'register' : 'value'}`, this.span(this.start, this.end));
      }
    }
    if (form.rvc && !form.branch && encodeFields(form.def, this.ops) instanceof EncodeError) {
      return !this.verbose ? false : this.no(`${this.mnemonic}: these operands give a reserved compressed encoding; use the 32-bit instruction`, this.span(this.start, this.end));
    }
    return true;
  }

  private group(syn: FormToken[], s: number, e: number): boolean {
    const tokens = this.tokens;
    let open = -1;
    for (let k = 0; k < syn.length; k++) { const t = syn[k] as FormToken; if (t.t === 'punct' && t.text === '(') { open = k; break; } }
    if (open >= 0) {
      // imm(reg), (reg) or 0(reg): the operand must end with ( register )
      const close = tokens[e - 1];
      const regTok = tokens[e - 2];
      const openTok = tokens[e - 3];
      if (e - s < 3 || close?.text !== ')' || openTok?.text !== '(' || regTok?.kind !== 'ident') {
        return !this.verbose ? false : this.no('expected a memory operand like 8(sp) or (a0)', this.span(s, e));
      }
      if (tokenReg(regTok) === undefined) {
        return !this.verbose ? false : this.no(`'${regTok.text}' is not a register: use x0..x31 or an ABI name (zero, ra, sp, a0, t0, s0, ...)`, this.span(e - 2, e - 1));
      }
      const inner = syn[open + 1];
      if (inner?.t === 'field' && !this.setReg(inner.name, inner.field, -1, e - 2, e - 1)) return false;
      if (inner?.t === 'reg' && !this.setReg(null, null, inner.reg, e - 2, e - 1)) return false;
      const before = syn[open - 1];
      if (open === 0) {
        // (reg): GNU as also accepts a literal 0 offset
        if (e - 3 > s) {
          const ex = this.expr(s, e - 3);
          if (!ex) return false;
          if (this.constNow(ex) !== 0) return !this.verbose ? false : this.no(`${this.mnemonic} takes no offset: write (reg) or 0(reg)`, this.span(s, e - 3));
        }
      } else if (before?.t === 'field') return this.setImm(before.name, before.field, s, e - 3);
      return true;
    }
    const t = syn[0];
    if (!t) return !this.verbose ? false : this.no('unexpected operand', this.span(s, e));
    if (t.t === 'reg') return this.setReg(null, null, t.reg, s, e);
    if (t.t === 'zero') {
      const ex = this.expr(s, e);
      if (!ex) return false;
      if (hasReloc(ex) || this.constNow(ex) !== 0) return !this.verbose ? false : this.no('expected 0', this.span(s, e));
      return true;
    }
    if (t.t === 'field') return t.field.kind === 'reg' ? this.setReg(t.name, t.field, -1, s, e) : this.setImm(t.name, t.field, s, e);
    return true;
  }

  /** A register operand: into field `name`, or required to be `reg` (when name is null). */
  private setReg(name: FieldName | null, field: FieldDef | null, reg: number, s: number, e: number): boolean {
    const t = this.tokens[s];
    if (e - s !== 1 || !t || t.kind !== 'ident') return !this.verbose ? false : this.no('expected a register (x0..x31 or an ABI name like a0)', this.span(s, e));
    const r = tokenReg(t);
    if (r === undefined) return !this.verbose ? false : this.no(`'${t.text}' is not a register: use x0..x31 or an ABI name (zero, ra, sp, a0, t0, s0, ...)`, this.span(s, e));
    if (name === null || field === null) {
      if (r !== reg) return !this.verbose ? false : this.no(`this form needs ${['zero', 'ra', 'sp'][reg] ?? `x${reg}`} here`, this.span(s, e));
      return true;
    }
    if (r < field.min || r > field.max) {
      return !this.verbose ? false : this.no(`${this.mnemonic}: register ${t.text} not allowed here; the compressed form needs ${REG_HINT[name] ?? 'another register'}`, this.span(s, e));
    }
    const prev = this.ops[name];
    if (prev !== undefined && prev !== r) return !this.verbose ? false : this.no(`${this.mnemonic}: this compressed form needs the same register in both places`, this.span(s, e));
    this.ops[name] = r;
    return true;
  }

  private setImm(name: FieldName, field: FieldDef, s: number, e: number): boolean {
    const form = this.form;
    const m = this.mnemonic;
    if (s >= e) { this.ops[name] = 0; return true; }
    const t0 = this.tokens[s] as Token;
    const single = e - s === 1 && t0.kind === 'ident';
    // CSR names and fence sets are words, not expressions.
    if (field.kind === 'csr' && single) {
      const n = csrNumber(t0.text);
      if (n !== undefined) { this.ops[name] = n; return true; }
    }
    if (field.kind === 'fence') {
      if (single && t0.text !== '' && /^i?o?r?w?$/.test(t0.text)) {
        let v = 0;
        for (const ch of t0.text) v |= FENCE_BITS[ch] ?? 0;
        this.ops[name] = v;
        return true;
      }
      return !this.verbose ? false : this.no('fence sets are written with the letters i, o, r, w in that order, e.g. fence rw,rw', this.span(s, e));
    }
    if (single && tokenReg(t0) !== undefined) {
      return !this.verbose ? false : this.no(`expected ${field.kind === 'pcrel' ? 'a label' : 'an immediate'} here, not the register ${t0.text}`, this.span(s, e));
    }
    if (e - s >= 3 && this.tokens[e - 1]?.text === ')' && this.tokens[e - 3]?.text === '(' && this.tokens[e - 2]?.kind === 'ident'
      && tokenReg(this.tokens[e - 2] as Token) !== undefined) {
      return !this.verbose ? false : this.no(`${m} does not take a memory operand here`, this.span(s, e));
    }
    const expr = this.expr(s, e);
    if (!expr) return false;
    if (field.kind === 'pcrel') {
      if (hasReloc(expr)) return !this.verbose ? false : this.no('branch and jump targets cannot use %hi/%lo; write the label', this.span(s, e));
      this.target = { expr, span: this.span(s, e) };
      return true;
    }
    const v = hasReloc(expr) && form.rvc ? undefined : this.constNow(expr);
    if (v === undefined) {
      if (form.rvc) return !this.verbose ? false : this.no(`${m}: the compressed form needs a constant here`, this.span(s, e));
      if (field.kind === 'csr') {
        if (!this.verbose) return false;
        const hint = t0 ? closest(t0.text, CSR_NAMES) : undefined;
        return this.no(`unknown CSR '${t0?.text ?? ''}'${hint ? `: did you mean ${hint}?` : ': use a CSR name (mstatus, mepc, ...) or a number 0..4095'}`, this.span(s, e));
      }
      if (this.deferred === NO_DEFERRED) this.deferred = [];
      this.deferred.push({ field: name, expr, span: this.span(s, e) });
      this.ops[name] = 0;
      return true;
    }
    let value = v;
    if (field.kind === 'upper' && form.rvc) {
      if (value >= 0xfffe0 && value <= 0xfffff) value -= 0x100000;
    } else if (!form.rvc && field.signed && value >= 0x80000000 && value <= 0xffffffff) {
      value -= 0x100000000; // GNU as reads 32-bit values as signed for RV32 immediates
    }
    if (!fieldFits(field, value)) {
      if (field.kind === 'csr') return !this.verbose ? false : this.no(`CSR number ${v} out of range: 0..4095`, this.span(s, e));
      if (field.kind === 'upper' && !form.rvc) return !this.verbose ? false : this.no(`immediate ${v} out of range: ${m} takes 0..0xfffff (use %hi(...) for the upper part of an address)`, this.span(s, e));
      return !this.verbose ? false : this.no(`immediate ${v} out of range for ${m}: ${rangeText(field)}`, this.span(s, e));
    }
    if (value === 0 && form.nonzero.includes(name)) return !this.verbose ? false : this.no(`${m}: the compressed form needs a non-zero value`, this.span(s, e));
    this.ops[name] = value;
    return true;
  }
}
