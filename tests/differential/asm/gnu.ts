// Helpers for differential tests against GNU binutils (riscv64-unknown-elf-as/ld/objdump).

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const AS = '/usr/bin/riscv64-unknown-elf-as';
export const LD = '/usr/bin/riscv64-unknown-elf-ld';
export const OBJDUMP = '/usr/bin/riscv64-unknown-elf-objdump';
export const NM = '/usr/bin/riscv64-unknown-elf-nm';
export const READELF = '/usr/bin/riscv64-unknown-elf-readelf';

/** Whether the GNU tools are installed. In CI (env CI set) their absence is an error, not a skip. */
export function gnuAvailable(): boolean {
  const ok = [AS, LD, OBJDUMP, NM, READELF].every((p) => existsSync(p));
  if (!ok && process.env.CI) throw new Error(`GNU RISC-V binutils missing (${AS} ...): the differential tests must run in CI`);
  if (!ok) console.warn('SKIP: GNU RISC-V binutils not found at /usr/bin (install binutils-riscv64-unknown-elf); differential tests skipped');
  return ok;
}

export interface ElfSection { name: string; type: number; addr: number; offset: number; size: number; align: number; data: Uint8Array }
export interface ElfInfo { entry: number; flags: number; sections: ElfSection[]; bytes: Uint8Array }

/** Minimal ELF32 little-endian section reader (test-only). */
export function readElf32(bytes: Uint8Array): ElfInfo {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = dv.getUint32(32, true);
  const shentsize = dv.getUint16(46, true);
  const shnum = dv.getUint16(48, true);
  const shstrndx = dv.getUint16(50, true);
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    raw.push({
      nameOff: dv.getUint32(o, true), type: dv.getUint32(o + 4, true), addr: dv.getUint32(o + 12, true),
      offset: dv.getUint32(o + 16, true), size: dv.getUint32(o + 20, true), align: dv.getUint32(o + 32, true),
    });
  }
  const strtab = raw[shstrndx];
  const name = (off: number): string => {
    if (!strtab) return '';
    let s = '';
    for (let k = strtab.offset + off; k < bytes.length && bytes[k] !== 0; k++) s += String.fromCharCode(bytes[k] as number);
    return s;
  };
  return {
    entry: dv.getUint32(24, true),
    flags: dv.getUint32(36, true),
    bytes,
    sections: raw.map((r) => ({
      name: name(r.nameOff), type: r.type, addr: r.addr, offset: r.offset, size: r.size, align: r.align,
      data: r.type === 8 ? new Uint8Array(0) : bytes.subarray(r.offset, r.offset + r.size),
    })),
  };
}

export interface GnuBuild { ok: boolean; stderr: string; elfPath: string; elf?: ElfInfo; dir: string }

/** Assembles and links `source` with GNU as/ld exactly as the reference command line does. */
export function gnuBuild(source: string, name = 'prog'): GnuBuild {
  const dir = mkdtempSync(join(tmpdir(), 'rewind-gnu-'));
  const s = join(dir, `${name}.s`);
  const o = join(dir, `${name}.o`);
  const elfPath = join(dir, `${name}.elf`);
  writeFileSync(s, source);
  const a = spawnSync(AS, ['-march=rv32imac_zicsr_zifencei', '-mabi=ilp32', '-mno-relax', s, '-o', o], { encoding: 'utf8' });
  if (a.status !== 0) return { ok: false, stderr: a.stderr, elfPath, dir };
  const l = spawnSync(LD, ['-m', 'elf32lriscv', '--no-relax', '-Ttext=0x80000000', o, '-o', elfPath], { encoding: 'utf8' });
  if (l.status !== 0) return { ok: false, stderr: a.stderr + l.stderr, elfPath, dir };
  return { ok: true, stderr: a.stderr + l.stderr, elfPath, elf: readElf32(new Uint8Array(readFileSync(elfPath))), dir };
}

