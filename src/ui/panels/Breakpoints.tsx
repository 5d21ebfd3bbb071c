/** Breakpoints, watchpoints and the replay break, each removable; breakpoints show their line. */
import { useState } from 'react';
import { useIde } from '../state/store';
import { useShallow } from 'zustand/react/shallow';
import { setBreakpoints, setWatchpoints, setReplayBreak, symbolsOf, lineOf } from '../state/actions';
import { hex32, parseNumber, fmtCount } from '../format';

export function BreakpointsPanel() {
  const s = useIde(useShallow((x) => ({ breakpoints: x.breakpoints, watchpoints: x.watchpoints, replayBreak: x.replayBreak, lineMap: x.lineMap, session: x.session })));
  const syms = symbolsOf(s.session);
  const [rb, setRb] = useState('');
  return (
    <section className="panel" aria-label="Breakpoints">
      <header className="panel-head"><h2>Breakpoints &amp; watchpoints</h2></header>
      <div className="panel-body">
        <ul className="bp-list" data-testid="breakpoints">
          {s.breakpoints.map((a) => {
            const line = lineOf(a, s.lineMap);
            return (
              <li key={`b${a}`}>
                <span className="dot bp" aria-hidden="true" />
                <span className="mono">0x{hex32(a)}</span> <span className="sym">{syms.lookup(a) ?? ''}{line !== undefined ? ` · line ${line}` : ''}</span>
                <button className="x" aria-label={`Remove breakpoint 0x${hex32(a)}`} onClick={() => void setBreakpoints(s.breakpoints.filter((x) => x !== a))}>×</button>
              </li>
            );
          })}
          {s.watchpoints.map((w) => (
            <li key={`w${w.addr}-${w.len}`}>
              <span className="dot wp" aria-hidden="true" />
              <span className="mono">{w.kind} 0x{hex32(w.addr)}/{w.len}</span> <span className="sym">{syms.lookup(w.addr) ?? ''}</span>
              <button className="x" aria-label={`Remove watchpoint 0x${hex32(w.addr)}`} onClick={() => void setWatchpoints(s.watchpoints.filter((x) => x !== w))}>×</button>
            </li>
          ))}
          {s.replayBreak !== null && (
            <li>
              <span className="dot rb" aria-hidden="true" />
              <span className="mono">replay_break {fmtCount(s.replayBreak)}</span>
              <button className="x" aria-label="Delete replay break" onClick={() => void setReplayBreak(null)}>×</button>
            </li>
          )}
          {s.breakpoints.length === 0 && s.watchpoints.length === 0 && s.replayBreak === null && <li className="empty">Click the editor gutter to add a breakpoint, or double-click a memory cell to watch it.</li>}
        </ul>
        <form className="inline-form" onSubmit={(e) => { e.preventDefault(); const n = parseNumber(rb); if (n !== undefined) void setReplayBreak(n); }}>
          <input aria-label="Replay break icount" placeholder="replay_break icount" value={rb} onChange={(e) => setRb(e.target.value)} />
          <button type="submit" className="chip" disabled={!s.session || parseNumber(rb) === undefined}>Set replay break</button>
        </form>
      </div>
    </section>
  );
}
