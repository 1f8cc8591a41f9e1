// ZO influence vs exact gradients over EVERY parameter of the tiny validation Llama (8,288: the
// smallest the GPU kernels take, one layer, widths of 32), K = 16 ... 4,096, 8 queries x 24 train
// rows (tests/influence/exactGradients.ts). Exact per-example gradients: central differences
// over each parameter on the CPU reference; ZO vectors: the CPU twin of the GPU path
// (tests/influence/jl.test.ts checks the two agree), direction k = z(seed 3, step k, j 0).
// Measured (seeded, deterministic; README "Which training rows did this?"):
//   K=  16  corr 0.807  rms err 2.57e+1  JL 1.65e+1  (ratio 1.56)  top-10 overlap 73%
//   K=  64  corr 0.911  rms err 8.26e+0  JL 8.26e+0  (ratio 1.00)  top-10 overlap 85%
//   K= 256  corr 0.983  rms err 3.57e+0  JL 4.13e+0  (ratio 0.86)  top-10 overlap 91%
//   K=1024  corr 0.994  rms err 1.92e+0  JL 2.06e+0  (ratio 0.93)  top-10 overlap 94%
//   K=4096  corr 0.998  rms err 1.02e+0  JL 1.03e+0  (ratio 0.99)  top-10 overlap 98%
//   (244 s to 432 s on the shared 2-core machine, by its load)
// Asserted: measured RMS error within 0.5x..2x of the JL prediction at every K (at K = 16 the
// mean of 16 products of Gaussians is heavy-tailed and the 192 pairs share the same 16
// directions, so one seed's RMS strays furthest there: 1.56x), the error at K = 4,096 at most
// 1.5x a quarter of the error at 256, correlation rising to > 0.99 at 4,096.
import { describe, expect, it } from 'vitest';
import { rowDerivativesCpu } from '../../src/engine/influence/rowDerivativesCpu';
import { cpuRanges, exactGradients, formatFigures, jlFigures, validationModel, validationRows } from '../influence/exactGradients';

const KS = [16, 64, 256, 1024, 4096];

describe('influence: JL sweep against exact gradients of every parameter', () => {
  it('tracks the JL error from K = 16 to 4,096', () => {
    const m = validationModel();
    // Every tensor, in the order and with the stream ids fullTrainable gives them.
    const names = [
      'model.embed_tokens.weight', 'model.layers.0.input_layernorm.weight',
      ...['q_proj', 'k_proj', 'v_proj', 'o_proj'].map((p) => `model.layers.0.self_attn.${p}.weight`),
      ...['gate_proj', 'up_proj', 'down_proj'].map((p) => `model.layers.0.mlp.${p}.weight`),
      'model.layers.0.post_attention_layernorm.weight', 'model.norm.weight', 'lm_head.weight',
    ];
    const ranges = cpuRanges(m, names.map((name, stream) => ({ name, stream })));
    expect(ranges.reduce((a, r) => a + r.count, 0)).toBe(8288);
    const rows = validationRows(32);
    const started = performance.now();
    const grads = exactGradients(m, ranges, rows);
    const kMax = KS[KS.length - 1];
    const { d } = rowDerivativesCpu(m.config, m.weights, ranges, rows, 'classification', { k: kMax, seed: 3, eps: 1e-3, batch: 32, maxCandidates: 2 });
    const figures = KS.map((k) => jlFigures(d, kMax, k, grads, 8));
    for (const f of figures) console.log(formatFigures(f));
    console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
    for (const f of figures) {
      expect(f.rmsError / f.jlError).toBeGreaterThan(0.5);
      expect(f.rmsError / f.jlError).toBeLessThan(2);
    }
    const at = (k: number) => figures.find((f) => f.k === k)!;
    expect(at(4096).rmsError).toBeLessThan(at(256).rmsError / 4 * 1.5);
    expect(at(4096).correlation).toBeGreaterThan(0.99);
    expect(at(4096).correlation).toBeGreaterThan(at(16).correlation);
  });
});
