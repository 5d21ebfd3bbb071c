/**
 * The engine session behind the worker's Comlink API (workers/api.ts): one Timeline at a time,
 * driven in time slices, batched events to one subscriber, and persistence to IndexedDB.
 * Runs unchanged in a Web Worker and in Node (tests, over a MessageChannel).
 */
import * as Comlink from 'comlink';
import { Timeline, EventKind, type LiveInputs, type Stop, type StopCause, type Progress } from '../src/replay';
import { hashToHex } from '../src/replay/hash';
import { readReplayFile, recoveryNotice, writeReplayFile } from '../src/replay/file';
import { toReplayFile, timelineFromReplay } from '../src/replay/share';
import {
  Repository, SessionPersister, timelineFromStored, encodeHashes, newSessionId,
  type SessionRecord, type ProgramRecord, type NoticeLevel, type StoredCounts,
} from '../src/storage';
import { Driver, type DriveResult } from './driver';
import { buildProgram } from './program';
import { SymbolTable, recentLines } from './symbols';
import { assemble, DEFAULT_RAM_SIZE } from '../src/asm';
import {
  MAX_MEMORY_WINDOW, MAX_CONSOLE_MARKS,
  type EngineApi, type EngineEvent, type EngineListener, type EngineStatus, type LoadOptions, type LoadResult, type ProgramInput,
  type StopInfo, type StopCauseInfo, type OperationKind, type SessionInfo, type InfoReplayResult, type RegistersInfo, type CsrInfo,
  type MemoryWindow, type WatchpointInfo, type SnapshotMarker, type StoredSessionSummary, type PositionInfo, type SymbolInfo,
  type SourceLineInfo, type DiagnosticInfo, type PeekInfo, type ConsoleMarks, type StoredInfo,
} from './api';

export interface EngineSessionOptions {
  /** 'indexeddb' (default) persists sessions; 'none' keeps them in memory only. */
  storage?: 'indexeddb' | 'none';
  dbName?: string;
  /** Bytes of snapshots kept in memory per session. */
  memoryBudget?: number;
  /** Target duration of one slice of a long operation (ms). */
  sliceMs?: number;
  /** Time one task may run slices before yielding to messages (ms). */
  taskBudgetMs?: number;
  /** Interval of event batches while running (ms). */
  eventIntervalMs?: number;
  /** Delay between a single change (a stop, breakpoints) and its write to IndexedDB (ms). */
  flushDelayMs?: number;
  /**
   * While a recording runs, the longest a change waits before the session record, log and
   * output start to be written (ms): a reload or crash loses about this much recording.
   */
  persistIntervalMs?: number;
  /** Live inputs for recordings (default: the wall clock and crypto entropy). */
  live?: () => LiveInputs;
}

interface Meta {
  id: string;
  name: string;
  createdAt: number;
  symbols: SymbolInfo[];
  source: { fileName: string; text: string } | null;
  /** Opened from a record written while it was recording: the recording was cut there. */
  recovered?: { icount: number };
  /** A replay file's state hashes (encodeHashes), kept with an imported session. */
  expectedHashes: ArrayBuffer | null;
}

/** A motion request: its promise settles once, at its stop (or when superseded). */
interface Job {
  kind: OperationKind;
  start: (tl: Timeline) => Generator<Progress, Stop, void>;
  waitOnIdle: boolean;
  waiting: boolean;
  resolve: (s: StopInfo) => void;
  reject: (e: Error) => void;
}

/** A peek in flight: where the session was (and goes back to) and the caller waiting. */
interface Peek {
  origin: number;
  resolve: (p: PeekInfo | null) => void;
  reject: (e: Error) => void;
}

const INITIAL_SLICE = 100_000;
const MIN_SLICE = 5_000;
const MAX_SLICE = 50_000_000;

export class EngineSession implements EngineApi {
  private tl: Timeline | null = null;
  private meta: Meta | null = null;
  private persister: SessionPersister | null = null;
  private readonly closing = new Set<Promise<void>>();
  private readonly repo: Promise<Repository | null>;
  private readonly driver: Driver;
  private job: Job | null = null;
  private peeking: Peek | null = null;
  private symbolTable: SymbolTable | null = null;
  private listener: EngineListener | null = null;
  private queue: EngineEvent[] = [];
  private eventTimer: ReturnType<typeof setTimeout> | null = null;
  private lastFlush = 0;
  private pendingOut: { icount: number; bytes: number[] } | null = null;
  private decoder = new TextDecoder();
  private slice = INITIAL_SLICE;
  private lastProgress: { op: OperationKind; p: Progress } | null = null;
  private readonly opts: Required<Omit<EngineSessionOptions, 'dbName' | 'live'>> & { dbName: string | undefined; live: () => LiveInputs };

