// Calibration for SensZOQ's activation-aware scores: run calibration text through the model
// and gather ||X_j||_2, the norm of each input feature of each linear layer over all tokens.
// One sequence per call (no padding rows pollute the statistics).
import type { Backend, ColumnNormsOps } from '../gpu/backend';
import type { LlamaConfig } from '../model/config';
import { LlamaForward, type LinearHook } from '../model/llama';
import type { LinearName, ModelWeights } from '../model/weights';

export async function calibrateColumnNorms(
  ctx: Backend,
  config: LlamaConfig,
  weights: ModelWeights,
  sequences: number[][],
  targets: readonly LinearName[],
): Promise<Map<string, Float32Array>> {
  if (!sequences.length) throw new Error('calibration needs at least one sequence of text');
  const kernels = new Map<string, ColumnNormsOps>();
  const hook: LinearHook = {
    allRows: true, // the statistics are over every token, not only the scored one
    build(hookCtx, layer, name, x, _y, maxRows) {
      if (!targets.includes(name)) return null;
      const inDim = name === 'o' ? config.heads * config.headDim : name === 'down' ? config.intermediate : config.hidden;
      const k = hookCtx.kernels.columnNorms(x, inDim, maxRows, `calib.L${layer}.${name}`);
      kernels.set(`${layer}.${name}`, k);
      return k;
    },
  };
  const maxLen = Math.max(...sequences.map((s) => s.length));
  const forward = new LlamaForward(ctx, config, weights, { maxBatch: 1, maxSeqLen: maxLen, maxPositions: 1, maxCandidates: 1 }, [hook]);
  for (const ids of sequences) {
    forward.setInput({ ids: Uint32Array.from(ids), batch: 1, seqLen: ids.length, positions: Uint32Array.of(ids.length - 1), targets: Uint32Array.of(0), candidates: 1 });
    ctx.submit((pass) => forward.encode(pass), 'calibration');
  }
  const norms = new Map<string, Float32Array>();
  for (const [key, k] of kernels) norms.set(key, (await ctx.readF32(k.sumsq)).map(Math.sqrt));
  forward.destroy(); // destroys the hook kernels too, which release their sumsq buffers
  return norms;
}
