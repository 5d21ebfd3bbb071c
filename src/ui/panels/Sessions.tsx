/** Stored sessions (IndexedDB): open, rename or delete; the examples to start from. */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useIde } from '../state/store';
import { openSession, deleteSession, refreshSessions, renameSession } from '../state/actions';
import { fmtCount } from '../format';
import type { StoredSessionSummary } from '../../../workers/api';

export interface ExampleEntry { name: string; title: string; description: string; source?: string; elf?: string }

export function SessionsPanel({ examples, onExample }: { examples: ExampleEntry[]; onExample: (e: ExampleEntry) => void }) {
  const sessions = useIde((s) => s.storedSessions);
  const current = useIde((s) => s.session?.id);
  const [editing, setEditing] = useState<string | null>(null);
  useEffect(() => { void refreshSessions(); }, [current]);
  return (
    <section className="panel" aria-label="Sessions">
      <header className="panel-head"><h2>Sessions</h2><button className="chip" onClick={() => void refreshSessions()} aria-label="Refresh sessions">↻</button></header>
      <div className="panel-body">
        <ul className="session-list" data-testid="sessions">
          {sessions.map((s) => (
            <li key={s.id} className={s.id === current ? 'current' : ''}>
              {editing === s.id
                ? <RenameField session={s} onDone={() => setEditing(null)} />
                : <>
                  <button className="link" onClick={() => void openSession(s.id)} title={`Open ${s.name}`}>{s.name}</button>
                  <span className="meta">{s.replayOnly ? 'replay · ' : ''}{fmtCount(s.frontier)} insns · {new Date(s.updatedAt).toLocaleString()}</span>
                  <button className="x rename" aria-label={`Rename session ${s.name}`} title="Rename" onClick={() => setEditing(s.id)}>✎</button>
                  <button className="x" aria-label={`Delete session ${s.name}`} onClick={() => { if (confirm(`Delete the stored session “${s.name}”?`)) void deleteSession(s.id); }}>×</button>
                </>}
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

/** Inline rename: Enter commits, Escape cancels; an empty name is refused with a message. */
function RenameField({ session, onDone }: { session: StoredSessionSummary; onDone: () => void }) {
  const [value, setValue] = useState(session.name);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => { input.current?.focus(); input.current?.select(); }, []);
  const commit = async () => {
    const name = value.trim();
    if (name === '') { setError('A session name cannot be empty.'); return; }
    if (name === session.name) { onDone(); return; }
    setSaving(true);
    const ok = await renameSession(session.id, name);
    setSaving(false);
    if (ok) onDone(); else setError('The session could not be renamed.');
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    // The IDE's shortcuts listen in the capture phase; these keys stay with the field.
    if (e.key === 'Enter') { e.preventDefault(); void commit(); }
    if (e.key === 'Escape') { e.preventDefault(); onDone(); }
  };
  return (
    <span className="rename-field">
      <input ref={input} className="mono" value={value} disabled={saving} aria-label={`New name for session ${session.name}`}
        aria-invalid={error !== null} aria-describedby={error !== null ? `rename-error-${session.id}` : undefined}
        onChange={(e) => { setValue(e.target.value); setError(null); }} onKeyDown={onKey} onBlur={() => { if (!saving && error === null) onDone(); }} />
      {error !== null && <span id={`rename-error-${session.id}`} className="field-error" role="alert">{error}</span>}
    </span>
  );
}
