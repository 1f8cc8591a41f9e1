// onnxruntime-web's WASM backend in a module worker of the bench page, one worker per thread
// count (ORT reads env.wasm.numThreads once, when its WASM module starts). ORT is loaded from
// node_modules by URL, not through Vite's dependency bundling, so its .wasm and its thread
// workers resolve next to it.
interface OrtModule {
  env: { wasm: { numThreads: number; wasmPaths: string } };
  Tensor: new (type: 'int64', data: BigInt64Array, dims: number[]) => unknown;
  InferenceSession: { create(model: Uint8Array, o: { executionProviders: string[] }): Promise<{ run(feeds: Record<string, unknown>): Promise<{ logits: { data: Float32Array } }> }> };
}

type OrtRequest = { kind: 'init'; onnxUrl: string; threads: number } | { kind: 'time'; batch: number; seqLen: number; ids: number[]; reps: number };

let ort: OrtModule;
let session: Awaited<ReturnType<OrtModule['InferenceSession']['create']>>;

self.onmessage = async (e: MessageEvent<OrtRequest>) => {
  try {
    const m = e.data;
    if (m.kind === 'init') {
      const dist = '/node_modules/onnxruntime-web/dist/';
      ort = (await import(/* @vite-ignore */ `${dist}ort.wasm.min.mjs`)) as OrtModule;
      ort.env.wasm.wasmPaths = dist;
      ort.env.wasm.numThreads = m.threads;
      const bytes = new Uint8Array(await (await fetch(m.onnxUrl)).arrayBuffer());
      session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
      self.postMessage({ threads: ort.env.wasm.numThreads, isolated: self.crossOriginIsolated });
      return;
    }
    const feeds = () => ({ input_ids: new ort.Tensor('int64', BigInt64Array.from(m.ids, BigInt), [m.batch, m.seqLen]) });
    const first = await session.run(feeds());
    const ms: number[] = [];
    for (let i = 0; i < m.reps; i++) {
      const t = performance.now();
      await session.run(feeds());
      ms.push(performance.now() - t);
    }
    self.postMessage({ ms, logits: first.logits.data });
  } catch (err) {
    self.postMessage({ error: String((err as Error).stack ?? err) });
  }
};
export {};
