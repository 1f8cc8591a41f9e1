// The browser forward benchmark (forward.html), driven by scripts/bench/browserForward.ts in
// headless Chromium: in ONE page, forward tokens/s of onnxruntime-web's WASM backend on the demo
// model's ONNX twin (1 and 2 threads, each in its own worker) and of ZO Studio on the same model,
// at batch 1 x 32 and 16 x 32, interleaved round by round so the shared cores' load hits all
// sides alike. ZO Studio's sides: its CPU backend (src/engine/backends/cpu: WASM SIMD kernels,
// a worker pool over shared memory) at 1 and 2 threads, and WebGPU when the page has an adapter
// (SwiftShader here), running the same forward pass (model/llama.ts).
// Query: ?onnx=URL&model=URL&rounds=N. Result: window.benchResult (or window.benchError).
import { acquireGpu } from '../../../src/engine/gpu/context';
import { resolveModel } from '../../../src/engine/model/loaders/resolveModel';
import { loadModel } from '../../../src/engine/session/loadedModel';
import { LlamaForward } from '../../../src/engine/model/llama';
import { CpuBackend } from '../../../src/engine/backends/cpu/cpuBackend';
import { describeBackend, type Backend } from '../../../src/engine/gpu/backend';
import { median, spread, type Spread } from '../peers/stats';
import { benchIds, lastPositionInput } from '../peers/forwardInput';

const SEQ = 32;
const BATCHES = [1, 16];
const THREADS = [1, 2];

export interface BrowserForwardResult {
  crossOriginIsolated: boolean;
  adapter: string | null;
  goldenMaxLogitDiff: number;
  /** side label -> "batch" -> tokens/s per round. */
  tokensPerSecond: Record<string, Record<string, number[]>>;
  /** `${zo side} / ort t${threads}` -> "batch" -> paired ratios (ZO tokens/s over ORT tokens/s). */
  ratios: Record<string, Record<string, Spread>>;
}

declare global {
  interface Window {
    benchResult?: BrowserForwardResult;
    benchError?: string;
  }
}

const logEl = document.getElementById('log')!;
const log = (s: string) => {
  logEl.textContent += s + '\n';
  console.log(s);
};

interface OrtWorker {
  threads: number;
  time(batch: number, seqLen: number, ids: Uint32Array, reps: number): Promise<{ ms: number[]; logits: Float32Array }>;
}

async function startOrt(onnxUrl: string, threads: number): Promise<OrtWorker> {
  const worker = new Worker(new URL('./ortWorker.ts', import.meta.url), { type: 'module' });
  const ask = (m: unknown) => new Promise<Record<string, unknown>>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<Record<string, unknown>>) => (e.data.error ? reject(new Error(String(e.data.error))) : resolve(e.data));
    worker.onerror = (e) => reject(new Error(`ORT worker: ${e.message}`));
    worker.postMessage(m);
  });
  const ready = await ask({ kind: 'init', onnxUrl, threads });
  if (ready.threads !== threads) throw new Error(`onnxruntime-web runs ${String(ready.threads)} threads, not ${threads} (worker cross-origin isolated: ${String(ready.isolated)})`);
  return {
    threads,
    async time(batch, seqLen, ids, reps) {
      const r = await ask({ kind: 'time', batch, seqLen, ids: Array.from(ids), reps });
      return { ms: r.ms as number[], logits: r.logits as Float32Array };
    },
  };
}

/** A ZO Studio side: times `reps` forwards of a batch (after one untimed) and returns their median ms. */
type ZoForward = (batch: number, ids: Uint32Array, reps: number) => Promise<number>;

/** ZO Studio's forward on a backend, one LlamaForward per batch size. */
async function backendSide(ctx: Backend, modelUrl: string): Promise<{ forward: ZoForward; vocab: number }> {
  const model = await loadModel(ctx, await resolveModel({ kind: 'url', url: modelUrl }, { cache: null }), 'f32');
  const forwards = new Map(BATCHES.map((b) => [b, new LlamaForward(ctx, model.config, model.weights, { maxBatch: b, maxSeqLen: SEQ, maxPositions: b, maxCandidates: 2 })]));
  const forward: ZoForward = async (batch, ids, reps) => {
    const fwd = forwards.get(batch)!;
    fwd.setInput(lastPositionInput(ids, batch, SEQ));
    const ms: number[] = [];
    for (let i = 0; i <= reps; i++) {
      const t = performance.now();
      ctx.submit((p) => fwd.encode(p));
      await ctx.finish();
      if (i) ms.push(performance.now() - t);
    }
    return median(ms);
  };
  return { forward, vocab: model.config.vocabSize };
}

