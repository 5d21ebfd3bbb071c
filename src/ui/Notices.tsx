/** Errors and notices, shown over the editor where the user is looking; errors stay until dismissed. */
import { useIde, dismiss } from './state/store';

export function Notices() {
  const notices = useIde((s) => s.notices);
  return (
    <div className="notices">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.level}`} role={n.level === 'error' ? 'alert' : 'status'}>
          <span className="notice-text">{n.message}</span>
          <button className="x" aria-label="Dismiss" onClick={() => dismiss(n.id)}>×</button>
        </div>
      ))}
    </div>
  );
}
