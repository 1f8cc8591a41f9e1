// Pool threads in Node: worker_threads running POOL_WORKER_SOURCE as an eval'd script, unref'd so
// a forgotten destroy() cannot keep the process alive.
import { Worker } from 'node:worker_threads';
import type { PoolThread } from './pool';

export function nodePoolThread(source: string): PoolThread {
  const w = new Worker(source, { eval: true });
  w.unref();
  return {
    postMessage: (m) => w.postMessage(m),
    onMessage: (f) => w.on('message', f),
    onError: (f) => w.on('error', (e: Error) => f(e.message)),
    terminate: () => void w.terminate(),
  };
}
