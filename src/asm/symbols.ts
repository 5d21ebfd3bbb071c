// Symbols as GNU as models them: each name refers to a symbol object. A reference to a name not
// yet defined creates an undefined object, which the next definition fills; redefining an
// `.equ`/`.set` symbol makes a new object, so expressions written earlier keep the value they
// referred to (GNU as's symbol_clone of volatile symbols).
//
// Costs are linear in the number of symbol references, with no recursion: a symbol's "constant
// now" value is known when it is defined or as soon as the last symbol it waits for becomes
// constant (propagated with a work list), and final values are computed once, after layout, by
// an iterative depth-first walk that also finds definition loops.

import type { Span } from './diagnostics';
import { displayName, evaluate, ExprError, forEachSymbol, tryEvaluate, work, type Expr } from './expr';
import type { LabelPos } from './layout';

export const UNDEF = 0;
export const LABEL = 1;
export const EQU = 2;

/** What an `.equ`/`.set` symbol holds besides what every symbol has. */
export class Equ {
  /** The constant value as far as the source has been read. */
  now: number | undefined = undefined;
  /** Not yet constant: how many distinct referenced symbols may still become constant. */
  blocked = 0;
  /** Not yet constant: the distinct symbols its expression references. */
  deps: number[] | undefined = undefined;
  /** Value expression; a number once the value is a constant. */
  constructor(public expr: Expr, readonly equiv: boolean) {}
}

export class Sym {
  kind: 0 | 1 | 2 = UNDEF;
  /** Label position (LABEL). */
  pos: LabelPos | undefined = undefined;
  /** Where it is defined. */
  span: Span | undefined = undefined;
  /** EQU state. */
  eq: Equ | undefined = undefined;
  /** Symbols whose `blocked` counts this one. */
  waiters: number[] | undefined = undefined;
  constructor(readonly name: string) {}

  get line(): number { return this.span?.line ?? 0; }
  /** The constant value as far as the source has been read (EQU only). */
  get now(): number | undefined { return this.eq?.now; }
}

/** Why a symbol has no final value; reported once. */
export interface Failure { message: string; span: Span; reported: boolean }

/** Thrown by the final resolver for a symbol whose definition has no value. */
export class SymbolFailure extends Error {
  constructor(readonly failure: Failure) { super(failure.message); }
}

const UNVISITED = 0, ACTIVE = 1, DONE = 2, FAILED = 3;

export class SymbolTable {
  readonly syms: Sym[] = [];
  /** The object each name refers to now. */
  readonly current = new Map<string, number>();
  private mark: number[] = [];
  private stamp = 0;
  /** EQU symbols in the order of their definitions (loops are reported where the first one is). */
  private readonly equs: number[] = [];
  /** Symbol ids that became constant and whose waiters are not yet told. */
  private readonly ready: number[] = [];

  /** The object `name` refers to here, created (undefined) on a first reference. */
  ref(name: string): number {
    let id = this.current.get(name);
    if (id === undefined) {
      id = this.syms.length;
      this.syms.push(new Sym(name));
      this.current.set(name, id);
    }
    return id;
  }

  get(name: string): Sym | undefined {
    const id = this.current.get(name);
    return id === undefined ? undefined : this.syms[id];
  }

  /** The constant value of `e` as far as the source has been read, or undefined. */
  readonly nowOf = (id: number): number | undefined => this.syms[id]?.eq?.now;

  constNow(e: Expr): number | undefined {
    return e.k === 'num' ? e.v : tryEvaluate(e, this.nowOf);
  }

  /** Defines a label; returns the object it replaces when the name is taken (a duplicate). */
  defineLabel(name: string, pos: LabelPos, line: number, span: Span): Sym | undefined {
    const id = this.ref(name);
    const s = this.syms[id] as Sym;
    if (s.kind !== UNDEF) return s;
    s.kind = LABEL;
    s.pos = pos;
    s.span = span.line === line ? span : { ...span, line };
    s.waiters = undefined; // a label is never a constant: its waiters stay waiting
    return undefined;
  }

