// The worker's dispatch, kept free of worker globals so Node tests drive it with a test double
// of EngineApi: one request in, exactly one `response` or `error` out (same id), byte results
// transferred. Requests are independent: `train` stays pending while `pause` is served.
import type { EngineApi } from '../engine/api';
import { argsOf } from '../engine/apiMethods';
import { isWorkerRequest, toErrorPayload, transferablesOf, type Method, type MethodMap, type Post, type WorkerRequest, type WorkerResponse } from './protocol';

/** Calls the engine method a request names (arguments from the payload, ENGINE_METHODS); the result is what the response carries. */
async function dispatch(engine: EngineApi, msg: WorkerRequest): Promise<MethodMap[Method]['result']> {
  const method = engine[msg.kind] as (...args: unknown[]) => unknown;
  const result = await method.apply(engine, argsOf(msg.kind, msg.payload));
  return (result ?? null) as MethodMap[Method]['result'];
}

/** Serves one request. Never throws: failures become an `error` message with the error's kind. */
export async function handleRequest(engine: EngineApi, msg: unknown, post: Post): Promise<void> {
  if (!isWorkerRequest(msg)) {
    const id = typeof (msg as { id?: unknown } | null)?.id === 'number' ? (msg as { id: number }).id : -1;
    post({ kind: 'error', id, payload: { errorKind: 'protocol', name: 'ProtocolError', message: `Unknown request: ${describe(msg)}` } }, []);
    return;
  }
  try {
    const result = await dispatch(engine, msg);
    const response = { kind: 'response', id: msg.id, payload: { method: msg.kind, result } } as WorkerResponse;
    post(response, transferablesOf(result));
  } catch (error) {
    post({ kind: 'error', id: msg.id, payload: toErrorPayload(error) }, []);
  }
}

/** Forwards every engine event as an `event` message; returns the unsubscribe function. */
export function forwardEvents(engine: EngineApi, post: Post): () => void {
  return engine.subscribe((event) => post({ kind: 'event', id: 0, payload: event }, []));
}

function describe(msg: unknown): string {
  try {
    return JSON.stringify(msg)?.slice(0, 200) ?? String(msg);
  } catch {
    return String(msg);
  }
}