  constructor(options: EngineSessionOptions = {}) {
    this.opts = {
      storage: options.storage ?? 'indexeddb',
      dbName: options.dbName,
      memoryBudget: options.memoryBudget ?? 256 * 1024 * 1024,
      sliceMs: options.sliceMs ?? 3,
      taskBudgetMs: options.taskBudgetMs ?? 6,
      eventIntervalMs: options.eventIntervalMs ?? 16,
      flushDelayMs: options.flushDelayMs ?? 250,
      persistIntervalMs: options.persistIntervalMs ?? 400,
      live: options.live ?? hostInputs,
    };
    this.repo = this.opts.storage === 'none' || typeof indexedDB === 'undefined'
      ? Promise.resolve(null)
      : Repository.open(this.opts.dbName !== undefined ? { name: this.opts.dbName } : {}).catch((e: unknown) => {
        this.notice('error', `IndexedDB is not available, sessions will not be saved: ${message(e)}`);
        return null;
      });
    this.driver = new Driver({
      slice: (p, ms) => this.onSlice(p, ms),
      yielded: () => this.onYield(),
    });
    this.driver.taskBudgetMs = this.opts.taskBudgetMs;
  }

  // ------------------------------------------------------------------ subscription, status

  async subscribe(listener: EngineListener): Promise<void> {
    this.listener = listener;
    this.flushEvents();
  }

  async status(): Promise<EngineStatus> {
    this.settlePeek();
    return {
      running: this.job && !this.job.waiting ? this.job.kind : null,
      waitingInput: this.job?.waiting ?? false,
      session: this.sessionInfo(),
      storage: (await this.repo) ? 'indexeddb' : 'none',
      pendingWrites: this.persister?.pending ?? 0,
      stored: this.storedInfo(),
    };
  }

  // ------------------------------------------------------------------ loading

  async load(program: ProgramInput, options: LoadOptions = {}): Promise<LoadResult> {
    const ramSize = options.ramSize ?? 128 * 1024 * 1024;
    const built = buildProgram(program, ramSize);
    if (!built.ok) return { ok: false, session: null, diagnostics: built.diagnostics };
    const name = options.name ?? program.fileName ?? (program.kind === 'elf' ? 'program.elf' : 'program.s');
    const tl = new Timeline(built.image, {
      name, ramSize, memoryBudget: this.opts.memoryBudget, sliceInstructions: this.slice, live: this.opts.live(),
      ...(options.snapshotInterval !== undefined ? { snapshotInterval: options.snapshotInterval } : {}),
    });
    await this.detach();
    const meta: Meta = { id: newSessionId(), name, createdAt: Date.now(), symbols: built.symbols, source: built.source, expectedHashes: null };
    this.install(tl, meta);
    if (options.persist !== false) await this.persistNew();
    const session = this.sessionInfo()!;
    this.push({ type: 'session', session });
    this.flushEvents();
    return { ok: true, session, diagnostics: built.diagnostics };
  }

  async importReplay(bytes: ArrayBuffer, options: { name?: string; persist?: boolean } = {}): Promise<LoadResult> {
    // Everything is validated before the current session is touched: a bad file changes nothing.
    const file = readReplayFile(new Uint8Array(bytes));
    const tl = timelineFromReplay(file, { memoryBudget: this.opts.memoryBudget, sliceInstructions: this.slice, ...(options.name !== undefined ? { name: options.name } : {}) });
    await this.detach();
    const meta: Meta = {
      id: newSessionId(), name: tl.name, createdAt: Date.now(), symbols: file.symbols.map((s) => ({ ...s })), source: file.source,
      expectedHashes: encodeHashes(file.hashes),
    };
    this.install(tl, meta);
    if (options.persist !== false) await this.persistNew();
    const session = this.sessionInfo()!;
    this.push({ type: 'session', session });
    if (file.recovered) this.notice('warning', `"${tl.name}": the ${recoveryNotice(file.recovered)} (the recorder stopped without finishing the file).`);
    this.flushEvents();
    return { ok: true, session, diagnostics: [] };
  }

