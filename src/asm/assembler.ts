// The assembler driver: source -> statements -> section items -> layout -> linked image.

import { encodeFields, EncodeError, FIELDS, fieldFits, type FieldName, type InstructionDef, instructionByName } from '../isa';
import { closest, Diagnostics, type Diagnostic, type Span } from './diagnostics';
import { directive, type DirectiveHost } from './directives';
import { displayName, evaluate, ExprError, LOCAL_SEP, parseExpr, type Expr, type ParseContext, type RelocContext } from './expr';
import { FORMS, MACROS, type AsmForm } from './forms';
import { lexEach, type Statement, type Token } from './lexer';
import { LineMap, type LineEntry } from './linemap';
import { codeFill, link, offsetAt, relaxSection, type LabelPos } from './layout';
import { makeListing } from './listing';
import { OperandMatcher, rangeText, type MatchFail } from './operands';
import { expandMacro, type MacroHost } from './pseudo';
import { outputKindOf, Section, type Item, type OutputKind, type Placed } from './sections';
import { EQU, LABEL, SymbolFailure, SymbolTable, type Failure } from './symbols';

export interface AssembleOptions {
  /** Address of .text (default 0x80000000, QEMU virt RAM). */
  textBase?: number;
  /** Start with RVC enabled (default true, like -march=rv32imac). */
  rvc?: boolean;
  /**
   * The most memory the program may occupy, from its lowest to its highest address, .bss
   * included: the machine's RAM size (default 128 MiB). A larger program is an error found
   * before anything is allocated.
   */
  ramSize?: number;
}

/** QEMU virt's RAM size, Rewind's default. */
export const DEFAULT_RAM_SIZE = 128 * 1024 * 1024;

export interface AsmSymbol {
  name: string;
  addr: number;
  global: boolean;
  /** Output section name (.text, .rodata, .data, .bss, ...), or null for absolute (.equ) symbols. */
  section: string | null;
  type: 'func' | 'object' | 'notype';
  size: number;
}

export interface SectionImage {
  name: string;
  kind: OutputKind;
  addr: number;
  size: number;
  align: number;
  code: boolean;
  /** Contents; null for .bss/.sbss. */
  data: Uint8Array | null;
}

export interface LoadSegment { addr: number; data: Uint8Array; memSize: number }

export interface AssembleResult {
  /** True when there are no errors (warnings allowed). */
  ok: boolean;
  diagnostics: Diagnostic[];
  entry: number;
  segments: LoadSegment[];
  sections: SectionImage[];
  symbols: AsmSymbol[];
  lineMap: LineMap;
  /** objdump-style listing of the source with addresses and bytes. */
  listing(): string;
  /** True if the program may contain compressed instructions (ELF EF_RISCV_RVC). */
  rvc: boolean;
  /** Where code and data alternate inside code sections (ELF mapping symbols $x / $d). */
  mapping: { addr: number; kind: 'code' | 'data' }[];
  /** The program uses CSR instructions (GNU as then records privileged spec 1.11 in the ELF attributes). */
  usesCsr: boolean;
}


/** Candidates for "did you mean" on an unknown mnemonic. */
const MNEMONIC_NAMES = [...FORMS.keys(), ...MACROS];

const INVERT: Record<string, string> = { beq: 'bne', bne: 'beq', blt: 'bge', bge: 'blt', bltu: 'bgeu', bgeu: 'bltu', 'c.beqz': 'c.bnez', 'c.bnez': 'c.beqz' };

function def(name: string): InstructionDef {
  const d = instructionByName(name);
  if (!d) throw new Error(`no instruction ${name}`);
  return d;
}

class Assembler implements MacroHost, DirectiveHost {
  readonly diags = new Diagnostics();
  readonly sections: Section[] = [];
  private readonly sectionMap = new Map<string, Section>();
  private cur: Section;
  rvc: boolean;
  private rvcUsed: boolean;
  private readonly optionStack: boolean[] = [];
  private readonly symtab = new SymbolTable();
  /** The image limit (AssembleOptions.ramSize). */
  readonly limit: number;
  private readonly bindings = new Map<string, 'global' | 'local'>();
  private readonly types = new Map<string, string>();
  private readonly sizes = new Map<string, Expr>();
  private readonly localCount = new Map<number, number>();
  private internal = 0;
  line = 0;
  private stmtSpan: Span = { line: 0, column: 1, endColumn: 2 };
  private readonly parseCtx: ParseContext;

