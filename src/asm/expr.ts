// Constant expressions with symbols and GNU as operators, and the RISC-V relocation operators.
// Parsing and every walk over an expression use explicit stacks, never recursion: a line may
// nest parentheses or unary operators a million deep (GNU as itself crashes at ~100,000).

import type { Token } from './lexer';
import type { Span } from './diagnostics';

export type RelocFn = 'hi' | 'lo' | 'pcrel_hi' | 'pcrel_lo';

export type Expr =
  | { k: 'num'; v: number; span: Span }
  /** `id`: the symbol object the name meant where the expression was written (see symbols.ts). */
  | { k: 'sym'; name: string; id: number; span: Span }
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
  /** The symbol object `name` refers to here (created, undefined, on a first reference). */
  symbol(name: string): number;
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

/**
 * Work done on expressions and symbol values, in steps (a token parsed, a node evaluated, a
 * dependency followed): a deterministic measure for tests that costs stay linear.
 */
export const work = { steps: 0 };

const RELOCS: Record<string, RelocFn> = { '%hi': 'hi', '%lo': 'lo', '%pcrel_hi': 'pcrel_hi', '%pcrel_lo': 'pcrel_lo' };

const NO_TOKENS: readonly Token[] = [];
const NO_CONTEXT: ParseContext = { line: 0, symbol: () => -1, localRef: () => '', dot: () => '' };

// Kinds of pending operators on the parser's stack.
const BIN = 0, UN = 1, PAREN = 2, RELOC = 3;

/**
 * Operator-precedence parser over a token range with explicit operand and operator stacks
 * (one reused instance: parsing never re-enters). Builds the same left-associative trees as
 * recursive descent.
 */
class ExprParser {
  private tokens: readonly Token[] = NO_TOKENS;
  private pos = 0;
  private end = 0;
  private ctx: ParseContext = NO_CONTEXT;
  private readonly operands: Expr[] = [];
  // The operator stack, as parallel arrays.
  private readonly kinds: number[] = [];
  private readonly precs: number[] = [];
  private readonly toks: Token[] = [];
  private readonly fns: RelocFn[] = [];

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

  private push(kind: number, tok: Token, prec: number, fn: RelocFn): void {
    this.kinds.push(kind);
    this.toks.push(tok);
    this.precs.push(prec);
    this.fns.push(fn);
  }

  private pop(): void {
    this.kinds.pop();
    this.toks.pop();
    this.precs.pop();
    this.fns.pop();
  }

  /** Applies the unary operators waiting for the operand just completed. */
  private reduceUnary(): void {
    const kinds = this.kinds;
    const operands = this.operands;
    while (kinds.length > 0 && kinds[kinds.length - 1] === UN) {
      const tok = this.toks[this.toks.length - 1] as Token;
      this.pop();
      if (tok.text === '+') continue;
      const a = operands[operands.length - 1] as Expr;
      operands[operands.length - 1] = { k: 'un', op: tok.text, a, span: { line: this.ctx.line, column: tok.col, endColumn: a.span.endColumn } };
    }
  }

  /** Combines pending binary operators of precedence >= `minPrec`. */
  private reduceBinary(minPrec: number): void {
    const kinds = this.kinds;
    const operands = this.operands;
    while (kinds.length > 0 && kinds[kinds.length - 1] === BIN && (this.precs[this.precs.length - 1] as number) >= minPrec) {
      const op = (this.toks[this.toks.length - 1] as Token).text;
      this.pop();
      const b = operands.pop() as Expr;
      const a = operands[operands.length - 1] as Expr;
      operands[operands.length - 1] = { k: 'bin', op, a, b, span: { line: this.ctx.line, column: a.span.column, endColumn: b.span.endColumn } };
    }
  }

  parse(tokens: readonly Token[], start: number, end: number, ctx: ParseContext): Expr {
    this.tokens = tokens;
    this.pos = start;
    this.end = end;
    this.ctx = ctx;
    try {
      return this.run();
    } catch (err) {
      // Empty the stacks for the next parse (on success run() leaves them empty).
      this.operands.length = 0;
      this.kinds.length = 0;
      this.toks.length = 0;
      this.precs.length = 0;
      this.fns.length = 0;
      throw err;
    } finally {
      // Keep nothing of this assembly alive.
      this.tokens = NO_TOKENS;
      this.ctx = NO_CONTEXT;
    }
  }

