/**
 * The IDE's state: a projection of the engine worker's events plus the answers to the queries
 * made after each stop. No engine logic lives here; reducers only record what the worker said.
 */
import { create } from 'zustand';
import type {
  EngineEvent, OperationKind, PositionInfo, RegistersInfo, SessionInfo, SourceLineInfo, StopInfo,
  WatchpointInfo, InfoReplayResult, DiagnosticInfo, StoredSessionSummary, ConsoleMarks, StoredInfo,
} from '../../../workers/api';

export type MarkerKind = 'breakpoint' | 'watchpoint' | 'replay-break' | 'exit' | 'output' | 'input' | 'snapshot';
export interface TimelineMarker { icount: number; kind: MarkerKind; label: string }

export interface Notice { level: 'error' | 'warning' | 'info'; message: string; id: number; sticky: boolean }

export interface ProgressInfo { op: OperationKind; phase: string; done: number; total: number }

export interface IdeState {
  session: SessionInfo | null;
  position: PositionInfo | null;
  running: OperationKind | null;
  /** A UI-side request in flight that is not a motion (load, import, export, open). */
  busy: string | null;
  lastStop: StopInfo | null;
  progress: ProgressInfo | null;
  waitingInput: boolean;
  registers: RegistersInfo | null;
  /** The registers at the stop before, for highlighting what changed. */
  previousRegisters: RegistersInfo | null;
  consoleText: string;
  info: InfoReplayResult | null;
  markers: TimelineMarker[];
  snapshots: number[];
  breakpoints: number[];
  watchpoints: WatchpointInfo[];
  replayBreak: number | null;
  lineMap: SourceLineInfo[];
  diagnostics: DiagnosticInfo[];
  /** Editor text (the source being edited, which may differ from the loaded one). */
  sourceText: string;
  sourceName: string;
  /** The editor's text differs from the loaded program's source. */
  sourceDirty: boolean;
  /** The ELF disassembly listing shown instead of source. */
  listing: { text: string; lines: SourceLineInfo[] } | null;
  storedSessions: StoredSessionSummary[];
  notices: Notice[];
  memoryAddress: number;
  /** What of the current session is committed to IndexedDB (the worker's `stored` events). */
  stored: StoredInfo | null;
  /** Console output the worker did not keep (past its limit), if any. */
  outputDropped: { fromIcount: number; bytes: number } | null;
}

const initial: IdeState = {
  session: null, position: null, running: null, busy: null, lastStop: null, progress: null, waitingInput: false,
  registers: null, previousRegisters: null, consoleText: '', info: null, markers: [], snapshots: [],
  breakpoints: [], watchpoints: [], replayBreak: null, lineMap: [], diagnostics: [], sourceText: '', sourceName: '', sourceDirty: false,
  listing: null, storedSessions: [], notices: [], memoryAddress: 0x80000000, stored: null, outputDropped: null,
};

export const useIde = create<IdeState>(() => initial);

let noticeId = 0;
/** Shows a notice; errors and `sticky` ones stay until dismissed, others for 6 s. */
export function notify(level: Notice['level'], message: string, options: { sticky?: boolean } = {}): void {
  const sticky = level === 'error' || options.sticky === true;
  const n: Notice = { level, message, id: ++noticeId, sticky };
  // The oldest transient notices give way first.
  useIde.setState((s) => {
    const list = [...s.notices, n];
    while (list.length > 4) {
      const i = list.findIndex((x) => !x.sticky);
      list.splice(i >= 0 ? i : 0, 1);
    }
    return { notices: list };
  });
  if (!sticky) setTimeout(() => dismiss(n.id), 6000);
}
export function dismiss(id: number): void {
  useIde.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
}

/** The latest `stored` report of each session (a closing session's last writes report late). */
const storedBySession = new Map<string, StoredInfo>();

export function storedOf(sessionId: string): StoredInfo | null { return storedBySession.get(sessionId) ?? null; }
let storedShownAt = -Infinity;