  constructor(private readonly options: AssembleOptions) {
    this.rvc = options.rvc ?? true;
    const ram = options.ramSize;
    this.limit = ram !== undefined && Number.isFinite(ram) && ram > 0 ? Math.floor(ram) : DEFAULT_RAM_SIZE;
    this.rvcUsed = this.rvc;
    this.cur = this.getSection('.text');
    this.getSection('.data');
    this.getSection('.bss');
    this.parseCtx = new AsmParseContext(this);
  }

  // ---- sections
  private getSection(name: string): Section {
    let s = this.sectionMap.get(name);
    if (!s) {
      const kind = outputKindOf(name) ?? 'data';
      const align = name === '.text' ? (this.rvc ? 2 : 4) : 1;
      s = new Section(name, kind, kind === 'text', kind === 'bss' || kind === 'sbss', align);
      this.sectionMap.set(name, s);
      this.sections.push(s);
    }
    return s;
  }

  section(name: string, span: Span): void {
    if (!outputKindOf(name)) {
      this.error(span, `unsupported section ${name}: use .text, .rodata, .data, .bss, .sdata or .sbss (optionally with a suffix, like .rodata.str)`);
      return;
    }
    this.cur = this.getSection(name);
  }

  currentSectionIsCode(): boolean {
    return this.cur.code;
  }

  offset(): number {
    return this.cur.size;
  }

  private add(item: Item, size: number): Placed {
    this.run = undefined;
    if (this.cur.nobits && !(item.k === 'fill' && item.value === 0) && item.k !== 'align') {
      this.error(this.stmtSpan, `${this.cur.name} holds only zeros: use .zero/.space here or switch to .data`);
      return this.cur.add({ k: 'fill', count: size, width: 1, value: 0 }, this.line, this.stmtSpan.column, size);
    }
    return this.cur.add(item, this.line, this.stmtSpan.column, size);
  }

  /**
   * Constant data of the current statement, gathered into one growing bytes item (a million
   * `.byte` values are one item, not a million). Labels and other items end it.
   */
  private run: { sec: Section; placed: Placed; statement: number } | undefined;
  private statementNo = 0;

  private appendBytes(v: number, width: number): void {
    let run = this.run;
    if (!run || run.sec !== this.cur || run.statement !== this.statementNo) {
      const placed = this.add({ k: 'bytes', data: new Uint8Array(16) }, 0);
      run = { sec: this.cur, placed, statement: this.statementNo };
      this.run = run;
    }
    const p = run.placed;
    const it = p.item as Item & { k: 'bytes' };
    if (p.size + width > it.data.length) {
      const bigger = new Uint8Array(Math.max(it.data.length * 2, p.size + width));
      bigger.set(it.data);
      it.data = bigger;
    }
    putLE(it.data, p.size, v, width);
    p.size += width;
    this.cur.size += width;
  }

  // ---- diagnostics
  error(span: Span, message: string): void { this.diags.error(span, message); }
  get quiet(): boolean { return this.diags.full; }
  warning(span: Span, message: string): void { this.diags.warning(span, message); }

  // ---- symbols
  localRef(n: number, forward: boolean, span: Span): string {
    const count = this.localCount.get(n) ?? 0;
    if (!forward && count === 0) {
      this.diags.error(span, `no label ${n}: before this line for ${n}b: define '${n}:' earlier or use ${n}f`);
    }
    return `.L${n}${LOCAL_SEP}${forward ? count + 1 : count}`;
  }

  hereLabel(): string {
    const name = `.Lrw\u0003${this.internal++}`;
    this.defineLabel(name, this.stmtSpan);
    return name;
  }

  symbolRef(name: string): number {
    return this.symtab.ref(name);
  }

  private defineLabel(name: string, span: Span): void {
    this.run = undefined;
    const prev = this.symtab.defineLabel(name, { sec: this.cur, index: this.cur.items.length }, this.line, span);
    if (prev) this.error(span, `duplicate symbol '${name}': already defined on line ${prev.line}; rename one of them`);
  }

  equ(name: string, expr: Expr, span: Span, equiv = false): void {
    const message = this.symtab.defineEqu(name, expr, this.line, span, equiv);
    if (message) this.error(span, message);
  }

  bind(name: string, binding: 'global' | 'local'): void { this.bindings.set(name, binding); }
  symbolType(name: string, type: string): void { this.types.set(name, type); }
  symbolSize(name: string, e: Expr): void { this.sizes.set(name, e); }

