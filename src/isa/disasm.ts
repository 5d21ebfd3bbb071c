// objdump-style disassembler derived from the instruction table and the display forms.

import { csrName } from './csrs';
import { extractField, FIELDS, type FieldName } from './fields';
import { INSTRUCTIONS } from './instructions';
import { DISPLAY_ALIASES_32, DISPLAY_FORMS_C, type DisplayForm } from './display';
import { registerName } from './registers';
import { parseSyntax } from './syntax';
import { instructionLength } from './decode';

export interface DisassembleOptions {
  /** Name for an address, shown as `addr <name>` (e.g. `main` or `main+0x4`); undefined: address only. */
  symbolize?: (addr: number) => string | undefined;
  /** objdump's default pseudo-instruction forms (true, the default) or `-M no-aliases` (false). */
  aliases?: boolean;
  /** CSR names of this privileged spec (objdump uses 1.11 for files GNU as built with CSR uses). */
  privSpec?: '1.11' | '1.12';
  /** Value of `__global_pointer$`, to annotate gp-relative addresses as objdump does. */
  gp?: number;
}

const FENCE_SETS = ['unknown', 'w', 'r', 'rw', 'o', 'ow', 'or', 'orw', 'i', 'iw', 'ir', 'irw', 'io', 'iow', 'ior', 'iorw'];

const BASE_FORMS_32: readonly DisplayForm[] = INSTRUCTIONS.filter((d) => d.size === 4).map((d) => ({
  name: d.name, syntax: d.syntax, match: d.match, mask: d.mask, size: 4, alias: false, conds: [],
}));

const FORMS_32_BY_OPCODE: DisplayForm[][] = Array.from({ length: 128 }, () => []);
for (const f of [...DISPLAY_ALIASES_32, ...BASE_FORMS_32]) FORMS_32_BY_OPCODE[f.match & 0x7f]?.push(f);
const FORMS_16_BY_QUADRANT: DisplayForm[][] = Array.from({ length: 32 }, () => []);
for (const f of DISPLAY_FORMS_C) FORMS_16_BY_QUADRANT[((f.match >>> 13) << 2) | (f.match & 3)]?.push(f);

function formMatches(f: DisplayForm, w: number): boolean {
  if (((w ^ f.match) & f.mask) !== 0) return false;
  for (const c of f.conds) {
    const v = extractField(FIELDS[c.field], w);
    if (c.eq !== undefined && v !== c.eq) return false;
    if (c.ne !== undefined && v === c.ne) return false;
  }
  return true;
}

/** The display form objdump uses for `word`, or undefined (printed as `.2byte`/`.4byte`). */
export function displayForm(word: number, aliases = true): DisplayForm | undefined {
  const size = instructionLength(word & 0xffff);
  const w = size === 2 ? word & 0xffff : word >>> 0;
  const list = size === 4 ? FORMS_32_BY_OPCODE[w & 0x7f] : FORMS_16_BY_QUADRANT[((w >>> 13) << 2) | (w & 3)];
  for (const f of list ?? []) {
    if (f.alias && !aliases) continue;
    if (formMatches(f, w)) return f;
  }
  return undefined;
}

const hex = (v: number): string => (v >>> 0).toString(16);

/**
 * A disassembler with objdump's state across instructions: the value a `lui`/`auipc` left in a
 * register is remembered until an instruction uses it as a base, which is then annotated with
 * `# address <symbol>`.
 */
export class Disassembler {
  private readonly hiAddr = new Array<number | undefined>(32).fill(undefined);
  private readonly aliases: boolean;
  private readonly symbolize: ((addr: number) => string | undefined) | undefined;
  private readonly privSpec: '1.11' | '1.12';
  private readonly gp: number | undefined;

  constructor(options: DisassembleOptions = {}) {
    this.aliases = options.aliases ?? true;
    this.symbolize = options.symbolize;
    this.privSpec = options.privSpec ?? '1.12';
    this.gp = options.gp;
  }

