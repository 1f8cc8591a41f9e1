// `npm run bench [-- --json] [-- --model DIR] [-- --no-kernels] [-- --no-wasm] [-- --backend auto|webgpu|cpu] [-- --threads N]
//   [-- --no-peers | --peers-only] [-- --no-browser]`:
// every benchmark, measured in one run on the chosen backend (auto: the adapter Dawn finds, a GPU
// when there is a driver, SwiftShader otherwise). Human lines on stderr; with --json, one JSON
// object with every figure on stdout. --model times the model-level ratios on another Llama folder
// (the demo model by default). The WebGPU kernel benchmarks run on the WebGPU backend only; the
// WASM kernel benchmarks run on either. The peers (onnxruntime-web's WASM backend on the demo
// model's ONNX twin, in Node and in a browser page; a PyTorch CPU MeZO step) run on the demo model
// only; --no-peers skips them, --peers-only runs nothing else, --no-browser leaves out the page.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireNodeGpu } from '../src/engine/gpu/nodeProvider';
import { GpuContext } from '../src/engine/gpu/context';
import { describeBackend } from '../src/engine/gpu/backend';
import { chooseBackend, parseBackendChoice } from '../src/engine/backends/choose';
import { CpuBackend } from '../src/engine/backends/cpu/cpuBackend';
import { nodePoolThread } from '../src/engine/wasm/nodePoolThread';
import { availableParallelism } from 'node:os';
import { benchKernels } from './bench/kernels';
import { benchModel } from './bench/model';
import { benchCsv } from './bench/csv';
import { benchWasm } from './bench/wasm';
import { benchPeers } from './bench/peers';
import { benchInfluence } from './bench/influence';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const modelAt = args.indexOf('--model');
  const log = (s: string) => (json ? process.stderr : process.stdout).write(s + '\n');
  const peersOnly = args.includes('--peers-only');
  const csv = peersOnly ? {} : benchCsv(log); // first: it measures peak memory as the growth of the process's max RSS
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const backendAt = args.indexOf('--backend');
  const choice = parseBackendChoice(backendAt >= 0 ? args[backendAt + 1] ?? '' : 'auto');
  const threadsAt = args.indexOf('--threads');
  const threads = threadsAt >= 0 ? Number(args[threadsAt + 1]) : availableParallelism();
  const { backend: ctx } = await chooseBackend(choice, {
    webgpu: async () => (await acquireNodeGpu({ log })).context,
    cpu: () => CpuBackend.create({ threads, spawn: nodePoolThread }),
  });
  const adapter = ctx.adapter.description || ctx.adapter.device || ctx.adapter.vendor;
  log(`backend: ${describeBackend(ctx)}${ctx.kind === 'webgpu' && ctx.adapter.isSoftware ? ' (CPU emulation, not GPU timings)' : ''}`);
  const gpu = ctx instanceof GpuContext ? ctx : null;
  if (!gpu && !args.includes('--no-kernels')) log('WebGPU kernel benchmarks: skipped on the CPU backend');
  const kernels = gpu && !peersOnly && !args.includes('--no-kernels') ? await benchKernels(gpu, log) : {};
  const wasm = peersOnly || args.includes('--no-kernels') || args.includes('--no-wasm') ? {} : await benchWasm(log);
  const modelDir = modelAt >= 0 ? resolve(args[modelAt + 1]) : join(root, 'public', 'demo-model');
  const inputs = { modelDir, taskDir: join(root, 'public', 'demo-data', 'wn-animal-plant') };
  const model = peersOnly ? {} : await benchModel(ctx, inputs, log);
  const influence = peersOnly ? {} : await benchInfluence(ctx, inputs, log);
  const demo = modelDir === join(root, 'public', 'demo-model');
  const peers = args.includes('--no-peers') || !demo ? {} : await benchPeers(inputs, {
    root,
    // The CPU backend against each peer at the same thread count (--threads N: that count only);
    // WebGPU runs its own threads, so it meets the peers at 1 and 2.
    sides: ctx.kind === 'cpu'
      ? (threadsAt >= 0 ? [threads] : [1, 2]).map((t) => ({ label: 'cpu', threads: t, backend: () => CpuBackend.create({ threads: t, spawn: nodePoolThread }) }))
      : [{ label: ctx.kind, threads: null, backend: ctx }],
    peerThreads: [1, 2],
    browser: !args.includes('--no-browser'),
  }, log);
  if (json) process.stdout.write(JSON.stringify({ backend: ctx.kind, adapter, software: ctx.adapter.isSoftware, ...csv, ...kernels, ...wasm, ...model, ...influence, ...peers }) + '\n');
  ctx.destroy();
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