  async exportReplay(): Promise<ArrayBuffer> {
    const tl = this.timeline();
    const meta = this.meta!;
    const bytes = writeReplayFile(toReplayFile(tl, { symbols: meta.symbols, source: meta.source }));
    const buf = bytes.buffer.byteLength === bytes.byteLength ? bytes.buffer as ArrayBuffer : bytes.slice().buffer as ArrayBuffer;
    return Comlink.transfer(buf, [buf]);
  }

  // ------------------------------------------------------------------ source (editor support)

  async lineMap(): Promise<SourceLineInfo[]> {
    const meta = this.meta;
    if (!meta?.source) return [];
    // The line map is not stored with a session: assembling the stored source again gives it.
    const res = assemble(meta.source.text, { ramSize: this.tl?.machine.ramSize ?? DEFAULT_RAM_SIZE });
    return res.lineMap.entries.map((e) => ({ line: e.line, addr: e.addr >>> 0, size: e.size, insn: e.insn }));
  }

  async check(text: string): Promise<DiagnosticInfo[]> {
    return assemble(text, { ramSize: this.tl?.machine.ramSize ?? DEFAULT_RAM_SIZE }).diagnostics.map((d) => ({ severity: d.severity, line: d.line, column: d.column, endColumn: d.endColumn, message: d.message }));
  }

  // ------------------------------------------------------------------ stored sessions

  async listSessions(): Promise<StoredSessionSummary[]> {
    const repo = await this.repo;
    if (!repo) return [];
    await this.flush();
    return (await repo.list()).map((r) => ({
      id: r.id, name: r.name, createdAt: r.createdAt, updatedAt: r.updatedAt, replayOnly: r.replayOnly,
      frontier: r.frontier, position: r.position, snapshots: r.snapshotCount, logEvents: r.logEvents,
    }));
  }

  async openSession(id: string): Promise<SessionInfo> {
    const repo = await this.repo;
    if (!repo) throw new Error('no storage: sessions are not saved in this environment');
    const reopened = this.meta?.id === id;
    if (reopened) await this.flush();
    const loaded = await repo.read(id);
    if (!loaded) throw new Error(`there is no stored session ${id}`);
    const { timeline: tl, restoredSnapshots, problem } = timelineFromStored(loaded, loaded.record.replayOnly ? null : this.opts.live(), {
      memoryBudget: this.opts.memoryBudget, sliceInstructions: this.slice,
    });
    const r = loaded.record;
    // Snapshots of the cut end of a recording: the recording goes on differently from its frontier.
    if (loaded.ahead > 0) await repo.dropSnapshotsAfter(id, r.frontier);
    await this.detach();
    for (const b of r.breakpoints) tl.breakpoints.add(b);
    tl.watchpoints = r.watchpoints.map((w) => ({ ...w }));
    tl.replayBreak = r.replayBreak;
    const p = loaded.program;
    const meta: Meta = { id, name: r.name, createdAt: r.createdAt, symbols: p.symbols, source: p.source, expectedHashes: r.expectedHashes };
    // Written while recording and not since: the page went away (reload, crash, closed tab)
    // with the recording running. What is stored is consistent up to the stored frontier.
    if (r.recording === true && !r.replayOnly && !reopened) meta.recovered = { icount: r.frontier };
    this.install(tl, meta);
    this.attachPersister(repo, null, r);
    if (problem) this.notice('warning', `Some stored snapshots of "${r.name}" could not be used (${problem}); positions past them are recomputed.`);
    if (r.snapshotsDropped && restoredSnapshots === 0) this.notice('info', `"${r.name}" has no stored snapshots (dropped when storage was full): reaching its position re-executes from the start.`);
    this.push({ type: 'session', session: this.sessionInfo() });
    const target = Math.min(r.position, tl.frontier);
    await this.motion('open', (t) => t.seek(target), false);
    return this.sessionInfo()!;
  }

  async deleteSession(id: string): Promise<void> {
    const repo = await this.repo;
    if (!repo) throw new Error('no storage: sessions are not saved in this environment');
    if (this.meta?.id === id && this.persister) {
      // The open session stays in memory, no longer saved.
      this.persister.discard();
      this.tl!.snapshots.sink = null;
      this.persister = null;
    }
    await Promise.all([...this.closing]);
    await repo.delete(id);
  }

