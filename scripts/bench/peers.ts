// ZO Studio against its peers on the same machine, in one run (issue 18, point 5):
//   forward tokens/s vs onnxruntime-web's WASM backend on the ONNX twin of the same model
//     (batch 1 x 32 and 16 x 32; ORT at 1 and 2 threads), in Node;
//   a MeZO step at batch 16 vs PyTorch on the CPU (scripts/peers/mezo_step.py, same threads),
//     full-parameter and sparse over a q4 base, on the same batches;
//   and the browser page (browserForward.ts): the forward comparison again, in one Chromium page.
// Every ratio is a median of paired ratios: each round times ZO Studio, then the peer, back to
// back, so load from other processes on the shared cores hits both alike; ranges are printed.
// A peer that is missing (no twin, no PyTorch) is said, with how to get it, and skipped.
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeBackend, type Backend } from '../../src/engine/gpu/backend';
import type { TrainConfig } from '../../src/engine/api';
import { DEFAULT_SPARSE } from '../../src/engine/config/defaults';
import { LlamaForward } from '../../src/engine/model/llama';
import { startRun } from '../../src/engine/session/startRun';
import { BatchSampler } from '../../src/engine/data/sampler';
import { openBenchSession, type BenchInputs } from './model';
import { benchBrowserForward } from './browserForward';
import { ensureOnnxTwin } from './peers/onnxTwin';
import { startOrtForward, type OrtForward } from './peers/ortNode';
import { findTorchPython, runJsonScript } from './peers/python';
import { formatSpread, loadNote, median, spread } from './peers/stats';
import { benchIds, lastPositionInput } from './peers/forwardInput';

const SEQ = 32;
const BATCHES = [1, 16];
const ROUNDS = 5;
const STEP_ROUNDS = 3;
const STEPS_PER_ROUND = 3;
const MEZO_SCRIPT = 'scripts/peers/mezo_step.py';

/**
 * PyTorch at N threads: OpenMP (torch.set_num_threads) and OpenBLAS's own pool both at N, since
 * torch.set_num_threads alone leaves OpenBLAS at every core. OMP_WAIT_POLICY=PASSIVE: idle OpenMP
 * threads sleep rather than spin. With GCC's default (spinning), PyTorch at 2 threads measured
 * 7-11 s a step here while other jobs held the two cores (1 thread: 0.15-0.6 s); passive, 0.16-0.41 s.
 */
const TORCH_ENV = (threads: number) => ({ OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads), OMP_WAIT_POLICY: 'PASSIVE' });

/** One ZO Studio configuration to time: a backend, and the thread count it runs (null: not ours to set). */
export interface ZoSideSpec {
  label: string;
  threads: number | null;
  /** The bench's own backend (left open), or how to make one here (destroyed after). */
  backend: Backend | (() => Promise<Backend>);
}

interface ZoSide extends Omit<ZoSideSpec, 'backend'> {
  ctx: Backend;
  made: boolean;
}

export interface PeerOptions {
  root: string;
  sides: ZoSideSpec[];
  /** Thread counts the peers run at when a side's own is not set (WebGPU). */
  peerThreads: number[];
  /** Also run the browser page (scripts/bench/browser/forward.html) in headless Chromium. */
  browser: boolean;
}

async function checkTwin(ort: OrtForward, root: string): Promise<number> {
  const golden = JSON.parse(readFileSync(join(root, 'public', 'demo-model', 'golden.json'), 'utf8')) as { cases: { input_ids: number[]; last_logits: number[] }[] };
  let worst = 0;
  for (const c of golden.cases) {
    const { logits } = await ort.time(1, c.input_ids.length, Uint32Array.from(c.input_ids), 0);
    c.last_logits.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - logits[i]))));
  }
  if (!(worst <= 1e-3)) throw new Error(`the ONNX twin's logits under onnxruntime-web differ from golden.json by ${worst} (> 1e-3): rebuild it with scripts/peers/onnx_twin.py`);
  return worst;
}