  option(name: string, span: Span): void {
    switch (name) {
      case 'rvc': this.rvc = true; this.rvcUsed = true; return;
      case 'norvc': this.rvc = false; return;
      case 'push': this.optionStack.push(this.rvc); return;
      case 'pop': {
        const v = this.optionStack.pop();
        if (v === undefined) this.error(span, '.option pop without a matching .option push');
        else this.rvc = v;
        return;
      }
      case 'relax': case 'norelax': case 'pic': case 'nopic':
        return; // Rewind assembles like -mno-relax, non-PIC
    }
    this.error(span, `unknown .option ${name}: use rvc, norvc, push or pop`);
  }

  private readonly constNowFn = (e: Expr): number | undefined => this.symtab.constNow(e);

  private constNowExpr(e: Expr): number | undefined {
    return this.symtab.constNow(e);
  }

  constNow(e: Expr): number | undefined;
  constNow(tokens: readonly Token[], s: number, e: number): number | undefined | null;
  constNow(a: Expr | readonly Token[], s?: number, e?: number): number | undefined | null {
    if (!Array.isArray(a)) return this.constNowExpr(a as Expr);
    const ex = this.expr(a as readonly Token[], s ?? 0, e ?? 0);
    return ex ? this.constNowExpr(ex) : null;
  }

  expr(tokens: readonly Token[], s: number, e: number): Expr | undefined {
    try {
      return parseExpr(tokens, s, e, this.parseCtx);
    } catch (err) {
      if (err instanceof ExprError) { this.error(err.span, err.message); return undefined; }
      throw err;
    }
  }

  // ---- data
  data(width: 1 | 2 | 4, e: Expr, span: Span): void {
    const v = this.cur.nobits ? undefined : this.constNowExpr(e);
    if (v === undefined) {
      this.add({ k: 'data', width, expr: e, span }, width);
      return;
    }
    this.truncationWarning(v, width, span);
    this.appendBytes(v, width);
  }

  private truncationWarning(v: number, width: number, span: Span): void {
    const bits = width * 8;
    if (bits < 32 && (v >= 2 ** bits || v < -(2 ** (bits - 1)))) {
      this.diags.warning(span, `value ${v} does not fit in ${width} byte${width > 1 ? 's' : ''}; truncated to 0x${(v & (2 ** bits - 1)).toString(16)}`);
    } else if (bits === 32 && (v >= 2 ** 32 || v < -(2 ** 31))) {
      this.diags.warning(span, `value ${v} does not fit in 4 bytes; truncated`);
    }
  }
  bytes(data: number[]): void {
    this.add({ k: 'bytes', data: Uint8Array.from(data) }, data.length);
  }
  fill(count: number, width: number, value: number): void {
    this.add({ k: 'fill', count, width, value }, count * width);
  }
  align(pow: number, fill: number | undefined, max: number | undefined): void {
    this.cur.align = Math.max(this.cur.align, 2 ** pow);
    this.add({ k: 'align', pow, fill, max, code: this.cur.code && fill === undefined }, 0);
  }
  raw(bytes: number[]): void {
    this.add({ k: 'bytes', data: Uint8Array.from(bytes) }, bytes.length);
    this.markInsn();
  }

  private usesCsr = false;
  private markInsn(): void {
    const p = this.cur.items[this.cur.items.length - 1];
    if (p) p.insn = true;
  }

  // ---- instructions
  instruction(mnemonic: string, tokens: Token[], span: Span): void {
    this.instructionAt(mnemonic, tokens, 0, tokens.length, span, true);
  }

