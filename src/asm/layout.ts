// Layout: branch relaxation and alignment inside sections (as GNU as does it), then placing the
// sections in memory the way GNU ld's default RISC-V script does.

import type { Expr } from './expr';
import type { OutputKind, Placed, Section } from './sections';

export interface LabelPos { sec: Section; index: number }

/** Offset of the position before item `index` (the section size at the end). */
export function offsetAt(sec: Section, index: number): number {
  const p = sec.items[index];
  return p ? p.offset : sec.size;
}

function alignPad(offset: number, pow: number, max: number | undefined): number {
  const a = 2 ** pow;
  const pad = (a - (offset % a)) % a;
  return max !== undefined && pad > max ? 0 : pad;
}

/** A branch target of the form `label` or `label +/- constant`. */
function simpleTarget(e: Expr): { id: number; add: number } | undefined {
  if (e.k === 'sym') return { id: e.id, add: 0 };
  if (e.k === 'bin' && (e.op === '+' || e.op === '-') && e.a.k === 'sym' && e.b.k === 'num') {
    return { id: e.a.id, add: e.op === '+' ? e.b.v : -e.b.v };
  }
  return undefined;
}

/** GNU as's relaxed_branch_length. */
function branchLength(p: Placed, sec: Section, labelPos: (id: number) => LabelPos | undefined): number {
  const it = p.item;
  if (it.k !== 'branch') return p.size;
  let length = it.jump ? 4 : 8;
  const t = simpleTarget(it.target);
  const pos = t ? labelPos(t.id) : undefined;
  if (t && pos && pos.sec === sec) {
    const val = offsetAt(sec, pos.index) + t.add - p.offset;
    const rvcRange = it.jump ? 4096 : 512;
    if (it.rvc && val >= -rvcRange / 2 && val < rvcRange / 2) length = 2;
    else if (val >= -4096 && val < 4096) length = 4;
    else if (!it.jump && it.rvc) length = 6;
  }
  return length;
}

function assignOffsets(sec: Section): void {
  let off = 0;
  for (const p of sec.items) {
    p.offset = off;
    if (p.item.k === 'align') p.size = alignPad(off, p.item.pow, p.item.max);
    off += p.size;
  }
  sec.size = off;
}

/** Chooses branch lengths (growing from the shortest until nothing changes) and item offsets. */
export function relaxSection(sec: Section, labelPos: (id: number) => LabelPos | undefined): void {
  for (const p of sec.items) if (p.item.k === 'branch') p.size = p.item.rvc ? 2 : 4;
  for (let pass = 0; pass < 100; pass++) {
    assignOffsets(sec);
    let changed = false;
    for (const p of sec.items) {
      if (p.item.k !== 'branch') continue;
      const len = branchLength(p, sec, labelPos);
      if (len > p.size) { p.size = len; changed = true; }
    }
    if (!changed) break;
  }
  assignOffsets(sec);
  // GNU as pads code sections at the end to their alignment (with nops).
  if (sec.code) sec.size += alignPad(sec.size, Math.log2(sec.align), undefined);
}

export interface LinkResult {
  /** Linker-defined symbols (GNU ld's default script). */
  symbols: Map<string, number>;
  /** Address ranges of the two load segments: [start, fileEnd, memEnd]. */
  textSegment: [number, number];
  dataSegment: [number, number, number];
}

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/** Places the sections: .text at `textBase`, then .rodata, then (next page, same offset) .data .sdata .sbss .bss. */
/** Order of input sections inside an output section in GNU ld's default script (lower first). */
function inputRank(name: string): number {
  if (/^\.text\.unlikely(\.|$)|^\.text\..*_unlikely$/.test(name)) return 0;
  if (/^\.text\.exit(\.|$)/.test(name)) return 1;
  if (/^\.text\.startup(\.|$)/.test(name)) return 2;
  if (/^\.text\.hot(\.|$)/.test(name)) return 3;
  if (name.startsWith('.text.sorted.')) return 4;
  if (name === '.srodata.cst16') return 0;
  if (name === '.srodata.cst8') return 1;
  if (name === '.srodata.cst4') return 2;
  if (name === '.srodata.cst2') return 3;
  if (name === '.srodata' || name.startsWith('.srodata.')) return 4;
  return 5;
}