  async renameSession(id: string, name: string): Promise<void> {
    const repo = await this.repo;
    if (!repo) throw new Error('no storage: sessions are not saved in this environment');
    const trimmed = typeof name === 'string' ? name.trim() : '';
    if (trimmed === '') throw new Error('a session name cannot be empty');
    this.settlePeek();
    if (this.meta?.id === id && this.tl) {
      // The open session's batches write meta.name: change it first so none writes the old one.
      this.meta.name = trimmed;
      this.tl.name = trimmed;
      this.push({ type: 'session', session: this.sessionInfo() });
      this.flushEvents();
      if (this.persister) await this.persister.flush();
      else return;
    }
    await Promise.all([...this.closing]);
    await repo.rename(id, trimmed);
  }

  async flush(): Promise<void> {
    await Promise.all([...this.closing]);
    await this.persister?.flush();
  }

  async save(): Promise<SessionInfo> {
    const tl = this.timeline();
    if (this.persister) return this.sessionInfo()!;
    const repo = await this.repo;
    if (!repo) throw new Error('no storage: sessions are not saved in this environment');
    if (this.tl !== tl) throw new Error('the session changed while it was being saved');
    await this.persistNew(true);
    const session = this.sessionInfo()!;
    this.push({ type: 'session', session });
    this.flushEvents();
    return session;
  }

  async outputDropped(): Promise<{ fromIcount: number; bytes: number } | null> {
    const d = this.timeline().output.dropped;
    return d ? { ...d } : null;
  }

  // ------------------------------------------------------------------ motion

  continueForward(): Promise<StopInfo> { return this.motion('continue', (tl) => tl.continueForward(), true); }
  run(): Promise<StopInfo> { return this.continueForward(); }
  step(): Promise<StopInfo> { return this.motion('step', (tl) => tl.step(), false); }
  reverseStep(): Promise<StopInfo> { return this.motion('reverse-step', (tl) => tl.reverseStep(), false); }
  reverseContinue(): Promise<StopInfo> { return this.motion('reverse-continue', (tl) => tl.reverseContinue(), false); }

  seek(icount: number): Promise<StopInfo> {
    const tl = this.timeline();
    if (!Number.isSafeInteger(icount) || icount < 0 || icount > tl.frontier) {
      return Promise.reject(new RangeError(`cannot seek to ${icount}: positions are 0 to ${tl.frontier}${tl.replayOnly ? ' (the end of the replay log)' : ' (the recording so far; continue to record further)'}`));
    }
    return this.motion('seek', (t) => t.seek(icount), false);
  }

  async pause(): Promise<StopInfo | null> {
    this.settlePeek();
    const info = this.supersede({ kind: 'pause' });
    if (info) {
      this.push({ type: 'stop', stop: info });
      this.flushEvents();
      this.persister?.schedule();
    }
    return info;
  }

  async replayBreak(icount: number): Promise<void> {
    this.timeline().setReplayBreak(icount);
    this.restartContinue();
    this.persister?.schedule();
  }

  async replayDeleteBreak(): Promise<void> {
    this.timeline().deleteReplayBreak();
    this.restartContinue();
    this.persister?.schedule();
  }

  async infoReplay(): Promise<InfoReplayResult> {
    const tl = this.timeline();
    return { ...tl.infoReplay(), replayBreak: tl.replayBreak };
  }

  async setBreakpoints(addrs: number[]): Promise<void> {
    const tl = this.timeline();
    tl.breakpoints.clear();
    for (const a of addrs) tl.breakpoints.add(a >>> 0);
    this.restartContinue();
    this.persister?.schedule();
  }

  async setWatchpoints(list: WatchpointInfo[]): Promise<void> {
    const tl = this.timeline();
    for (const w of list) {
      if (!Number.isInteger(w.len) || w.len < 1 || w.len > 8) throw new RangeError(`a watchpoint covers 1 to 8 bytes, not ${w.len}`);
      if (w.kind !== 'write' && w.kind !== 'read' && w.kind !== 'access') throw new RangeError(`unknown watchpoint kind ${String(w.kind)}`);
    }
    tl.watchpoints = list.map((w) => ({ addr: w.addr >>> 0, len: w.len, kind: w.kind }));
    this.restartContinue();
    this.persister?.schedule();
  }

  // ------------------------------------------------------------------ state

  async registers(): Promise<RegistersInfo> {
    const m = this.timeline().machine;
    return { icount: m.icount, pc: m.pc >>> 0, x: Array.from(m.x, (v) => v >>> 0), priv: m.priv };
  }

