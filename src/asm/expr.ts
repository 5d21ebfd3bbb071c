// Constant expressions with symbols and GNU as operators, and the RISC-V relocation operators.

import type { Token } from './lexer';
import type { Span } from './diagnostics';

export type RelocFn = 'hi' | 'lo' | 'pcrel_hi' | 'pcrel_lo';

export type Expr =
  | { k: 'num'; v: number; span: Span }
  | { k: 'sym'; name: string; span: Span }
  | { k: 'un'; op: string; a: Expr; span: Span }
  | { k: 'bin'; op: string; a: Expr; b: Expr; span: Span }
  | { k: 'reloc'; fn: RelocFn; a: Expr; span: Span };

export class ExprError extends Error {
  /** For "undefined symbol" errors: the symbol. */
  symbol?: string;
  constructor(message: string, readonly span: Span) { super(message); }
}

export interface ParseContext {
  line: number;
  /** Internal name of numeric local label `n` looking backward (`nb`) or forward (`nf`). */
  localRef(n: number, forward: boolean, span: Span): string;
  /** Internal name of a label at the current location (for `.`). */
  dot(): string;
}

// GNU as precedence: unary > (* / % << >>) > (| & ^ !) > (+ - == != <> < > <= >=) > && > ||
const PREC: Record<string, number> = {
  '*': 5, '/': 5, '%': 5, '<<': 5, '>>': 5,
  '|': 4, '&': 4, '^': 4, '!': 4,
  '+': 3, '-': 3, '==': 3, '!=': 3, '<>': 3, '<': 3, '>': 3, '<=': 3, '>=': 3,
  '&&': 2, '||': 1,
};

const RELOCS: Record<string, RelocFn> = { '%hi': 'hi', '%lo': 'lo', '%pcrel_hi': 'pcrel_hi', '%pcrel_lo': 'pcrel_lo' };

/** Recursive-descent expression parser over a token range (a class: no closures per call). */
class ExprParser {
  private pos: number;
  constructor(private readonly tokens: readonly Token[], start: number, private readonly end: number, private readonly ctx: ParseContext) {
    this.pos = start;
  }

  private span(a: Token, b: Token = a): Span {
    return { line: this.ctx.line, column: a.col, endColumn: b.end };
  }

  private peek(): Token | undefined {
    return this.pos < this.end ? this.tokens[this.pos] : undefined;
  }

  private fail(msg: string, t?: Token): never {
    const tok = t ?? this.peek() ?? this.tokens[this.end - 1];
    throw new ExprError(msg, tok ? this.span(tok) : { line: this.ctx.line, column: 1, endColumn: 2 });
  }

  parse(): Expr {
    const e = this.binary(0);
    if (this.pos < this.end) this.fail(`unexpected '${this.tokens[this.pos]?.text}' after expression`);
    return e;
  }

  private primary(): Expr {
    const t = this.peek();
    if (!t) return this.fail('missing expression: write a number, a symbol or a parenthesized expression');
    this.pos++;
    switch (t.kind) {
      case 'num': return { k: 'num', v: t.value, span: this.span(t) };
      case 'local': {
        const fwd = t.text.endsWith('f') || t.text.endsWith('F');
        return { k: 'sym', name: this.ctx.localRef(t.value, fwd, this.span(t)), span: this.span(t) };
      }
      case 'ident':
        if (t.text === '.') return { k: 'sym', name: this.ctx.dot(), span: this.span(t) };
        return { k: 'sym', name: t.text, span: this.span(t) };
      case 'reloc': {
        const fn = RELOCS[t.text.toLowerCase()];
        if (!fn) return this.fail(`unknown relocation operator ${t.text}: use %hi, %lo, %pcrel_hi or %pcrel_lo`, t);
        const open = this.peek();
        if (!open || open.text !== '(') return this.fail(`${t.text} needs a parenthesized operand: ${t.text}(symbol)`, t);
        this.pos++;
        const a = this.binary(0);
        const close = this.peek();
        if (!close || close.text !== ')') return this.fail(`missing ')' after ${t.text}(...`, close ?? t);
        this.pos++;
        return { k: 'reloc', fn, a, span: this.span(t, close) };
      }
      case 'punct':
        if (t.text === '(') {
          const e = this.binary(0);
          const close = this.peek();
          if (!close || close.text !== ')') return this.fail("missing ')'", close ?? t);
          this.pos++;
          return e;
        }
        if (t.text === '-' || t.text === '~' || t.text === '!' || t.text === '+') {
          const a = this.primary();
          return t.text === '+' ? a : { k: 'un', op: t.text, a, span: { ...this.span(t), endColumn: a.span.endColumn } };
        }
        return this.fail(`unexpected '${t.text}' in expression`, t);
      case 'str':
        return this.fail('a string is not a number here', t);
    }
  }

  private binary(minPrec: number): Expr {
    let left = this.primary();
    for (;;) {
      const t = this.peek();
      if (!t || t.kind !== 'punct') break;
      const p = PREC[t.text];
      if (p === undefined || p < minPrec) break;
      this.pos++;
      const right = this.binary(p + 1);
      left = { k: 'bin', op: t.text, a: left, b: right, span: { line: this.ctx.line, column: left.span.column, endColumn: right.span.endColumn } };
    }
    return left;
  }
}

/** Parses tokens[start..end) as one expression; throws ExprError. */
export function parseExpr(tokens: readonly Token[], start: number, end: number, ctx: ParseContext): Expr {
  return new ExprParser(tokens, start, end, ctx).parse();
}

