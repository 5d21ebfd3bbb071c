// Listing: each source line with the address and bytes it produced.

import type { LineEntry } from './linemap';

const hex = (v: number, w: number): string => (v >>> 0).toString(16).padStart(w, '0');

/** Rows of bytes shown per item: a 100 MiB `.space` is listed as its start and its size. */
const MAX_ROWS = 8;

/** Characters of listing at most (V8 strings end near 2^29); past it the listing says it stops. */
export const MAX_LISTING_CHARS = 2 ** 28;

/**
 * `LINE ADDRESS BYTES  SOURCE` per source line. Instructions show their encoding as one
 * number (as objdump does), data shows bytes in memory order; long data continues on extra rows
 * (at most MAX_ROWS, then one row with the item's size).
 */
export function makeListing(source: string, entries: readonly LineEntry[], read: (addr: number, size: number) => Uint8Array): string {
  const lines = source.split(/\r?\n/);
  // Entries by line (a counting sort: entries are in address order, which each line keeps).
  const first = new Int32Array(lines.length + 2);
  for (const e of entries) if (e.size > 0 && e.line >= 1 && e.line <= lines.length) first[e.line + 1] = (first[e.line + 1] as number) + 1;
  for (let l = 1; l < first.length; l++) first[l] = (first[l] as number) + (first[l - 1] as number);
  const fill = first.slice();
  const order = new Int32Array(first[first.length - 1] as number);
  entries.forEach((e, i) => { if (e.size > 0 && e.line >= 1 && e.line <= lines.length) order[(fill[e.line] as number)] = i; fill[e.line] = (fill[e.line] as number) + 1; });

  const out = new ListingOut(lines.length);
  const width = String(lines.length).length;
  for (let i = 0; i < lines.length && !out.full; i++) {
    const n = i + 1;
    const text = lines[i] as string;
    const num = String(n).padStart(width, ' ');
    const from = first[n] as number;
    const to = first[n + 1] as number;
    if (from === to) {
      out.push(text === '' ? num : `${num}                            ${text}`);
      continue;
    }
    out.line(num, text);
    for (let j = from; j < to && !out.full; j++) {
      const e = entries[order[j] as number] as LineEntry;
      const shown = Math.min(e.size, MAX_ROWS * 8);
      const bytes = read(e.addr, shown);
      if (e.insn && (e.size === 2 || e.size === 4)) {
        const v = e.size === 2 ? (bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8)
          : ((bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8) | ((bytes[2] ?? 0) << 16) | ((bytes[3] ?? 0) << 24)) >>> 0;
        out.row(e.addr, hex(v, e.size * 2));
        continue;
      }
      for (let b = 0; b < bytes.length; b += 8) {
        let cell = '';
        for (let x = b; x < b + 8 && x < bytes.length; x++) cell += hex(bytes[x] as number, 2);
        out.row(e.addr + b, cell);
      }
      if (shown < e.size) out.row(e.addr + shown, `... ${e.size} bytes in all`);
    }
  }
  return out.text();
}

/** The listing's rows, up to MAX_LISTING_CHARS. */
class ListingOut {
  private readonly rows: string[] = [];
  private chars = 0;
  full = false;
  private num = '';
  private source = '';
  private rowsOfLine = 0;
  constructor(private readonly sourceLines: number) {}

  push(row: string): void {
    if (this.full) return;
    this.chars += row.length + 1;
    if (this.chars > MAX_LISTING_CHARS) {
      this.full = true;
      this.rows.push(`... listing stopped after ${MAX_LISTING_CHARS.toLocaleString('en-US')} characters (${this.sourceLines} source lines)`);
      return;
    }
    this.rows.push(row);
  }

  /** Starts the rows of a source line that produced bytes. */
  line(num: string, source: string): void {
    this.num = num;
    this.source = source;
    this.rowsOfLine = 0;
  }

  /** A row with an address and a cell; the first row of a line also shows its source. */
  row(addr: number, cell: string): void {
    const r = `${this.num} ${hex(addr, 8)} ${cell.padEnd(16, ' ')}  `;
    this.push(this.rowsOfLine++ === 0 ? r + this.source : r.trimEnd());
  }

  text(): string {
    return this.rows.join('\n') + '\n';
  }

}