export function link(sections: readonly Section[], textBase: number): LinkResult {
  // Ranks computed once per section (not per comparison: there may be 100,000 sections).
  const byKind = (k: OutputKind): Section[] => sections.map((s, i) => ({ s, i, rank: s.kind === k ? inputRank(s.name) : 0 }))
    .filter(({ s }) => s.kind === k)
    .sort((x, y) => x.rank - y.rank
      || (x.s.name.startsWith('.text.sorted.') && y.s.name.startsWith('.text.sorted.') ? (x.s.name < y.s.name ? -1 : x.s.name > y.s.name ? 1 : 0) : 0)
      || x.i - y.i)
    .map(({ s }) => s);
  const symbols = new Map<string, number>();
  let dot = textBase;
  const place = (list: Section[]): [number, number] => {
    let outAlign = 0;
    for (const s of list) if (s.size > 0 || s.items.length > 0) outAlign = Math.max(outAlign, s.align);
    if (outAlign > 0) dot = alignUp(dot, outAlign);
    const start = dot;
    for (const s of list) {
      dot = alignUp(dot, s.align);
      s.addr = dot;
      dot += s.size;
    }
    return [start, dot];
  };
  const [textStart] = place(byKind('text'));
  symbols.set('_etext', dot); symbols.set('etext', dot); symbols.set('__etext', dot);
  place(byKind('rodata'));
  const textEnd = dot;
  // DATA_SEGMENT_ALIGN(MAXPAGESIZE, COMMONPAGESIZE) with both 4 KiB
  dot = alignUp(dot, 0x1000) + (dot & 0xfff);
  const dataSegStart = dot;
  const [dataStart] = place(byKind('data'));
  symbols.set('__DATA_BEGIN__', dataStart);
  const [sdataStart] = place(byKind('sdata'));
  symbols.set('__SDATA_BEGIN__', sdataStart);
  symbols.set('_edata', dot); symbols.set('edata', dot);
  const fileEnd = dot;
  symbols.set('__bss_start', dot);
  place(byKind('sbss'));
  const bss = byKind('bss');
  place(bss);
  const last = bss[bss.length - 1];
  if (last && dot !== 0) {
    const padded = alignUp(dot, 4);
    last.size += padded - dot;
    dot = padded;
  }
  dot = alignUp(dot, 4);
  symbols.set('__BSS_END__', dot);
  symbols.set('__global_pointer$', Math.min(sdataStart + 0x800, Math.max(dataStart + 0x800, dot - 0x800)));
  symbols.set('_end', dot); symbols.set('end', dot);
  return { symbols, textSegment: [textStart, textEnd], dataSegment: [dataSegStart, fileEnd, dot] };
}

/**
 * GNU as's riscv_make_nops: a zero byte if odd, one c.nop if needed, then 4-byte nops (written
 * by doubling copies; nothing past the end of `out`).
 */
export function codeFill(out: Uint8Array, at: number, bytes: number): void {
  const end = Math.min(at + bytes, out.length);
  let i = at;
  if (bytes % 2 === 1 && i < end) out[i++] = 0;
  if ((bytes - (i - at)) % 4 === 2 && i + 2 <= end) { out[i] = 0x01; out[i + 1] = 0x00; i += 2; }
  const nops = i;
  const total = Math.min(at + bytes, end) - nops;
  if (total < 4) return;
  out[nops] = 0x13; out[nops + 1] = 0; out[nops + 2] = 0; out[nops + 3] = 0;
  const whole = total - (total % 4);
  for (let done = 4; done < whole; done *= 2) out.copyWithin(nops + done, nops, nops + Math.min(done, whole - done));
}
