// Encoder derived from the instruction table.

import { fieldFits, FIELDS, insertField, type FieldName } from './fields';
import { instructionByName, type InstructionDef } from './instructions';
import { syntaxFields } from './syntax';
import { matches } from './decode';

export class EncodeError extends Error {}

/**
 * Encodes `name` with operand values by field name (fields the syntax lists; missing ones are 0).
 * Returns the instruction bits, or an EncodeError for unknown names, out-of-range values or
 * values the encoding reserves. (The assembler checks operands itself and reports diagnostics.)
 */
export function encodeFields(def: InstructionDef, operands: Readonly<Partial<Record<FieldName, number>>>): number | EncodeError {
  let w = def.match;
  const fields = syntaxFields(def.syntax);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as FieldName;
    const v = operands[f] ?? 0;
    const field = FIELDS[f];
    if (!fieldFits(field, v)) return new EncodeError(`${def.name}: ${f}=${v} does not fit`);
    w |= insertField(field, v);
  }
  w >>>= 0;
  if (!matches(def, w)) return new EncodeError(`${def.name}: operands give a reserved encoding`);
  return w;
}

export function encode(name: string, operands: Readonly<Partial<Record<FieldName, number>>> = {}): number {
  const def = instructionByName(name);
  if (!def) throw new EncodeError(`unknown instruction ${name}`);
  const w = encodeFields(def, operands);
  if (w instanceof EncodeError) throw w;
  return w;
}
