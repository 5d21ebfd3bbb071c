/**
 * The engine's one typed API, shared by the UI (types only) and the worker that implements it
 * (workers/engine.worker.ts exposes an EngineSession with Comlink). Everything here is plain,
 * structured-cloneable data: the UI never sees the machine, the timeline or the storage.
 */

/** A program to load: an ELF file's bytes, or assembly source assembled in the worker. */
export type ProgramInput =
  | { kind: 'elf'; bytes: ArrayBuffer; fileName?: string }
  | { kind: 'asm'; text: string; fileName?: string };

export interface LoadOptions {
  /** The session's name (info replay shows it); default: the file name. */
  name?: string;
  /** Guest RAM in bytes (default 128 MiB). */
  ramSize?: number;
  /** Instructions between periodic snapshots (default 4e6). */
  snapshotInterval?: number;
  /** Keep the session in IndexedDB (default true when storage is available). */
  persist?: boolean;
}

export interface SymbolInfo { name: string; value: number; size: number }

/** An assembler diagnostic (1-based line and columns). */
export interface DiagnosticInfo { severity: 'error' | 'warning'; line: number; column: number; endColumn: number; message: string }

export type Mode = 'recording' | 'replaying';

/** Why the engine stopped. `pause` and `superseded` are the worker's own: a user pause, and a
 *  request replaced by a newer one (a seek during a timeline drag). */
export type StopCauseInfo =
  | { kind: 'breakpoint'; pc: number }
  | { kind: 'watchpoint'; addr: number; size: number; access: 'read' | 'write'; watch: WatchpointInfo }
  | { kind: 'replay-break' }
  | { kind: 'exit'; code: number }
  | { kind: 'end-of-log' }
  | { kind: 'beginning-of-log' }
  | { kind: 'step' }
  | { kind: 'seek' }
  | { kind: 'idle' }
  | { kind: 'pause' }
  | { kind: 'superseded' }
  | { kind: 'cancelled' }
  | { kind: 'divergence'; message: string };

export interface StopInfo {
  /** The request that ended with this stop. */
  op: OperationKind;
  icount: number;
  pc: number;
  cause: StopCauseInfo;
  frontier: number;
  mode: Mode;
}

export type OperationKind = 'continue' | 'step' | 'reverse-step' | 'reverse-continue' | 'seek' | 'open';

export interface PositionInfo { icount: number; pc: number; frontier: number; mode: Mode }

export type StorageNoticeLevel = 'info' | 'warning' | 'error';

/** What the worker tells its subscriber, in batches (at most one batch per frame while running). */
export type EngineEvent =
  | { type: 'stop'; stop: StopInfo }
  /** UART output written the first time an instruction ran (icount of its first byte). */
  | { type: 'output'; icount: number; text: string }
  /** Where a running operation is now. */
  | { type: 'position'; position: PositionInfo; running: OperationKind | null }
  /** Progress of a long operation (done of total instructions; total 0 when unbounded). */
  | { type: 'progress'; op: OperationKind; phase: string; done: number; total: number }
  /** The guest waits for UART input at the frontier; the run resumes when input arrives. */
  | { type: 'waiting-input'; icount: number }
  /** Persistence notices: snapshots dropped under quota, a write that failed. */
  | { type: 'storage'; level: StorageNoticeLevel; message: string }
  /** What of a stored session is committed to IndexedDB: after each write, and when a change is pending. */
  | { type: 'stored'; sessionId: string; stored: StoredInfo }
  | { type: 'session'; session: SessionInfo | null };

export type EngineListener = (events: EngineEvent[]) => void;

export type WatchKind = 'write' | 'read' | 'access';
export interface WatchpointInfo { addr: number; len: number; kind: WatchKind }