  private instructionAt(mnemonicIn: string, tokens: readonly Token[], start: number, end: number, span: Span, fromMacro = false): void {
    let mnemonic = mnemonicIn;
    let only32 = false;
    if (mnemonic.endsWith('.32')) { mnemonic = mnemonic.slice(0, -3); only32 = true; }
    if (!fromMacro && MACROS.includes(mnemonic) && expandMacro(this, mnemonic, tokens, start, end, span)) return;
    const forms = FORMS.get(mnemonic);
    if (!forms) {
      const hint = this.diags.full ? undefined : closest(mnemonic, MNEMONIC_NAMES);
      this.error(span, `unknown instruction '${mnemonic}'${hint ? `: did you mean ${hint}?` : ''}`);
      return;
    }
    const explicitC = mnemonic.startsWith('c.');
    if (explicitC && !this.rvc) {
      this.error(span, `${mnemonic} is a compressed instruction but RVC is off here (.option norvc): use the 32-bit form or .option rvc`);
      return;
    }
    const matcher = new OperandMatcher(tokens, start, end, this.line, this.parseCtx, this.constNowFn, mnemonic);
    let best: MatchFail | undefined;
    let bestForm: AsmForm | undefined;
    for (const form of forms) {
      if (form.rvc && !explicitC && (!this.rvc || only32)) continue;
      const r = matcher.match(form);
      if (!r.ok) {
        if (!best || r.score >= best.score) { best = r; bestForm = form; }
        continue;
      }
      if (form.branch) {
        if (!r.target) throw new Error('branch form without target');
        const jump = form.def.name === 'jal' || form.def.name === 'c.j' || form.def.name === 'c.jal';
        this.add({ k: 'branch', def: form.def, ops: r.ops, target: r.target.expr, targetSpan: r.target.span, rvc: form.rvc, jump }, form.rvc ? 2 : 4);
      } else {
        this.add({ k: 'insn', def: form.def, ops: r.ops, deferred: r.deferred }, form.def.size);
        if (form.def.extension === 'Zicsr') this.usesCsr = true;
      }
      this.markInsn();
      return;
    }
    if (this.diags.full) {
      this.error(span, `${mnemonic}: bad operands`); // counted, not kept: no need to explain
    } else if (best && bestForm) {
      // Match the most promising form again, this time building the message.
      matcher.verbose = true;
      const r = matcher.match(bestForm);
      if (!r.ok) this.error(r.span, r.message);
    } else {
      this.error(span, `${mnemonic} is not available here`);
    }
  }

  // ---- statements
  /** One statement from the lexer; an unexpected exception becomes a diagnostic, never escapes. */
  statement(st: Statement): void {
    this.statementNo++;
    try {
      this.assembleStatement(st.line, st.tokens);
    } catch (err) {
      const first = st.tokens[0];
      this.diags.error({ line: st.line, column: first?.col ?? 1, endColumn: (st.tokens[st.tokens.length - 1]?.end ?? 2) },
        `internal assembler error: ${err instanceof Error ? err.message : String(err)} (please report this line)`);
    }
  }

  private assembleStatement(line: number, tokens: Token[]): void {
    this.line = line;
    let i = 0;
    const first = tokens[0] as Token;
    const last = tokens[tokens.length - 1] as Token;
    this.stmtSpan = { line, column: first.col, endColumn: last.end };
    // labels
    while (i + 1 < tokens.length && tokens[i + 1]?.text === ':' && tokens[i + 1]?.kind === 'punct') {
      const t = tokens[i] as Token;
      const span = { line, column: t.col, endColumn: t.end };
      if (t.kind === 'ident') this.defineLabel(t.text, span);
      else if (t.kind === 'num' && /^[0-9]+$/.test(t.text)) {
        const n = t.value;
        const count = (this.localCount.get(n) ?? 0) + 1;
        this.localCount.set(n, count);
        this.defineLabel(`.L${n}${LOCAL_SEP}${count}`, span);
      } else {
        this.error(span, `bad label '${t.text}': labels are names (letters, digits, _ . $) or numbers for local labels`);
      }
      i += 2;
    }
    if (i >= tokens.length) return;
    const head = tokens[i] as Token;
    const span: Span = { line, column: head.col, endColumn: last.end };
    this.stmtSpan = span;
    if (head.kind !== 'ident') {
      this.error({ line, column: head.col, endColumn: head.end }, `expected an instruction, a directive or a label, not '${head.text}'`);
      return;
    }
    // name = expr
    if (tokens[i + 1]?.text === '=' && tokens[i + 1]?.kind === 'punct') {
      const e = this.expr(tokens, i + 2, tokens.length);
      if (e) this.equ(head.text, e, { line, column: head.col, endColumn: head.end });
      return;
    }
    if (head.text.startsWith('.')) {
      const name = head.text.toLowerCase();
      if (name === '.equiv') {
        // .equiv NAME, value: like .equ but never redefined
        const comma = tokens.findIndex((t, k) => k > i && t.text === ',');
        const nameTok = tokens[i + 1];
        if (comma > 0 && nameTok?.kind === 'ident') {
          const e = this.expr(tokens, comma + 1, tokens.length);
          if (e) this.equ(nameTok.text, e, { line, column: nameTok.col, endColumn: nameTok.end }, true);
          return;
        }
      }
      directive(this, name, tokens, i + 1, tokens.length, span);
      return;
    }
    this.instructionAt(head.text.toLowerCase(), tokens, i + 1, tokens.length, span);
  }

