/** The UART console: output up to the current position; typed input goes to the guest while recording. */
import { useEffect, useRef, useState } from 'react';
import { useIde } from '../state/store';
import { sendInput } from '../state/actions';
import { fmtCount } from '../format';

export function ConsolePanel() {
  const text = useIde((s) => s.consoleText);
  const waiting = useIde((s) => s.waitingInput);
  const replayOnly = useIde((s) => s.session?.replayOnly ?? false);
  const pastFrontier = useIde((s) => s.position !== null && s.position.icount < s.position.frontier);
  // Shown once the position is past the first byte the worker did not keep.
  const dropped = useIde((s) => (s.outputDropped && s.position && s.position.icount > s.outputDropped.fromIcount ? s.outputDropped : null));
  const [line, setLine] = useState('');
  const out = useRef<HTMLPreElement>(null);
  useEffect(() => { const el = out.current; if (el) el.scrollTop = el.scrollHeight; }, [text]);
  const readOnly = replayOnly;
  return (
    <section className="panel console" aria-label="Console">
      <header className="panel-head">
        <h2>Console</h2>
        {waiting && <span className="badge waiting">guest waits for input</span>}
        {readOnly && <span className="badge">replay: read-only</span>}
        {!readOnly && pastFrontier && <span className="badge">reviewing the past</span>}
      </header>
      {dropped && (
        <p className="console-dropped" role="note" data-testid="console-dropped">
          Output from instruction count {fmtCount(dropped.fromIcount)} on is not kept ({fmtCount(dropped.bytes)} bytes past the limit): the console shows the output before it.
        </p>
      )}
      <pre className="console-out" ref={out} data-testid="console" aria-live="polite">{text}</pre>
      <form className="console-in" onSubmit={(e) => { e.preventDefault(); void sendInput(line + '\n'); setLine(''); }}>
        <span aria-hidden="true">›</span>
        <input aria-label="Console input" disabled={readOnly} value={line} onChange={(e) => setLine(e.target.value)}
          placeholder={readOnly ? 'A replay reads its recorded input' : 'Type input for the guest, Enter sends it (with a newline)'}
          onKeyDown={(e) => { if (e.key === 'd' && e.ctrlKey) { e.preventDefault(); void sendInput('\u0004'); } }} />
      </form>
    </section>
  );
}
