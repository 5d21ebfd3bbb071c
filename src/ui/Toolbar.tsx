/** The toolbar: commands from the registry (aria-label = command name, tooltip with its key), progress with cancel. */
import { useIde } from './state/store';
import { useShallow } from 'zustand/react/shallow';
import { COMMANDS, execute, tooltip, type CommandId } from './commands/registry';
import { pause } from './state/actions';
import { fmtCount } from './format';

const GROUPS: CommandId[][] = [
  ['run', 'continue', 'pause'],
  ['reverseContinue', 'reverseStepOver', 'reverseStep', 'step', 'stepOver'],
  ['restart', 'replayBreak'],
  ['open', 'importReplay', 'exportReplay'],
];

export function Toolbar() {
  // Only what the buttons and the status read (the store changes at every position event).
  useIde(useShallow((x) => [x.session, x.busy, x.running, x.running ? x.position?.icount : null, x.position?.frontier, x.progress, x.sourceDirty]));
  const s = useIde.getState();
  const progress = s.progress;
  const label = s.busy ?? (s.running ? { continue: 'Running', step: 'Stepping', 'reverse-step': 'Reverse stepping', 'reverse-continue': 'Reverse continuing', seek: 'Seeking', open: 'Opening' }[s.running] : null);
  return (
    <header className="toolbar" role="toolbar" aria-label="Debugger">
      <div className="brand"><span className="logo">⟲</span> Rewind</div>
      {GROUPS.map((g, i) => (
        <div className="group" key={i}>
          {g.map((id) => {
            const c = COMMANDS.find((x) => x.id === id)!;
            return (
              <button key={id} className={`tool tool-${id}`} aria-label={c.label} title={tooltip(c)} disabled={!c.enabled(s)} onClick={() => execute(c)}>
                <span className="icon" aria-hidden="true">{c.icon}</span><span className="tool-label">{c.label}</span>
              </button>
            );
          })}
        </div>
      ))}
      <div className="status" aria-live="polite">
        {label && (
          <span className="progress" role="status" data-testid="progress">
            <span className="spinner" aria-hidden="true" />{label}
            {progress && progress.total > 0 && <progress max={progress.total} value={progress.done} />}
            {s.running && <span className="mono"> {fmtCount(s.position?.icount ?? 0)}</span>}
            {s.running && <button className="chip" onClick={() => void pause()} aria-label="Cancel">Cancel</button>}
          </span>
        )}
        {!label && s.session && <span className="session-name" title={s.session.name}>{s.session.name}{s.session.replayOnly ? ' · replay' : ''}{s.sourceDirty ? ' · edited' : ''}</span>}
      </div>
    </header>
  );
}
