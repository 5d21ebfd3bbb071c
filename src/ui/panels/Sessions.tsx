/** Stored sessions (IndexedDB): open or delete; the examples to start from. */
import { useEffect } from 'react';
import { useIde } from '../state/store';
import { openSession, deleteSession, refreshSessions } from '../state/actions';
import { fmtCount } from '../format';

export interface ExampleEntry { name: string; title: string; description: string; source?: string; elf?: string }

export function SessionsPanel({ examples, onExample }: { examples: ExampleEntry[]; onExample: (e: ExampleEntry) => void }) {
  const sessions = useIde((s) => s.storedSessions);
  const current = useIde((s) => s.session?.id);
  useEffect(() => { void refreshSessions(); }, [current]);
  return (
    <section className="panel" aria-label="Sessions">
      <header className="panel-head"><h2>Sessions</h2><button className="chip" onClick={() => void refreshSessions()} aria-label="Refresh sessions">↻</button></header>
      <div className="panel-body">
        <ul className="session-list" data-testid="sessions">
          {sessions.map((s) => (
            <li key={s.id} className={s.id === current ? 'current' : ''}>
              <button className="link" onClick={() => void openSession(s.id)} title={`Open ${s.name}`}>{s.name}</button>
              <span className="meta">{s.replayOnly ? 'replay · ' : ''}{fmtCount(s.frontier)} insns · {new Date(s.updatedAt).toLocaleString()}</span>
              <button className="x" aria-label={`Delete session ${s.name}`} onClick={() => { if (confirm(`Delete the stored session “${s.name}”?`)) void deleteSession(s.id); }}>×</button>
            </li>
          ))}
          {sessions.length === 0 && <li className="empty">No stored sessions yet.</li>}
        </ul>
        <h3>Examples</h3>
        <ul className="example-list">
          {examples.map((e) => (
            <li key={e.name}><button className="link" onClick={() => onExample(e)} title={e.description}>{e.title}</button> <span className="meta">{e.source ?? e.elf}</span></li>
          ))}
        </ul>
      </div>
    </section>
  );
}