/** What of the open session is in IndexedDB (committed). */
export interface StoredInfo {
  /**
   * The frontier of the last committed write: the session record, the log and the output up to
   * this icount are stored, so a reload or crash recovers the recording at least up to here
   * (-1 before the first write).
   */
  frontier: number;
  /** Snapshot records stored (they only shorten reopening; the log is what matters). */
  snapshots: number;
  /** Something (the recording advancing, the position, breakpoints, snapshots) is not yet committed. */
  pending: boolean;
  /** Writes of the record, log and output committed so far. */
  journals: number;
  /**
   * While a recording runs, a change waits at most this long before its write starts (ms): the
   * record, log and output are written in their own small transaction, never behind snapshots.
   */
  intervalMs: number;
}

export interface SessionInfo {
  id: string;
  name: string;
  replayOnly: boolean;
  /** Stored in IndexedDB (a first-start preview is not until it runs; see save()). */
  persisted: boolean;
  entry: number;
  symbols: SymbolInfo[];
  source: { fileName: string; text: string } | null;
  ramSize: number;
  snapshotInterval: number;
  position: PositionInfo;
  exit: { icount: number; code: number } | null;
  /**
   * Set when the session was opened from a record written while it was recording (the page
   * was reloaded, crashed or closed mid-run): the recording was recovered up to this icount,
   * its frontier now, and recording continues live from there.
   */
  recovered: { icount: number } | null;
  /** Restored with a stored session, so the UI can show them again. */
  breakpoints: number[];
  watchpoints: WatchpointInfo[];
  replayBreak: number | null;
}

/** One emitted instruction or data item of an assembly source (1-based line). */
export interface SourceLineInfo { line: number; addr: number; size: number; insn: boolean }

export interface LoadResult {
  ok: boolean;
  session: SessionInfo | null;
  diagnostics: DiagnosticInfo[];
}

export interface RegistersInfo {
  icount: number;
  pc: number;
  /** x0..x31 as unsigned 32-bit numbers. */
  x: number[];
  priv: number;
}

export interface CsrInfo { num: number; value: number }

/** A memory window; `bytes` is transferred, never a copy of guest RAM as a whole. */
export interface MemoryWindow { addr: number; bytes: Uint8Array }

export interface InfoReplayResult {
  mode: Mode;
  name: string;
  icount: number;
  frontier: number;
  /** "Replaying execution 'NAME': instruction count = N" (QEMU's words). */
  text: string;
  replayBreak: number | null;
}

export interface SnapshotMarker { icount: number; pinned: boolean }

/** pc (and the symbol it is in) at an icount, read without moving the session (peek). */
export interface PeekInfo { icount: number; pc: number; symbol?: string }

/** One console line on the timeline: the icount of its first byte and its text (shortened). */
export interface ConsoleMark { icount: number; text: string }

/**
 * Console I/O of the whole recording, from the log: UART input (received bytes, one mark per
 * line) and output (one mark per line written), each the `limit` most recent, oldest first.
 */
export interface ConsoleMarks {
  input: ConsoleMark[];
  output: ConsoleMark[];
  /** Older lines were left out (more than `limit`). */
  inputTruncated: boolean;
  outputTruncated: boolean;
  /** The frontier the marks were read at. */
  frontier: number;
  /**
   * Output is known for instructions before this icount: a recording's whole output, but an
   * imported file's only as far as it has been replayed (its output is not in the file).
   */
  outputHigh: number;
}

/** The default and largest number of marks of each kind consoleMarks returns. */
export const MAX_CONSOLE_MARKS = 10_000;

export interface StoredSessionSummary {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  replayOnly: boolean;
  frontier: number;
  position: number;
  snapshots: number;
  logEvents: number;
}

export interface EngineStatus {
  running: OperationKind | null;
  waitingInput: boolean;
  session: SessionInfo | null;
  storage: 'indexeddb' | 'none';
  /** Persistence writes (journals, snapshot ops) queued or in flight, not yet committed. */
  pendingWrites: number;
  /** What of the open session is committed (null when it is not stored). */
  stored: StoredInfo | null;
}

