/** Disassembly around pc with symbols (decoded in the UI from a small memory window). */
import { useEffect, useRef, useState } from 'react';
import { useIde } from '../state/store';
import { engineClient, symbolsOf, toggleBreakpoint } from '../state/actions';
import { Disassembler, instructionLength } from '../../isa';
import { hex32 } from '../format';

interface Row { addr: number; text: string; label?: string }
const BEFORE = 24;
const AFTER = 48;

export function DisassemblyPanel() {
  const session = useIde((s) => s.session);
  const pc = useIde((s) => s.registers?.pc);
  const bps = useIde((s) => s.breakpoints);
  const [rows, setRows] = useState<Row[]>([]);
  const body = useRef<HTMLDivElement>(null);
  // Keeps the pc row in view by scrolling the panel only (scrollIntoView would scroll the page too).
  useEffect(() => {
    const el = body.current;
    const row = el?.querySelector<HTMLElement>('.dis-row.current');
    if (!el || !row) return;
    const top = row.offsetTop - el.offsetTop;
    if (top < el.scrollTop || top + row.offsetHeight > el.scrollTop + el.clientHeight) el.scrollTop = Math.max(0, top - el.clientHeight / 3);
  }, [rows]);

  useEffect(() => {
    if (!session || pc === undefined) { setRows([]); return; }
    let live = true;
    const start = Math.max(0, pc - BEFORE) >>> 0;
    // Outside RAM (the reset ROM) a window before pc may not be readable: fall back to pc.
    const api = engineClient().api;
    void api.readMemory(start, BEFORE + AFTER + 4).catch(() => api.readMemory(pc, AFTER + 4)).then(({ addr, bytes }) => {
      if (addr !== start) { if (live) setRows(decodeRows(addr, bytes, pc, session)); return; }
      if (!live) return;
      const syms = symbolsOf(session);
      const dis = new Disassembler({ symbolize: (a) => syms.lookup(a) });
      // Decode from the symbol or pc boundary so that compressed code lines up with pc.
      const out: Row[] = [];
      const decodeFrom = (from: number, to: number) => {
        let off = from - start;
        while (start + off < to && off + 2 <= bytes.length) {
          const half = (bytes[off] ?? 0) | ((bytes[off + 1] ?? 0) << 8);
          const size = instructionLength(half);
          const word = size === 2 ? half : (half | ((bytes[off + 2] ?? 0) << 16) | ((bytes[off + 3] ?? 0) << 24)) >>> 0;
          const addr = (start + off) >>> 0;
          const name = syms.lookup(addr);
          out.push({ addr, text: dis.disassemble(word, addr), ...(name && !name.includes('+') ? { label: name } : {}) });
          off += size;
        }
      };
      // Backwards decoding is ambiguous with RVC: try alignments and keep the one that reaches pc.
      let aligned = start;
      for (let s = start; s < pc; s += 2) {
        let a = s; let ok = false;
        while (a < pc) { const h = (bytes[a - start] ?? 0) | ((bytes[a - start + 1] ?? 0) << 8); a += instructionLength(h); if (a === pc) ok = true; }
        if (ok || a === pc) { aligned = s; break; }
      }
      decodeFrom(aligned, pc);
      // Leading rows decoded from the middle of an instruction read as data: drop them.
      while (out.length > 0 && out[0]!.addr < pc && (out[0]!.text.startsWith('.') || out[0]!.text === 'unimp')) out.shift();
      decodeFrom(pc, start + BEFORE + AFTER);
      setRows(out);
    }).catch(() => setRows([]));
    return () => { live = false; };
  }, [session, pc]);

  return (
    <section className="panel" aria-label="Disassembly">
      <header className="panel-head"><h2>Disassembly</h2></header>
      <div className="panel-body mono dis-body" data-testid="disassembly" ref={body}>
        {rows.map((r) => (
          <div key={r.addr}>
            {r.label && <div className="dis-label">{hex32(r.addr)} &lt;{r.label}&gt;:</div>}
            <div className={`dis-row${r.addr === pc ? ' current' : ''}${bps.includes(r.addr) ? ' has-bp' : ''}`}
              onClick={() => void toggleBreakpoint(r.addr)} title="Click to toggle a breakpoint">
              <span className="dis-bp" aria-hidden="true" />
              <span className="dis-addr">{r.addr.toString(16)}</span>
              <span className="dis-text">{r.text}</span>
            </div>
          </div>
        ))}
      </div>
    </section>
  );
}

function decodeRows(start: number, bytes: Uint8Array, pc: number, session: NonNullable<ReturnType<typeof useIde.getState>['session']>): Row[] {
  const syms = symbolsOf(session);
  const dis = new Disassembler({ symbolize: (a) => syms.lookup(a) });
  const out: Row[] = [];
  for (let off = 0; off + 4 <= bytes.length;) {
    const half = (bytes[off] ?? 0) | ((bytes[off + 1] ?? 0) << 8);
    const size = instructionLength(half);
    const word = size === 2 ? half : (half | ((bytes[off + 2] ?? 0) << 16) | ((bytes[off + 3] ?? 0) << 24)) >>> 0;
    out.push({ addr: (start + off) >>> 0, text: dis.disassemble(word, start + off) });
    off += size;
  }
  void pc;
  return out;
}