  async csrs(nums: number[]): Promise<CsrInfo[]> {
    const m = this.timeline().machine;
    const out: CsrInfo[] = [];
    for (const num of nums) {
      try { out.push({ num, value: m.readCsr(num) >>> 0 }); } catch { /* not a CSR of this machine */ }
    }
    return out;
  }

  async readMemory(addr: number, len: number): Promise<MemoryWindow> {
    if (!Number.isInteger(len) || len < 0 || len > MAX_MEMORY_WINDOW) throw new RangeError(`a memory window is 0 to ${MAX_MEMORY_WINDOW} bytes, not ${len}`);
    const m = this.timeline().machine;
    const bytes = new Uint8Array(len);
    if (len > 0) bytes.set(m.readMemory(addr >>> 0, len));
    return Comlink.transfer({ addr: addr >>> 0, bytes }, [bytes.buffer]);
  }

  async writeMemory(addr: number, bytes: Uint8Array): Promise<void> {
    this.assertStopped('write memory');
    this.timeline().writeMemory(addr, bytes);
    this.persister?.schedule();
  }

  async writeRegister(regno: number, value: number): Promise<void> {
    this.assertStopped('write registers');
    this.timeline().writeRegister(regno, value);
    this.persister?.schedule();
  }

  async sendInput(text: string): Promise<void> {
    const tl = this.timeline();
    tl.sendInput(new TextEncoder().encode(text));
    const job = this.job;
    if (job && job.waiting) {
      job.waiting = false;
      this.start(job);
    }
  }

  async consoleText(): Promise<string> {
    const tl = this.timeline();
    return tl.output.textBefore(tl.icount);
  }

  async snapshots(): Promise<SnapshotMarker[]> {
    return this.timeline().snapshots.list.map((s) => ({ icount: s.icount, pinned: s.pinned }));
  }

  async stateHash(): Promise<string> {
    return hashToHex(this.timeline().stateHash());
  }

  async peek(icount: number): Promise<PeekInfo | null> {
    const tl = this.tl;
    if (!tl) throw new Error('no program is loaded');
    if (!Number.isSafeInteger(icount) || icount < 0 || icount > tl.frontier) {
      throw new RangeError(`cannot peek at ${icount}: positions are 0 to ${tl.frontier}`);
    }
    // A running operation (or one waiting for input) owns the machine.
    if (this.job) return null;
    // A newer peek supersedes the one in flight and goes back to the same origin.
    const prev = this.peeking;
    let origin = tl.icount;
    if (prev) {
      this.peeking = null;
      this.driver.cancel();
      origin = prev.origin;
      prev.resolve(null);
    }
    return new Promise<PeekInfo | null>((resolve, reject) => {
      const p: Peek = { origin, resolve, reject };
      let pc = 0;
      const op = (function* () {
        yield* tl.seek(icount);
        pc = tl.pc >>> 0;
        return yield* tl.seek(origin);
      })();
      this.peeking = p;
      this.driver.run(op, (r) => {
        if (this.peeking !== p) return;
        this.peeking = null;
        if (!r.ok) {
          try { this.restore(tl, origin); } catch { /* the error below is the one to report */ }
          reject(r.error instanceof Error ? r.error : new Error(String(r.error)));
          return;
        }
        const symbol = this.symbols().lookup(pc);
        resolve(symbol !== undefined ? { icount, pc, symbol } : { icount, pc });
      });
    });
  }

  async consoleMarks(limit: number = MAX_CONSOLE_MARKS): Promise<ConsoleMarks> {
    const tl = this.timeline();
    const n = Math.max(0, Math.min(MAX_CONSOLE_MARKS, Math.floor(Number.isFinite(limit) ? limit : MAX_CONSOLE_MARKS)));
    const log = tl.log;
    const input = recentLines(log.length, (i) => log.icountAt(i), (i) => (log.kindAt(i) === EventKind.UartRx ? log.payloadAt(i) & 0xff : null), n);
    const out = tl.output;
    const output = recentLines(out.length, (i) => out.icountAt(i), (i) => out.byteAt(i), n);
    return { input: input.marks, output: output.marks, inputTruncated: input.truncated, outputTruncated: output.truncated, frontier: tl.frontier, outputHigh: out.high };
  }

