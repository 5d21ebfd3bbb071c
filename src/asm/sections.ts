// The assembler's model of a program before layout: sections holding items.

import type { FieldName, InstructionDef } from '../isa';
import type { Span } from './diagnostics';
import type { Expr } from './expr';

export type OutputKind = 'text' | 'rodata' | 'data' | 'sdata' | 'sbss' | 'bss';

/** An operand whose value is known only after layout (labels, forward symbols, relocation operators). */
export interface Deferred { field: FieldName; expr: Expr; span: Span }

export type Item =
  | { k: 'insn'; def: InstructionDef; ops: Partial<Record<FieldName, number>>; deferred: Deferred[] }
  /** A relaxable branch or jump (GNU as's RELAX_BRANCH): `size` is 2, 4, 6 or 8 after layout. */
  | { k: 'branch'; def: InstructionDef; ops: Partial<Record<FieldName, number>>; target: Expr; targetSpan: Span;
      rvc: boolean; jump: boolean }
  | { k: 'data'; width: 1 | 2 | 4; expr: Expr; span: Span }
  /** `data` may be longer than the item (room to grow): the item's bytes are its first `size`. */
  | { k: 'bytes'; data: Uint8Array }
  | { k: 'fill'; count: number; width: number; value: number }
  | { k: 'align'; pow: number; fill: number | undefined; max: number | undefined; code: boolean };

export interface Placed {
  item: Item;
  line: number;
  /** Column of the statement, for diagnostics found after layout. */
  col: number;
  /** Offset in the section and size, assigned by layout (fixed for most items). */
  offset: number;
  size: number;
  /** An instruction (for mapping symbols and the listing), as opposed to data. */
  insn: boolean;
}

export class Section {
  readonly items: Placed[] = [];
  align: number;
  size = 0;
  /** Set by linking. */
  addr = 0;
  constructor(readonly name: string, readonly kind: OutputKind, readonly code: boolean, readonly nobits: boolean, align = 1) {
    this.align = align;
  }

  add(item: Item, line: number, col: number, size: number): Placed {
    const p: Placed = { item, line, col, offset: this.size, size, insn: item.k === 'insn' || item.k === 'branch' };
    this.items.push(p);
    this.size += size;
    return p;
  }
}

/** Output section of an input section name (GNU ld's default script for RISC-V), or undefined. */
export function outputKindOf(name: string): OutputKind | undefined {
  const is = (base: string): boolean => name === base || name.startsWith(`${base}.`);
  if (is('.text')) return 'text';
  if (is('.rodata')) return 'rodata';
  if (is('.srodata') || is('.sdata')) return 'sdata';
  if (is('.sbss')) return 'sbss';
  if (is('.data')) return 'data';
  if (is('.bss')) return 'bss';
  return undefined;
}