const MAX_MARKERS = 5000;

function stopMarker(stop: StopInfo): TimelineMarker | null {
  const c = stop.cause;
  switch (c.kind) {
    case 'breakpoint': return { icount: stop.icount, kind: 'breakpoint', label: `breakpoint at 0x${(c.pc >>> 0).toString(16)}` };
    case 'watchpoint': return { icount: stop.icount, kind: 'watchpoint', label: `watchpoint: ${c.access} of ${c.size} at 0x${(c.addr >>> 0).toString(16)}` };
    case 'exit': return { icount: stop.icount, kind: 'exit', label: `exit ${c.code}` };
    default: return null;
  }
}

export function addMarker(m: TimelineMarker): void { addMarkers([m]); }

/** Adds markers (one store update per batch; markers usually arrive in icount order). */
export function addMarkers(list: readonly TimelineMarker[]): void {
  if (list.length === 0) return;
  useIde.setState((s) => {
    const markers = [...s.markers];
    for (const m of list) {
      if (markers.some((x) => x.icount === m.icount && x.kind === m.kind)) continue;
      const last = markers[markers.length - 1];
      markers.push(m);
      if (last && last.icount > m.icount) markers.sort((a, b) => a.icount - b.icount);
    }
    return { markers: markers.length > MAX_MARKERS ? markers.slice(markers.length - MAX_MARKERS) : markers };
  });
}

/**
 * Console markers from the worker's log replace the input and output markers it covers: input
 * before its frontier, output before `outputHigh`. Markers from events past those stay (output
 * of a run still going, input typed but not yet read by the guest).
 */
export function setConsoleMarks(marks: ConsoleMarks): void {
  const fromLog: TimelineMarker[] = [
    ...marks.input.map((m) => ({ icount: m.icount, kind: 'input' as const, label: `input ${JSON.stringify(m.text.slice(0, 24))}` })),
    ...marks.output.map((m) => ({ icount: m.icount, kind: 'output' as const, label: `output ${JSON.stringify(m.text.slice(0, 24))}` })),
  ];
  useIde.setState((s) => {
    const kept = s.markers.filter((m) => (m.kind !== 'input' && m.kind !== 'output')
      || (m.kind === 'input' && m.icount >= marks.frontier) || (m.kind === 'output' && m.icount >= marks.outputHigh));
    const markers = [...kept, ...fromLog].sort((a, b) => a.icount - b.icount);
    return { markers: markers.length > MAX_MARKERS ? markers.slice(markers.length - MAX_MARKERS) : markers };
  });
}

/**
 * While an operation runs the worker reports its position every frame; the panels follow at
 * ~5 Hz (re-rendering and painting at 60 Hz would take the main thread from the user).
 */
const RUNNING_POSITION_MS = 250;
const START_DELAY_MS = 300;
let lastPositionAt = 0;
let pendingPosition: { position: PositionInfo; running: OperationKind | null } | null = null;
let positionTimer: ReturnType<typeof setTimeout> | null = null;

function flushPosition(): void {
  positionTimer = null;
  const p = pendingPosition;
  pendingPosition = null;
  if (!p) return;
  lastPositionAt = performance.now();
  useIde.setState({ position: p.position, running: p.running, ...(p.running === null ? { progress: null } : {}) });
}

let pendingStop: StopInfo | null = null;

/**
 * Shows the last stop (called shortly after it arrives, unless the engine is busy again: then the
 * newer operation's stop is the one to show, and the main thread stays free meanwhile).
 */
export function commitStop(): void {
  const stop = pendingStop;
  pendingStop = null;
  if (!stop) return;
  if (startedSinceStop) return; // a newer operation runs: its own stop will be shown
  useIde.setState({ lastStop: stop, running: null, progress: null, waitingInput: false,
    position: { icount: stop.icount, pc: stop.pc, frontier: stop.frontier, mode: stop.mode } });
}