  // ---- finishing
  private labelPos = (id: number): LabelPos | undefined => {
    const sym = this.symtab.syms[id];
    return sym?.kind === LABEL ? sym.pos : undefined;
  };

  private readonly labelAddr = (pos: LabelPos): number => (pos.sec.addr + offsetAt(pos.sec, pos.index)) >>> 0;

  finish(source: string): AssembleResult {
    for (const s of this.sections) relaxSection(s, this.labelPos);
    const textBase = (this.options.textBase ?? 0x80000000) >>> 0;
    const linked = link(this.sections, textBase);
    // Before anything is allocated: does the program fit?
    const fits = this.checkSize();
    const symtab = this.symtab;
    symtab.resolveAll(this.labelAddr, linked.symbols, (f) => this.diags.error(f.span, f.message));
    const resolve = symtab.value;

    // %pcrel_hi results by auipc address, for %pcrel_lo(label).
    const pcrelHi = new Map<number, number>();
    for (const s of this.sections) {
      for (const p of s.items) {
        if (p.item.k !== 'insn') continue;
        for (const d of p.item.deferred) {
          if (d.expr.k === 'reloc' && d.expr.fn === 'pcrel_hi') {
            try {
              const pc = s.addr + p.offset;
              pcrelHi.set(pc >>> 0, evaluate(d.expr.a, resolve) - pc);
            } catch { /* reported when the auipc itself is encoded */ }
          }
        }
      }
    }

    this.rc = new PcrelContext(pcrelHi);
    // Segments: text+rodata, then data+sdata (+ sbss/bss as memSize). Sections are views into them.
    const segments: LoadSegment[] = [];
    const [tStart, tEnd] = linked.textSegment;
    if (tEnd > tStart) segments.push({ addr: tStart, data: new Uint8Array(fits ? tEnd - tStart : 0), memSize: tEnd - tStart });
    const [, dFile, dEnd] = linked.dataSegment;
    let first = Infinity;
    for (const sec of this.sections) if (sec.kind !== 'text' && sec.kind !== 'rodata' && sec.size > 0) first = Math.min(first, sec.addr);
    if (first !== Infinity) {
      const fileEnd = Math.max(first, dFile);
      segments.push({ addr: first, data: new Uint8Array(fits ? fileEnd - first : 0), memSize: Math.max(dEnd, fileEnd) - first });
    }
    const images: SectionImage[] = [];
    const lineEntries: LineEntry[] = [];
    const mapping: AssembleResult['mapping'] = [];
    const empty = new Uint8Array(0);
    for (const s of this.sections) {
      let data: Uint8Array | null = null;
      if (!s.nobits) {
        const seg = segments.find((g) => s.addr >= g.addr && s.addr + s.size <= g.addr + g.data.length);
        // Over the limit, items are still encoded (into nothing) so that their errors are reported.
        data = seg ? seg.data.subarray(s.addr - seg.addr, s.addr - seg.addr + s.size) : fits ? new Uint8Array(s.size) : empty;
      }
      let mode: 'code' | 'data' | undefined;
      for (const p of s.items) {
        const addr = (s.addr + p.offset) >>> 0;
        if (s.code && p.size > 0 && p.item.k !== 'align') {
          const kind = p.insn ? 'code' : 'data';
          if (kind !== mode) { mapping.push({ addr, kind }); mode = kind; }
        }
        if (p.size > 0 || p.item.k !== 'align') lineEntries.push({ addr, size: p.size, line: p.line, insn: p.insn });
        if (data) this.emit(p, addr, data);
      }
      if (data && s.code) {
        const end = s.items.length > 0 ? (s.items[s.items.length - 1] as Placed).offset + (s.items[s.items.length - 1] as Placed).size : 0;
        if (s.size > end) codeFill(data, end, s.size - end);
      }
      images.push({ name: s.name, kind: s.kind, addr: s.addr, size: s.size, align: s.align, code: s.code, data: fits ? data : null });
    }
    if (!fits) segments.length = 0;

    const symbols: AsmSymbol[] = [];
    for (const [name, id] of symtab.current) {
      const sym = symtab.syms[id];
      if (sym?.kind === LABEL && sym.pos) {
        if (name.startsWith('.L')) continue;
        const addr = this.labelAddr(sym.pos);
        const t = this.types.get(name) ?? '';
        let size = 0;
        const se = this.sizes.get(name);
        if (se) { try { size = evaluate(se, resolve); } catch { size = 0; } }
        symbols.push({
          name, addr, global: this.bindings.get(name) === 'global', section: sym.pos.sec.name,
          type: /function/.test(t) ? 'func' : /object/.test(t) ? 'object' : 'notype', size,
        });
      } else if (sym?.kind === EQU) {
        let v: number | undefined;
        try { v = resolve(id); } catch { v = undefined; }
        if (v !== undefined) symbols.push({ name, addr: v >>> 0, global: this.bindings.get(name) === 'global', section: null, type: 'notype', size: 0 });
      }
    }
    // GNU ld's script symbols, as in its output (objdump uses __global_pointer$ for gp-relative addresses).
    for (const name of ['__global_pointer$', '__DATA_BEGIN__', '__SDATA_BEGIN__', '__bss_start', '__BSS_END__', '_edata', '_end']) {
      const v = linked.symbols.get(name);
      const kind = symtab.get(name)?.kind;
      if (v !== undefined && kind !== LABEL && kind !== EQU) {
        symbols.push({ name, addr: v >>> 0, global: true, section: null, type: 'notype', size: 0 });
      }
    }
    symbols.sort((a, b) => a.addr - b.addr || a.name.localeCompare(b.name));

    const start = symtab.get('_start');
    const entry = start?.kind === LABEL && start.pos ? this.labelAddr(start.pos) : textBase;
    const lineMap = new LineMap(lineEntries);
    const diagnostics = this.diags.sorted();
    // From the (at most two) segments: looking through the sections would be slow with thousands of them.
    const read = (addr: number, size: number): Uint8Array => {
      for (const g of segments) {
        if (addr >= g.addr && addr + size <= g.addr + g.data.length) return g.data.subarray(addr - g.addr, addr - g.addr + size);
      }
      return new Uint8Array(size);
    };
    return {
      ok: this.diags.errorCount === 0,
      diagnostics,
      entry,
      segments,
      sections: images,
      symbols,
      lineMap,
      listing: () => makeListing(source, lineMap.entries, read),
      rvc: this.rvcUsed,
      mapping,
      usesCsr: this.usesCsr,
    };
  }

