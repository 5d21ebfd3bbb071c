// Lexer: source text -> statements (one per line or `;`-separated piece), each a list of tokens.
// Comments: `#` and `//` to end of line, `/* ... */` across lines.

import type { Diagnostics } from './diagnostics';

export type TokenKind = 'ident' | 'num' | 'str' | 'local' | 'punct' | 'reloc';

export interface Token {
  kind: TokenKind;
  text: string;
  /** num: value; local (`1b`/`1f`): the label number. */
  value: number;
  /** str: decoded bytes. */
  bytes?: number[];
  /** ident: register number, -1 if not a register (computed on first use). */
  reg?: number;
  /** 1-based column range [col, end). */
  col: number;
  end: number;
}

export interface Statement {
  line: number;
  tokens: Token[];
}

// Character classes by code: 1 = may start an identifier, 2 = digit (may continue one).
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_.$]/.test(ch)) CLASS[c] = 1;
  else if (/[0-9]/.test(ch)) CLASS[c] = 2;
}
const IDENT_START = { test: (ch: string): boolean => CLASS[ch.charCodeAt(0)] === 1 };
const IDENT_CHAR = { test: (ch: string): boolean => (CLASS[ch.charCodeAt(0)] ?? 0) !== 0 };

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function identEnd(text: string, from: number): number {
  let j = from;
  while (j < text.length && (CLASS[text.charCodeAt(j)] ?? 0) !== 0) j++;
  return j;
}

/**
 * Tokens one statement may hold. Memory and time stay linear beyond it, but each token costs
 * ~150 bytes until its statement is assembled: a 16 MiB line would take gigabytes.
 */
export const MAX_STATEMENT_TOKENS = 1_000_000;

/** Splits `source` into statements. Problems (bad numbers, unterminated strings) go to `diags`. */
export function lex(source: string, diags: Diagnostics): Statement[] {
  const out: Statement[] = [];
  lexEach(source, diags, { statement: (st) => { out.push(st); } });
  return out;
}

export interface StatementSink { statement(st: Statement): void }

/**
 * Calls `sink.statement` for each statement in order, line by line (so that the tokens of a
 * statement can be dropped as soon as it is assembled).
 */
