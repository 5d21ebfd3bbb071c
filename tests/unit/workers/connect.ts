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

export function connect(options: { dbName?: string; storage?: 'indexeddb' | 'none' } = {}) {
  const session = new EngineSession({
    storage: options.storage ?? 'indexeddb',
    dbName: options.dbName ?? `rewind-worker-${process.pid}-${dbCounter++}`,
    live: fixedInputs, flushDelayMs: 20,
  });
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(session, port1 as unknown as Comlink.Endpoint);
  const api = Comlink.wrap<EngineApi>(port2 as unknown as Comlink.Endpoint);
  const events: EngineEvent[] = [];
  const ready = api.subscribe(Comlink.proxy((batch: EngineEvent[]) => { events.push(...batch); }));
  cleanups.push(() => { api[Comlink.releaseProxy](); session.dispose(); port1.close(); port2.close(); });
  return { api, events, ready };
}

/** An example ELF as the load request the UI sends. */
export function elf(name: string) {
  const b = exampleBytes(name);
  return { kind: 'elf' as const, bytes: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer, fileName: `${name}.elf` };
}
