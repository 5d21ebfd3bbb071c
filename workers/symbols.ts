/**
 * The symbol an address is in, for the worker's answers (peek). The same rule as the IDE's
 * Symbols.lookup (src/ui/format.ts): the nearest named symbol at or before the address, a
 * user's name preferred over a linker's `__` one at the same address, `name+0xOFF` inside it.
 */
import type { SymbolInfo } from './api';

export class SymbolTable {
  private readonly sorted: SymbolInfo[];
  constructor(list: readonly SymbolInfo[]) {
    this.sorted = list.filter((s) => s.name !== '' && !s.name.startsWith('$') && !s.name.startsWith('.L'))
      .sort((a, b) => (a.value >>> 0) - (b.value >>> 0));
  }

  lookup(addr: number): string | undefined {
    const a = addr >>> 0;
    let lo = 0, hi = this.sorted.length - 1, best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.sorted[mid]!.value >>> 0) <= a) { best = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    const value = this.sorted[best]!.value >>> 0;
    let first = best;
    while (first > 0 && (this.sorted[first - 1]!.value >>> 0) === value) first--;
    const same = this.sorted.slice(first, best + 1);
    const s = same.find((x) => !x.name.startsWith('__')) ?? same[0]!;
    const off = a - value;
    // Far past a sized symbol's end is not "in" it (a gap, or data after the code).
    if (s.size > 0 && off >= s.size + 0x1000) return undefined;
    return off === 0 ? s.name : `${s.name}+0x${off.toString(16)}`;
  }
}

/**
 * Groups a byte stream into lines (a line ends with its '\n'), walking back from the end and
 * keeping the `limit` most recent; each mark is the icount of the line's first byte and its
 * text (at most 48 bytes). `byteAt` returns null for items that are not part of the stream.
 */
export function recentLines(
  n: number, icountAt: (i: number) => number, byteAt: (i: number) => number | null, limit: number,
): { marks: { icount: number; text: string }[]; truncated: boolean } {
  const marks: { icount: number; text: string }[] = [];
  const decoder = new TextDecoder();
  let cur: number[] = [];
  let first = -1;
  const close = (): void => {
    const bytes = cur.slice(Math.max(0, cur.length - 48)).reverse();
    marks.push({ icount: first, text: decoder.decode(Uint8Array.from(bytes)) });
    cur = [];
  };
  for (let i = n - 1; i >= 0; i--) {
    const b = byteAt(i);
    if (b === null) continue;
    if (b === 10 && cur.length > 0) {
      if (marks.length === limit) return { marks: marks.reverse(), truncated: true };
      close();
    }
    cur.push(b);
    first = icountAt(i);
  }
  if (cur.length > 0) {
    if (marks.length === limit) return { marks: marks.reverse(), truncated: true };
    close();
  }
  return { marks: marks.reverse(), truncated: false };
}
