// Decoder derived from the instruction table.

import { extractField, FIELDS, type FieldName } from './fields';
import { INSTRUCTIONS, type InstructionDef } from './instructions';
import { syntaxFields } from './syntax';

export interface DecodedInstruction {
  readonly def: InstructionDef;
  readonly name: string;
  readonly size: 2 | 4;
  /** The instruction bits (16 or 32 bits, unsigned). */
  readonly word: number;
  /** Operand values by field name (registers as numbers, immediates sign-extended and scaled). */
  readonly operands: Readonly<Partial<Record<FieldName, number>>>;
}

/** Length of the instruction whose first (lowest-addressed) halfword is given. */
export function instructionLength(firstHalfword: number): 2 | 4 {
  return (firstHalfword & 3) === 3 ? 4 : 2;
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) n++;
  return n;
}

/** Whether `word` is an encoding of `def` (fixed bits and operand constraints). */
export function matches(def: InstructionDef, word: number): boolean {
  if (((word ^ def.match) & def.mask) !== 0) return false;
  if (def.constraints) {
    for (const c of def.constraints) if (extractField(FIELDS[c.field], word) === c.not) return false;
  }
  return true;
}

// Candidates by major opcode: 32-bit by bits 6:0, 16-bit by quadrant and funct3 (bits 1:0, 15:13).
const table32: InstructionDef[][] = Array.from({ length: 128 }, () => []);
const table16: InstructionDef[][] = Array.from({ length: 32 }, () => []);
for (const d of [...INSTRUCTIONS].sort((a, b) => popcount(b.mask) - popcount(a.mask))) {
  if (d.size === 4) table32[d.match & 0x7f]?.push(d);
  else table16[((d.match >>> 13) << 2) | (d.match & 3)]?.push(d);
}

/** The instruction encoded by `word` (32 bits, or the low 16 bits for a compressed one), or null. */
export function decode(word: number): DecodedInstruction | null {
  const w = word >>> 0;
  const size = instructionLength(w & 0xffff);
  const bits = size === 2 ? w & 0xffff : w;
  const candidates = size === 4 ? table32[bits & 0x7f] : table16[((bits >>> 13) << 2) | (bits & 3)];
  if (!candidates) return null;
  for (const def of candidates) {
    if (!matches(def, bits)) continue;
    const operands: Partial<Record<FieldName, number>> = {};
    for (const f of syntaxFields(def.syntax)) operands[f] = extractField(FIELDS[f], bits);
    return { def, name: def.name, size, word: bits, operands };
  }
  return null;
}

/** The 32-bit equivalent of a decoded compressed instruction (itself if it is not compressed). */
export function expand(d: DecodedInstruction): DecodedInstruction {
  const ex = d.def.expansion;
  if (!ex) return d;
  const operands: Partial<Record<FieldName, number>> = {};
  for (const [k, v] of Object.entries(ex.operands) as [FieldName, FieldName | number][]) {
    let value = typeof v === 'number' ? v : extractField(FIELDS[v], d.word);
    // c.lui's signed 6-bit immediate becomes lui's unsigned 20-bit one
    if (!FIELDS[k].signed && FIELDS[k].offset === 0) value = value & (2 ** FIELDS[k].width - 1);
    operands[k] = value;
  }
  const base = INSTRUCTIONS.find((x) => x.name === ex.name);
  if (!base) throw new Error(`expansion of ${d.name} names unknown ${ex.name}`);
  return { def: base, name: base.name, size: 4, word: d.word, operands };
}
