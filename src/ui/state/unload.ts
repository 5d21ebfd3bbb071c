/**
 * The page's part of crash-safe recording. The worker writes a running recording to IndexedDB
 * at least every `StoredInfo.intervalMs`; what it has not committed yet is lost if the page goes
 * away. So the page warns on `beforeunload` while anything is not stored (the worker's `stored`
 * events say so), and keeps how far the recording got in localStorage (synchronous, so it
 * survives the unload) to tell, after a reload or crash, how much of the end was lost.
 */
import { useIde, storedOf } from './store';

const REACHED_KEY = 'rewind.reached.v1';
/** localStorage is written at most this often while a recording runs, and at unload (ms). */
const REACHED_EVERY_MS = 250;

let reached: { session: string; frontier: number } | null = null;
let writtenAt = -Infinity;

/** The frontier a recording reported (every position event while recording: cheap, throttled writes). */
export function noteFrontier(session: string, frontier: number): void {
  if (reached && reached.session === session && reached.frontier >= frontier) return;
  reached = { session, frontier };
  if (performance.now() - writtenAt >= REACHED_EVERY_MS) writeReached();
}

function writeReached(): void {
  writtenAt = performance.now();
  try { localStorage.setItem(REACHED_KEY, JSON.stringify(reached)); } catch { /* storage off: the notice says less */ }
}

/**
 * How far the page saw `session`'s recording get before it went away (null if it did not note
 * it). The note is consumed: the recording goes on from where it was recovered.
 */
export function takeReached(session: string): number | null {
  let frontier: number | null = null;
  try {
    const v = JSON.parse(localStorage.getItem(REACHED_KEY) ?? 'null') as { session?: unknown; frontier?: unknown } | null;
    if (v && v.session === session && typeof v.frontier === 'number') {
      frontier = v.frontier;
      localStorage.removeItem(REACHED_KEY);
    }
  } catch { /* storage off */ }
  if (reached?.session === session) reached = null;
  return frontier;
}

/** Whether leaving now would lose something: a change not yet committed, or a session never stored. */
export function unsavedWork(): boolean {
  const s = useIde.getState();
  const session = s.session;
  if (!session) return false;
  // Kept in memory only (no storage): everything recorded would be lost.
  if (!session.persisted) return (s.position?.frontier ?? 0) > 0;
  return storedOf(session.id)?.pending === true;
}

/** Installs the beforeunload warning and the last frontier note; returns the uninstaller. */
export function installUnloadGuard(): () => void {
  const before = (e: BeforeUnloadEvent): void => {
    if (reached) writeReached();
    if (!unsavedWork()) return;
    e.preventDefault();
    // Older browsers show the prompt only for a non-empty returnValue.
    e.returnValue = 'The recording is not completely saved yet.';
  };
  const hide = (): void => { if (reached) writeReached(); };
  addEventListener('beforeunload', before);
  addEventListener('pagehide', hide);
  return () => {
    removeEventListener('beforeunload', before);
    removeEventListener('pagehide', hide);
  };
}
