/**
 * Everything the IDE asks of the engine worker goes through here: motions, queries after a stop,
 * files and sessions. The store (store.ts) is updated from the worker's answers and events only.
 */
import type { EngineClient } from '../engine/client';
import type { SessionInfo, SourceLineInfo, WatchpointInfo, StopInfo, PeekInfo } from '../../../workers/api';
import { useIde, applyEvents, resetForSession, notify, addMarker, capConsole, engineBusy, commitStop, setConsoleMarks } from './store';
import { errorText, Symbols, fmtCount } from '../format';
import { installUnloadGuard, noteFrontier, takeReached } from './unload';
import { buildListing } from './listing';
import { decode } from '../../isa';

let engine: EngineClient | null = null;
let refreshSeq = 0;
/** The session the store shows; `loading` while the IDE itself loads one. */
let projectedId: string | null = null;
let loading = false;

export function engineClient(): EngineClient {
  if (!engine) throw new Error('the engine is not started');
  return engine;
}

/** Makes the client available to the IDE (before the first render). */
export function attachEngine(client: EngineClient): void { engine = client; }

/** Subscribes to the worker and opens the last session, or the default example on first start. */
export async function startIde(client: EngineClient, defaultExample: () => Promise<void>): Promise<void> {
  engine = client;
  installUnloadGuard();
  await client.listen((events) => {
    if (applyEvents(events)) scheduleRefresh();
    for (const e of events) {
      // A session loaded by a script (window.rewind) is projected like one the IDE loaded.
      if (e.type === 'session' && e.session && e.session.id !== projectedId && !loading) void afterLoad(e.session);
      // How far a running recording got, for the notice after a reload or crash.
      if (e.type === 'position' && (e.running === 'continue' || e.running === 'step') && e.position.mode === 'recording' && projectedId !== null) {
        noteFrontier(projectedId, e.position.frontier);
      }
    }
  });
  try {
    const stored = await client.api.listSessions();
    useIde.setState({ storedSessions: stored });
    const last = stored[0];
    if (last) {
      await openSession(last.id);
      return;
    }
  } catch (e) {
    notify('warning', `Stored sessions are not available: ${errorText(e)}`);
  }
  await defaultExample();
}

let refreshTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * The panels are refreshed shortly after a stop, unless another operation has started by then
 * (a script or a fast user resuming at once): its own stop refreshes them, and the main thread
 * stays free while the engine runs.
 */
function scheduleRefresh(): void {
  if (refreshTimer !== null) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    if (engineBusy()) {
      // Drop the stale stop; the newer operation's stop will be shown.
      commitStop();
      return;
    }
    commitStop();
    void refresh();
  }, 30);
}

let refreshing: Promise<void> | null = null;
let refreshAgain = false;

/**
 * Reads registers, console, info replay and snapshots at the current position. Stops that arrive
 * while a refresh is in flight (a timeline drag sends one per frame) coalesce into one more.
 */
export function refresh(): Promise<void> {
  if (refreshing) { refreshAgain = true; return refreshing; }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      await refreshOnce();
    } while (refreshAgain);
  })().finally(() => { refreshing = null; });
  return refreshing;
}

/** Console markers per line from the worker's log (the most recent of each kind). */
const CONSOLE_MARKS = 2000;
/** What the last console markers covered, to ask again only when the log could have grown. */
let marksRead: { session: string; frontier: number; outputHigh: number } | null = null;

async function refreshConsoleMarks(regsIcount: number, frontier: number): Promise<void> {
  const session = useIde.getState().session;
  if (!session) return;
  const last = marksRead;
  // A recording's output is known to its frontier; an imported file's only as far as replayed.
  if (last && last.session === session.id && last.frontier === frontier && !(session.replayOnly && regsIcount > last.outputHigh)) return;
  const marks = await engineClient().api.consoleMarks(CONSOLE_MARKS);
  if (useIde.getState().session?.id !== session.id) return;
  marksRead = { session: session.id, frontier: marks.frontier, outputHigh: marks.outputHigh };
  setConsoleMarks(marks);
}

