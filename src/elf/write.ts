// ELF32 little-endian RISC-V executable writer (the assembler's output file format).

export interface ElfWriteSection {
  name: string;
  addr: number;
  size: number;
  align: number;
  /** Contents; null for NOBITS (.bss). */
  data: Uint8Array | null;
  flags: { write: boolean; exec: boolean };
}

export interface ElfWriteSymbol {
  name: string;
  value: number;
  size: number;
  global: boolean;
  type: 'func' | 'object' | 'notype';
  /** Section name, or null for an absolute symbol. */
  section: string | null;
}

export interface ElfWriteSegment { addr: number; fileSize: number; memSize: number; write: boolean; exec: boolean }

export interface ElfWriteInput {
  entry: number;
  sections: readonly ElfWriteSection[];
  /** Load segments; each must cover whole sections. */
  segments: readonly ElfWriteSegment[];
  symbols: readonly ElfWriteSymbol[];
  /** EF_RISCV_RVC: the program may contain compressed instructions. */
  rvc: boolean;
  /** Tag_RISCV_arch of .riscv.attributes. */
  arch?: string;
  /** Tag_RISCV_priv_spec / _minor (GNU as writes 1.11 when a program uses CSRs). */
  privSpec?: [number, number];
}

const SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_NOBITS = 8, SHT_RISCV_ATTRIBUTES = 0x70000003;
const SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
const PT_LOAD = 1, PT_RISCV_ATTRIBUTES = 0x70000003;
const PAGE = 0x1000;

class Buf {
  bytes = new Uint8Array(4096);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.bytes.subarray(0, this.len));
    this.bytes = b;
  }
  u8(v: number): void { this.ensure(1); this.bytes[this.len++] = v & 0xff; }
  u16(v: number): void { this.u8(v); this.u8(v >>> 8); }
  u32(v: number): void { this.u16(v & 0xffff); this.u16(v >>> 16); }
  put(b: Uint8Array): void { this.ensure(b.length); this.bytes.set(b, this.len); this.len += b.length; }
  pad(to: number): void { while (this.len < to) this.u8(0); }
  at32(off: number, v: number): void {
    for (let k = 0; k < 4; k++) this.bytes[off + k] = (v >>> (8 * k)) & 0xff;
  }
  out(): Uint8Array { return this.bytes.slice(0, this.len); }
}

class StrTab {
  readonly b = new Buf();
  private readonly map = new Map<string, number>();
  constructor() { this.b.u8(0); }
  add(s: string): number {
    const hit = this.map.get(s);
    if (hit !== undefined) return hit;
    const off = this.b.len;
    this.b.put(new TextEncoder().encode(s));
    this.b.u8(0);
    this.map.set(s, off);
    return off;
  }
}

function uleb(out: number[], v: number): void {
  let x = v >>> 0;
  do {
    let byte = x & 0x7f;
    x >>>= 7;
    if (x !== 0) byte |= 0x80;
    out.push(byte);
  } while (x !== 0);
}

function attributes(arch: string, privSpec: [number, number] | undefined): Uint8Array {
  const body: number[] = [5, ...new TextEncoder().encode(arch), 0];
  if (privSpec) {
    body.push(8);
    uleb(body, privSpec[0]);
    body.push(10);
    uleb(body, privSpec[1]);
  }
  const fileLen = 1 + 4 + body.length;
  const vendor = [...new TextEncoder().encode('riscv'), 0];
  const subLen = 4 + vendor.length + fileLen;
  const out: number[] = [0x41];
  const u32 = (v: number): void => { out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff); };
  u32(subLen);
  out.push(...vendor, 1);
  u32(fileLen);
  out.push(...body);
  return Uint8Array.from(out);
}

