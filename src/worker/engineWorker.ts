// The module Web Worker entry: constructs the engine once the main thread says where the app is
// served from (the `init` message), forwards its events and serves requests through
// handleRequest. Requests that arrive while the engine is being constructed wait for it; if
// construction fails (no WebGPU in this worker), each gets the same typed error.
/// <reference lib="webworker" />
import { createEngine } from '../engine/engine';
import type { EngineApi } from '../engine/api';
import type { BackendChoice } from '../engine/config/options';
import { forwardEvents, handleRequest } from './handler';
import { isWorkerInit, toErrorPayload, type Post, type WorkerMessage } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post: Post = (message: WorkerMessage, transfer: Transferable[]) => scope.postMessage(message, transfer);

let engineReady: Promise<EngineApi> | null = null;

function start(baseUrl: string, backend: BackendChoice = 'auto'): Promise<EngineApi> {
  const ready = createEngine(undefined, baseUrl, backend).then(
    (engine: EngineApi) => {
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
  ready.catch(() => undefined);
  return ready;
}

scope.onmessage = (event: MessageEvent<unknown>) => {
  const msg = event.data;
  if (isWorkerInit(msg)) {
    engineReady ??= start(msg.payload.baseUrl, msg.payload.backend);
    return;
  }
  // A client that skipped `init`: the worker's own URL is the best guess there is.
  engineReady ??= start(scope.location.href);
  engineReady.then(
    (engine) => handleRequest(engine, msg, post),
    (error: unknown) => {
      const id = typeof (msg as { id?: unknown } | null)?.id === 'number' ? (msg as { id: number }).id : -1;
      post({ kind: 'error', id, payload: toErrorPayload(error) }, []);
    },
  );
};
