// The one message protocol between the main thread and the engine's Web Worker (web-llm's
// shape): every message is a tagged union member {kind, id, payload}. Requests are named after
// the EngineApi method they call; the worker answers each with one `response` or one `error`
// carrying the same id; `event` messages (id 0) forward the engine's EngineEvent stream.
// Byte payloads (run records, resume checkpoints) travel as transferred ArrayBuffers.
import type { BackendChoice } from '../engine/config/options';
import type { EngineEvent, EngineMethod } from '../engine/api';
import { ENGINE_METHODS, type EngineParams, type EngineResult } from '../engine/apiMethods';

/** Each EngineApi method: what the request carries and what the response carries (from ENGINE_METHODS). */
export type MethodMap = { [M in EngineMethod]: { params: EngineParams<M>; result: EngineResult<M> } };

export type Method = EngineMethod;

export const METHODS = Object.keys(ENGINE_METHODS) as readonly Method[];

/** Main thread -> worker. `kind` is the method name. */
export type WorkerRequest = {
  [M in Method]: { kind: M; id: number; payload: MethodMap[M]['params'] };
}[Method];

export type RequestOf<M extends Method> = Extract<WorkerRequest, { kind: M }>;

/** A typed engine error, flattened: `errorKind` is the error's `kind` ('gpu-out-of-memory', ...). */
export interface ErrorPayload {
  errorKind: string;
  name: string;
  message: string;
}

/** Worker -> main thread. */
export type WorkerResponse = {
  [M in Method]: { kind: 'response'; id: number; payload: { method: M; result: MethodMap[M]['result'] } };
}[Method];
export interface WorkerErrorMessage {
  kind: 'error';
  id: number;
  payload: ErrorPayload;
}
export interface WorkerEventMessage {
  kind: 'event';
  id: 0;
  payload: EngineEvent;
}
/** The worker could not construct the engine at all (no WebGPU, import failure): id 0. */
export interface WorkerFatalMessage {
  kind: 'fatal';
  id: 0;
  payload: ErrorPayload;
}
/** The engine is constructed and requests will be served. */
export interface WorkerReadyMessage {
  kind: 'ready';
  id: 0;
  payload: null;
}

/**
 * Main thread -> worker, once, first: where the app is served from, so the engine finds
 * `demo-model/` next to index.html (a worker's own location is its script's URL), and which
 * backend the user chose (default 'auto').
 */
export interface WorkerInit {
  kind: 'init';
  id: 0;
  payload: { baseUrl: string; backend?: BackendChoice };
}

export function isWorkerInit(data: unknown): data is WorkerInit {
  return data !== null && typeof data === 'object' && (data as { kind?: unknown }).kind === 'init' && typeof (data as WorkerInit).payload?.baseUrl === 'string';
}

export type WorkerReply = WorkerResponse | WorkerErrorMessage;
export type WorkerMessage = WorkerReply | WorkerEventMessage | WorkerFatalMessage | WorkerReadyMessage;

/** How the handler sends a message: postMessage with an optional transfer list. */
export type Post = (message: WorkerMessage, transfer: Transferable[]) => void;

/** Turns anything thrown into the wire form, keeping a typed error's `kind`. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof Error) {
    const kind = (error as { kind?: unknown }).kind;
    return {
      errorKind: typeof kind === 'string' ? kind : 'internal',
      name: error.name,
      message: error.message,
    };
  }
  return { errorKind: 'internal', name: 'Error', message: String(error) };
}

/**
 * The ArrayBuffers inside a value, to transfer instead of copy. Walks plain objects and arrays
 * a few levels deep; a typed array that views only part of its buffer is left to be copied,
 * because transferring would detach bytes the sender never meant to give away.
 */
export function transferablesOf(value: unknown, depth = 3): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const visit = (v: unknown, d: number): void => {
    if (v === null || typeof v !== 'object') return;
    if (v instanceof ArrayBuffer) {
      found.add(v);
      return;
    }
    if (ArrayBuffer.isView(v)) {
      const buffer = v.buffer;
      if (buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === buffer.byteLength) found.add(buffer);
      return;
    }
    if (d <= 0 || (typeof Blob !== 'undefined' && v instanceof Blob)) return;
    const items = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const item of items) visit(item, d - 1);
  };
  visit(value, depth);
  return [...found];
}

export function isWorkerMessage(data: unknown): data is WorkerMessage {
  if (data === null || typeof data !== 'object') return false;
  const kind = (data as { kind?: unknown }).kind;
  return kind === 'response' || kind === 'error' || kind === 'event' || kind === 'fatal' || kind === 'ready';
}

export function isWorkerRequest(data: unknown): data is WorkerRequest {
  if (data === null || typeof data !== 'object') return false;
  const m = data as { kind?: unknown; id?: unknown };
  return typeof m.id === 'number' && (METHODS as readonly unknown[]).includes(m.kind);
}