  /** Forget remembered register values (objdump does this only once per run; call at will). */
  reset(): void {
    this.hiAddr.fill(undefined);
  }

  private address(addr: number): string {
    const a = addr >>> 0;
    const name = this.symbolize?.(a);
    return name === undefined ? hex(a) : `${hex(a)} <${name}>`;
  }

  /** `mnemonic\toperands` (objdump -d text after the raw bytes) for the instruction at `pc`. */
  disassemble(word: number, pc: number): string {
    const size = instructionLength(word & 0xffff);
    const w = size === 2 ? word & 0xffff : word >>> 0;
    const f = displayForm(w, this.aliases);
    if (!f) return `.${size}byte\t0x${hex(w)}`;
    const rd = (w >>> 7) & 31;
    const rs1 = (w >>> 15) & 31;
    this.printAddr = undefined;
    let out = '';
    for (const t of parseSyntax(f.syntax)) {
      if (t.type === 'punct') out += t.text;
      else if (t.type === 'reg') out += t.text;
      else out += this.operand(t.name, w, pc, size, rd, rs1);
    }
    let text = out === '' ? f.name : `${f.name}\t${out}`;
    if (this.printAddr !== undefined) text += ` # ${this.address(this.printAddr)}`;
    return text;
  }

  /** Address annotation of the instruction being printed (objdump's pd->print_addr). */
  private printAddr: number | undefined;

  /** objdump's maybe_print_address: a base register plus offset, if its value is known. */
  private maybePrintAddress(base: number, offset: number): void {
    const hi = this.hiAddr[base];
    if (hi !== undefined) {
      this.printAddr = (base !== 0 ? hi : 0) + offset;
      this.hiAddr[base] = undefined;
    } else if (base === 3 && this.gp !== undefined) this.printAddr = this.gp + offset;
    else if (base === 4 || base === 0) this.printAddr = offset;
  }

  private operand(name: FieldName, w: number, pc: number, size: 2 | 4, rd: number, rs1: number): string {
    const field = FIELDS[name];
    const v = extractField(field, w);
    switch (field.kind) {
      case 'reg':
        if (size === 4 && name === 'rs1' && (w & 0x707f) === 0x67) {
          this.maybePrintAddress(rs1, extractField(FIELDS.imm12, w)); // jalr base
        } else if (size === 4 && name === 'rd') {
          const op = w & 0x7f;
          if (op === 0x17) this.hiAddr[rd] = (pc + (w & 0xfffff000)) >>> 0;
          else if (op === 0x37) this.hiAddr[rd] = (w & 0xfffff000) >>> 0;
        } else if (size === 2 && name === 'crd' && (w & 0xe003) === 0x6001) {
          this.hiAddr[v] = (extractField(FIELDS.clui, w) << 12) >>> 0;
        }
        return registerName(v);
      case 'simm':
      case 'uimm':
        if (size === 4 && name === 'imm12') {
          const op = w & 0x7f;
          const isAddi = (w & 0x707f) === 0x13;
          if (op === 0x03 || (isAddi && rs1 !== 0) || (w & 0x707f) === 0x67) this.maybePrintAddress(rs1, v);
        } else if (size === 4 && name === 'simm12') {
          this.maybePrintAddress(rs1, v);
        } else if (name === 'cimm6' && (w & 0xe003) === 0x0001 && rd !== 0) {
          this.maybePrintAddress(rd, v); // c.addi
        }
        return String(v);
      case 'shamt':
      case 'upper':
        return `0x${hex(v & 0xfffff)}`;
      case 'pcrel':
        return this.address(pc + v);
      case 'csr':
        return csrName(v, this.privSpec) ?? `0x${hex(v)}`;
      case 'fence':
        return FENCE_SETS[v] ?? String(v);
    }
  }
}

/** objdump-style text for one instruction (`addi\ta0,a0,1`, `jal\tra,80000010 <main>`). */
export function disassemble(word: number, pc: number, options: DisassembleOptions = {}): string {
  return new Disassembler(options).disassemble(word, pc);
}