  /**
   * Defines (or redefines) an `.equ`/`.set` symbol. Returns an error message, or undefined.
   * A constant value is captured now, so later redefinitions do not change earlier uses.
   */
  defineEqu(name: string, expr: Expr, line: number, span: Span, equiv: boolean): string | undefined {
    let id = this.ref(name);
    let s = this.syms[id] as Sym;
    if (s.kind === LABEL) return `duplicate symbol '${name}': it is a label (line ${s.line}); choose another name`;
    if (s.kind === EQU) {
      if (equiv || s.eq?.equiv) return `symbol '${name}' is already defined on line ${s.line} (.equiv forbids redefinition)`;
      id = this.syms.length;
      s = new Sym(name);
      this.syms.push(s);
      this.current.set(name, id);
    }
    s.kind = EQU;
    this.equs.push(id);
    s.span = span.line === line ? span : { ...span, line };
    const eq = new Equ(expr, equiv);
    s.eq = eq;
    const v = this.constNow(expr);
    if (v !== undefined) {
      this.becomeConstant(eq, id, v);
      return undefined;
    }
    // Wait for the referenced symbols that may still become constant (a label never does).
    work.steps++;
    const deps: number[] = [];
    let blocked = 0;
    let never = false;
    const stamp = ++this.stamp;
    forEachSymbol(expr, (d) => {
      if (this.mark[d] === stamp) return;
      this.mark[d] = stamp;
      deps.push(d);
      if ((this.syms[d] as Sym).eq?.now !== undefined) return; // constant already
      if (this.mayBecomeConstant(d, id)) blocked++;
      else never = true;
    });
    eq.deps = deps;
    if (never || blocked === 0) return undefined; // not constant, and never will be
    eq.blocked = blocked;
    for (const d of deps) {
      const ds = this.syms[d] as Sym;
      if (this.mayBecomeConstant(d, id)) (ds.waiters ??= []).push(id);
    }
    return undefined;
  }

  /** Whether symbol `d`, referenced by the definition of `by`, is not constant yet but may become so. */
  private mayBecomeConstant(d: number, by: number): boolean {
    const ds = this.syms[d] as Sym;
    if (ds.kind === UNDEF) return true;
    if (ds.kind === LABEL) return false;
    const deq = ds.eq as Equ;
    return deq.now === undefined && (deq.blocked > 0 || d === by);
  }

  private becomeConstant(eq: Equ, id: number, v: number): void {
    eq.now = v;
    eq.blocked = 0;
    eq.deps = undefined;
    if (eq.expr.k !== 'num') eq.expr = { k: 'num', v, span: eq.expr.span };
    this.ready.push(id);
    // Tell waiters, and their waiters, with a work list (chains may be long).
    for (let r = this.ready.pop(); r !== undefined; r = this.ready.pop()) {
      const rs = this.syms[r] as Sym;
      const waiters = rs.waiters;
      rs.waiters = undefined;
      if (!waiters) continue;
      for (const w of waiters) {
        work.steps++;
        const weq = (this.syms[w] as Sym).eq;
        if (!weq || weq.now !== undefined || weq.blocked === 0 || --weq.blocked > 0) continue;
        const wv = tryEvaluate(weq.expr, this.nowOf);
        if (wv === undefined) continue; // e.g. a division by zero: reported after layout
        weq.now = wv;
        weq.deps = undefined;
        if (weq.expr.k !== 'num') weq.expr = { k: 'num', v: wv, span: weq.expr.span };
        this.ready.push(w);
      }
    }
  }

  // ---- final values (after layout)

  private state: Uint8Array = new Uint8Array(0);
  private final: number[] = [];
  private failures = new Map<number, Failure>();
  private labelAddr: (pos: LabelPos) => number = () => 0;
  private linkSymbols: ReadonlyMap<string, number> = new Map();