export function lexEach(source: string, diags: Diagnostics, sink: StatementSink): void {
  const out = { push: (st: Statement): void => sink.statement(st) };
  let inBlock = false;
  let tooLong = false;
  let lineStart = 0;
  for (let li = 0; lineStart <= source.length; li++) {
    let lineEnd = source.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = source.length;
    let text = source.slice(lineStart, lineEnd);
    lineStart = lineEnd + 1;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    const lineNo = li + 1;
    let tokens: Token[] = [];
    let i = 0;
    const n = text.length;
    while (i < n) {
      if (tokens.length >= MAX_STATEMENT_TOKENS) {
        // Keep scanning (strings, comments, `;`), keep nothing: the statement is dropped.
        if (!tooLong) {
          diags.error({ line: lineNo, column: i + 1, endColumn: i + 2 },
            `statement too long: more than ${MAX_STATEMENT_TOKENS.toLocaleString('en-US')} tokens; split it into several statements (lines or ';')`);
        }
        tooLong = true;
        tokens.length = 0;
      }
      if (inBlock) {
        const endAt = text.indexOf('*/', i);
        if (endAt < 0) break;
        i = endAt + 2;
        inBlock = false;
        continue;
      }
      const c = text[i] as string;
      if (tooLong && c !== ';' && c !== '#' && c !== '/') {
        // Find the end of the dropped statement without making tokens (a `;` in a string or
        // character constant does not end it).
        if (c === '"') {
          for (i++; i < n && text[i] !== '"'; i++) if (text[i] === '\\') i++;
          i++;
        } else if (c === '\'') {
          i += text[i + 1] === '\\' ? 2 + escape(text, i + 2)[1] : 2;
          if (text[i] === '\'') i++;
        } else i++;
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\f' || c === '\v') { i++; continue; }
      if (c === '#' || (c === '/' && text[i + 1] === '/')) break;
      if (c === '/' && text[i + 1] === '*') { inBlock = true; i += 2; continue; }
      if (c === ';') {
        if (tokens.length > 0 && !tooLong) out.push({ line: lineNo, tokens });
        tokens = [];
        tooLong = false;
        i++;
        continue;
      }
      const start = i;
      if (isDigit(c)) {
        // Numeric local label reference (1b, 1f) or number.
        let j = i;
        while (isDigit(text[j])) j++;
        const next = text[j];
        if ((next === 'b' || next === 'f' || next === 'B' || next === 'F') && !IDENT_CHAR.test(text[j + 1] ?? ' ')
          && !(c === '0' && j === i + 1 && (next === 'b' || next === 'B') && /[01]/.test(text[j + 1] ?? ''))) {
          tokens.push({ kind: 'local', text: text.slice(i, j + 1), value: Number(text.slice(i, j)), col: i + 1, end: j + 2 });
          i = j + 1;
          continue;
        }
        j = identEnd(text, i);
        const word = text.slice(i, j);
        const value = parseNumber(word);
        if (value === undefined) {
          diags.error({ line: lineNo, column: i + 1, endColumn: j + 1 }, `bad number '${word}': write decimal, 0x hex, 0b binary or 0 octal digits`);
        }
        tokens.push({ kind: 'num', text: word, value: value ?? 0, col: i + 1, end: j + 1 });
        i = j;
        continue;
      }
      if (IDENT_START.test(c)) {
        const j = identEnd(text, i + 1);
        tokens.push({ kind: 'ident', text: text.slice(i, j), value: 0, col: i + 1, end: j + 1 });
        i = j;
        continue;
      }
      if (c === '%' && IDENT_START.test(text[i + 1] ?? ' ')) {
        const j = identEnd(text, i + 1);
        tokens.push({ kind: 'reloc', text: text.slice(i, j), value: 0, col: i + 1, end: j + 1 });
        i = j;
        continue;
      }
      if (c === '"') {
        const bytes: number[] = [];
        let j = i + 1;
        let closed = false;
        while (j < n) {
          const ch = text[j] as string;
          if (ch === '"') { closed = true; j++; break; }
          if (ch === '\\') {
            const [val, len] = escape(text, j + 1);
            if (val !== undefined) bytes.push(val);
            j += 1 + len;
            continue;
          }
          const code = ch.codePointAt(0) ?? 0;
          if (code < 0x80) bytes.push(code);
          else {
            for (const b of new TextEncoder().encode(String.fromCodePoint(code))) bytes.push(b);
            if (code > 0xffff) j++;
          }
          j++;
        }
        if (!closed) diags.error({ line: lineNo, column: i + 1, endColumn: n + 1 }, 'unterminated string: add the closing "');
        tokens.push({ kind: 'str', text: text.slice(i, j), value: 0, bytes, col: i + 1, end: j + 1 });
        i = j;
        continue;
      }
      if (c === '\'') {
        // Character constant: 'a' or 'a (GNU as accepts both), escapes allowed.
        let j = i + 1;
        let val = 0;
        if (text[j] === '\\') {
          const [v, len] = escape(text, j + 1);
          val = v ?? 0;
          j += 1 + len;
        } else if (j < n) {
          val = text.codePointAt(j) ?? 0;
          j += val > 0xffff ? 2 : 1;
        } else {
          diags.error({ line: lineNo, column: i + 1, endColumn: i + 2 }, "empty character constant: write 'c'");
        }
        if (text[j] === '\'') j++;
        tokens.push({ kind: 'num', text: text.slice(i, j), value: val, col: i + 1, end: j + 1 });
        i = j;
        continue;
      }
      // Punctuation, with the two-character operators.
      const two = text.slice(i, i + 2);
      if (['<<', '>>', '==', '!=', '<=', '>=', '&&', '||', '<>'].includes(two)) {
        tokens.push({ kind: 'punct', text: two, value: 0, col: i + 1, end: i + 3 });
        i += 2;
        continue;
      }
      if ('()+-*/%&|^~!<>,:=[]@'.includes(c)) {
        tokens.push({ kind: 'punct', text: c, value: 0, col: i + 1, end: i + 2 });
        i++;
        continue;
      }
      diags.error({ line: lineNo, column: start + 1, endColumn: start + 2 }, `unexpected character '${c}': remove it or put it in a comment (#)`);
      i++;
    }
    if (tokens.length > 0 && !tooLong) out.push({ line: lineNo, tokens });
    tooLong = false;
  }
}

function parseNumber(word: string): number | undefined {
  let m: RegExpMatchArray | null;
  if ((m = /^0[xX]([0-9a-fA-F]+)$/.exec(word))) return parseInt(m[1] as string, 16);
  if ((m = /^0[bB]([01]+)$/.exec(word))) return parseInt(m[1] as string, 2);
  if (/^0[0-7]*$/.test(word)) return word.length > 1 ? parseInt(word.slice(1), 8) : 0;
  if (/^[1-9][0-9]*$/.test(word)) return Number(word);
  return undefined;
}

/** Decodes a backslash escape starting after the backslash: [byte value, characters consumed]. */
function escape(text: string, at: number): [number | undefined, number] {
  const c = text[at];
  switch (c) {
    case 'n': return [10, 1];
    case 't': return [9, 1];
    case 'r': return [13, 1];
    case 'b': return [8, 1];
    case 'f': return [12, 1];
    case 'v': return [11, 1];
    case 'a': return [7, 1];
    case 'e': return [27, 1];
    case '\\': return [92, 1];
    case '"': return [34, 1];
    case '\'': return [39, 1];
    case 'x':
    case 'X': {
      let j = at + 1;
      let v = 0;
      while (j < text.length && /[0-9a-fA-F]/.test(text[j] as string)) { v = v * 16 + parseInt(text[j] as string, 16); j++; }
      return [v & 0xff, j - at];
    }
    case undefined: return [undefined, 0];
    default:
      if (c >= '0' && c <= '7') {
        let j = at;
        let v = 0;
        while (j < text.length && j < at + 3 && /[0-7]/.test(text[j] as string)) { v = v * 8 + Number(text[j]); j++; }
        return [v & 0xff, j - at];
      }
      return [c.charCodeAt(0) & 0xff, 1];
  }
}
