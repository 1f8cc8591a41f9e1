// The demo model's ONNX twin (scripts/peers/onnx_twin.py), built on demand into bench-results/
// (gitignored): it is the same 15.7 MB of weights already in public/, so it is a build product,
// not a second copy to keep in sync. Rebuilt when the checkpoint or the script is newer.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findTorchPython, runJsonScript } from './python';

export const TWIN_SCRIPT = 'scripts/peers/onnx_twin.py';

export function twinPath(root: string): string {
  return join(root, 'bench-results', 'peers', 'demo-model.onnx');
}

function stale(root: string, out: string): boolean {
  if (!existsSync(out)) return true;
  const built = statSync(out).mtimeMs;
  return [join(root, 'public', 'demo-model', 'model.safetensors'), join(root, TWIN_SCRIPT), join(root, 'scripts', 'peers', 'demo_llama.py')]
    .some((f) => statSync(f).mtimeMs > built);
}

/** The twin's path, exported (after its golden check) if needed; or why it cannot be had. */
export async function ensureOnnxTwin(root: string, log: (s: string) => void): Promise<{ path: string } | { missing: string }> {
  const out = twinPath(root);
  if (!stale(root, out)) return { path: out };
  const py = await findTorchPython();
  if ('missing' in py) {
    return { missing: `the ONNX twin ${out} is not built and ${py.missing}; with PyTorch, \`/usr/bin/python3 ${TWIN_SCRIPT}\` builds it` };
  }
  const r = await runJsonScript<{ bytes: number; golden: { maxLogitDiff: number; cases: number } }>(py.python, join(root, TWIN_SCRIPT), ['--out', out]);
  log(`ONNX twin exported (${(r.bytes / 2 ** 20).toFixed(1)} MiB, torch ${py.torch}): PyTorch twin vs golden.json max |logit diff| ${r.golden.maxLogitDiff.toExponential(2)} over ${r.golden.cases} prompts`);
  return { path: out };
}