  private run(): Expr {
    const kinds = this.kinds;
    const operands = this.operands;
    let wantOperand = true;
    for (;;) {
      work.steps++;
      const t = this.peek();
      if (wantOperand) {
        if (!t) return this.fail('missing expression: write a number, a symbol or a parenthesized expression');
        this.pos++;
        switch (t.kind) {
          case 'num': operands.push({ k: 'num', v: t.value, span: this.span(t) }); break;
          case 'local': {
            const fwd = t.text.endsWith('f') || t.text.endsWith('F');
            const name = this.ctx.localRef(t.value, fwd, this.span(t));
            operands.push({ k: 'sym', name, id: this.ctx.symbol(name), span: this.span(t) });
            break;
          }
          case 'ident': {
            const name = t.text === '.' ? this.ctx.dot() : t.text;
            operands.push({ k: 'sym', name, id: this.ctx.symbol(name), span: this.span(t) });
            break;
          }
          case 'reloc': {
            const fn = RELOCS[t.text.toLowerCase()];
            if (!fn) return this.fail(`unknown relocation operator ${t.text}: use %hi, %lo, %pcrel_hi or %pcrel_lo`, t);
            const open = this.peek();
            if (!open || open.text !== '(') return this.fail(`${t.text} needs a parenthesized operand: ${t.text}(symbol)`, t);
            this.pos++;
            this.push(RELOC, t, 0, fn);
            continue;
          }
          case 'punct':
            if (t.text === '(') { this.push(PAREN, t, 0, 'hi'); continue; }
            if (t.text === '-' || t.text === '~' || t.text === '!' || t.text === '+') { this.push(UN, t, 0, 'hi'); continue; }
            return this.fail(`unexpected '${t.text}' in expression`, t);
          case 'str':
            return this.fail('a string is not a number here', t);
        }
        if (kinds.length > 0) this.reduceUnary();
        wantOperand = false;
        continue;
      }
      if (!t || t.kind !== 'punct') break;
      const p = PREC[t.text];
      if (p !== undefined) {
        if (kinds.length > 0) this.reduceBinary(p);
        this.pos++;
        this.push(BIN, t, p, 'hi');
        wantOperand = true;
        continue;
      }
      if (t.text !== ')') break;
      this.reduceBinary(0);
      if (kinds.length === 0) break; // a ')' that closes nothing: reported below
      const kind = kinds[kinds.length - 1];
      const open = this.toks[this.toks.length - 1] as Token;
      const fn = this.fns[this.fns.length - 1] as RelocFn;
      this.pop();
      this.pos++;
      if (kind === RELOC) {
        const a = operands[operands.length - 1] as Expr;
        operands[operands.length - 1] = { k: 'reloc', fn, a, span: this.span(open, t) };
      }
      this.reduceUnary();
    }
    this.reduceBinary(0);
    if (kinds.length > 0) {
      const open = this.toks[this.toks.length - 1] as Token;
      return this.fail(kinds[kinds.length - 1] === RELOC ? `missing ')' after ${open.text}(...` : "missing ')'", this.peek() ?? open);
    }
    if (this.pos < this.end) this.fail(`unexpected '${this.tokens[this.pos]?.text}' after expression`);
    return operands.pop() as Expr;
  }
}

const parser = new ExprParser();

/** A one-token operand (number, name, local label reference), or undefined. */
function leaf(t: Token, ctx: ParseContext): Expr | undefined {
  const span = { line: ctx.line, column: t.col, endColumn: t.end };
  switch (t.kind) {
    case 'num': return { k: 'num', v: t.value, span };
    case 'ident': {
      const name = t.text === '.' ? ctx.dot() : t.text;
      return { k: 'sym', name, id: ctx.symbol(name), span };
    }
    case 'local': {
      const name = ctx.localRef(t.value, t.text.endsWith('f') || t.text.endsWith('F'), span);
      return { k: 'sym', name, id: ctx.symbol(name), span };
    }
    default: return undefined;
  }
}

