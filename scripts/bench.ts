// `npm run bench [-- --json] [-- --model DIR] [-- --no-kernels] [-- --no-peers | --peers-only] [-- --no-browser]`: every benchmark,
// measured in one run on the adapter Dawn finds (a GPU when there is a driver, SwiftShader
// otherwise). Human lines on stderr; with --json, one JSON object with every figure on stdout.
// --model times the model-level ratios on another Llama folder (the demo model by default).
// The peers (onnxruntime-web's WASM backend on the demo model's ONNX twin, a PyTorch CPU MeZO
// step) run on the demo model only, where their twin exists; --no-peers skips them, --peers-only
// runs nothing else; --no-browser leaves out the peers' browser page.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireNodeGpu } from '../src/engine/gpu/nodeProvider';
import { benchKernels } from './bench/kernels';
import { benchModel } from './bench/model';
import { benchCsv } from './bench/csv';
import { benchPeers } from './bench/peers';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const modelAt = args.indexOf('--model');
  const log = (s: string) => (json ? process.stderr : process.stdout).write(s + '\n');
  const peersOnly = args.includes('--peers-only');
  const csv = peersOnly ? {} : benchCsv(log); // first: it measures peak memory as the growth of the process's max RSS
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const { context: ctx, fellBackToSwiftShader } = await acquireNodeGpu({ log });
  const adapter = ctx.adapter.description || ctx.adapter.device || ctx.adapter.vendor;
  log(`adapter: ${adapter}${fellBackToSwiftShader || ctx.adapter.isSoftware ? ' (software: CPU emulation, not GPU timings)' : ''}`);
  const kernels = peersOnly || args.includes('--no-kernels') ? {} : await benchKernels(ctx, log);
  const modelDir = modelAt >= 0 ? resolve(args[modelAt + 1]) : join(root, 'public', 'demo-model');
  const inputs = { modelDir, taskDir: join(root, 'public', 'demo-data', 'wn-animal-plant') };
  const model = peersOnly ? {} : await benchModel(ctx, inputs, log);
  const demo = modelDir === join(root, 'public', 'demo-model');
  const peers = args.includes('--no-peers') || !demo ? {} : await benchPeers(inputs, { root, sides: [{ label: 'webgpu', threads: null, ctx }], peerThreads: [1, 2], browser: !args.includes('--no-browser') }, log);
  if (json) process.stdout.write(JSON.stringify({ adapter, software: ctx.adapter.isSoftware, ...csv, ...kernels, ...model, ...peers }) + '\n');
  ctx.destroy();
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