/** Builds an ELF32 EXEC file for RISC-V (loadable by QEMU's virt board with -kernel). */
export function writeElf32(input: ElfWriteInput): Uint8Array {
  const arch = input.arch ?? 'rv32i2p1_m2p0_a2p1_c2p0_zicsr2p0_zifencei2p0_zmmul1p0';
  const alloc = input.sections.filter((s) => s.size > 0 || s.data !== null);
  const phnum = input.segments.length + 1;
  const b = new Buf();
  // ELF header (filled in at the end for offsets)
  b.put(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
  b.u16(2); b.u16(243); b.u32(1); b.u32(input.entry >>> 0);
  b.u32(52); const shoffAt = b.len; b.u32(0);
  b.u32(input.rvc ? 1 : 0);
  b.u16(52); b.u16(32); b.u16(phnum); b.u16(40); const shnumAt = b.len; b.u16(0); const shstrAt = b.len; b.u16(0);
  const phAt = b.len;
  b.pad(phAt + phnum * 32);

  // Section contents: each loadable section at a file offset congruent to its address mod 4 KiB.
  const secOffset = new Map<ElfWriteSection, number>();
  for (const s of alloc) {
    if (s.data === null) { secOffset.set(s, b.len); continue; }
    const seg = input.segments.find((g) => s.addr >= g.addr && s.addr < g.addr + Math.max(g.memSize, 1));
    const first = seg ? alloc.find((x) => x.addr >= seg.addr && x.data !== null && x.addr < seg.addr + seg.memSize) === s : true;
    if (first) {
      const want = s.addr % PAGE;
      let off = b.len - (b.len % PAGE) + want;
      if (off < b.len) off += PAGE;
      b.pad(off);
    } else {
      const prev = [...secOffset.entries()].filter(([x]) => x.data !== null && x.addr < s.addr).sort((p, q) => q[0].addr - p[0].addr)[0];
      if (prev) b.pad(prev[1] + (s.addr - prev[0].addr));
    }
    secOffset.set(s, b.len);
    b.put(s.data);
  }
  const attrOff = b.len;
  const attr = attributes(arch, input.privSpec);
  b.put(attr);

  // Symbol table: null, section symbols, locals, then globals.
  const strtab = new StrTab();
  const secIndex = new Map<string, number>();
  alloc.forEach((s, i) => secIndex.set(s.name, i + 1));
  const syms: { name: number; value: number; size: number; info: number; shndx: number }[] = [{ name: 0, value: 0, size: 0, info: 0, shndx: 0 }];
  alloc.forEach((s, i) => syms.push({ name: 0, value: s.addr, size: 0, info: 3, shndx: i + 1 }));
  const typeCode = (t: ElfWriteSymbol['type']): number => (t === 'func' ? 2 : t === 'object' ? 1 : 0);
  const ordered = [...input.symbols.filter((s) => !s.global), ...input.symbols.filter((s) => s.global)];
  let firstGlobal = syms.length + input.symbols.filter((s) => !s.global).length;
  for (const s of ordered) {
    syms.push({
      name: strtab.add(s.name), value: s.value >>> 0, size: s.size >>> 0,
      info: ((s.global ? 1 : 0) << 4) | typeCode(s.type),
      shndx: s.section === null ? 0xfff1 : secIndex.get(s.section) ?? 0xfff1,
    });
  }
  if (firstGlobal > syms.length) firstGlobal = syms.length;
  while (b.len % 4) b.u8(0);
  const symOff = b.len;
  for (const s of syms) { b.u32(s.name); b.u32(s.value); b.u32(s.size); b.u8(s.info); b.u8(0); b.u16(s.shndx); }
  const strOff = b.len;
  const strBytes = strtab.b.out();
  b.put(strBytes);

  const shstr = new StrTab();
  const names = alloc.map((s) => shstr.add(s.name));
  const attrName = shstr.add('.riscv.attributes');
  const symName = shstr.add('.symtab');
  const strName = shstr.add('.strtab');
  const shstrName = shstr.add('.shstrtab');
  const shstrOff = b.len;
  const shstrBytes = shstr.b.out();
  b.put(shstrBytes);

  while (b.len % 4) b.u8(0);
  const shoff = b.len;
  const sh = (name: number, type: number, flags: number, addr: number, offset: number, size: number, link: number, info: number, align: number, entsize: number): void => {
    b.u32(name); b.u32(type); b.u32(flags); b.u32(addr >>> 0); b.u32(offset); b.u32(size); b.u32(link); b.u32(info); b.u32(align); b.u32(entsize);
  };
  sh(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  alloc.forEach((s, i) => {
    const flags = SHF_ALLOC | (s.flags.write ? SHF_WRITE : 0) | (s.flags.exec ? SHF_EXECINSTR : 0);
    sh(names[i] ?? 0, s.data === null ? SHT_NOBITS : SHT_PROGBITS, flags, s.addr, secOffset.get(s) ?? 0, s.size, 0, 0, s.align, 0);
  });
  const nAlloc = alloc.length;
  sh(attrName, SHT_RISCV_ATTRIBUTES, 0, 0, attrOff, attr.length, 0, 0, 1, 0);
  sh(symName, SHT_SYMTAB, 0, 0, symOff, syms.length * 16, nAlloc + 3, firstGlobal, 4, 16);
  sh(strName, SHT_STRTAB, 0, 0, strOff, strBytes.length, 0, 0, 1, 0);
  sh(shstrName, SHT_STRTAB, 0, 0, shstrOff, shstrBytes.length, 0, 0, 1, 0);
  b.at32(shoffAt, shoff);
  b.bytes[shnumAt] = (nAlloc + 5) & 0xff; b.bytes[shnumAt + 1] = (nAlloc + 5) >> 8;
  b.bytes[shstrAt] = (nAlloc + 4) & 0xff; b.bytes[shstrAt + 1] = (nAlloc + 4) >> 8;

  // Program headers
  let p = phAt;
  const ph = (type: number, offset: number, addr: number, filesz: number, memsz: number, flags: number, align: number): void => {
    for (const v of [type, offset, addr, addr, filesz, memsz, flags, align]) { b.at32(p, v >>> 0); p += 4; }
  };
  ph(PT_RISCV_ATTRIBUTES, attrOff, 0, attr.length, 0, 4, 1);
  for (const g of input.segments) {
    const first = alloc.filter((s) => s.data !== null && s.addr >= g.addr && s.addr < g.addr + Math.max(g.memSize, 1)).sort((x, y) => x.addr - y.addr)[0];
    const off = first ? (secOffset.get(first) ?? 0) - (first.addr - g.addr) : 0;
    ph(PT_LOAD, Math.max(0, off), g.addr, g.fileSize, g.memSize, 4 | (g.write ? 2 : 0) | (g.exec ? 1 : 0), PAGE);
  }
  return b.out();
}
