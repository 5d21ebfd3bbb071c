// Operand fields of the RV32IMAC encodings as data: which instruction bits hold which value bits.

/** How a field's value is shown and parsed. */
export type FieldKind =
  | 'reg'      // x register number (0..31, or x8..x15 for the 3-bit compressed forms)
  | 'simm'     // signed immediate
  | 'uimm'     // unsigned immediate
  | 'shamt'    // shift amount (objdump prints it in hex)
  | 'upper'    // 20-bit upper immediate of lui/auipc/c.lui (printed in hex)
  | 'pcrel'    // pc-relative branch or jump offset
  | 'csr'      // 12-bit CSR number
  | 'fence';   // 4-bit fence predecessor/successor set

/** `[hi, lo, dst]`: instruction bits hi..lo hold value bits dst..dst+(hi-lo). */
export type Segment = readonly [number, number, number];

export interface FieldDef {
  readonly name: string;
  readonly kind: FieldKind;
  readonly segments: readonly Segment[];
  readonly signed: boolean;
  /** Width of the value in bits (for sign extension and range checks). */
  readonly width: number;
  /** Added to the encoded value (8 for the x8..x15 compressed register fields). */
  readonly offset: number;
  /** Low value bits that are always zero (alignment); the value must be a multiple of 2^scale. */
  readonly scale: number;
  /** Smallest and largest value (precomputed from the above). */
  readonly min: number;
  readonly max: number;
}

function f(name: string, kind: FieldKind, segments: Segment[], signed = false, offset = 0): FieldDef {
  let width = 0;
  let scale = 32;
  for (const [hi, lo, dst] of segments) {
    width = Math.max(width, dst + hi - lo + 1);
    scale = Math.min(scale, dst);
  }
  const min = signed ? -(2 ** (width - 1)) : offset;
  const max = signed ? 2 ** (width - 1) - 2 ** scale : offset + 2 ** width - 2 ** scale;
  return { name, kind, segments, signed, width, offset, scale, min, max };
}

export const FIELDS = {
  // 32-bit formats
  rd: f('rd', 'reg', [[11, 7, 0]]),
  rs1: f('rs1', 'reg', [[19, 15, 0]]),
  rs2: f('rs2', 'reg', [[24, 20, 0]]),
  imm12: f('imm12', 'simm', [[31, 20, 0]], true),
  simm12: f('simm12', 'simm', [[31, 25, 5], [11, 7, 0]], true),
  bimm: f('bimm', 'pcrel', [[31, 31, 12], [30, 25, 5], [11, 8, 1], [7, 7, 11]], true),
  jimm: f('jimm', 'pcrel', [[31, 31, 20], [30, 21, 1], [20, 20, 11], [19, 12, 12]], true),
  uimm20: f('uimm20', 'upper', [[31, 12, 0]]),
  shamt: f('shamt', 'shamt', [[24, 20, 0]]),
  /** RV64 shift amount; objdump decodes it on RV32 too. */
  shamt6: f('shamt6', 'shamt', [[25, 20, 0]]),
  csr: f('csr', 'csr', [[31, 20, 0]]),
  zimm: f('zimm', 'uimm', [[19, 15, 0]]),
  pred: f('pred', 'fence', [[27, 24, 0]]),
  succ: f('succ', 'fence', [[23, 20, 0]]),
  // 16-bit (RVC) formats
  crd: f('crd', 'reg', [[11, 7, 0]]),
  crs1: f('crs1', 'reg', [[11, 7, 0]]),
  crs2: f('crs2', 'reg', [[6, 2, 0]]),
  crdq: f('crdq', 'reg', [[4, 2, 0]], false, 8),
  crs2q: f('crs2q', 'reg', [[4, 2, 0]], false, 8),
  crs1q: f('crs1q', 'reg', [[9, 7, 0]], false, 8),
  cimm6: f('cimm6', 'simm', [[12, 12, 5], [6, 2, 0]], true),
  cshamt: f('cshamt', 'shamt', [[6, 2, 0]]),
  /** Bit 12 of the compressed shifts is shamt[5] (RV64); objdump shows it on RV32 too. */
  cshamt6: f('cshamt6', 'shamt', [[12, 12, 5], [6, 2, 0]]),
  clui: f('clui', 'upper', [[12, 12, 5], [6, 2, 0]], true),
  caddi16sp: f('caddi16sp', 'simm', [[12, 12, 9], [6, 6, 4], [5, 5, 6], [4, 3, 7], [2, 2, 5]], true),
  caddi4spn: f('caddi4spn', 'uimm', [[12, 11, 4], [10, 7, 6], [6, 6, 2], [5, 5, 3]]),
  clw: f('clw', 'uimm', [[12, 10, 3], [6, 6, 2], [5, 5, 6]]),
  clwsp: f('clwsp', 'uimm', [[12, 12, 5], [6, 4, 2], [3, 2, 6]]),
  cswsp: f('cswsp', 'uimm', [[12, 9, 2], [8, 7, 6]]),
  cjimm: f('cjimm', 'pcrel', [[12, 12, 11], [11, 11, 4], [10, 9, 8], [8, 8, 10], [7, 7, 6], [6, 6, 7], [5, 3, 1], [2, 2, 5]], true),
  cbimm: f('cbimm', 'pcrel', [[12, 12, 8], [11, 10, 3], [6, 5, 6], [4, 3, 1], [2, 2, 5]], true),
} as const satisfies Record<string, FieldDef>;

export type FieldName = keyof typeof FIELDS;

export function isFieldName(name: string): name is FieldName {
  return Object.prototype.hasOwnProperty.call(FIELDS, name);
}

/** Instruction bits occupied by a field. */
export function fieldMask(field: FieldDef): number {
  let m = 0;
  for (const [hi, lo] of field.segments) m |= (((2 ** (hi - lo + 1)) - 1) << lo);
  return m >>> 0;
}

/** The field's value in `word` (sign-extended, scaled, register offset applied). */
export function extractField(field: FieldDef, word: number): number {
  let v = 0;
  for (const [hi, lo, dst] of field.segments) {
    const bits = (word >>> lo) & ((2 ** (hi - lo + 1)) - 1);
    v |= bits << dst;
  }
  if (field.signed && field.width < 32) {
    const shift = 32 - field.width;
    v = (v << shift) >> shift;
  } else {
    v >>>= 0;
  }
  return v + field.offset;
}

/** Whether `value` can be encoded in the field (range, alignment, register class). */
export function fieldFits(field: FieldDef, value: number): boolean {
  if (value < field.min || value > field.max || !Number.isInteger(value)) return false;
  return field.scale === 0 || ((value - field.offset) & ((1 << field.scale) - 1)) === 0;
}

/** The value range of a field, for diagnostics: [min, max, step]. */
export function fieldRange(field: FieldDef): [number, number, number] {
  return [field.min, field.max, 2 ** field.scale];
}

/** The instruction bits for `value` (which must fit; use fieldFits first). */
export function insertField(field: FieldDef, value: number): number {
  const v = (value - field.offset) | 0;
  let w = 0;
  for (const [hi, lo, dst] of field.segments) {
    const bits = (v >>> dst) & ((2 ** (hi - lo + 1)) - 1);
    w |= bits << lo;
  }
  return w >>> 0;
}
