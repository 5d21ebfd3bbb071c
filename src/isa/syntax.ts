// Parsing of the operand syntax strings of the instruction table.

import { FIELDS, isFieldName, type FieldDef, type FieldName } from './fields';
import { registerNumber } from './registers';

/** One piece of an operand syntax: a field, a fixed register (`sp`), or punctuation. */
export type SyntaxToken =
  | { readonly type: 'field'; readonly field: FieldDef; readonly name: FieldName }
  | { readonly type: 'reg'; readonly reg: number; readonly text: string }
  | { readonly type: 'punct'; readonly text: ',' | '(' | ')' };

const cache = new Map<string, readonly SyntaxToken[]>();

export function parseSyntax(syntax: string): readonly SyntaxToken[] {
  const hit = cache.get(syntax);
  if (hit) return hit;
  const out: SyntaxToken[] = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)|([,()])/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(syntax)) !== null) {
    const word = m[1];
    if (word !== undefined) {
      if (isFieldName(word)) out.push({ type: 'field', field: FIELDS[word], name: word });
      else {
        const reg = registerNumber(word);
        if (reg === undefined) throw new Error(`bad syntax token ${word} in "${syntax}"`);
        out.push({ type: 'reg', reg, text: word });
      }
    } else {
      out.push({ type: 'punct', text: m[2] as ',' | '(' | ')' });
    }
  }
  cache.set(syntax, out);
  return out;
}

const fieldsCache = new Map<string, readonly FieldName[]>();

/** Field names used by a syntax string, in order (cached; do not modify). */
export function syntaxFields(syntax: string): readonly FieldName[] {
  let out = fieldsCache.get(syntax);
  if (!out) {
    const list: FieldName[] = [];
    for (const t of parseSyntax(syntax)) if (t.type === 'field') list.push(t.name);
    out = list;
    fieldsCache.set(syntax, out);
  }
  return out;
}