/** Whether an expression contains a relocation operator. */
export function hasReloc(e: Expr): boolean {
  switch (e.k) {
    case 'reloc': return true;
    case 'un': return hasReloc(e.a);
    case 'bin': return hasReloc(e.a) || hasReloc(e.b);
    default: return false;
  }
}

/** Symbol lookup for evaluation: a number, or undefined when not (yet) known. */
export type Resolver = (name: string) => number | undefined;

/** Extra context for relocation operators at final evaluation. */
export interface RelocContext {
  /** Address of the instruction being fixed up. */
  pc: number;
  /** For %pcrel_lo(label): the pc-relative offset computed by the %pcrel_hi at `labelAddr`. */
  pcrelHiAt(labelAddr: number): number | undefined;
}

export function hi20(v: number): number {
  return ((v + 0x800) >>> 12) & 0xfffff;
}
export function lo12(v: number): number {
  return (((v & 0xfff) ^ 0x800) - 0x800);
}

/**
 * Evaluates to a number; unknown symbols throw ExprError with "undefined symbol".
 * Arithmetic is on 32-bit two's complement values (results normalized to signed 32-bit),
 * except that plain constants keep their value so range checks see what was written.
 */
export function evaluate(e: Expr, resolve: Resolver, rc?: RelocContext): number {
  switch (e.k) {
    case 'num': return e.v;
    case 'sym': {
      const v = resolve(e.name);
      if (v === undefined) {
        const err = new ExprError(`undefined symbol '${displayName(e.name)}': define it as a label (${displayName(e.name)}:) or with .equ`, e.span);
        err.symbol = e.name;
        throw err;
      }
      return v;
    }
    case 'un': {
      const a = evaluate(e.a, resolve, rc);
      if (e.op === '-') return -a;
      if (e.op === '~') return ~a;
      return a === 0 ? 1 : 0;
    }
    case 'bin': {
      const a = evaluate(e.a, resolve, rc);
      const b = evaluate(e.b, resolve, rc);
      switch (e.op) {
        case '+': return a + b;
        case '-': return a - b;
        case '*': return Math.imul(a, b);
        case '/':
          if (b === 0) throw new ExprError('division by zero', e.span);
          return Math.trunc(a / b) | 0;
        case '%':
          if (b === 0) throw new ExprError('division by zero', e.span);
          return (a % b) | 0;
        case '<<': return b >= 32 || b < 0 ? 0 : a << b;
        case '>>': return b >= 32 || b < 0 ? (a < 0 ? -1 : 0) : a >> b;
        case '&': return a & b;
        case '|': return a | b;
        case '^': return a ^ b;
        case '!': return a | ~b;
        case '==': return a === b ? -1 : 0;
        case '!=': case '<>': return a !== b ? -1 : 0;
        case '<': return a < b ? -1 : 0;
        case '>': return a > b ? -1 : 0;
        case '<=': return a <= b ? -1 : 0;
        case '>=': return a >= b ? -1 : 0;
        case '&&': return a !== 0 && b !== 0 ? 1 : 0;
        case '||': return a !== 0 || b !== 0 ? 1 : 0;
      }
      throw new ExprError(`unknown operator ${e.op}`, e.span);
    }
    case 'reloc': {
      const v = evaluate(e.a, resolve, rc);
      switch (e.fn) {
        case 'hi': return hi20(v);
        case 'lo': return lo12(v);
        case 'pcrel_hi':
          if (!rc) throw new ExprError('%pcrel_hi is only allowed in an instruction operand (auipc)', e.span);
          return hi20(v - rc.pc);
        case 'pcrel_lo': {
          if (!rc) throw new ExprError('%pcrel_lo is only allowed in an instruction operand', e.span);
          const off = rc.pcrelHiAt(v >>> 0);
          if (off === undefined) {
            throw new ExprError('%pcrel_lo(label) needs a label on an auipc that uses %pcrel_hi: put the label on that auipc', e.span);
          }
          return lo12(off);
        }
      }
    }
  }
}

/** Separates the number and the instance in internal names of numeric local labels (as in GNU as). */
export const LOCAL_SEP = '\u0002';

/**
 * Like evaluate, but returns undefined instead of throwing (unknown symbols, division by zero,
 * relocation operators without context). Used on hot paths where "not known yet" is normal.
 */
export function tryEvaluate(e: Expr, resolve: Resolver): number | undefined {
  switch (e.k) {
    case 'num': return e.v;
    case 'sym': return resolve(e.name);
    case 'un': {
      const a = tryEvaluate(e.a, resolve);
      if (a === undefined) return undefined;
      return e.op === '-' ? -a : e.op === '~' ? ~a : a === 0 ? 1 : 0;
    }
    case 'bin': {
      const a = tryEvaluate(e.a, resolve);
      if (a === undefined) return undefined;
      const b = tryEvaluate(e.b, resolve);
      if (b === undefined) return undefined;
      if ((e.op === '/' || e.op === '%') && b === 0) return undefined;
      return evaluate({ k: 'bin', op: e.op, a: { k: 'num', v: a, span: e.span }, b: { k: 'num', v: b, span: e.span }, span: e.span }, resolve);
    }
    case 'reloc': {
      if (e.fn === 'pcrel_hi' || e.fn === 'pcrel_lo') return undefined;
      const v = tryEvaluate(e.a, resolve);
      return v === undefined ? undefined : e.fn === 'hi' ? hi20(v) : lo12(v);
    }
  }
}

/** Human-readable form of internal local label names. */
export function displayName(name: string): string {
  const sep = name.indexOf(LOCAL_SEP);
  return name.startsWith('.L') && sep > 2 ? `${name.slice(2, sep)} (local label)` : name;
}