/** Parses tokens[start..end) as one expression; throws ExprError. */
export function parseExpr(tokens: readonly Token[], start: number, end: number, ctx: ParseContext): Expr {
  work.steps++;
  // Most operands are `x`, `-x` or `%lo(x)`: built directly, as the parser would build them.
  const t = tokens[start];
  const n = end - start;
  if (t && n === 1) {
    const e = leaf(t, ctx);
    if (e) return e;
  } else if (t && n === 2 && t.kind === 'punct' && (t.text === '-' || t.text === '~' || t.text === '!')) {
    const u = tokens[start + 1] as Token;
    const a = leaf(u, ctx);
    if (a) return { k: 'un', op: t.text, a, span: { line: ctx.line, column: t.col, endColumn: a.span.endColumn } };
  } else if (t && n === 4 && t.kind === 'reloc' && tokens[start + 1]?.text === '(' && tokens[start + 3]?.text === ')') {
    const fn = RELOCS[t.text.toLowerCase()];
    const close = tokens[start + 3] as Token;
    const a = fn ? leaf(tokens[start + 2] as Token, ctx) : undefined;
    if (fn && a) return { k: 'reloc', fn, a, span: { line: ctx.line, column: t.col, endColumn: close.end } };
  }
  return parser.parse(tokens, start, end, ctx);
}

/** Whether an expression contains a relocation operator. */
export function hasReloc(e: Expr): boolean {
  if (e.k === 'num' || e.k === 'sym') return false;
  const todo: Expr[] = [e];
  for (let x = todo.pop(); x; x = todo.pop()) {
    work.steps++;
    switch (x.k) {
      case 'reloc': return true;
      case 'un': todo.push(x.a); break;
      case 'bin': todo.push(x.a, x.b); break;
    }
  }
  return false;
}

/** Calls `f` with the id of every symbol reference in `e` (in no particular order). */
export function forEachSymbol(e: Expr, f: (id: number) => void): void {
  if (e.k === 'num') return;
  if (e.k === 'sym') { f(e.id); return; }
  const todo: Expr[] = [e];
  for (let x = todo.pop(); x; x = todo.pop()) {
    work.steps++;
    switch (x.k) {
      case 'sym': f(x.id); break;
      case 'un': case 'reloc': todo.push(x.a); break;
      case 'bin': todo.push(x.a, x.b); break;
    }
  }
}

/** Symbol lookup for evaluation by symbol object id: a number, or undefined when not (yet) known. */
export type Resolver = (id: number) => number | undefined;

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

/** Result of a binary operator, or undefined for a division by zero. */
function binary(op: string, a: number, b: number): number | undefined {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return Math.imul(a, b);
    case '/': return b === 0 ? undefined : Math.trunc(a / b) | 0;
    case '%': return b === 0 ? undefined : (a % b) | 0;
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
  return undefined;
}

function unary(op: string, a: number): number {
  return op === '-' ? -a : op === '~' ? ~a : a === 0 ? 1 : 0;
}

function undefinedSymbol(e: Expr & { k: 'sym' }): ExprError {
  const err = new ExprError(`undefined symbol '${displayName(e.name)}': define it as a label (${displayName(e.name)}:) or with .equ`, e.span);
  err.symbol = e.name;
  return err;
}

