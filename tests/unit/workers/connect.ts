// An EngineSession exposed over a MessageChannel and driven through Comlink, as the UI does.
import 'fake-indexeddb/auto';
import { afterEach } from 'vitest';
import * as Comlink from 'comlink';
import { EngineSession } from '../../../workers/session';
import type { EngineApi, EngineEvent } from '../../../workers/api';
import { exampleBytes, fixedInputs } from '../storage/fixtures';

let dbCounter = 0;
const cleanups: (() => void)[] = [];
afterEach(() => { while (cleanups.length) cleanups.pop()!(); });

export function connect(options: { dbName?: string; storage?: 'indexeddb' | 'none'; persistIntervalMs?: number } = {}) {
  const session = new EngineSession({
    storage: options.storage ?? 'indexeddb',
    dbName: options.dbName ?? `rewind-worker-${process.pid}-${dbCounter++}`,
    live: fixedInputs, flushDelayMs: 20,
    ...(options.persistIntervalMs !== undefined ? { persistIntervalMs: options.persistIntervalMs } : {}),
  });
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(session, port1 as unknown as Comlink.Endpoint);
  const api = Comlink.wrap<EngineApi>(port2 as unknown as Comlink.Endpoint);
  const events: EngineEvent[] = [];
  const waiters: { pred: (e: EngineEvent) => boolean; resolve: (e: EngineEvent) => void }[] = [];
  const ready = api.subscribe(Comlink.proxy((batch: EngineEvent[]) => {
    for (const e of batch) {
      events.push(e);
      for (const w of waiters.splice(0)) { if (w.pred(e)) w.resolve(e); else waiters.push(w); }
    }
  }));
  /** Resolves with the first event (already received, or to come) that satisfies `pred`. */
  const waitFor = <T extends EngineEvent>(pred: (e: EngineEvent) => e is T): Promise<T> => {
    const seen = events.find(pred);
    return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ pred, resolve: resolve as (e: EngineEvent) => void }));
  };
  let gone = false;
  /** The worker goes away as in a crash or a closed tab: nothing more is written or answered. */
  const crash = (): void => {
    if (gone) return;
    gone = true;
    api[Comlink.releaseProxy]();
    session.dispose();
    port1.close();
    port2.close();
  };
  cleanups.push(crash);
  return { api, events, ready, waitFor, crash };
}

/** An example ELF as the load request the UI sends. */
export function elf(name: string) {
  const b = exampleBytes(name);
  return { kind: 'elf' as const, bytes: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer, fileName: `${name}.elf` };
}