  /**
   * Whether the laid-out program fits in `limit` bytes and in the 32-bit address space; if not,
   * reports it at the statement whose item crosses the limit.
   */
  private checkSize(): boolean {
    let lo = Infinity;
    let hi = 0;
    for (const s of this.sections) {
      if (s.size === 0) continue;
      lo = Math.min(lo, s.addr);
      hi = Math.max(hi, s.addr + s.size);
    }
    if (hi <= lo) return true;
    const end = Math.min(lo + this.limit, 0x100000000);
    if (hi <= end) return true;
    // The item where the limit is crossed: sections do not overlap, so in the lowest section that crosses it.
    let culprit: Placed | undefined;
    let culpritAt = Infinity;
    for (const s of this.sections) {
      if (s.addr + s.size <= end || s.addr >= culpritAt) continue;
      const p = s.items.find((q) => s.addr + q.offset + q.size > end) ?? s.items[s.items.length - 1];
      if (p) { culprit = p; culpritAt = s.addr; }
    }
    const span: Span = culprit ? { line: culprit.line, column: culprit.col, endColumn: culprit.col + 1 } : { line: 1, column: 1, endColumn: 2 };
    const size = hi - lo;
    this.diags.error(span, end < lo + this.limit
      ? `the program would end at ${hex(hi)}, past the 32-bit address space (it starts at ${hex(lo)}): make it smaller or use a lower --text-base`
      : `the program image would be ${bytesText(size)} (${hex(lo)}..${hex(hi)}), more than the RAM size of ${bytesText(this.limit)}; `
        + 'this statement takes it past the limit: make it smaller (.space, .fill, .zero, alignment) or give the machine more RAM');
    return false;
  }

  private rc: PcrelContext = new PcrelContext(new Map());