async function refreshOnce(): Promise<void> {
  const api = engineClient().api;
  const seq = ++refreshSeq;
  try {
    const [regs, text, info, snaps, dropped] = await Promise.all([api.registers(), api.consoleText(), api.infoReplay(), api.snapshots(), api.outputDropped()]);
    if (seq !== refreshSeq || engineBusy()) return;
    void refreshConsoleMarks(regs.icount, info.frontier).catch(() => { /* markers are a convenience; the next stop asks again */ });
    useIde.setState((s) => ({
      previousRegisters: s.registers && s.registers.icount !== regs.icount ? s.registers : s.previousRegisters,
      registers: regs,
      consoleText: capConsole(text),
      outputDropped: dropped,
      info,
      replayBreak: info.replayBreak,
      snapshots: snaps.map((x) => x.icount),
      position: { icount: regs.icount, pc: regs.pc, frontier: info.frontier, mode: info.mode },
    }));
  } catch (e) {
    if (seq === refreshSeq) notify('error', errorText(e));
  }
}

async function guarded<T>(what: string, f: () => Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (e) {
    notify('error', `${what}: ${errorText(e)}`);
    return undefined;
  }
}

/** Like guarded, for calls without a result: true when it succeeded. */
async function attempt(what: string, f: () => Promise<unknown>): Promise<boolean> {
  try {
    await f();
    return true;
  } catch (e) {
    notify('error', `${what}: ${errorText(e)}`);
    return false;
  }
}

async function withBusy<T>(label: string, f: () => Promise<T>): Promise<T> {
  useIde.setState({ busy: label });
  loading = true;
  try { return await f(); } finally { loading = false; useIde.setState({ busy: null }); }
}

// ------------------------------------------------------------------ loading

async function afterLoad(session: SessionInfo): Promise<void> {
  projectedId = session.id;
  marksRead = null;
  resetForSession(session);
  if (session.recovered) notifyRecovered(session, session.recovered.icount);
  const api = engineClient().api;
  if (session.source) {
    const lineMap = await api.lineMap();
    useIde.setState({ lineMap, listing: null, sourceText: session.source.text, sourceName: session.source.fileName, diagnostics: [] });
  } else {
    const listing = await buildListing(api, session);
    useIde.setState({ lineMap: listing.lines, listing, sourceText: listing.text, sourceName: `${session.name} (disassembly)`, diagnostics: [] });
  }
  await refresh();
  void refreshSessions();
}

/** Assembles and loads `text`; assembler errors become editor markers and leave the session alone. */
/**
 * Assembles and loads `text`. `preview`: an example shown on first start, kept in memory only
 * (Run assembles it again into a stored session), so opening the app stores nothing.
 */
export async function loadSource(text: string, fileName: string, breakpointLines: readonly number[] = [], preview = false): Promise<boolean> {
  return withBusy('Assembling', async () => {
    const res = await guarded('Assemble', () => engineClient().load({ kind: 'asm', text, fileName }, { name: fileName, persist: !preview }));
    if (!res) return false;
    useIde.setState({ diagnostics: res.diagnostics });
    if (!res.ok || !res.session) {
      const first = res.diagnostics.find((d) => d.severity === 'error');
      notify('error', `Assembly failed${first ? ` (line ${first.line}): ${first.message}` : ''}`);
      return false;
    }
    await afterLoad(res.session);
    // Gutter breakpoints are kept by line across edits; their addresses come from the new line map.
    const addrs = breakpointLines.map((l) => addressOfLine(l)).filter((a): a is number => a !== undefined);
    if (addrs.length) await setBreakpoints(addrs);
    return true;
  });
}

export async function loadElf(bytes: ArrayBuffer, fileName: string, preview = false): Promise<boolean> {
  return withBusy('Loading', async () => {
    const res = await guarded(`Open ${fileName}`, () => engineClient().load({ kind: 'elf', bytes, fileName }, { name: fileName, persist: !preview }));
    if (!res?.ok || !res.session) return false;
    await afterLoad(res.session);
    return true;
  });
}

export async function importReplay(bytes: ArrayBuffer, fileName: string): Promise<boolean> {
  return withBusy('Importing', async () => {
    const res = await guarded(`Import ${fileName}`, () => engineClient().importReplay(bytes, { name: fileName.replace(/\.rwd$/i, '') }));
    if (!res?.ok || !res.session) return false;
    await afterLoad(res.session);
    notify('info', `Imported ${fileName}: ${res.session.position.frontier.toLocaleString('en-US')} instructions, replay only.`);
    return true;
  });
}

