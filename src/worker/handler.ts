// The worker's dispatch, kept free of worker globals so Node tests drive it with a test double
// of EngineApi: one request in, exactly one `response` or `error` out (same id), byte results
// transferred. Requests are independent: `train` stays pending while `pause` is served.
import type { EngineApi } from '../engine/api';
import { isWorkerRequest, toErrorPayload, transferablesOf, type Method, type MethodMap, type Post, type WorkerRequest, type WorkerResponse } from './protocol';

/** Calls the engine method a request names; the result is what the response carries. */
async function dispatch(engine: EngineApi, msg: WorkerRequest): Promise<MethodMap[Method]['result']> {
  switch (msg.kind) {
    case 'adapterReport':
      return engine.adapterReport();
    case 'estimateMemory':
      return engine.estimateMemory(msg.payload);
    case 'loadModel':
      return engine.loadModel(msg.payload);
    case 'setTask':
      return engine.setTask(msg.payload);
    case 'evaluate':
      return engine.evaluate(msg.payload.split, msg.payload.limit);
    case 'train':
      await engine.train(msg.payload.runId, msg.payload.config, msg.payload.resumeFrom, msg.payload.maxSteps);
      return null;
    case 'pause':
      engine.pause(msg.payload.runId);
      return null;
    case 'stop':
      engine.stop(msg.payload.runId);
      return null;
    case 'runRecord':
      return engine.runRecord(msg.payload.runId);
    case 'exportWeights':
      return engine.exportWeights(msg.payload.runId);
    case 'learnBlockScales':
      return engine.learnBlockScales(msg.payload.config);
    case 'lossAlongDirection':
      return engine.lossAlongDirection(msg.payload.direction, msg.payload.span, msg.payload.points);
    case 'memory':
      return engine.memory();
    case 'generate':
      return engine.generate(msg.payload);
  }
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