/** `objdump -d` instruction lines: [address, text after the raw bytes]. */
export function objdumpLines(elfPath: string, noAliases: boolean): [number, string][] {
  const args = ['-d', '-w', ...(noAliases ? ['-M', 'no-aliases'] : []), elfPath];
  const out = execFileSync(OBJDUMP, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const lines: [number, string][] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t[0-9a-f ]+\t(.*)$/.exec(line);
    if (m) lines.push([parseInt(m[1] as string, 16), (m[2] as string).trimEnd()]);
  }
  return lines;
}

export interface NmSymbol { addr: number; type: string; name: string }

/** Symbols of an ELF as nm lists them (including local ones and mapping symbols with --special-syms). */
export function nmSymbols(elfPath: string): NmSymbol[] {
  const out = execFileSync(NM, ['-n', '--special-syms', elfPath], { encoding: 'utf8' });
  const syms: NmSymbol[] = [];
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]+) (\S) (.*)$/.exec(line);
    if (m) syms.push({ addr: parseInt(m[1] as string, 16), type: m[2] as string, name: m[3] as string });
  }
  return syms;
}

export interface ElfSymbol { name: string; value: number; type: string; bind: string; ndx: string }

/** Symbols as `readelf -sW` lists them. */
export function readelfSymbols(elfPath: string): ElfSymbol[] {
  const out = execFileSync(READELF, ['-sW', elfPath], { encoding: 'utf8' });
  const syms: ElfSymbol[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*\d+:\s+([0-9a-f]+)\s+\S+\s+(\w+)\s+(\w+)\s+\w+\s+(\w+)\s*(.*)$/.exec(line);
    if (m) syms.push({ value: parseInt(m[1] as string, 16), type: m[2] as string, bind: m[3] as string, ndx: m[4] as string, name: m[5] as string });
  }
  return syms;
}

/** Whether the ELF's RISC-V attributes name a privileged spec (GNU as records 1.11 when CSRs are used). */
export function privSpecOf(elfPath: string): '1.11' | '1.12' {
  const out = execFileSync(READELF, ['-A', elfPath], { encoding: 'utf8' });
  return /Tag_RISCV_priv_spec_minor: 11/.test(out) ? '1.11' : '1.12';
}

/**
 * objdump's choice of symbol for an address (find_symbol_for_address): the closest symbol at or
 * below it, preferring among equal values functions, then objects, then globals; below the first
 * symbol, the first symbol with a negative offset. Section, file and mapping symbols are ignored.
 */
export function objdumpSymbolizer(symbols: readonly ElfSymbol[]): (addr: number) => string | undefined {
  const useful = symbols.filter((s) => s.name !== '' && s.type !== 'SECTION' && s.type !== 'FILE' && !/^\$[xd]/.test(s.name) && s.ndx !== 'UND');
  const rank = (s: ElfSymbol): number => (s.type === 'FUNC' ? 0 : 4) + (s.type === 'OBJECT' ? 0 : 2) + (s.bind === 'LOCAL' ? 1 : 0);
  const ndx = (s: ElfSymbol): number => (/^\d+$/.test(s.ndx) ? Number(s.ndx) : 0xffff);
  const sorted = [...useful].sort((a, b) => a.value - b.value || ndx(a) - ndx(b) || rank(a) - rank(b)
    || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (sorted.length === 0) return () => undefined;
  return (addr: number) => {
    let lo = 0;
    let hi = sorted.length - 1;
    let place = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] as ElfSymbol).value <= addr) { place = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (place < 0) place = 0;
    while (place > 0 && (sorted[place - 1] as ElfSymbol).value === (sorted[place] as ElfSymbol).value) place--;
    const s = sorted[place] as ElfSymbol;
    const off = addr - s.value;
    return off === 0 ? s.name : off > 0 ? `${s.name}+0x${off.toString(16)}` : `${s.name}-0x${(-off).toString(16)}`;
  };
}