/** The engine API. Every method is async through Comlink; errors reject with a message for the user. */
export interface EngineApi {
  /** Batched events go to `listener` (pass it through Comlink.proxy). Replaces an earlier listener. */
  subscribe(listener: EngineListener): Promise<void>;
  status(): Promise<EngineStatus>;

  load(program: ProgramInput, options?: LoadOptions): Promise<LoadResult>;
  /** Run forward (continue): resolves at the next stop. */
  continueForward(): Promise<StopInfo>;
  /** The same as continueForward (the toolbar's Run). */
  run(): Promise<StopInfo>;
  /** Stops whatever runs; resolves with the position (null if nothing was running). */
  pause(): Promise<StopInfo | null>;
  step(): Promise<StopInfo>;
  reverseStep(): Promise<StopInfo>;
  reverseContinue(): Promise<StopInfo>;
  /** Newer seeks supersede older ones still in flight (those resolve with cause 'superseded'). */
  seek(icount: number): Promise<StopInfo>;
  replayBreak(icount: number): Promise<void>;
  replayDeleteBreak(): Promise<void>;
  infoReplay(): Promise<InfoReplayResult>;

  setBreakpoints(addrs: number[]): Promise<void>;
  setWatchpoints(list: WatchpointInfo[]): Promise<void>;
  registers(): Promise<RegistersInfo>;
  csrs(nums: number[]): Promise<CsrInfo[]>;
  readMemory(addr: number, len: number): Promise<MemoryWindow>;
  /** Debugger writes: only at the frontier of a recording (they become logged inputs). */
  writeMemory(addr: number, bytes: Uint8Array): Promise<void>;
  writeRegister(regno: number, value: number): Promise<void>;
  /** Console input for the guest's UART. */
  sendInput(text: string): Promise<void>;
  /** UART output written by instructions before the current position. */
  consoleText(): Promise<string>;
  /**
   * Output past the kept limit (8 Mi bytes) is shown live but not kept: from which icount and
   * how many bytes were not kept, or null when everything was.
   */
  outputDropped(): Promise<{ fromIcount: number; bytes: number } | null>;
  snapshots(): Promise<SnapshotMarker[]>;
  /**
   * pc and symbol at `icount` without disturbing the session: it seeks there in time slices,
   * reads pc and seeks back (same state, by determinism). Any other request ends it first (the
   * session is back where it was); it resolves null when superseded, or when an operation runs.
   */
  peek(icount: number): Promise<PeekInfo | null>;
  /** Console input and output lines from the log (at most `limit` of each, the most recent). */
  consoleMarks(limit?: number): Promise<ConsoleMarks>;
  /** The determinism check value of the current state, as 16 hex digits. */
  stateHash(): Promise<string>;

  /** The replay file of the current session (transferred). */
  exportReplay(): Promise<ArrayBuffer>;
  /** Loads a replay file as a new replay-only session; an invalid file rejects and changes nothing. */
  importReplay(bytes: ArrayBuffer, options?: { name?: string; persist?: boolean }): Promise<LoadResult>;

  /** The line map of the current session's assembly source (empty without a source). */
  lineMap(): Promise<SourceLineInfo[]>;
  /** Assembles `text` without loading it: the diagnostics an editor shows while typing. */
  check(text: string): Promise<DiagnosticInfo[]>;

  listSessions(): Promise<StoredSessionSummary[]>;
  openSession(id: string): Promise<SessionInfo>;
  deleteSession(id: string): Promise<void>;
  /** Renames a stored session (and the open one, if it is that one). Empty names reject. */
  renameSession(id: string, name: string): Promise<void>;
  /** Waits until everything queued for IndexedDB is committed. */
  flush(): Promise<void>;
  /**
   * Stores the current session if it is kept in memory only (the first-start preview): its
   * program, log and snapshots so far, then everything it records, like any loaded session.
   */
  save(): Promise<SessionInfo>;
}

/** The largest memory window one readMemory call returns. */
export const MAX_MEMORY_WINDOW = 1 << 20;
