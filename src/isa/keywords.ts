// Words for editor highlighting and completion, derived from the tables.

import { CSRS } from './csrs';
import { INSTRUCTIONS } from './instructions';
import { REGISTERS } from './registers';

/** Pseudo-instructions GNU as (and Rewind's assembler) accept. */
export const PSEUDO_INSTRUCTIONS: readonly string[] = [
  'nop', 'li', 'la', 'lla', 'mv', 'not', 'neg', 'seqz', 'snez', 'sltz', 'sgtz',
  'beqz', 'bnez', 'blez', 'bgez', 'bltz', 'bgtz', 'bgt', 'ble', 'bgtu', 'bleu',
  'j', 'jr', 'ret', 'call', 'tail', 'unimp',
  'csrr', 'csrw', 'csrs', 'csrc', 'csrwi', 'csrsi', 'csrci',
  'rdcycle', 'rdtime', 'rdinstret', 'rdcycleh', 'rdtimeh', 'rdinstreth',
];

/** Assembler directives (with the leading dot). */
export const DIRECTIVES: readonly string[] = [
  '.text', '.data', '.rodata', '.bss', '.section', '.globl', '.global', '.local', '.equ', '.set',
  '.word', '.half', '.short', '.byte', '.2byte', '.4byte', '.ascii', '.asciz', '.string',
  '.zero', '.space', '.skip', '.align', '.p2align', '.balign', '.option', '.type', '.size', '.file',
];

/** Relocation operators usable in operands. */
export const RELOCATION_OPERATORS: readonly string[] = ['%hi', '%lo', '%pcrel_hi', '%pcrel_lo'];

/** Every instruction mnemonic of the table (including `c.*` and AMO ordering variants). */
export const MNEMONICS: readonly string[] = INSTRUCTIONS.map((d) => d.name);

export const REGISTER_NAMES: readonly string[] = [...REGISTERS.flatMap((r) => [r.name, r.abi]), 'fp'];

export const CSR_NAMES: readonly string[] = CSRS.map((c) => c.name);

/** Everything an editor may highlight as a keyword. */
export const KEYWORDS = {
  mnemonics: MNEMONICS,
  pseudoInstructions: PSEUDO_INSTRUCTIONS,
  directives: DIRECTIVES,
  registers: REGISTER_NAMES,
  csrs: CSR_NAMES,
  relocations: RELOCATION_OPERATORS,
} as const;