  /**
   * Releases the MessageChannel (Node tests). Like a terminated worker, it writes nothing more:
   * what is not committed yet is lost (a write in flight commits or not as a whole).
   */
  dispose(): void {
    this.settlePeek();
    this.supersede({ kind: 'cancelled' });
    this.driver.dispose();
    if (this.eventTimer !== null) clearTimeout(this.eventTimer);
    this.persister?.discard();
  }

  // ------------------------------------------------------------------ internals

  /** The timeline for a request: a peek in flight ends first, so the request sees the session's position. */
  private timeline(): Timeline {
    if (!this.tl) throw new Error('no program is loaded');
    this.settlePeek();
    return this.tl;
  }

  /** Ends a peek in flight (it resolves null) and puts the machine back where it was. */
  private settlePeek(): void {
    const p = this.peeking;
    if (!p) return;
    this.peeking = null;
    this.driver.cancel();
    p.resolve(null);
    if (this.tl) this.restore(this.tl, p.origin);
  }

  /**
   * Seeks back to `origin` at once (not in slices): it replays from the snapshot at or before
   * origin, at most about one snapshot interval, so a request waits a few ms at most.
   */
  private restore(tl: Timeline, origin: number): void {
    if (tl.icount === origin) return;
    const op = tl.seek(origin);
    while (!op.next().done) { /* run to the end */ }
  }

  private symbols(): SymbolTable {
    this.symbolTable ??= new SymbolTable(this.meta?.symbols ?? []);
    return this.symbolTable;
  }

  private assertStopped(what: string): void {
    if (this.job && !this.job.waiting) throw new Error(`cannot ${what} while the program runs: pause first`);
  }

  private install(tl: Timeline, meta: Meta): void {
    this.tl = tl;
    this.meta = meta;
    this.takeOutput();
    this.pendingOut = null;
    this.decoder = new TextDecoder();
    this.symbolTable = null;
    tl.onOutput = (byte, icount) => this.onOutput(byte, icount);
  }

  /** Stops the current session's work and lets its last writes finish in the background. */
  private async detach(): Promise<void> {
    this.settlePeek();
    this.supersede({ kind: 'cancelled' });
    const p = this.persister;
    if (p) {
      this.persister = null;
      const closing = p.close();
      this.closing.add(closing);
      void closing.finally(() => this.closing.delete(closing));
    }
    if (this.tl) { this.tl.onOutput = null; this.tl.snapshots.sink = null; }
    this.tl = null;
    this.meta = null;
  }

  /**
   * Starts storing the current session: program, record and log at once; snapshots the session
   * already has (`existing`: it was kept in memory until now) follow in the snapshot lane.
   */
  private async persistNew(existing = false): Promise<void> {
    const repo = await this.repo;
    const meta = this.meta, tl = this.tl;
    if (!repo || !meta || !tl) return;
    const image = tl.image;
    const program: ProgramRecord = {
      id: meta.id,
      image: { entry: image.entry, segments: image.segments.map((s) => ({ addr: s.addr, memSize: s.memSize, data: s.data.slice().buffer as ArrayBuffer })) },
      symbols: meta.symbols,
      source: meta.source,
    };
    const persister = this.attachPersister(repo, program, { logEvents: 0, outputBytes: 0, snapshotCount: 0, snapshotsDropped: false });
    if (existing) persister.queueExisting();
    await persister.flush();
  }

  private attachPersister(repo: Repository, program: ProgramRecord | null, stored: StoredCounts): SessionPersister {
    const tl = this.tl!;
    const meta = this.meta!;
    const persister = new SessionPersister(repo, meta.id, tl.snapshots, {
      record: () => this.record(tl, meta),
      program,
      log: tl.log,
      output: tl.output,
      hashes: tl.stateHashes,
    }, stored, {
      delayMs: this.opts.flushDelayMs,
      intervalMs: this.opts.persistIntervalMs,
      notify: (level, msg) => this.notice(level, msg),
      onState: (state) => {
        this.push({ type: 'stored', sessionId: meta.id, stored: { ...state, intervalMs: persister.interval } });
      },
    });
    tl.snapshots.sink = persister;
    this.persister = persister;
    return persister;
  }

  private storedInfo(): StoredInfo | null {
    const p = this.persister;
    return p ? { ...p.state(), intervalMs: p.interval } : null;
  }

