// The main-thread side of the protocol: a promise-returning method for each EngineApi method,
// built from the one table of them (src/engine/apiMethods.ts), and an event subscription. Works over any Worker-like port, so Node tests can wire it straight to
// handleRequest. Byte arguments (resume checkpoints) are transferred: the caller gives them up.
import type { BackendChoice } from '../engine/config/options';
import type { EngineApi, EngineEvent, EngineMethod } from '../engine/api';
import { payloadOf } from '../engine/apiMethods';
import { isWorkerMessage, METHODS, transferablesOf, type ErrorPayload, type Method, type MethodMap, type WorkerInit, type WorkerMessage } from './protocol';

/** An engine failure on the main thread: `kind` is the engine's typed error kind. */
export class EngineError extends Error {
  readonly kind: string;
  constructor(payload: ErrorPayload) {
    super(payload.message);
    this.kind = payload.errorKind;
    this.name = payload.name || 'EngineError';
  }
}

/** The part of Worker the client uses. */
export interface WorkerPort {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

interface Pending {
  method: Method;
  resolve: (value: unknown) => void;
  reject: (error: EngineError) => void;
}

/** Every engine method, called from the main thread: same arguments, always a promise. Byte
 *  arguments (resume checkpoints) are transferred: the caller gives them up. */
export type RemoteEngine = { [M in EngineMethod]: (...args: Parameters<EngineApi[M]>) => Promise<Awaited<ReturnType<EngineApi[M]>>> };

// The methods are installed from ENGINE_METHODS in the constructor; this declares them.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface EngineClient extends RemoteEngine {}

export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private readonly fatalListeners = new Set<(error: EngineError) => void>();
  private fatal: EngineError | null = null;
  private terminated = false;

  constructor(private readonly port: WorkerPort) {
    // Every engine method, from the one table of them: its arguments become the request's payload.
    for (const method of METHODS) {
      Object.defineProperty(this, method, { value: (...args: unknown[]) => this.call(method, payloadOf(method, args)) });
    }
    port.addEventListener('message', (event: MessageEvent) => this.receive(event.data));
    port.addEventListener('error', (event: ErrorEvent) => {
      this.fail({ errorKind: 'worker-crashed', name: 'WorkerError', message: `The engine worker failed: ${event.message || 'unknown error'}` });
    });
  }

  /**
   * The real worker, bundled by Vite as an ES module worker. `baseUrl` is where the app is
   * served from (the folder of index.html); the engine finds the demo model there.
   */
  static spawn(baseUrl: string, backend: BackendChoice = 'auto'): EngineClient {
    const worker = new Worker(new URL('./engineWorker.ts', import.meta.url), { type: 'module', name: 'zo-engine' });
    const client = new EngineClient(worker);
    worker.postMessage({ kind: 'init', id: 0, payload: { baseUrl, backend } } satisfies WorkerInit);
    return client;
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The engine could not start (or the worker died): every later call rejects with this. */
  onFatal(listener: (error: EngineError) => void): () => void {
    this.fatalListeners.add(listener);
    if (this.fatal) listener(this.fatal);
    return () => this.fatalListeners.delete(listener);
  }

  terminate(): void {
    this.terminated = true;
    this.port.terminate();
    this.fail({ errorKind: 'terminated', name: 'EngineError', message: 'The engine was restarted.' });
  }

  private call<M extends Method>(method: M, payload: MethodMap[M]['params']): Promise<MethodMap[M]['result']> {
    if (this.fatal) return Promise.reject(this.fatal);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ kind: method, id, payload }, transferablesOf(payload));
    });
  }

  private receive(data: unknown): void {
    if (!isWorkerMessage(data)) return;
    const msg = data as WorkerMessage;
    switch (msg.kind) {
      case 'event':
        for (const listener of this.listeners) listener(msg.payload);
        return;
      case 'ready':
        return;
      case 'fatal':
        this.fail(msg.payload);
        return;
      case 'response':
      case 'error': {
        const pending = this.pending.get(msg.id);
        if (!pending) return;
        this.pending.delete(msg.id);
        if (msg.kind === 'response') pending.resolve(msg.payload.result);
        else pending.reject(new EngineError(msg.payload));
      }
    }
  }

  private fail(payload: ErrorPayload): void {
    if (!this.fatal) {
      this.fatal = new EngineError(payload);
      if (!this.terminated) for (const listener of this.fatalListeners) listener(this.fatal);
    }
    for (const pending of this.pending.values()) pending.reject(this.fatal);
    this.pending.clear();
  }
}
