// Assembler directives (.text, .word, .align, .option, ...).

import { DIRECTIVES } from '../isa';
import { closest, type Span } from './diagnostics';
import type { Expr } from './expr';
import type { Token } from './lexer';
import { splitOperands } from './operands';

export interface DirectiveHost {
  error(span: Span, message: string): void;
  warning(span: Span, message: string): void;
  /** Switches to (creating) section `name`. */
  section(name: string, span: Span): void;
  /** Parses tokens[s..e) as an expression (reports and returns undefined on error). */
  expr(tokens: readonly Token[], s: number, e: number): Expr | undefined;
  /** Constant value now, or undefined (reports nothing). */
  constNow(e: Expr): number | undefined;
  data(width: 1 | 2 | 4, e: Expr, span: Span): void;
  bytes(data: number[], span: Span): void;
  fill(count: number, width: number, value: number, span: Span): void;
  align(pow: number, fill: number | undefined, max: number | undefined, span: Span): void;
  equ(name: string, e: Expr, span: Span): void;
  bind(name: string, binding: 'global' | 'local', span: Span): void;
  symbolType(name: string, type: string): void;
  symbolSize(name: string, e: Expr): void;
  option(name: string, span: Span): void;
  /** Diagnostics are no longer kept: skip costly suggestions. */
  readonly quiet: boolean;
  /** The most bytes the program may occupy (the RAM size). */
  readonly limit: number;
  /** Current offset in the current section, to warn about misaligned data. */
  offset(): number;
  currentSectionIsCode(): boolean;
}

const DATA_WIDTH: Record<string, 1 | 2 | 4> = {
  '.byte': 1, '.half': 2, '.short': 2, '.2byte': 2, '.word': 4, '.4byte': 4, '.long': 4, '.int': 4,
};

/** The largest alignment (GNU as: 2^31 on a 32-bit target). */
const MAX_ALIGN = 2 ** 31;

/** Bytes as a string, one character each (a loop: spreading a long string's bytes into a call overflows). */
function latin1(bytes: readonly number[]): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.slice(i, i + 4096));
  return s;
}

const KNOWN = new Set([...DIRECTIVES, '.long', '.int', '.equiv', '.ident', '.attribute', '.cfi_startproc', '.cfi_endproc', '.end', '.fill']);

