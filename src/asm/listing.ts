// Listing: each source line with the address and bytes it produced.

import type { LineEntry } from './linemap';

const hex = (v: number, w: number): string => (v >>> 0).toString(16).padStart(w, '0');

/**
 * `LINE ADDRESS BYTES  SOURCE` per source line. Instructions show their encoding as one
 * number (as objdump does), data shows bytes in memory order; long data continues on extra rows.
 */
export function makeListing(source: string, entries: readonly LineEntry[], read: (addr: number, size: number) => Uint8Array): string {
  const lines = source.split(/\r?\n/);
  const byLine = new Map<number, LineEntry[]>();
  for (const e of entries) {
    const l = byLine.get(e.line);
    if (l) l.push(e); else byLine.set(e.line, [e]);
  }
  const out: string[] = [];
  const width = String(lines.length).length;
  lines.forEach((text, i) => {
    const n = i + 1;
    const items = (byLine.get(n) ?? []).filter((e) => e.size > 0);
    const cells: { addr: number; text: string }[] = [];
    for (const e of items) {
      const bytes = read(e.addr, e.size);
      if (e.insn && (e.size === 2 || e.size === 4)) {
        const v = e.size === 2 ? (bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8)
          : ((bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8) | ((bytes[2] ?? 0) << 16) | ((bytes[3] ?? 0) << 24)) >>> 0;
        cells.push({ addr: e.addr, text: hex(v, e.size * 2) });
      } else {
        for (let k = 0; k < bytes.length; k += 8) {
          cells.push({ addr: e.addr + k, text: [...bytes.subarray(k, k + 8)].map((b) => hex(b, 2)).join('') });
        }
      }
    }
    const num = String(n).padStart(width, ' ');
    if (cells.length === 0) {
      out.push(`${num}                            ${text}`);
      return;
    }
    cells.forEach((c, k) => {
      const row = `${num} ${hex(c.addr, 8)} ${c.text.padEnd(16, ' ')}  `;
      out.push(k === 0 ? row + text : row.trimEnd());
    });
  });
  return out.join('\n') + '\n';
}