export async function exportReplay(): Promise<void> {
  const s = useIde.getState().session;
  if (!s) return;
  const bytes = await withBusy('Exporting', () => guarded('Export', () => engineClient().api.exportReplay()));
  if (!bytes) return;
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${s.name.replace(/\.(s|S|elf|rwd)$/, '')}.rwd`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// ------------------------------------------------------------------ sessions

export async function refreshSessions(): Promise<void> {
  const list = await guarded('Sessions', () => engineClient().api.listSessions());
  if (list) useIde.setState({ storedSessions: list });
}

export async function openSession(id: string): Promise<void> {
  await withBusy('Opening session', async () => {
    const s = await guarded('Open session', () => engineClient().api.openSession(id));
    if (s) await afterLoad(s);
  });
}

/** Renames a stored session; false (with a notice) when the worker refuses. */
export async function renameSession(id: string, name: string): Promise<boolean> {
  const ok = await attempt('Rename session', () => engineClient().api.renameSession(id, name));
  await refreshSessions();
  if (ok && useIde.getState().session?.id === id) {
    const info = await guarded('Info replay', () => engineClient().api.infoReplay());
    if (info) useIde.setState({ info });
  }
  return ok;
}

/**
 * pc and symbol at `icount` without moving (the timeline's hover). Null when the worker is busy
 * or a newer request superseded it; errors are not worth a notice here.
 */
export async function peekAt(icount: number): Promise<PeekInfo | null> {
  if (!useIde.getState().session || engineBusy()) return null;
  try { return await engineClient().api.peek(icount); } catch { return null; }
}

export async function deleteSession(id: string): Promise<void> {
  await guarded('Delete session', () => engineClient().api.deleteSession(id));
  await refreshSessions();
}

/** The session was opened from a recording the page left while it ran (reload, crash, closed tab). */
function notifyRecovered(session: SessionInfo, icount: number): void {
  const reached = takeReached(session.id);
  const lost = reached !== null && reached > icount ? ` (the recording had reached about ${fmtCount(reached)})` : '';
  notify('warning', `"${session.name}" recovered up to instruction count ${fmtCount(icount)}${lost}: the page closed while it was recording. Continue records on from there.`, { sticky: true });
}

// ------------------------------------------------------------------ motion

type Motion = 'continueForward' | 'step' | 'reverseStep' | 'reverseContinue';

/**
 * A session kept in memory only (the first-start preview) is stored before it records anything,
 * so a reload or crash does not lose the run.
 */
async function ensureStored(): Promise<void> {
  const s = useIde.getState().session;
  if (!s || s.persisted) return;
  try {
    const info = await engineClient().api.save();
    if (useIde.getState().session?.id === info.id) useIde.setState({ session: info });
  } catch { /* no storage here: the session stays in memory, and leaving warns */ }
}

export async function motion(op: Motion): Promise<StopInfo | undefined> {
  if (!useIde.getState().session) return undefined;
  if (op === 'continueForward' || op === 'step') await ensureStored();
  return guarded(label(op), () => engineClient().api[op]());
}

const label = (op: Motion): string => ({ continueForward: 'Continue', step: 'Step', reverseStep: 'Reverse step', reverseContinue: 'Reverse continue' })[op];

export async function pause(): Promise<void> {
  await guarded('Pause', () => engineClient().api.pause());
}

/** Seeks to `t` (clamped to the recording). */
export async function seek(t: number): Promise<StopInfo | undefined> {
  const s = useIde.getState();
  if (!s.session || !s.position) return undefined;
  const target = Math.max(0, Math.min(Math.round(t), s.position.frontier));
  return guarded('Seek', () => engineClient().api.seek(target));
}

export async function restart(): Promise<void> { await seek(0); }

/** Instruction size and whether it is a call (jal/jalr writing ra), from the word at pc. */
async function callAt(pc: number): Promise<{ size: number; call: boolean; ret: boolean }> {
  const w = await engineClient().api.readMemory(pc, 4);
  const b = w.bytes;
  const word = ((b[0] ?? 0) | ((b[1] ?? 0) << 8) | ((b[2] ?? 0) << 16) | ((b[3] ?? 0) << 24)) >>> 0;
  const size = (word & 3) === 3 ? 4 : 2;
  const d = decode(size === 2 ? word & 0xffff : word);
  const name = d?.def.name ?? '';
  const rd = size === 4 ? (word >>> 7) & 31 : -1;
  const call = (name === 'jal' || name === 'jalr') ? rd === 1 : name === 'c.jal' || name === 'c.jalr';
  const ret = name === 'c.jr' ? ((word >>> 7) & 31) === 1 : name === 'jalr' && rd === 0 && ((word >>> 15) & 31) === 1;
  return { size, call, ret };
}

/** Runs with one extra breakpoint, then restores the user's set. */
async function withTempBreakpoint(addr: number, op: 'continueForward' | 'reverseContinue'): Promise<StopInfo | undefined> {
  const api = engineClient().api;
  const user = useIde.getState().breakpoints;
  await api.setBreakpoints([...user, addr]);
  try { return await api[op](); } finally { await api.setBreakpoints(useIde.getState().breakpoints); }
}

/** Steps over a call: a call instruction runs until it returns (or another stop). */
export async function stepOver(): Promise<void> {
  const pos = useIde.getState().position;
  if (!pos) return;
  await ensureStored();
  await guarded('Step over', async () => {
    const { size, call } = await callAt(pos.pc);
    if (!call) return engineClient().api.step();
    return withTempBreakpoint((pos.pc + size) >>> 0, 'continueForward');
  });
}

/** Reverse step over: when the previous instruction was a return, goes back to its call. */
export async function reverseStepOver(): Promise<void> {
  const pos = useIde.getState().position;
  if (!pos || pos.icount === 0) { await motion('reverseStep'); return; }
  await guarded('Reverse step over', async () => {
    const api = engineClient().api;
    const here = pos.pc;
    const back = await api.reverseStep();
    const { ret } = await callAt(back.pc);
    if (!ret) return back;
    // We came back from a return into `here`: the call sits just before it (4 or 2 bytes).
    const four = await callAt((here - 4) >>> 0);
    const callPc = four.call && four.size === 4 ? (here - 4) >>> 0 : (here - 2) >>> 0;
    return withTempBreakpoint(callPc, 'reverseContinue');
  });
}

// ------------------------------------------------------------------ breakpoints, watchpoints, replay break

export function lineOf(addr: number, lines: readonly SourceLineInfo[] = useIde.getState().lineMap): number | undefined {
  for (const e of lines) if (addr >= e.addr && addr < e.addr + e.size) return e.line;
  return undefined;
}

export function addressOfLine(line: number, lines: readonly SourceLineInfo[] = useIde.getState().lineMap): number | undefined {
  let best: number | undefined;
  for (const e of lines) if (e.line === line && e.insn && (best === undefined || e.addr < best)) best = e.addr;
  return best;
}

export async function setBreakpoints(addrs: number[]): Promise<void> {
  const uniq = [...new Set(addrs.map((a) => a >>> 0))].sort((a, b) => a - b);
  useIde.setState({ breakpoints: uniq });
  if (useIde.getState().session) await guarded('Breakpoints', () => engineClient().api.setBreakpoints(uniq));
}

export async function toggleBreakpoint(addr: number): Promise<void> {
  const bps = useIde.getState().breakpoints;
  await setBreakpoints(bps.includes(addr) ? bps.filter((a) => a !== addr) : [...bps, addr]);
}

export async function setWatchpoints(list: WatchpointInfo[]): Promise<void> {
  const prev = useIde.getState().watchpoints;
  useIde.setState({ watchpoints: list });
  const ok = await attempt('Watchpoints', () => engineClient().api.setWatchpoints(list));
  if (!ok) useIde.setState({ watchpoints: prev });
}

export async function addWatchpoint(w: WatchpointInfo): Promise<void> {
  const list = useIde.getState().watchpoints.filter((x) => !(x.addr === w.addr && x.len === w.len));
  await setWatchpoints([...list, w]);
}

export async function setReplayBreak(t: number | null): Promise<void> {
  const api = engineClient().api;
  await attempt('Replay break', () => (t === null ? api.replayDeleteBreak() : api.replayBreak(t)));
  const info = await guarded('Info replay', () => api.infoReplay());
  if (info) useIde.setState({ info, replayBreak: info.replayBreak });
}

// ------------------------------------------------------------------ console

export async function sendInput(text: string): Promise<void> {
  const pos = useIde.getState().position;
  const ok = await attempt('Console input', () => engineClient().api.sendInput(text));
  if (ok && pos) addMarker({ icount: pos.icount, kind: 'input', label: `input ${JSON.stringify(text.slice(0, 24))}` });
  useIde.setState({ waitingInput: false });
}

export function symbolsOf(session: SessionInfo | null): Symbols {
  return new Symbols(session?.symbols ?? []);
}
