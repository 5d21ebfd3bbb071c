// The ISA as data: RV32IMAC + Zicsr + Zifencei. Pure data and functions (no I/O, clock or DOM).

export { INSTRUCTIONS, instructionByName } from './instructions';
export type { InstructionDef, Extension, Format, Constraint, Expansion } from './instructions';
export { FIELDS, extractField, insertField, fieldFits, fieldMask, fieldRange, isFieldName } from './fields';
export type { FieldDef, FieldKind, FieldName, Segment } from './fields';
export { REGISTERS, registerName, registerNumber } from './registers';
export type { RegisterDef } from './registers';
export { CSRS, CSR_ALIASES, csrName, csrNumber } from './csrs';
export type { CsrDef } from './csrs';
export { decode, expand, instructionLength, matches } from './decode';
export type { DecodedInstruction } from './decode';
export { encode, encodeFields, EncodeError } from './encode';
export { disassemble, Disassembler, displayForm } from './disasm';
export type { DisassembleOptions } from './disasm';
export { DISPLAY_FORMS_C, DISPLAY_ALIASES_32 } from './display';
export type { DisplayForm, Cond } from './display';
export { parseSyntax, syntaxFields } from './syntax';
export type { SyntaxToken } from './syntax';
export { KEYWORDS, MNEMONICS, PSEUDO_INSTRUCTIONS, DIRECTIVES, REGISTER_NAMES, CSR_NAMES, RELOCATION_OPERATORS } from './keywords';
