/**
 * The UI's handle on the engine worker: a typed Comlink proxy of workers/api.ts. The UI never
 * imports the machine or the replay engine; everything goes through this one API.
 */
import * as Comlink from 'comlink';
import type { EngineApi, EngineEvent, ProgramInput, LoadOptions, LoadResult } from '../../../workers/api';

export interface EngineClient {
  /** The worker's API; every call is async. */
  readonly api: Comlink.Remote<EngineApi>;
  /** Subscribes to batched events (replaces an earlier subscription). */
  subscribe(listener: (events: EngineEvent[]) => void): Promise<void>;
  /**
   * Adds a listener next to the one `subscribe` sets (the IDE listens this way, so that a script
   * calling `subscribe` does not take its events away). Returns the function that removes it.
   */
  listen(listener: (events: EngineEvent[]) => void): Promise<() => void>;
  /** Loads a program, transferring ELF bytes instead of copying them. */
  load(program: ProgramInput, options?: LoadOptions): Promise<LoadResult>;
  /** Imports a replay file, transferring its bytes. */
  importReplay(bytes: ArrayBuffer, options?: { name?: string; persist?: boolean }): Promise<LoadResult>;
  terminate(): void;
}

export function createEngine(): EngineClient {
  const worker = new Worker(new URL('../../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'rewind-engine' });
  const api = Comlink.wrap<EngineApi>(worker);
  // One worker subscription fans out to the `subscribe` listener and the `listen` ones.
  let primary: ((events: EngineEvent[]) => void) | null = null;
  const extra = new Set<(events: EngineEvent[]) => void>();
  let subscribed: Promise<void> | null = null;
  const ensure = () => (subscribed ??= api.subscribe(Comlink.proxy((events: EngineEvent[]) => {
    for (const l of extra) l(events);
    primary?.(events);
  })));
  return {
    api,
    subscribe: (listener) => { primary = listener; return ensure(); },
    listen: async (listener) => { extra.add(listener); await ensure(); return () => { extra.delete(listener); }; },
    load: (program, options) => api.load(program.kind === 'elf' ? Comlink.transfer(program, [program.bytes]) : program, options),
    importReplay: (bytes, options) => api.importReplay(Comlink.transfer(bytes, [bytes]), options),
    terminate: () => { api[Comlink.releaseProxy](); worker.terminate(); },
  };
}