  /**
   * Computes every symbol's final value once. Definition loops and arithmetic errors in
   * definitions are reported through `report` now (as GNU as does, used or not); a
   * definition that needs an undefined symbol is reported when something uses it.
   */
  resolveAll(labelAddr: (pos: LabelPos) => number, linkSymbols: ReadonlyMap<string, number>, report: (f: Failure) => void): void {
    this.labelAddr = labelAddr;
    this.linkSymbols = linkSymbols;
    const n = this.syms.length;
    const state = new Uint8Array(n);
    this.state = state;
    this.final = new Array<number>(n).fill(0);
    const stackPos = new Int32Array(n);
    const stack: number[] = [];
    const next: number[] = [];
    for (const root of this.equs) {
      if (state[root] !== UNVISITED || !this.pending(root)) continue;
      state[root] = ACTIVE;
      stackPos[root] = 0;
      stack.push(root);
      next.push(0);
      while (stack.length > 0) {
        work.steps++;
        const top = stack.length - 1;
        const id = stack[top] as number;
        const deps = (this.syms[id] as Sym).eq?.deps ?? [];
        const i = next[top] as number;
        if (i < deps.length) {
          next[top] = i + 1;
          const d = deps[i] as number;
          if (state[d] === UNVISITED && this.pending(d)) {
            state[d] = ACTIVE;
            stackPos[d] = stack.length;
            stack.push(d);
            next.push(0);
          }
          continue;
        }
        stack.pop();
        next.pop();
        this.finish(id, deps, stack, stackPos, report);
      }
    }
  }

  /** An EQU whose value is not a constant: computed by resolveAll. */
  private pending(id: number): boolean {
    const s = this.syms[id] as Sym;
    return s.kind === EQU && s.eq?.now === undefined;
  }

  /** Computes one EQU after its dependencies (those still ACTIVE are on a loop through it). */
  private finish(id: number, deps: readonly number[], stack: readonly number[], stackPos: Int32Array, report: (f: Failure) => void): void {
    const s = this.syms[id] as Sym;
    const state = this.state;
    for (const d of deps) {
      if (state[d] === FAILED) {
        this.failures.set(id, this.failures.get(d) as Failure);
        state[id] = FAILED;
        return;
      }
      if (state[d] === ACTIVE || d === id) {
        const f: Failure = { message: this.loopMessage(d, id, stack, stackPos), span: (this.syms[d] as Sym).span ?? NO_SPAN, reported: true };
        report(f);
        this.failures.set(id, f);
        state[id] = FAILED;
        return;
      }
    }
    try {
      this.final[id] = evaluate((s.eq as Equ).expr, this.value);
      state[id] = DONE;
    } catch (err) {
      if (!(err instanceof ExprError)) throw err;
      const f: Failure = err.symbol !== undefined
        ? { message: `undefined symbol '${displayName(err.symbol)}' in the value of '${displayName(s.name)}': define it as a label or with .equ`, span: err.span, reported: false }
        : { message: `${err.message} in the value of '${displayName(s.name)}'`, span: err.span, reported: true };
      if (f.reported) report(f);
      this.failures.set(id, f);
      state[id] = FAILED;
    }
  }

  /** "a -> b -> a" for the loop from `entry` (on the stack) through `last` back to `entry`. */
  private loopMessage(entry: number, last: number, stack: readonly number[], stackPos: Int32Array): string {
    const path: number[] = [];
    if (entry !== last) {
      for (let k = stackPos[entry] as number; k < stack.length; k++) path.push(stack[k] as number);
    }
    path.push(last, entry);
    const names = path.map((p) => displayName((this.syms[p] as Sym).name));
    const shown = names.length > 8 ? [...names.slice(0, 4), `... (${names.length - 1} symbols)`, ...names.slice(-2)] : names;
    return `symbol definition loop: ${shown.join(' -> ')}; give one of these symbols a value that does not depend on the others`;
  }

  /**
   * Final value by symbol id (for evaluate): undefined for a symbol never defined; throws
   * SymbolFailure for one whose definition has no value.
   */
  readonly value = (id: number): number | undefined => {
    const s = this.syms[id];
    if (!s) return undefined;
    switch (s.kind) {
      case LABEL: return this.labelAddr(s.pos as LabelPos);
      case EQU: {
        const now = s.eq?.now;
        if (now !== undefined) return now;
        const st = this.state[id];
        if (st === DONE) return this.final[id];
        const f = this.failures.get(id);
        if (f) throw new SymbolFailure(f);
        return undefined;
      }
      default: return this.linkSymbols.get(s.name);
    }
  };
}

const NO_SPAN: Span = { line: 1, column: 1, endColumn: 2 };
