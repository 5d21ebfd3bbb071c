// Generated assembly corpora (deterministic): every table instruction with random operands.

import { CSRS, extractField, FIELDS, fieldMask, INSTRUCTIONS, parseSyntax, registerName, encodeFields, EncodeError, type FieldName } from '../../../src/isa';

export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s;
  };
}

const FENCE = ['w', 'r', 'rw', 'o', 'ow', 'or', 'orw', 'i', 'iw', 'ir', 'irw', 'io', 'iow', 'ior', 'iorw'];

/** One line of assembly for `name` with random operands, or undefined if the draw is a reserved encoding. */
export function randomInstruction(name: string, next: () => number): string | undefined {
  const def = INSTRUCTIONS.find((d) => d.name === name);
  if (!def) throw new Error(name);
  const ops: Partial<Record<FieldName, number>> = {};
  let text = '';
  for (const t of parseSyntax(def.syntax)) {
    if (t.type === 'punct') { text += t.text; continue; }
    if (t.type === 'reg') { text += t.text; continue; }
    const f = FIELDS[t.name];
    let v = extractField(f, next() & fieldMask(f));
    if (f.kind === 'fence') v = 1 + (next() % 15);
    if (t.name === 'cshamt' && v === 0) v = 1; // GNU as rejects the shift-by-0 HINTs
    if (f.kind === 'csr' && next() % 2 === 0) v = (CSRS[next() % CSRS.length]?.number ?? 0x300);
    ops[t.name] = v;
    switch (f.kind) {
      case 'reg': text += registerName(v); break;
      case 'fence': text += FENCE[v - 1]; break;
      case 'pcrel': text += `.${v >= 0 ? '+' : ''}${v}`; break;
      case 'upper': text += `0x${(v & 0xfffff).toString(16)}`; break;
      default: text += String(v);
    }
  }
  if (encodeFields(def, ops) instanceof EncodeError) return undefined;
  return text === '' ? name : `${name}\t${text}`;
}

/** A program with `perInstruction` random uses of every instruction, in table order. */
export function randomProgram(seed: number, perInstruction: number, rvc: boolean): string {
  const next = xorshift(seed);
  const lines = ['\t.text', '\t.globl _start', '_start:'];
  if (!rvc) lines.push('\t.option norvc');
  for (const d of INSTRUCTIONS) {
    if (!rvc && d.size === 2) continue;
    for (let k = 0; k < perInstruction; k++) {
      const line = randomInstruction(d.name, next);
      if (line) lines.push(`\t${line}`);
    }
  }
  lines.push('\tnop');
  return lines.join('\n') + '\n';
}
