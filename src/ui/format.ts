/** Number and address formatting shared by the panels. */
import type { SymbolInfo } from '../../workers/api';

export const hex32 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');
export const hex8 = (v: number): string => (v & 0xff).toString(16).padStart(2, '0');
export const fmtCount = (n: number): string => n.toLocaleString('en-US');

/** Parses `0x1f`, `31`, `1_000_000` or `1,000,000`; undefined when it is not a number. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim().replace(/[_,\s]/g, '');
  if (t === '') return undefined;
  const v = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t.slice(2), 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  return Number.isSafeInteger(v) ? v : undefined;
}

/** Symbol lookup: `name` or `name+0x4` for an address inside (or just after) a symbol. */
export class Symbols {
  private readonly sorted: SymbolInfo[];
  private readonly byName = new Map<string, number>();
  constructor(list: readonly SymbolInfo[]) {
    this.sorted = list.filter((s) => s.name !== '' && !s.name.startsWith('$') && !s.name.startsWith('.L')).sort((a, b) => a.value - b.value);
    for (const s of this.sorted) if (!this.byName.has(s.name)) this.byName.set(s.name, s.value >>> 0);
  }
  address(name: string): number | undefined { return this.byName.get(name); }
  /** The symbol at or before addr (ties: the later-defined name wins nothing; the first is kept). */
  lookup(addr: number): string | undefined {
    const a = addr >>> 0;
    let lo = 0, hi = this.sorted.length - 1, best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.sorted[mid]!.value >>> 0) <= a) { best = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    // Among symbols at the same address prefer a user's name over linker ones (`__DATA_BEGIN__`).
    const value = this.sorted[best]!.value;
    let first = best;
    while (first > 0 && this.sorted[first - 1]!.value === value) first--;
    const same = this.sorted.slice(first, best + 1);
    const s = same.find((x) => !x.name.startsWith('__')) ?? same[0]!;
    const off = a - (s.value >>> 0);
    if (s.size > 0 && off >= s.size + 0x1000) return undefined;
    return off === 0 ? s.name : `${s.name}+0x${off.toString(16)}`;
  }
  get list(): readonly SymbolInfo[] { return this.sorted; }
}

export function errorText(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  // Comlink re-throws worker errors with their message; strip a redundant "Error: ".
  return m.replace(/^Error:\s*/, '');
}