async function forwardRatios(inputs: BenchInputs, o: PeerOptions, sides: ZoSide[], onnx: string, log: (s: string) => void, out: Record<string, number>): Promise<void> {
  const threadCounts = [...new Set(sides.flatMap((s) => (s.threads === null ? o.peerThreads : [s.threads])))];
  const peers = new Map<number, OrtForward>();
  try {
    for (const t of threadCounts) peers.set(t, await startOrtForward(onnx, t));
    const worst = await checkTwin(peers.get(threadCounts[0])!, o.root);
    log(`ONNX twin under onnxruntime-web matches golden.json: max |logit diff| ${worst.toExponential(2)}`);
    for (const side of sides) {
      const s = await openBenchSession(side.ctx, inputs, 'f32');
      const model = s.requireModel();
      for (const batch of BATCHES) {
        const fwd = new LlamaForward(side.ctx, model.config, model.weights, { maxBatch: batch, maxSeqLen: SEQ, maxPositions: batch, maxCandidates: 2 });
        const ids = benchIds(batch * SEQ, model.config.vocabSize);
        fwd.setInput(lastPositionInput(ids, batch, SEQ));
        const reps = batch === 1 ? 5 : 3;
        const zoForward = async () => {
          const ms: number[] = [];
          for (let i = 0; i <= reps; i++) {
            const t = performance.now();
            side.ctx.submit((p) => fwd.encode(p));
            await side.ctx.finish();
            if (i) ms.push(performance.now() - t); // the first is a warm-up
          }
          return median(ms);
        };
        const versus = side.threads === null ? o.peerThreads : [side.threads];
        const zoMs: number[] = [];
        const peerMs = new Map<number, number[]>(versus.map((t) => [t, []]));
        const ratios = new Map<number, number[]>(versus.map((t) => [t, []]));
        for (let r = 0; r < ROUNDS; r++) {
          const z = await zoForward();
          zoMs.push(z);
          for (const t of versus) {
            const p = median((await peers.get(t)!.time(batch, SEQ, ids, reps)).ms);
            peerMs.get(t)!.push(p);
            ratios.get(t)!.push(p / z); // ZO tokens/s over the peer's = peer ms over ZO ms
          }
        }
        const tps = (ms: number[]) => spread(ms.map((m) => (batch * SEQ) / (m / 1000)));
        log(`forward ${batch} x ${SEQ}, ZO Studio ${describeBackend(side.ctx)}: ${formatSpread(tps(zoMs), 0)} tokens/s`);
        for (const t of versus) {
          const key = `forwardVsOrtWasm_${side.label.replace(/\W+/g, '')}_t${t}_b${batch}`;
          out[key] = median(ratios.get(t)!);
          log(`  onnxruntime-web WASM ${t} thread${t > 1 ? 's' : ''}: ${formatSpread(tps(peerMs.get(t)!), 0)} tokens/s; ZO Studio / ORT = ${formatSpread(spread(ratios.get(t)!))} (${ROUNDS} paired rounds)`);
        }
        fwd.destroy();
      }
      await model.resolved.reader.close?.();
    }
  } finally {
    for (const p of peers.values()) await p.close();
  }
}

interface TorchStep {
  stepMs: number[];
  perturbed: number;
  threads: number;
  forwardMsMedian: number;
}

const CONFIG: TrainConfig = {
  mode: 'full', optimizer: 'zo-sgd', objective: 'classification', steps: 1_000_000, lr: 1e-4, eps: 1e-3, batch: 16, q: 1, seed: 0,
  weightDecay: 0, schedule: 'constant', clip: 0, oneSided: false, evalEvery: 0, evalSplit: 'dev', evalLimit: 0,
};

