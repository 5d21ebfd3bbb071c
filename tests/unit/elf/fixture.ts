// Helpers for the ELF tests: the committed example ELFs and field patching by ELF layout.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const examplesDir = fileURLToPath(new URL('../../../examples/build/', import.meta.url));

export function exampleElf(name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${examplesDir}${name}.elf`));
}

/** A mutable copy with little-endian field accessors at ELF32 header/table offsets. */
export class ElfPatch {
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(original: Uint8Array) {
    this.bytes = original.slice();
    this.view = new DataView(this.bytes.buffer);
  }

  u8(off: number, v: number): this { this.view.setUint8(off, v); return this; }
  u16(off: number, v: number): this { this.view.setUint16(off, v, true); return this; }
  u32(off: number, v: number): this { this.view.setUint32(off, v >>> 0, true); return this; }
  get32(off: number): number { return this.view.getUint32(off, true); }
  get16(off: number): number { return this.view.getUint16(off, true); }

  get phoff(): number { return this.get32(28); }
  get shoff(): number { return this.get32(32); }
  /** Offset of field `fieldOff` in program header `i` (p_type 0, p_offset 4, p_vaddr 8, p_paddr 12, p_filesz 16, p_memsz 20, p_flags 24). */
  ph(i: number, fieldOff: number): number { return this.phoff + 32 * i + fieldOff; }
  /** Offset of field `fieldOff` in section header `i` (sh_name 0, sh_type 4, sh_offset 16, sh_size 20, sh_link 24, sh_entsize 36). */
  sh(i: number, fieldOff: number): number { return this.shoff + 40 * i + fieldOff; }
  /** Index of the first section of the given sh_type. */
  sectionOfType(type: number): number {
    const shnum = this.get16(48);
    for (let i = 0; i < shnum; i++) if (this.get32(this.sh(i, 4)) === type) return i;
    throw new Error(`no section of type ${type}`);
  }
}
