/** Memory as hex + ASCII around an address, a symbol or a register; a cell can become a watchpoint. */
import { useEffect, useState } from 'react';
import { useIde } from '../state/store';
import { engineClient, addWatchpoint, symbolsOf } from '../state/actions';
import { registerNumber } from '../../isa';
import { hex32, hex8, parseNumber } from '../format';

const ROWS = 16;
const WIDTH = 16;

export function MemoryPanel() {
  const session = useIde((s) => s.session);
  const regs = useIde((s) => s.registers);
  const watchpoints = useIde((s) => s.watchpoints);
  const [expr, setExpr] = useState('');
  const [base, setBase] = useState<number | null>(null);
  const [bytes, setBytes] = useState<Uint8Array | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [followed, setFollowed] = useState<number | null>(null);

  // Resolves the followed expression: a number, a symbol, or a register (followed as it changes).
  const resolve = (text: string): number | undefined => {
    const t = text.trim();
    if (t === '') return undefined;
    const n = parseNumber(t);
    if (n !== undefined) return n >>> 0;
    const r = t === 'pc' ? -1 : registerNumber(t.toLowerCase());
    if (r !== undefined && regs) return r === -1 ? regs.pc : (regs.x[r] ?? 0);
    return symbolsOf(session).address(t);
  };

  // A new session follows its data (`total` in the example), else its entry.
  useEffect(() => {
    setSelected(null);
    if (!session) return;
    const data = session.symbols.find((s) => s.name === 'total') ?? session.symbols.find((s) => s.size > 0 && s.value >= session.entry + 0x1000);
    setExpr(data ? data.name : `0x${hex32(session.entry)}`);
    // Only a different session resets what the panel follows.
  }, [session?.id]);

  useEffect(() => {
    const a = resolve(expr);
    if (a === undefined) { if (expr) setError(`“${expr}” is not an address, register or symbol`); return; }
    setError(null);
    setFollowed(a);
    const start = (a & ~(WIDTH - 1)) >>> 0;
    setBase(start);
    let live = true;
    engineClient().api.readMemory(start, ROWS * WIDTH).then((w) => { if (live) setBytes(w.bytes); }).catch((e: unknown) => { if (live) setError(String(e)); });
    return () => { live = false; };
  }, [expr, regs, session]);

  const watched = (addr: number) => watchpoints.some((w) => addr >= w.addr && addr < w.addr + w.len);

  return (
    <section className="panel" aria-label="Memory">
      <header className="panel-head">
        <h2>Memory</h2>
        <input className="addr-input" aria-label="Memory address" placeholder="address, register or symbol" defaultValue={expr} key={`${session?.id ?? "none"}:${expr}`}
          onKeyDown={(e) => { if (e.key === 'Enter') setExpr((e.target as HTMLInputElement).value); }}
          onBlur={(e) => setExpr(e.target.value)} />
        <button className="chip" disabled={selected === null || !session} aria-label="Watch selected word"
          title="Set a write watchpoint on the 4 bytes at the selected cell"
          onClick={() => { if (selected !== null) void addWatchpoint({ addr: selected, len: 4, kind: 'write' }); }}>watch</button>
      </header>
      <div className="panel-body mono">
        {error && <p className="inline-error">{error}</p>}
        {base !== null && bytes && (
          <table className="memory" data-testid="memory">
            <tbody>
              {Array.from({ length: ROWS }, (_, row) => {
                const rowAddr = (base + row * WIDTH) >>> 0;
                const cells = Array.from(bytes.subarray(row * WIDTH, row * WIDTH + WIDTH));
                return (
                  <tr key={row}>
                    <th>{hex32(rowAddr)}</th>
                    {cells.map((b, i) => {
                      const addr = (rowAddr + i) >>> 0;
                      return (
                        <td key={i} className={`cell${selected !== null && addr >= selected && addr < selected + 4 ? ' selected' : ''}${watched(addr) ? ' watched' : ''}${addr === followed ? ' followed' : ''}`}
                          data-addr={addr} title={`0x${hex32(addr)} — click to select, double-click to watch`}
                          onClick={() => setSelected(addr)}
                          onDoubleClick={() => void addWatchpoint({ addr: addr & ~3, len: 4, kind: 'write' })}>{hex8(b)}</td>
                      );
                    })}
                    <td className="ascii">{cells.map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '·')).join('')}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