  private record(tl: Timeline, meta: Meta): SessionRecord {
    // A session being closed writes its last record while the next one may run or peek.
    const current = this.tl === tl;
    const job = current ? this.job : null;
    return {
      id: meta.id, name: meta.name, createdAt: meta.createdAt, updatedAt: Date.now(), replayOnly: tl.replayOnly,
      ramSize: tl.machine.ramSize, snapshotInterval: tl.interval, frontier: tl.frontier, exit: tl.exit ? { ...tl.exit } : null,
      position: (current ? this.peeking?.origin : undefined) ?? tl.icount, breakpoints: [...tl.breakpoints], watchpoints: tl.watchpoints.map((w) => ({ ...w })), replayBreak: tl.replayBreak,
      logEvents: 0, outputBytes: 0, outputHigh: tl.output.high, expectedHashes: meta.expectedHashes, snapshotCount: 0, snapshotsDropped: false,
      // Captured between slices: an operation recording at the frontier now.
      recording: job !== null && !job.waiting && !tl.replayOnly && tl.icount >= tl.frontier,
      outputDropped: tl.output.dropped ? { ...tl.output.dropped } : null,
      endUnknown: tl.endUnknown,
    };
  }

  private motion(kind: OperationKind, start: Job['start'], waitOnIdle: boolean): Promise<StopInfo> {
    this.timeline(); // ends a peek in flight
    this.supersede({ kind: 'superseded' });
    return new Promise<StopInfo>((resolve, reject) => {
      const job: Job = { kind, start, waitOnIdle, waiting: false, resolve, reject };
      this.job = job;
      this.start(job);
    });
  }

  private start(job: Job): void {
    const tl = this.timeline();
    this.lastProgress = null;
    this.driver.run(job.start(tl), (r) => this.finished(job, r));
    this.push({ type: 'position', position: this.position(), running: job.kind });
  }

  /** A continue that is running (or waiting for input) picks up changed breakpoints by restarting. */
  private restartContinue(): void {
    const job = this.job;
    if (!job || job.kind !== 'continue' || job.waiting) return;
    this.driver.cancel();
    this.start(job);
  }

  private finished(job: Job, r: DriveResult): void {
    if (this.job !== job) return;
    const tl = this.tl!;
    if (!r.ok) {
      this.job = null;
      const err = r.error instanceof Error ? r.error : new Error(String(r.error));
      this.push({ type: 'position', position: this.position(), running: null });
      this.flushEvents();
      job.reject(err);
      return;
    }
    const stop = r.stop;
    if (stop.cause.kind === 'idle' && job.waitOnIdle && !tl.replayOnly && tl.pendingInputLength === 0) {
      job.waiting = true;
      this.push({ type: 'waiting-input', icount: stop.icount });
      this.push({ type: 'position', position: this.position(), running: job.kind });
      this.flushEvents();
      this.persister?.schedule();
      return;
    }
    if (stop.cause.kind === 'idle' && job.waitOnIdle && !tl.replayOnly) {
      // Input arrived while the last slice ran: keep going.
      this.start(job);
      return;
    }
    this.job = null;
    const info = this.stopInfo(job.kind, stop);
    this.push({ type: 'stop', stop: info });
    this.flushEvents();
    this.persister?.schedule();
    job.resolve(info);
  }

  /** Ends the current request where the machine is now, resolving it with `cause`. */
  private supersede(cause: StopCauseInfo): StopInfo | null {
    const job = this.job;
    if (!job) return null;
    this.driver.cancel();
    this.job = null;
    const tl = this.tl!;
    const info: StopInfo = { op: job.kind, icount: tl.icount, pc: tl.pc >>> 0, cause, frontier: tl.frontier, mode: tl.recording ? 'recording' : 'replaying' };
    job.resolve(info);
    return info;
  }

  private stopInfo(op: OperationKind, stop: Stop): StopInfo {
    const tl = this.tl!;
    return { op, icount: stop.icount, pc: stop.pc >>> 0, cause: causeInfo(stop.cause), frontier: tl.frontier, mode: tl.recording ? 'recording' : 'replaying' };
  }

  private position(): PositionInfo {
    const tl = this.tl!;
    return { icount: tl.icount, pc: tl.pc >>> 0, frontier: tl.frontier, mode: tl.recording ? 'recording' : 'replaying' };
  }

