/** info replay: mode, log name, icount and frontier (QEMU's words), plus the last stop reason. */
import { useIde } from '../state/store';
import { fmtCount } from '../format';
import type { StopCauseInfo } from '../../../workers/api';

export function causeText(c: StopCauseInfo): string {
  switch (c.kind) {
    case 'breakpoint': return `breakpoint at 0x${c.pc.toString(16)}`;
    case 'watchpoint': return `watchpoint: ${c.access} at 0x${c.addr.toString(16)}`;
    case 'replay-break': return 'replay break';
    case 'exit': return `exited with code ${c.code}`;
    case 'end-of-log': return 'end of the replay log';
    case 'beginning-of-log': return 'beginning of the log (no more reverse execution)';
    case 'divergence': return `divergence: ${c.message}`;
    case 'idle': return 'idle (waiting for input)';
    default: return c.kind;
  }
}

export function InfoReplayPanel() {
  const info = useIde((s) => s.info);
  const stop = useIde((s) => s.lastStop);
  const session = useIde((s) => s.session);
  const stored = useIde((s) => s.stored);
  return (
    <section className="panel" aria-label="Info replay">
      <header className="panel-head"><h2>Info replay</h2></header>
      <div className="panel-body">
        {info && session ? (
          <dl className="info" data-testid="info-replay">
            <dt>mode</dt><dd className={`mode-${info.mode}`}>{info.mode}{session.replayOnly ? ' (replay file)' : ''}</dd>
            <dt>log</dt><dd>{info.name}</dd>
            <dt>icount</dt><dd className="mono">{fmtCount(info.icount)}</dd>
            <dt>frontier</dt><dd className="mono">{fmtCount(info.frontier)}</dd>
            <dt>stop</dt><dd>{stop ? causeText(stop.cause) : '—'}</dd>
            <dt>saved</dt>
            <dd data-testid="saved" title="The session record, log and output in IndexedDB (written at least every 0.4 s while recording)">
              {!session.persisted ? 'not stored' : stored && stored.frontier >= 0 ? `up to ${fmtCount(stored.frontier)}${stored.pending ? ' · saving…' : ''}` : 'saving…'}
            </dd>
            <dd className="qemu mono" style={{ gridColumn: '1 / -1' }}>{info.text}</dd>
          </dl>
        ) : <p className="empty">No session.</p>}
      </div>
    </section>
  );
}