  /** Final value of an expression, reporting problems (undefined if it has none). */
  private ev(e: Expr): number | undefined {
    try {
      return evaluate(e, this.symtab.value, this.rc);
    } catch (err) {
      if (err instanceof SymbolFailure) {
        const f: Failure = err.failure;
        if (!f.reported) { f.reported = true; this.diags.error(f.span, f.message); }
        return undefined;
      }
      if (!(err instanceof ExprError)) throw err;
      const sym = err.symbol ?? '';
      const sep = sym.indexOf(LOCAL_SEP);
      if (sym.startsWith('.L') && sep > 2) {
        const n = sym.slice(2, sep);
        // Instance 0 is a backward reference with no earlier label: reported while parsing.
        if (sym.slice(sep + 1) !== '0') this.diags.error(err.span, `no label ${n}: after this line for ${n}f: define '${n}:' later or use ${n}b`);
      } else {
        this.diags.error(err.span, err.message);
      }
      return undefined;
    }
  }

  private encodeOrReport(d: InstructionDef, ops: Partial<Record<FieldName, number>>, span: Span): number {
    const w = encodeFields(d, ops);
    if (w instanceof EncodeError) {
      this.diags.error(span, `${d.name}: operands give a reserved encoding (${w.message}); check the registers and immediates`);
      return 0;
    }
    return w;
  }

  /** Whether a branch/jump offset fits `d`; reports when not. */
  private targetFits(d: InstructionDef, value: number, target: number, span: Span): boolean {
    if (fieldFits(FIELDS[pcField(d)], value)) return true;
    const msg = value % 2 !== 0 ? `branch target ${target.toString(16)} is not 2-byte aligned`
      : d.name === 'jal' ? 'jump target out of range (±1 MiB from here): use call/tail, or jr with la'
        : `branch target out of range for ${d.name}`;
    this.diags.error(span, msg);
    return false;
  }

  private emit(p: Placed, addr: number, data: Uint8Array): void {
    const it = p.item;
    const at = p.offset;
    this.rc.pc = addr;
    switch (it.k) {
      case 'insn': {
        const ops = it.deferred.length > 0 ? { ...it.ops } : it.ops;
        for (const d of it.deferred) {
          const v0 = this.ev(d.expr);
          if (v0 === undefined) continue;
          const field = FIELDS[d.field];
          let v = v0;
          if (field.signed && v >= 0x80000000 && v <= 0xffffffff) v -= 0x100000000;
          if (!fieldFits(field, v)) {
            const hint = field.kind === 'upper' ? ' (use %hi(symbol) for the upper 20 bits)' : field.kind === 'simm' ? ' (use %lo(symbol) for the lower 12 bits)' : '';
            this.diags.error(d.span, `value ${v0} out of range for ${it.def.name} ${d.field}: ${rangeText(field)}${hint}`);
            continue;
          }
          ops[d.field] = v;
        }
        putLE(data, at, this.encodeOrReport(it.def, ops, { line: p.line, column: 1, endColumn: 2 }), it.def.size);
        return;
      }
      case 'branch': {
        const target = this.ev(it.target);
        if (target === undefined) return;
        const off = (target - addr) | 0;
        const span = it.targetSpan;
        if (p.size === 2) {
          if (this.targetFits(it.def, off, target, span)) putLE(data, at, this.encodeOrReport(it.def, { ...it.ops, [pcField(it.def)]: off }, span), 2);
          return;
        }
        const [d, ops] = wideBranch(it.def, it.ops);
        if (p.size === 4) {
          if (this.targetFits(d, off, target, span)) putLE(data, at, this.encodeOrReport(d, { ...ops, [pcField(d)]: off }, span), 4);
          return;
        }
        // Inverted branch over a jal to the target.
        const jal = def('jal');
        const skip = p.size === 6 ? 2 : 4;
        if (p.size === 6) putLE(data, at, this.encodeOrReport(def(INVERT[it.def.name] ?? it.def.name), { ...it.ops, cbimm: 6 }, span), 2);
        else putLE(data, at, this.encodeOrReport(def(INVERT[d.name] ?? d.name), { ...ops, bimm: 8 }, span), 4);
        if (this.targetFits(jal, off - skip, target, span)) putLE(data, at + skip, this.encodeOrReport(jal, { rd: 0, jimm: off - skip }, span), 4);
        return;
      }
      case 'data': {
        const v = this.ev(it.expr);
        if (v === undefined) return;
        this.truncationWarning(v, it.width, it.span);
        putLE(data, at, v, it.width);
        return;
      }
      case 'bytes':
        if (at + p.size <= data.length) data.set(p.size === it.data.length ? it.data : it.data.subarray(0, p.size), at);
        return;
      case 'fill':
        fillPattern(data, at, it.count, it.width, it.value);
        return;
      case 'align':
        if (p.size === 0) return;
        if (it.code) codeFill(data, at, p.size);
        else data.fill((it.fill ?? 0) & 0xff, at, at + p.size);
        return;
    }
  }
}

