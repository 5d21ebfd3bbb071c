/// <reference lib="webworker" />
/** The engine worker: exposes one EngineSession (workers/api.ts) to the UI thread with Comlink. */
import * as Comlink from 'comlink';
import { EngineSession } from './session';

Comlink.expose(new EngineSession());
