// A Worker-like port that runs an EngineClient's messages through the worker's handleRequest
// against an engine (the fake one in tests), structured-cloning every message both ways, and
// forwards the engine's events: the app's main thread and worker wired together in one Node process.
import type { EngineApi } from '../../src/engine/api';
import type { WorkerPort } from '../../src/worker/client';
import { forwardEvents, handleRequest } from '../../src/worker/handler';
import type { WorkerMessage } from '../../src/worker/protocol';

export function loopback(engine: EngineApi): WorkerPort {
  let listener: ((event: MessageEvent) => void) | null = null;
  const deliver = (m: WorkerMessage) => queueMicrotask(() => listener?.({ data: structuredClone(m) } as MessageEvent));
  forwardEvents(engine, deliver);
  return {
    postMessage(message: unknown) {
      void handleRequest(engine, structuredClone(message), deliver);
    },
    addEventListener(type: string, l: (event: never) => void) {
      if (type === 'message') listener = l as (event: MessageEvent) => void;
    },
    terminate() {},
  };
}