export function directive(host: DirectiveHost, name: string, tokens: readonly Token[], start: number, end: number, span: Span): void {
  const ops = splitOperands(tokens, start, end);
  const opSpan = (i: number): Span => {
    const r = ops[i];
    const a = r ? tokens[r[0]] : undefined;
    const b = r ? tokens[r[1] - 1] : undefined;
    return a && b ? { line: span.line, column: a.col, endColumn: b.end } : span;
  };
  const constOp = (i: number, what: string): number | undefined => {
    const r = ops[i];
    if (!r || r[0] >= r[1]) { host.error(span, `${name} needs ${what}`); return undefined; }
    const e = host.expr(tokens, r[0], r[1]);
    if (!e) return undefined;
    const v = host.constNow(e);
    if (v === undefined) host.error(opSpan(i), `${name}: ${what} must be a constant known at this point (define symbols with .equ before use)`);
    return v;
  };
  const symOp = (i: number): string | undefined => {
    const r = ops[i];
    const t = r ? tokens[r[0]] : undefined;
    if (!r || r[1] - r[0] !== 1 || !t || t.kind !== 'ident') {
      host.error(ops[i] ? opSpan(i) : span, `${name} needs a symbol name`);
      return undefined;
    }
    return t.text;
  };
  const optOp = (i: number): number | undefined => (ops[i] && (ops[i] as [number, number])[0] < (ops[i] as [number, number])[1] ? constOp(i, 'a value') : undefined);

  const width = DATA_WIDTH[name];
  if (width) {
    if (ops.length === 0) { host.error(span, `${name} needs at least one value: ${name} 1, 2, 3`); return; }
    if (host.offset() % width !== 0) {
      host.warning(span, `misaligned ${name} at section offset ${host.offset()}: add .align ${width === 4 ? 2 : 1} before it`);
    }
    for (let i = 0; i < ops.length; i++) {
      const r = ops[i] as [number, number];
      if (r[0] >= r[1]) { host.error(opSpan(i), `empty value in ${name}`); continue; }
      const e = host.expr(tokens, r[0], r[1]);
      if (e) host.data(width, e, opSpan(i));
    }
    return;
  }
  switch (name) {
    case '.text': case '.data': case '.rodata': case '.bss':
      host.section(name, span);
      return;
    case '.section': {
      const t = tokens[start];
      if (!t || (t.kind !== 'ident' && t.kind !== 'str')) { host.error(span, '.section needs a name, like .section .rodata'); return; }
      const nm = t.kind === 'str' ? latin1(t.bytes ?? []) : t.text;
      host.section(nm, { line: span.line, column: t.col, endColumn: t.end });
      return;
    }
    case '.globl': case '.global': case '.local':
      if (ops.length === 0) host.error(span, `${name} needs a symbol name`);
      for (let i = 0; i < ops.length; i++) {
        const s = symOp(i);
        if (s) host.bind(s, name === '.local' ? 'local' : 'global', opSpan(i));
      }
      return;
    case '.equ': case '.set': case '.equiv': {
      const s = symOp(0);
      const r = ops[1];
      if (!s) return;
      if (!r || r[0] >= r[1]) { host.error(span, `${name} needs a name and a value: ${name} NAME, 42`); return; }
      const e = host.expr(tokens, r[0], r[1]);
      if (e) host.equ(s, e, opSpan(0));
      return;
    }
    case '.ascii': case '.asciz': case '.string': {
      if (ops.length === 0) host.error(span, `${name} needs a string: ${name} "text"`);
      for (let i = 0; i < ops.length; i++) {
        const r = ops[i] as [number, number];
        const t = tokens[r[0]];
        if (r[1] - r[0] !== 1 || !t || t.kind !== 'str') { host.error(opSpan(i), `${name} takes strings in double quotes`); continue; }
        const b = [...(t.bytes ?? [])];
        if (name !== '.ascii') b.push(0);
        host.bytes(b, opSpan(i));
      }
      return;
    }
    case '.zero': case '.space': case '.skip': {
      const n = constOp(0, 'a size');
      if (n === undefined) return;
      if (n < 0 || n > host.limit) { host.error(opSpan(0), `${name} size ${n} out of range: 0..${host.limit} (the RAM size)`); return; }
      const fill = name === '.zero' ? 0 : optOp(1) ?? 0;
      host.fill(n, 1, fill & 0xff, span);
      return;
    }
    case '.fill': {
      const n = constOp(0, 'a repeat count');
      if (n === undefined) return;
      const size = optOp(1) ?? 1;
      const value = optOp(2) ?? 0;
      if (size < 0 || size > 8) { host.error(opSpan(1), `.fill size ${size} out of range: 0..8`); return; }
      if (n < 0 || n * size > host.limit) { host.error(opSpan(0), `.fill count ${n} out of range: 0..${Math.floor(host.limit / Math.max(size, 1))} (${size}-byte values up to the RAM size)`); return; }
      host.fill(n, size, value, span);
      return;
    }
    case '.align': case '.p2align': case '.balign': {
      const v = constOp(0, 'an alignment');
      if (v === undefined) return;
      let pow: number;
      if (name === '.balign') {
        if (v <= 0 || v > MAX_ALIGN || !Number.isInteger(Math.log2(v))) {
          host.error(opSpan(0), `.balign ${v}: the alignment must be a power of two (1, 2, 4, 8, ... up to 0x80000000)`);
          return;
        }
        pow = Math.log2(v);
      } else {
        if (v < 0 || v > 31) { host.error(opSpan(0), `${name} ${v} out of range: 0..31 (it is a power of two: .align 2 aligns to 4 bytes)`); return; }
        pow = v;
      }
      const fill = optOp(1);
      const max = optOp(2);
      host.align(pow, fill, max, span);
      return;
    }
    case '.option': {
      const t = tokens[start];
      if (!t || t.kind !== 'ident' || end - start !== 1) { host.error(span, '.option needs one of rvc, norvc, push, pop'); return; }
      host.option(t.text, { line: span.line, column: t.col, endColumn: t.end });
      return;
    }
    case '.type': {
      const s = symOp(0);
      const r = ops[1];
      if (s && r) host.symbolType(s, tokens.slice(r[0], r[1]).map((t) => t.text).join(''));
      return;
    }
    case '.size': {
      const s = symOp(0);
      const r = ops[1];
      if (s && r && r[0] < r[1]) {
        const e = host.expr(tokens, r[0], r[1]);
        if (e) host.symbolSize(s, e);
      }
      return;
    }
    case '.file': case '.ident': case '.attribute': case '.cfi_startproc': case '.cfi_endproc': case '.end':
      return;
  }
  const hint = host.quiet ? undefined : closest(name, KNOWN);
  host.error(span, `unknown directive ${name}${hint ? `: did you mean ${hint}?` : ''}`);
}