async function run(): Promise<void> {
  const q = new URLSearchParams(location.search);
  const onnxUrl = q.get('onnx') ?? '/bench-results/peers/demo-model.onnx';
  const modelUrl = new URL(q.get('model') ?? '/demo-model', location.href).href.replace(/\/$/, '');
  const rounds = Number(q.get('rounds') ?? 3);
  log(`cross-origin isolated: ${self.crossOriginIsolated}; hardwareConcurrency ${navigator.hardwareConcurrency}`);
  if (!self.crossOriginIsolated) throw new Error('the page is not cross-origin isolated (COOP/COEP headers missing), so WASM threads cannot run');

  const ort = await Promise.all(THREADS.map((t) => startOrt(onnxUrl, t)));
  const golden = (await (await fetch(`${modelUrl}/golden.json`)).json()) as { cases: { input_ids: number[]; last_logits: number[] }[] };
  let goldenMaxLogitDiff = 0;
  for (const c of golden.cases) {
    const { logits } = await ort[0].time(1, c.input_ids.length, Uint32Array.from(c.input_ids), 0);
    c.last_logits.forEach((v, i) => (goldenMaxLogitDiff = Math.max(goldenMaxLogitDiff, Math.abs(v - logits[i]))));
  }
  log(`ONNX twin in onnxruntime-web vs golden.json: max |logit diff| ${goldenMaxLogitDiff.toExponential(2)}`);
  if (!(goldenMaxLogitDiff <= 1e-3)) throw new Error(`the ONNX twin does not match golden.json (${goldenMaxLogitDiff} > 1e-3)`);

  const sides = new Map<string, ZoForward>();
  let vocab = 0;
  for (const threads of THREADS) {
    // The CPU backend on its WASM kernels at each thread count the peer runs with.
    const cpu = await CpuBackend.create({ threads });
    const side = await backendSide(cpu, modelUrl);
    vocab = side.vocab;
    sides.set(`ZO Studio ${describeBackend(cpu)}`, side.forward);
  }
  const gpu = navigator.gpu ? await acquireGpu(navigator.gpu).catch(() => null) : null;
  const adapter = gpu ? [gpu.adapter.vendor, gpu.adapter.architecture, gpu.adapter.description].filter(Boolean).join(' ') : null;
  if (gpu) sides.set(`ZO Studio ${describeBackend(gpu)}`, (await backendSide(gpu, modelUrl)).forward);

  const tokensPerSecond: BrowserForwardResult['tokensPerSecond'] = {};
  const ratioLists: Record<string, Record<string, number[]>> = {};
  const record = (side: string, batch: number, tps: number) => ((tokensPerSecond[side] ??= {})[batch] ??= []).push(tps);
  for (const batch of BATCHES) {
    const ids = benchIds(batch * SEQ, vocab);
    const reps = batch === 1 ? 5 : 3;
    for (let r = 0; r < rounds; r++) {
      const ortTps = new Map<number, number>();
      for (const w of ort) {
        const tps = (batch * SEQ) / (median((await w.time(batch, SEQ, ids, reps)).ms) / 1000);
        ortTps.set(w.threads, tps);
        record(`onnxruntime-web WASM ${w.threads} thread${w.threads > 1 ? 's' : ''}`, batch, tps);
      }
      for (const [label, side] of sides) {
        const tps = (batch * SEQ) / ((await side(batch, ids, reps)) / 1000);
        record(label, batch, tps);
        for (const [t, o] of ortTps) ((ratioLists[`${label} / ORT ${t}t`] ??= {})[batch] ??= []).push(tps / o);
      }
      log(`batch ${batch} x ${SEQ}, round ${r + 1}/${rounds} done`);
    }
  }
  const ratios: BrowserForwardResult['ratios'] = {};
  for (const [k, byBatch] of Object.entries(ratioLists)) {
    ratios[k] = {};
    for (const [b, xs] of Object.entries(byBatch)) ratios[k][b] = spread(xs);
  }
  window.benchResult = { crossOriginIsolated: self.crossOriginIsolated, adapter, goldenMaxLogitDiff, tokensPerSecond, ratios };
  log('done');
}

run().catch((e: unknown) => {
  window.benchError = String((e as Error).stack ?? e);
  log(`failed: ${window.benchError}`);
});