/** Expression parsing context: symbols, numeric local labels, `.` and the current line. */
class AsmParseContext implements ParseContext {
  constructor(private readonly asm: Assembler) {}
  get line(): number { return this.asm.line; }
  symbol(name: string): number { return this.asm.symbolRef(name); }
  localRef(n: number, forward: boolean, span: Span): string { return this.asm.localRef(n, forward, span); }
  dot(): string { return this.asm.hereLabel(); }
}

/** %pcrel_lo context: the current pc and the %pcrel_hi offsets by auipc address. */
class PcrelContext implements RelocContext {
  pc = 0;
  constructor(private readonly hi: Map<number, number>) {}
  pcrelHiAt(labelAddr: number): number | undefined {
    return this.hi.get(labelAddr);
  }
}

/** `count` copies of `value` as `width` little-endian bytes (zero past the 4th), by doubling copies. */
function fillPattern(data: Uint8Array, at: number, count: number, width: number, value: number): void {
  const total = Math.min(count * width, data.length - at);
  if (total <= 0) return;
  if (width === 1 || value === 0) { data.fill(width === 1 ? value & 0xff : 0, at, at + total); return; }
  for (let b = 0; b < width && b < total; b++) data[at + b] = b < 4 ? (value >>> (8 * b)) & 0xff : 0;
  for (let done = width; done < total; done *= 2) data.copyWithin(at + done, at, at + Math.min(done, total - done));
}

const hex = (v: number): string => `0x${v.toString(16)}`;

/** "134,217,728 bytes (128 MiB)". */
function bytesText(n: number): string {
  const units: [number, string][] = [[2 ** 40, 'TiB'], [2 ** 30, 'GiB'], [2 ** 20, 'MiB'], [2 ** 10, 'KiB']];
  const unit = units.find(([u]) => n >= u);
  const approx = unit ? ` (${Number((n / unit[0]).toFixed(n % unit[0] === 0 ? 0 : 1))} ${unit[1]})` : '';
  return `${n.toLocaleString('en-US')} bytes${approx}`;
}

function putLE(data: Uint8Array, at: number, v: number, n: number): void {
  for (let k = 0; k < n; k++) data[at + k] = (v >>> (8 * k)) & 0xff;
}

function pcField(d: InstructionDef): FieldName {
  return d.name === 'jal' ? 'jimm' : d.name === 'c.j' || d.name === 'c.jal' ? 'cjimm' : d.name.startsWith('c.') ? 'cbimm' : 'bimm';
}

/** The 32-bit instruction a compressed branch/jump stands for. */
function wideBranch(d: InstructionDef, ops: Partial<Record<FieldName, number>>): [InstructionDef, Partial<Record<FieldName, number>>] {
  switch (d.name) {
    case 'c.beqz': return [def('beq'), { rs1: ops.crs1q, rs2: 0 }];
    case 'c.bnez': return [def('bne'), { rs1: ops.crs1q, rs2: 0 }];
    case 'c.j': return [def('jal'), { rd: 0 }];
    case 'c.jal': return [def('jal'), { rd: 1 }];
    default: return [d, ops];
  }
}

/** Assembles RISC-V source (GNU as syntax) into a linked program image. Never throws for bad input. */
export function assemble(source: string, options: AssembleOptions = {}): AssembleResult {
  const asm = new Assembler(options);
  lexEach(source, asm.diags, asm);
  try {
    return asm.finish(source);
  } catch (err) {
    asm.diags.error({ line: 1, column: 1, endColumn: 2 }, `internal assembler error during layout: ${err instanceof Error ? err.message : String(err)}`);
    const lineMap = new LineMap([]);
    return {
      ok: false, diagnostics: asm.diags.sorted(), entry: 0, segments: [], sections: [], symbols: [], lineMap,
      listing: () => '', rvc: false, mapping: [], usesCsr: false,
    };
  }
}

export { displayName };
