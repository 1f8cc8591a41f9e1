// Fork-join over the kernel module's shared memory: thread 0 is the caller, threads 1..T-1 are
// workers each running its own instance of the same module over the same memory. A job is one
// export called on disjoint slices [lo, hi) of a range (weight rows, sequence rows, parameter
// elements): the caller writes the job into a control block in the shared memory, bumps the
// generation and wakes the workers, runs slice 0 itself and waits until every worker has counted
// itself done. No messages per job, so a kernel call costs a futex wake, not a postMessage.
import { POOL_WORKER_SOURCE } from './poolWorkerSource';
import type { WasmHeap, WasmBuffer } from './heap';

/** A started pool thread: what a browser Worker and a Node worker_threads Worker both provide. */
export interface PoolThread {
  postMessage(message: unknown): void;
  onMessage(listener: (data: unknown) => void): void;
  /** The thread failed to load or threw outside a kernel. */
  onError(listener: (message: string) => void): void;
  terminate(): void;
}

/** Starts a thread from POOL_WORKER_SOURCE (browser: blobWorker below; Node: nodePoolThread.ts). */
export type SpawnThread = (source: string) => PoolThread;

/** Int32 slots of the control block (then f64 arguments from byte 128). */
const CTRL = { gen: 0, done: 1, fn: 2, nargs: 3, total: 4, grain: 5, scratchBase: 6, scratchStride: 7, hasScratch: 8, error: 9, quit: 10 } as const;
const MAX_ARGS = 24;

/**
 * A browser Worker from a Blob URL (a plain script: no module worker needed). The URL stays valid
 * until the pool ends: a worker started from inside another worker (the engine's) fetches its
 * script after the constructor returns, so revoking the URL at once fails to load it.
 */
export function blobWorker(source: string): PoolThread {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const w = new Worker(url);
  return {
    postMessage: (m) => w.postMessage(m),
    onMessage: (f) => w.addEventListener('message', (e) => f(e.data)),
    onError: (f) => w.addEventListener('error', (e) => f(e.message || 'the worker script did not load')),
    terminate: () => {
      w.terminate();
      URL.revokeObjectURL(url);
    },
  };
}

export interface Slices {
  /** Slices split [0, total) in multiples of grain. */
  total: number;
  grain: number;
  /** Per-thread scratch: thread t gets base + t * stride (appended after hi). */
  scratch?: { buffer: WasmBuffer; stride: number };
}

export class WasmPool {
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private canBlock = true;

  private constructor(
    readonly threads: number,
    memory: WebAssembly.Memory,
    ctrlBuf: WasmBuffer,
    private readonly names: readonly string[],
    private readonly workers: PoolThread[],
  ) {
    this.ctrl = new Int32Array(memory.buffer, ctrlBuf.ptr, 64);
    this.args = new Float64Array(memory.buffer, ctrlBuf.ptr + 128, MAX_ARGS);
  }

  /** threads - 1 workers over `memory` (shared), each with its own instance of `module`. */
  static async start(threads: number, module: WebAssembly.Module, memory: WebAssembly.Memory, heap: WasmHeap, names: readonly string[], spawn: SpawnThread): Promise<WasmPool> {
    const ctrlBuf = heap.alloc(128 + MAX_ARGS * 8);
    new Int32Array(memory.buffer, ctrlBuf.ptr, 64).fill(0);
    const workers: PoolThread[] = [];
    try {
      await Promise.all(Array.from({ length: threads - 1 }, (_, i) => new Promise<void>((resolve, reject) => {
        const w = spawn(POOL_WORKER_SOURCE);
        workers.push(w);
        w.onMessage((m) => {
          const msg = m as { ready?: boolean; error?: string };
          if (msg.ready) resolve();
          else reject(new Error(`wasm pool thread ${i + 1} failed to start: ${msg.error}`));
        });
        w.onError((message) => reject(new Error(`wasm pool thread ${i + 1} failed to start: ${message}`)));
        w.postMessage({ module, memory, ctrlPtr: ctrlBuf.ptr, names, index: i + 1, threads });
      })));
    } catch (e) {
      for (const w of workers) w.terminate();
      heap.release(ctrlBuf);
      throw e;
    }
    return new WasmPool(threads, memory, ctrlBuf, names, workers);
  }

  /**
   * fn(...args, lo, hi[, scratch]) on every thread's slice; returns when all are done. `run`
   * calls thread 0's slice (the caller's instance).
   */
  run(fnIndex: number, args: readonly number[], s: Slices, run: (lo: number, hi: number, scratch: number) => void): void {
    if (args.length > MAX_ARGS) throw new Error(`wasm pool: ${args.length} arguments (at most ${MAX_ARGS})`);
    const { ctrl } = this;
    const T = this.threads;
    this.args.set(args);
    ctrl[CTRL.fn] = fnIndex;
    ctrl[CTRL.nargs] = args.length;
    ctrl[CTRL.total] = s.total;
    ctrl[CTRL.grain] = s.grain;
    ctrl[CTRL.hasScratch] = s.scratch ? 1 : 0;
    ctrl[CTRL.scratchBase] = s.scratch ? s.scratch.buffer.ptr : 0;
    ctrl[CTRL.scratchStride] = s.scratch ? s.scratch.stride : 0;
    ctrl[CTRL.error] = 0;
    Atomics.store(ctrl, CTRL.done, 0);
    Atomics.add(ctrl, CTRL.gen, 1);
    Atomics.notify(ctrl, CTRL.gen);
    const units = Math.ceil(s.total / s.grain), per = Math.ceil(units / T);
    const hi = Math.min(s.total, per * s.grain);
    let failure: unknown = null;
    try {
      if (hi > 0) run(0, hi, s.scratch ? s.scratch.buffer.ptr : 0);
    } catch (e) {
      failure = e;
    }
    this.join();
    if (failure) throw failure;
    if (ctrl[CTRL.error]) throw new Error(`wasm kernel ${this.names[fnIndex]} failed on a pool thread`);
  }

  private join(): void {
    const { ctrl } = this;
    const want = this.threads - 1;
    // the workers usually finish within microseconds of the caller: spin a little before sleeping
    for (let spin = 0; spin < 2000; spin++) if (Atomics.load(ctrl, CTRL.done) >= want) return;
    for (;;) {
      const d = Atomics.load(ctrl, CTRL.done);
      if (d >= want) return;
      if (this.canBlock) {
        try {
          Atomics.wait(ctrl, CTRL.done, d, 50);
          continue;
        } catch {
          this.canBlock = false; // a browser's main thread may not block: spin instead
        }
      }
    }
  }

  destroy(): void {
    Atomics.store(this.ctrl, CTRL.quit, 1);
    Atomics.add(this.ctrl, CTRL.gen, 1);
    Atomics.notify(this.ctrl, CTRL.gen);
    for (const w of this.workers) w.terminate();
  }
}