/** True while the engine runs an operation (including one not shown as running yet). */
export function engineBusy(): boolean {
  if (pendingStop) return startedSinceStop;
  return useIde.getState().running !== null || (pendingPosition !== null && pendingPosition.running !== null);
}

/** A new operation reported its position after the last stop arrived. */
let startedSinceStop = false;

function dropPendingPosition(): void {
  pendingPosition = null;
  if (positionTimer !== null) { clearTimeout(positionTimer); positionTimer = null; }
}

/** Applies one batch of worker events. Returns true when a stop arrived (the caller refreshes). */
export function applyEvents(events: EngineEvent[]): boolean {
  let stopped = false;
  const newMarkers: TimelineMarker[] = [];
  let output = '';
  for (const e of events) {
    switch (e.type) {
      case 'stop': {
        stopped = true;
        dropPendingPosition();
        pendingStop = e.stop;
        startedSinceStop = false;
        const m = stopMarker(e.stop);
        if (m) newMarkers.push(m);
        if (e.stop.cause.kind === 'divergence') notify('error', `Replay diverged: ${e.stop.cause.message}`);
        break;
      }
      case 'position': {
        if (e.running !== null) startedSinceStop = true;
        const cur = useIde.getState();
        pendingPosition = { position: e.position, running: e.running };
        // An operation shows as running only once it lasted a moment (steps and seeks do not
        // flicker the toolbar); its end shows at once; progress within a run is throttled.
        const starting = cur.running === null && e.running !== null;
        if (!starting && (e.running === null || performance.now() - lastPositionAt >= RUNNING_POSITION_MS)) flushPosition();
        else if (positionTimer === null) positionTimer = setTimeout(flushPosition, starting ? START_DELAY_MS : RUNNING_POSITION_MS);
        break;
      }
      case 'progress':
        useIde.setState({ progress: { op: e.op, phase: e.phase, done: e.done, total: e.total } });
        break;
      case 'output':
        output += e.text;
        newMarkers.push({ icount: e.icount, kind: 'output', label: `output ${JSON.stringify(e.text.slice(0, 24))}` });
        break;
      case 'waiting-input':
        useIde.setState({ waitingInput: true });
        break;
      case 'storage':
        notify(e.level, e.message);
        break;
      case 'stored':
        storedBySession.delete(e.sessionId);
        storedBySession.set(e.sessionId, e.stored);
        if (storedBySession.size > 8) storedBySession.delete(storedBySession.keys().next().value!);
        // The panel follows at most once a second while recording (beforeunload reads storedOf).
        if (useIde.getState().session?.id === e.sessionId && (!e.stored.pending || performance.now() - storedShownAt >= 1000)) {
          storedShownAt = performance.now();
          useIde.setState({ stored: e.stored });
        }
        break;
      case 'session':
        if (e.session) {
          useIde.setState({
            session: e.session, position: e.session.position, breakpoints: e.session.breakpoints,
            watchpoints: e.session.watchpoints, replayBreak: e.session.replayBreak, stored: storedOf(e.session.id),
          });
        }
        break;
    }
  }
  if (output) useIde.setState((s) => ({ consoleText: capConsole(s.consoleText + output) }));
  addMarkers(newMarkers);
  return stopped;
}

const CONSOLE_CAP = 200_000;
export function capConsole(t: string): string { return t.length > CONSOLE_CAP ? t.slice(t.length - CONSOLE_CAP) : t; }

/** A new session starts with fresh projections. */
export function resetForSession(session: SessionInfo): void {
  useIde.setState({
    session, position: session.position, lastStop: null, running: null, progress: null, waitingInput: false,
    registers: null, previousRegisters: null, consoleText: '', markers: [], snapshots: [],
    breakpoints: session.breakpoints, watchpoints: session.watchpoints, replayBreak: session.replayBreak,
    stored: storedOf(session.id), outputDropped: null,
  });
}