async function stepRatios(inputs: BenchInputs, o: PeerOptions, sides: ZoSide[], log: (s: string) => void, out: Record<string, number>): Promise<void> {
  const py = await findTorchPython();
  if ('missing' in py) {
    log(`MeZO step vs PyTorch: skipped, ${py.missing}`);
    return;
  }
  log(`PyTorch ${py.torch} (${py.python}), BLAS: ${py.blas}`);
  const batchesFile = join(o.root, 'bench-results', 'peers', 'mezo-batches.json');
  for (const side of sides) {
    for (const [mode, precision] of [['full', 'f32'], ['sparse', 'q4']] as const) {
      const s = await openBenchSession(side.ctx, inputs, precision);
      const train = s.requireTask().splits.train;
      // The batches ZO Studio's sampler draws first (seed 0), as token ids, for PyTorch to score.
      const sampler = new BatchSampler(train.length, CONFIG.batch, CONFIG.seed);
      const batches = Array.from({ length: 8 }, () => sampler.next().map((i) => train[i])).map((rows) => ({
        ids: rows.map((r) => (r.kind === 'classification' ? r.enc.promptIds : r.enc.ids)),
        candidates: rows.map((r) => (r.kind === 'classification' ? r.enc.candidates.map((c) => c[0]) : [])),
        labels: rows.map((r) => (r.kind === 'classification' ? r.enc.label : 0)),
      }));
      mkdirSync(join(o.root, 'bench-results', 'peers'), { recursive: true });
      writeFileSync(batchesFile, JSON.stringify({ batches }));
      const run = await startRun(s, { ...CONFIG, mode, lr: mode === 'full' ? 1e-4 : 1e-3, ...(mode === 'sparse' ? { sparse: DEFAULT_SPARSE } : {}) });
      const trainer = run.zo!;
      const zoStep = async () => {
        const t = performance.now();
        await trainer.advance();
        await trainer.drain();
        return performance.now() - t;
      };
      await zoStep(); // warm-up: pipelines, first allocations
      for (const t of side.threads === null ? o.peerThreads : [side.threads]) {
        const zoMs: number[] = [];
        const torchMs: number[] = [];
        const ratios: number[] = [];
        let torch: TorchStep | null = null;
        for (let r = 0; r < STEP_ROUNDS; r++) {
          const z: number[] = [];
          for (let i = 0; i < STEPS_PER_ROUND; i++) z.push(await zoStep());
          torch = await runJsonScript<TorchStep>(py.python, join(o.root, MEZO_SCRIPT),
            ['--batches', batchesFile, '--threads', String(t), '--mode', mode, '--sparse-fraction', String(DEFAULT_SPARSE.fraction), '--steps', String(STEPS_PER_ROUND)], TORCH_ENV(t));
          zoMs.push(...z);
          torchMs.push(...torch.stepMs);
          ratios.push(median(z) / median(torch.stepMs));
        }
        const key = `mezoStepVsPytorch_${side.label.replace(/\W+/g, '')}_${mode}_t${t}`;
        out[key] = median(ratios);
        log(`MeZO step, batch 16, ${mode} (${precision} base), ${t} thread${t > 1 ? 's' : ''}: ZO Studio ${describeBackend(side.ctx)} ${formatSpread(spread(zoMs), 0)} ms ` +
          `(${run.trainable.describe()}); PyTorch ${formatSpread(spread(torchMs), 0)} ms (${torch!.perturbed.toLocaleString('en-US')} parameters perturbed, f32 forward); ` +
          `ZO Studio / PyTorch = ${formatSpread(spread(ratios))} (${STEP_ROUNDS} paired rounds of ${STEPS_PER_ROUND} steps)`);
      }
      await s.requireModel().resolved.reader.close?.();
    }
  }
}

export async function benchPeers(inputs: BenchInputs, o: PeerOptions, log: (s: string) => void): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  log(`peers (${await loadNote()} at start)`);
  const sides: ZoSide[] = [];
  try {
    for (const { backend, ...spec } of o.sides) {
      sides.push(typeof backend === 'function' ? { ...spec, ctx: await backend(), made: true } : { ...spec, ctx: backend, made: false });
    }
    const twin = await ensureOnnxTwin(o.root, log);
    if ('missing' in twin) log(`forward vs onnxruntime-web: skipped, ${twin.missing}`);
    else {
      await forwardRatios(inputs, o, sides, twin.path, log, out);
      if (o.browser) Object.assign(out, await benchBrowserForward(o.root, twin.path, log));
    }
    await stepRatios(inputs, o, sides, log, out);
  } finally {
    // Backends made here are ours to free (their pool threads would keep Node alive).
    for (const s of sides) if (s.made) s.ctx.destroy();
  }
  log(`peers done (${await loadNote()})`);
  return out;
}
