// onnxruntime-web's WASM backend in Node, one worker thread per thread count: ORT reads
// env.wasm.numThreads once, when its WASM module starts, so 1 and 2 threads in one process need
// two instances. Each worker holds one session on the ONNX twin and times forward passes on
// request, so the bench can interleave them with ZO Studio's own.
import { Worker } from 'node:worker_threads';

// CommonJS eval worker: imports ORT (its Node build) by absolute URL, answers {batch, seqLen, ids, reps}.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
(async () => {
  const ort = await import(workerData.ortUrl);
  ort.env.wasm.numThreads = workerData.threads;
  const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(workerData.onnx)), { executionProviders: ['wasm'] });
  parentPort.postMessage({ ready: true, threads: ort.env.wasm.numThreads });
  parentPort.on('message', async ({ batch, seqLen, ids, reps }) => {
    try {
      const input = () => ({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [batch, seqLen]) });
      const first = await session.run(input());
      const ms = [];
      for (let i = 0; i < reps; i++) {
        const t = performance.now();
        await session.run(input());
        ms.push(performance.now() - t);
      }
      parentPort.postMessage({ ms, logits: first.logits.data });
    } catch (e) { parentPort.postMessage({ error: String(e && e.stack || e) }); }
  });
})().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
`;

export interface OrtForward {
  threads: number;
  /** Per-run milliseconds of `reps` forward passes (after one untimed), and the first run's logits. */
  time(batch: number, seqLen: number, ids: Uint32Array, reps: number): Promise<{ ms: number[]; logits: Float32Array }>;
  close(): Promise<void>;
}

export async function startOrtForward(onnx: string, threads: number): Promise<OrtForward> {
  const ortUrl = import.meta.resolve('onnxruntime-web');
  const worker = new Worker(WORKER, { eval: true, workerData: { ortUrl, onnx, threads } });
  const next = () => new Promise<Record<string, unknown>>((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => {
      worker.off('error', onError);
      if (m.error) reject(new Error(`onnxruntime-web worker: ${String(m.error)}`));
      else resolve(m);
    };
    const onError = (e: Error) => {
      worker.off('message', onMessage);
      reject(e);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
  });
  const ready = await next();
  if (ready.threads !== threads) throw new Error(`onnxruntime-web runs ${ready.threads} threads, not the ${threads} asked for`);
  return {
    threads,
    async time(batch, seqLen, ids, reps) {
      const answer = next();
      worker.postMessage({ batch, seqLen, ids: Array.from(ids), reps });
      const m = await answer;
      return { ms: m.ms as number[], logits: m.logits as Float32Array };
    },
    close: async () => void (await worker.terminate()),
  };
}
