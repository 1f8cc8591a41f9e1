// WASM attention (wasm/attention.ts) against the CPU references (f64 accumulation): prefill with
// grouped-query heads, causal, with and without a sliding window; decode of 1 and 3 new queries
// against a KV cache. headDim straddles the f32x4 width and the 16-lane output blocks (20). Tolerance 2e-6 + 2e-5 relative (f32
// scores, exp and weighted sums over at most 19 keys). Then logprob and the adapters (LoRA,
// sparse delta) against theirs.
import { describe, expect, it } from 'vitest';
import { attentionRef } from '../../src/engine/cpu/attention';
import { attentionDecodeRef } from '../../src/engine/cpu/attentionDecode';
import { logProbRef } from '../../src/engine/cpu/logprob';
import { loraRef, sparseDeltaRef } from '../../src/engine/cpu/adapters';
import { expectAllclose, randomArray } from '../helpers/allclose';
import { getF32, put, useWasmKernels } from './wasmHarness';

const kernels = useWasmKernels();
const TOL = { atol: 2e-6, rtol: 2e-5 };

describe('wasm attention, logprob and adapters', () => {
  it('prefill: causal GQA, with and without a window', () => {
    const wk = kernels();
    for (const [heads, kvHeads] of [[4, 4], [6, 2], [4, 1]]) for (const headDim of [3, 4, 5, 8, 20, 32]) for (const window of [0, 3]) {
      const batch = 2, seqLen = 7;
      const q = randomArray(batch * seqLen * heads * headDim, headDim, 2);
      const k = randomArray(batch * seqLen * kvHeads * headDim, headDim + 1, 2);
      const v = randomArray(batch * seqLen * kvHeads * headDim, headDim + 2);
      const [qb, kb, vb] = [q, k, v].map((a) => put(wk, a));
      const ob = wk.allocF32(q.length);
      wk.attention(qb, kb, vb, ob, batch, seqLen, heads, kvHeads, headDim, window);
      expectAllclose(getF32(wk, ob, q.length), attentionRef(q, k, v, batch, seqLen, heads, kvHeads, headDim, window), TOL, `attention h${heads}/${kvHeads} hd${headDim} w${window}`);
      [qb, kb, vb, ob].forEach((b) => wk.free(b));
    }
  });

  it('decode against a KV cache', () => {
    const wk = kernels();
    const heads = 6, kvHeads = 2, headDim = 8, batch = 2, maxLen = 20;
    for (const [qLen, pos, window] of [[1, 0, 0], [1, 12, 0], [3, 16, 0], [1, 12, 4]]) {
      const q = randomArray(batch * qLen * heads * headDim, qLen + pos, 2);
      const kc = randomArray(batch * maxLen * kvHeads * headDim, 3, 2);
      const vc = randomArray(batch * maxLen * kvHeads * headDim, 4);
      const [qb, kb, vb] = [q, kc, vc].map((a) => put(wk, a));
      const ob = wk.allocF32(q.length);
      wk.attentionDecode(qb, kb, vb, ob, batch, qLen, pos, maxLen, heads, kvHeads, headDim, window);
      expectAllclose(getF32(wk, ob, q.length), attentionDecodeRef(q, kc, vc, batch, qLen, pos, maxLen, heads, kvHeads, headDim, window), TOL, `decode qLen ${qLen} pos ${pos}`);
      [qb, kb, vb, ob].forEach((b) => wk.free(b));
    }
  });

  it('log-probabilities at scored positions (NaN for an id >= vocab); 1e-6 + 1e-6 relative', () => {
    const wk = kernels();
    for (const vocab of [1, 3, 4, 5, 9, 1000]) {
      const positions = 3, candidates = 2;
      const logits = randomArray(positions * vocab, vocab, 10);
      const targets = new Uint32Array(positions * candidates).map((_, i) => (i === 5 ? vocab : (i * 7) % vocab));
      const lb = put(wk, logits), tb = put(wk, targets), ob = wk.allocF32(positions * candidates);
      wk.logprob(lb, vocab, tb, candidates, positions, ob);
      const got = getF32(wk, ob, positions * candidates), want = logProbRef(logits, vocab, targets, candidates, positions);
      expect(Number.isNaN(got[5]) && Number.isNaN(want[5]), 'NaN for an id >= vocab').toBe(true);
      got[5] = want[5] = 0;
      expectAllclose(got, want, { atol: 1e-6, rtol: 1e-6 }, `logprob vocab ${vocab}`);
      [lb, tb, ob].forEach((b) => wk.free(b));
    }
  });

  it('LoRA y += scale B (A x) and the sparse delta; 2e-6 + 1e-5 relative', () => {
    const wk = kernels();
    for (const [inDim, outDim, rank] of [[5, 3, 1], [33, 17, 4], [64, 9, 8]]) {
      const rows = 3;
      const x = randomArray(rows * inDim, 1), a = randomArray(rank * inDim, 2), b = randomArray(outDim * rank, 3), y = randomArray(rows * outDim, 4);
      const [xb, ab, bb, yb] = [x, a, b, y].map((t) => put(wk, t));
      wk.lora(xb, ab, bb, yb, rows, inDim, outDim, rank, 0.5);
      expectAllclose(getF32(wk, yb, rows * outDim), loraRef(x, a, b, y, rows, inDim, outDim, rank, 0.5), { atol: 2e-6, rtol: 1e-5 }, `lora ${inDim}->${outDim} r${rank}`);
      // CSR with an empty row, entries per row 0..3
      const rowStart = new Uint32Array(outDim + 1);
      const cols: number[] = [];
      for (let n = 0; n < outDim; n++) {
        for (let e = 0; e < n % 4; e++) cols.push((n * 5 + e * 3) % inDim);
        rowStart[n + 1] = cols.length;
      }
      const col = Uint32Array.from(cols), base = randomArray(cols.length, 5), value = randomArray(cols.length, 6);
      const [rb, cb, bsb, vb] = [rowStart, col, base, value].map((t) => put(wk, t));
      const y2 = randomArray(rows * outDim, 7);
      const y2b = put(wk, y2);
      wk.sparseDelta(xb, rb, cb, bsb, vb, y2b, rows, inDim, outDim);
      expectAllclose(getF32(wk, y2b, rows * outDim), sparseDeltaRef(x, { rowStart, col }, base, value, y2, rows, inDim, outDim), { atol: 2e-6, rtol: 1e-5 }, `sparse ${inDim}->${outDim}`);
      [xb, ab, bb, yb, rb, cb, bsb, vb, y2b].forEach((t) => wk.free(t));
    }
  });
});