/** Applies a relocation operator; throws ExprError when it needs a context it does not have. */
function reloc(e: Expr & { k: 'reloc' }, v: number, rc: RelocContext | undefined): number {
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

/**
 * Post-order walk with explicit stacks. `strict`: problems throw ExprError; otherwise they
 * give undefined (and %pcrel_* are never evaluated).
 */
function walk(root: Expr, resolve: Resolver, rc: RelocContext | undefined, strict: boolean): number | undefined {
  // Reuse the stacks unless a resolver evaluates while we do.
  const stacks = walking ? new WalkStacks() : shared;
  walking = true;
  try {
    return stacks.run(root, resolve, rc, strict);
  } finally {
    if (stacks === shared) {
      walking = false;
      shared.clear();
    }
  }
}

/** The node and value stacks of a walk (values unboxed in a Float64Array). */
class WalkStacks {
  private nodes: Expr[] = [];
  private stage = new Uint8Array(64);
  private values = new Float64Array(64);
  private nv = 0;

  clear(): void {
    this.nodes.length = 0;
    this.nv = 0;
  }

  private pushValue(v: number): void {
    if (this.nv === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.nv++] = v;
  }

  private pushNode(e: Expr): void {
    const n = this.nodes.length;
    if (n === this.stage.length) {
      const bigger = new Uint8Array(n * 2);
      bigger.set(this.stage);
      this.stage = bigger;
    }
    this.nodes.push(e);
    this.stage[n] = 0;
  }

  run(root: Expr, resolve: Resolver, rc: RelocContext | undefined, strict: boolean): number | undefined {
    const nodes = this.nodes;
    this.pushNode(root);
    while (nodes.length > 0) {
      work.steps++;
      const top = nodes.length - 1;
      const e = nodes[top] as Expr;
      const st = this.stage[top] as number;
      switch (e.k) {
        case 'num':
          this.pushValue(e.v);
          break;
        case 'sym': {
          const v = resolve(e.id);
          if (v === undefined) {
            if (strict) throw undefinedSymbol(e);
            return undefined;
          }
          this.pushValue(v);
          break;
        }
        case 'un':
          if (st === 0) { this.stage[top] = 1; this.pushNode(e.a); continue; }
          this.values[this.nv - 1] = unary(e.op, this.values[this.nv - 1] as number);
          break;
        case 'reloc':
          if (st === 0) {
            if (!strict && (e.fn === 'pcrel_hi' || e.fn === 'pcrel_lo')) return undefined;
            this.stage[top] = 1; this.pushNode(e.a); continue;
          }
          this.values[this.nv - 1] = reloc(e, this.values[this.nv - 1] as number, rc);
          break;
        case 'bin': {
          if (st === 0) { this.stage[top] = 1; this.pushNode(e.a); continue; }
          if (st === 1) { this.stage[top] = 2; this.pushNode(e.b); continue; }
          const b = this.values[--this.nv] as number;
          const a = this.values[this.nv - 1] as number;
          const v = binary(e.op, a, b);
          if (v === undefined) {
            if (!strict) return undefined;
            throw new ExprError(e.op === '/' || e.op === '%' ? 'division by zero' : `unknown operator ${e.op}`, e.span);
          }
          this.values[this.nv - 1] = v;
          break;
        }
      }
      nodes.pop();
    }
    return this.values[0];
  }
}

let walking = false;
const shared = new WalkStacks();

/**
 * Evaluates to a number; unknown symbols throw ExprError with "undefined symbol".
 * Arithmetic is on 32-bit two's complement values (results normalized to signed 32-bit),
 * except that plain constants keep their value so range checks see what was written.
 */
export function evaluate(e: Expr, resolve: Resolver, rc?: RelocContext): number {
  work.steps++;
  if (e.k === 'num') return e.v;
  if (e.k === 'sym') {
    const v = resolve(e.id);
    if (v === undefined) throw undefinedSymbol(e);
    return v;
  }
  return walk(e, resolve, rc, true) as number;
}

/** Separates the number and the instance in internal names of numeric local labels (as in GNU as). */
export const LOCAL_SEP = '\u0002';

/**
 * Like evaluate, but returns undefined instead of throwing (unknown symbols, division by zero,
 * relocation operators without context). Used on hot paths where "not known yet" is normal.
 */
export function tryEvaluate(e: Expr, resolve: Resolver): number | undefined {
  work.steps++;
  if (e.k === 'num') return e.v;
  if (e.k === 'sym') return resolve(e.id);
  return walk(e, resolve, undefined, false);
}

/** Human-readable form of internal local label names. */
export function displayName(name: string): string {
  const sep = name.indexOf(LOCAL_SEP);
  return name.startsWith('.L') && sep > 2 ? `${name.slice(2, sep)} (local label)` : name;
}
