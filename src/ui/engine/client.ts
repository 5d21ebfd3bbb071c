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
  /** Loads a program, transferring ELF bytes instead of copying them. */
  load(program: ProgramInput, options?: LoadOptions): Promise<LoadResult>;
  /** Imports a replay file, transferring its bytes. */
  importReplay(bytes: ArrayBuffer, options?: { name?: string; persist?: boolean }): Promise<LoadResult>;
  terminate(): void;
}

export function createEngine(): EngineClient {
  const worker = new Worker(new URL('../../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'rewind-engine' });
  const api = Comlink.wrap<EngineApi>(worker);
  return {
    api,
    subscribe: (listener) => api.subscribe(Comlink.proxy(listener)),
    load: (program, options) => api.load(program.kind === 'elf' ? Comlink.transfer(program, [program.bytes]) : program, options),
    importReplay: (bytes, options) => api.importReplay(Comlink.transfer(bytes, [bytes]), options),
    terminate: () => { api[Comlink.releaseProxy](); worker.terminate(); },
  };
}