describe('wasm copies', () => {
  it('kvAppend, gatherRows and views that survive memory growth', async () => {
    const { kvAppendRef } = await import('../../src/engine/cpu/attentionDecode');
    const { gatherRowsRef } = await import('../../src/engine/cpu/logprob');
    const wk = kernels();
    const batch = 2, qLen = 3, pos = 4, maxLen = 9, width = 5;
    const k = randomArray(batch * qLen * width, 1), v = randomArray(batch * qLen * width, 2);
    const kc = randomArray(batch * maxLen * width, 3), vc = randomArray(batch * maxLen * width, 4);
    const [kb, vb, kcb, vcb] = [k, v, kc, vc].map((a) => put(wk, a));
    const kcView = wk.views(kcb);
    wk.kvAppend(kb, vb, kcb, vcb, batch, qLen, pos, maxLen, width);
    kvAppendRef(k, v, kc, vc, batch, qLen, pos, maxLen, width);
    const big = wk.alloc(64 << 20); // grows the memory: views must follow
    expect(Array.from(kcView.f32)).toEqual(Array.from(kc));
    expect(Array.from(getF32(wk, vcb, vc.length))).toEqual(Array.from(vc));
    const idx = [4, 0, 17, 4];
    const gb = wk.allocF32(idx.length * width);
    wk.gatherRows(kcb, width, idx, idx.length, gb);
    expect(Array.from(getF32(wk, gb, idx.length * width))).toEqual(Array.from(gatherRowsRef(kc, width, idx)));
    [kb, vb, kcb, vcb, big, gb].forEach((b) => wk.free(b));
  });
});
