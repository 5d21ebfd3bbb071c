import type { ElfSymbol } from './read';

/** `name` or `name+0x10` for an address, from code/data symbols; undefined if none covers it.
 *  A sized symbol covers [value, value+size); a zero-sized label covers up to the next symbol. */
export function makeSymbolizer(symbols: readonly ElfSymbol[]): (addr: number) => string | undefined {
  const useful = symbols
    .filter((s) => s.section !== 0 && s.name !== '' && (s.type === 'func' || s.type === 'object' || s.type === 'notype'))
    .filter((s) => !s.name.startsWith('$') && !s.name.startsWith('.L'))
    // Prefer sized and global symbols when several share an address.
    .sort((a, b) => a.value - b.value || Number(b.size > 0) - Number(a.size > 0) || Number(b.binding === 'global') - Number(a.binding === 'global'));
  const starts = useful.map((s) => s.value);
  return (addr: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((starts[mid] ?? 0) <= addr) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    // Walk back over symbols at the same address to the preferred one.
    while (found > 0 && starts[found - 1] === starts[found]) found--;
    const sym = useful[found];
    if (sym === undefined) return undefined;
    if (sym.size > 0 && addr >= sym.value + sym.size) return undefined;
    const off = addr - sym.value;
    return off === 0 ? sym.name : `${sym.name}+0x${off.toString(16)}`;
  };
}