  private sessionInfo(): SessionInfo | null {
    const tl = this.tl, meta = this.meta;
    if (!tl || !meta) return null;
    return {
      id: meta.id, name: meta.name, replayOnly: tl.replayOnly, persisted: this.persister !== null, entry: tl.image.entry,
      symbols: meta.symbols, source: meta.source, ramSize: tl.machine.ramSize, snapshotInterval: tl.interval,
      position: this.position(), exit: tl.exit ? { ...tl.exit } : null, recovered: meta.recovered ? { ...meta.recovered } : null,
      breakpoints: [...tl.breakpoints], watchpoints: tl.watchpoints.map((w) => ({ ...w })), replayBreak: tl.replayBreak,
    };
  }

  /** Adapts the instructions per slice so that one slice takes about sliceMs. */
  private onSlice(p: Progress, ms: number): void {
    const job = this.job;
    if (job) this.lastProgress = { op: job.kind, p };
    const tl = this.tl;
    if (!tl || ms < 0.5) return;
    const want = (this.slice * this.opts.sliceMs) / ms;
    const next = Math.round(Math.min(MAX_SLICE, Math.max(MIN_SLICE, this.slice / 2, Math.min(this.slice * 2, want))));
    if (next !== this.slice) {
      this.slice = next;
      tl.slice = next; // read at every slice boundary
    }
  }

  private onYield(): void {
    const job = this.job;
    if (!job || !this.tl) return;
    // The session moves: its journal is written within persistIntervalMs, whatever else runs.
    this.persister?.touch();
    this.push({ type: 'position', position: this.position(), running: job.kind });
    const lp = this.lastProgress;
    if (lp) this.push({ type: 'progress', op: lp.op, phase: lp.p.phase, done: lp.p.done, total: lp.p.total });
    const now = performance.now();
    if (now - this.lastFlush >= this.opts.eventIntervalMs) this.flushEvents();
  }

  private onOutput(byte: number, icount: number): void {
    if (!this.pendingOut) this.pendingOut = { icount, bytes: [] };
    this.pendingOut.bytes.push(byte);
    this.scheduleEvents();
  }

  private notice(level: NoticeLevel, msg: string): void {
    this.push({ type: 'storage', level, message: msg });
    this.flushEvents();
  }

  private push(e: EngineEvent): void {
    if (e.type === 'position' || e.type === 'progress') {
      const at = this.queue.findIndex((q) => q.type === e.type);
      if (at >= 0) this.queue.splice(at, 1);
    }
    this.takeOutput();
    this.queue.push(e);
    this.scheduleEvents();
  }

  /** Pending UART bytes become one output event, in order with the events around them. */
  private takeOutput(): void {
    const out = this.pendingOut;
    if (!out) return;
    this.pendingOut = null;
    const text = this.decoder.decode(Uint8Array.from(out.bytes), { stream: true });
    if (text === '') return;
    const last = this.queue[this.queue.length - 1];
    if (last && last.type === 'output') last.text += text;
    else this.queue.push({ type: 'output', icount: out.icount, text });
  }

  private scheduleEvents(): void {
    if (this.eventTimer !== null) return;
    this.eventTimer = setTimeout(() => { this.eventTimer = null; this.flushEvents(); }, this.opts.eventIntervalMs);
  }

  private flushEvents(): void {
    this.takeOutput();
    if (this.eventTimer !== null) { clearTimeout(this.eventTimer); this.eventTimer = null; }
    this.lastFlush = performance.now();
    const listener = this.listener;
    if (!listener || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    try {
      void Promise.resolve(listener(batch)).catch(() => { /* the subscriber went away */ });
    } catch { /* the subscriber went away */ }
  }
}

function causeInfo(c: StopCause): StopCauseInfo {
  if (c.kind === 'watchpoint') return { kind: 'watchpoint', addr: c.addr >>> 0, size: c.size, access: c.access, watch: { ...c.watch } };
  return { ...c } as StopCauseInfo;
}

function message(e: unknown): string { return e instanceof Error ? e.message : String(e); }

/** Wall-clock nanoseconds (a multiple of 256 so the double is exact) and crypto entropy. */
export function hostInputs(): LiveInputs {
  const pool = new Uint16Array(128);
  let used = pool.length;
  return {
    rtcNanoseconds(): number {
      const ns = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e3)) * 1000n;
      return Number(ns - (ns % 256n));
    },
    seedEntropy(): number {
      if (used === pool.length) { crypto.getRandomValues(pool); used = 0; }
      return pool[used++]!;
    },
  };
}
