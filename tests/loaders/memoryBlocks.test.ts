// The memory estimate of a GGUF whose tensors keep their stored layout (model/gpuFormat.ts):
// a Q4_K_M file at q4 is counted at its K-quant blocks' real size (Q4_K 144 and Q6_K 210 bytes
// per 256 weights: 4.5 and 6.5625 bits per weight, against q4's 5 with its f32 group scales),
// laid out as llama.cpp's llama-quantize lays out Q4_K_M (attn_v and ffn_down Q6_K on the
// use_more_bits layers, the output or tied embedding Q6_K, the rest Q4_K); at f32 it is
// dequantized and counted as f32. Exact byte counts, computed here from the layout.
import { describe, expect, it } from 'vitest';
import { estimateModelMemory } from '../../src/engine/model/loaders/memoryEstimate';
import type { StoredDtype } from '../../src/engine/model/loaders/types';

/** llama.cpp llama-quant.cpp use_more_bits. */
const useMoreBits = (i: number, n: number) => i < n / 8 || i >= (7 * n) / 8 || (i - Math.floor(n / 8)) % 3 === 2;

interface Shape { hidden: number; inter: number; layers: number; heads: number; kvHeads: number; vocab: number; tied: boolean }

function q4km(c: Shape) {
  const headDim = c.hidden / c.heads;
  const mats: [string, number, number, StoredDtype][] = [['model.embed_tokens.weight', c.vocab, c.hidden, c.tied ? 'Q6_K' : 'Q4_K']];
  for (let i = 0; i < c.layers; i++) {
    const p = `model.layers.${i}.`;
    const more = useMoreBits(i, c.layers) ? 'Q6_K' : 'Q4_K';
    mats.push([`${p}self_attn.q_proj.weight`, c.heads * headDim, c.hidden, 'Q4_K'], [`${p}self_attn.k_proj.weight`, c.kvHeads * headDim, c.hidden, 'Q4_K'],
      [`${p}self_attn.v_proj.weight`, c.kvHeads * headDim, c.hidden, more], [`${p}self_attn.o_proj.weight`, c.hidden, c.heads * headDim, 'Q4_K'],
      [`${p}mlp.gate_proj.weight`, c.inter, c.hidden, 'Q4_K'], [`${p}mlp.up_proj.weight`, c.inter, c.hidden, 'Q4_K'], [`${p}mlp.down_proj.weight`, c.hidden, c.inter, more]);
  }
  if (!c.tied) mats.push(['lm_head.weight', c.vocab, c.hidden, 'Q6_K']);
  const tensors = new Map(mats.map(([name, , , dtype]) => [name, { dtype }]));
  const linearBytes = mats.reduce((a, [, r, cols, dtype]) => a + ((r * cols) / 256) * (dtype === 'Q6_K' ? 210 : 144), 0);
  const linearWeights = mats.reduce((a, [, r, cols]) => a + r * cols, 0);
  const config = { architectures: ['LlamaForCausalLM'], vocab_size: c.vocab, hidden_size: c.hidden, intermediate_size: c.inter, num_hidden_layers: c.layers, num_attention_heads: c.heads, num_key_value_heads: c.kvHeads, tie_word_embeddings: c.tied };
  return { config, stored: { tensors, readBlocks: () => null }, linearBytes, linearWeights, norms: 4 * c.hidden * (2 * c.layers + 1) };
}

describe('memory estimate of a GGUF kept in its own layout', () => {
  const cases: [string, Shape][] = [
    ['TinyLlama-1.1B-like Q4_K_M (untied)', { hidden: 2048, inter: 5632, layers: 22, heads: 32, kvHeads: 4, vocab: 32000, tied: false }],
    ['Llama-3.2-1B-like Q4_K_M (tied: the embedding is Q6_K)', { hidden: 2048, inter: 8192, layers: 16, heads: 32, kvHeads: 8, vocab: 128256, tied: true }],
  ];
  for (const [label, shape] of cases) {
    it(label, () => {
      const m = q4km(shape);
      const atQ4 = estimateModelMemory(m.config, 'q4', 1, 64, 1, m.stored);
      expect(atQ4.weightsBytes).toBe(m.norms + m.linearBytes);
      const bpw = (8 * m.linearBytes) / m.linearWeights;
      expect(bpw).toBeGreaterThan(4.5); // more than Q4_K alone: the Q6_K tensors count
      expect(bpw).toBeLessThan(6.5625);
      // q8 and f16 keep the K-quants too; f32 dequantizes them.
      expect(atQ4.weightsByPrecision.q8).toBe(atQ4.weightsBytes);
      expect(atQ4.weightsByPrecision.f16).toBe(atQ4.weightsBytes);
      expect(atQ4.weightsByPrecision.f32).toBe(4 * m.linearWeights + m.norms);
      // Without the file's dtypes, or from a reader that cannot hand over blocks, it is q4's 5 bits per weight.
      const plain = estimateModelMemory(m.config, 'q4', 1, 64, 1);
      expect(plain.weightsBytes).toBe(m.norms + (m.linearWeights / 256) * 160);
      expect(estimateModelMemory(m.config, 'q4', 1, 64, 1, { tensors: m.stored.tensors }).weightsBytes).toBe(plain.weightsBytes);
    });
  }
});
