/** Global keyboard shortcuts from the command registry (capture phase, so Monaco does not eat F-keys). */
import { COMMANDS, execute, type KeyBinding } from './registry';

function matches(k: KeyBinding, e: KeyboardEvent): boolean {
  return e.key.toLowerCase() === k.key.toLowerCase() && !!k.shift === e.shiftKey && !!k.ctrl === (e.ctrlKey || e.metaKey) && !e.altKey;
}

export function installShortcuts(): () => void {
  const onKey = (e: KeyboardEvent) => {
    for (const c of COMMANDS) {
      if (c.keys && matches(c.keys, e)) {
        e.preventDefault();
        e.stopPropagation();
        execute(c);
        return;
      }
    }
  };
  window.addEventListener('keydown', onKey, true);
  return () => window.removeEventListener('keydown', onKey, true);
}
