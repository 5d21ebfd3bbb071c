/**
 * The command registry: one source for the toolbar (labels, aria-labels, tooltips), the keyboard
 * shortcuts and their documentation. Key bindings follow VS Code's debugger where it has one.
 */
import { useIde, type IdeState } from '../state/store';
import * as act from '../state/actions';

export type CommandId =
  | 'run' | 'continue' | 'pause' | 'reverseContinue' | 'step' | 'reverseStep' | 'stepOver' | 'reverseStepOver'
  | 'restart' | 'seek' | 'replayBreak' | 'open' | 'importReplay' | 'exportReplay';

export interface KeyBinding { key: string; shift?: boolean; ctrl?: boolean }

export interface Command {
  id: CommandId;
  /** The command's name: button aria-label and tooltip. */
  label: string;
  keys?: KeyBinding;
  icon: string;
  enabled: (s: IdeState) => boolean;
  run: () => void | Promise<unknown>;
}

const hasSession = (s: IdeState) => s.session !== null && s.busy === null;
const stopped = (s: IdeState) => hasSession(s) && s.running === null;
const canGoBack = (s: IdeState) => stopped(s) && (s.position?.icount ?? 0) > 0;
const canGoForward = (s: IdeState) => stopped(s) && !(s.session?.replayOnly && s.position && s.position.icount >= s.position.frontier) && !atExit(s);
const atExit = (s: IdeState) => s.session?.exit != null && s.position !== null && s.position.icount >= s.session.exit.icount;

/** Set by the App: prompts for values and opens files (UI concerns outside the registry). */
export const hooks = {
  assembleAndRun: async (): Promise<void> => {},
  focusSeek: (): void => {},
  replayBreak: (): void => {},
  openFile: (): void => {},
  importFile: (): void => {},
};

export const COMMANDS: readonly Command[] = [
  { id: 'run', label: 'Run', icon: '▶', keys: { key: 'Enter', ctrl: true }, enabled: (s) => s.busy === null && s.running === null, run: () => hooks.assembleAndRun() },
  { id: 'continue', label: 'Continue', icon: '⇥', keys: { key: 'F5' }, enabled: canGoForward, run: () => act.motion('continueForward') },
  { id: 'pause', label: 'Pause', icon: '❚❚', keys: { key: 'F6' }, enabled: (s) => s.running !== null, run: () => act.pause() },
  { id: 'reverseContinue', label: 'Reverse continue', icon: '⇤', keys: { key: 'F5', shift: true }, enabled: canGoBack, run: () => act.motion('reverseContinue') },
  { id: 'stepOver', label: 'Step over', icon: '↷', keys: { key: 'F10' }, enabled: canGoForward, run: () => act.stepOver() },
  { id: 'reverseStepOver', label: 'Reverse step over', icon: '↶', keys: { key: 'F10', shift: true }, enabled: canGoBack, run: () => act.reverseStepOver() },
  { id: 'step', label: 'Step', icon: '↓', keys: { key: 'F11' }, enabled: canGoForward, run: () => act.motion('step') },
  { id: 'reverseStep', label: 'Reverse step', icon: '↑', keys: { key: 'F11', shift: true }, enabled: canGoBack, run: () => act.motion('reverseStep') },
  { id: 'restart', label: 'Restart', icon: '⟲', keys: { key: 'F5', ctrl: true, shift: true }, enabled: (s) => stopped(s), run: () => act.restart() },
  { id: 'seek', label: 'Seek to icount', icon: '⌖', keys: { key: 'g', ctrl: true }, enabled: stopped, run: () => hooks.focusSeek() },
  { id: 'replayBreak', label: 'Replay break', icon: '⚑', keys: { key: 'F9', shift: true }, enabled: hasSession, run: () => hooks.replayBreak() },
  { id: 'open', label: 'Open file', icon: '⊕', keys: { key: 'o', ctrl: true }, enabled: (s) => s.busy === null, run: () => hooks.openFile() },
  { id: 'importReplay', label: 'Import replay', icon: '⇪', enabled: (s) => s.busy === null, run: () => hooks.importFile() },
  { id: 'exportReplay', label: 'Export replay', icon: '⇩', keys: { key: 's', ctrl: true, shift: true }, enabled: hasSession, run: () => act.exportReplay() },
];

export function command(id: CommandId): Command {
  const c = COMMANDS.find((x) => x.id === id);
  if (!c) throw new Error(`unknown command ${id}`);
  return c;
}

export function keyText(k: KeyBinding | undefined): string {
  if (!k) return '';
  return [k.ctrl ? 'Ctrl' : '', k.shift ? 'Shift' : '', k.key.length === 1 ? k.key.toUpperCase() : k.key].filter(Boolean).join('+');
}

export function tooltip(c: Command): string {
  return c.keys ? `${c.label} (${keyText(c.keys)})` : c.label;
}

/** Runs a command if it is enabled now. */
export function execute(c: Command): void {
  if (!c.enabled(useIde.getState())) return;
  void c.run();
}
