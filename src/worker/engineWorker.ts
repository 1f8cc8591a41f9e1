// The module Web Worker entry: constructs the engine once, forwards its events and serves
// requests through handleRequest. Requests that arrive while the engine is being constructed
// wait for it; if construction fails (no WebGPU in this worker), each gets the same typed error.
/// <reference lib="webworker" />
import { createEngine } from '../engine/engine';
import type { EngineApi } from '../engine/api';
import { forwardEvents, handleRequest } from './handler';
import { toErrorPayload, type Post, type WorkerMessage } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post: Post = (message: WorkerMessage, transfer: Transferable[]) => scope.postMessage(message, transfer);

const engineReady: Promise<EngineApi> = createEngine().then(
  (engine) => {
    forwardEvents(engine, post);
    post({ kind: 'ready', id: 0, payload: null }, []);
    return engine;
  },
  (error: unknown) => {
    post({ kind: 'fatal', id: 0, payload: toErrorPayload(error) }, []);
    throw error;
  },
);
// Reported through the `fatal` message above; each request also gets it as its error.
engineReady.catch(() => undefined);

scope.onmessage = (event: MessageEvent<unknown>) => {
  const msg = event.data;
  engineReady.then(
    (engine) => handleRequest(engine, msg, post),
    (error: unknown) => {
      const id = typeof (msg as { id?: unknown } | null)?.id === 'number' ? (msg as { id: number }).id : -1;
      post({ kind: 'error', id, payload: toErrorPayload(error) }, []);
    },
  );
};
