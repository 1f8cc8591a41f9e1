// The Llama forward pass on the CPU, composed from the reference kernels: the yardstick for
// the GPU forward pass and the loss function of the CPU reference ZO run. Same equations as
// src/engine/model/llama.ts; weights by Hugging Face name, f32.
import { layerWindow, type LlamaConfig } from './config';
import type { ForwardInput } from './llama';
import { embeddingRef } from '../cpu/embedding';
import { rmsnormRef } from '../cpu/rmsnorm';
import { ropeInvFreq, ropeRef } from '../cpu/rope';
import { attentionRef } from '../cpu/attention';
import { swigluRef } from '../cpu/swiglu';
import { matmulRef } from '../cpu/matmul';
import { biasRef } from '../cpu/bias';
import { gatherRowsRef, logProbRef } from '../cpu/logprob';

export type CpuWeights = Map<string, Float32Array>;

function tensor(w: CpuWeights, name: string): Float32Array {
  const t = w.get(name);
  if (!t) throw new Error(`CPU reference: no tensor ${name}`);
  return t;
}

/** Log-probabilities laid out as the GPU's state.logprobs: [P, maxCandidates]. */
export function llamaLogprobsRef(c: LlamaConfig, w: CpuWeights, input: ForwardInput, maxCandidates: number): Float32Array {
  const { batch, seqLen } = input;
  const rows = batch * seqLen;
  const qDim = c.heads * c.headDim;
  const kvDim = c.kvHeads * c.headDim;
  const invFreq = ropeInvFreq(c.rope);
  const x = embeddingRef(tensor(w, 'model.embed_tokens.weight'), c.vocabSize, c.hidden, input.ids, rows);
  for (let i = 0; i < c.layers; i++) {
    const p = `model.layers.${i}.`;
    const h = rmsnormRef(x, tensor(w, `${p}input_layernorm.weight`), rows, c.hidden, c.rmsNormEps);
    // q/k/v projections, plus their biases when the model has them (Qwen2).
    const proj = (name: string, out: number) => {
      const y = matmulRef(h, tensor(w, `${p}self_attn.${name}.weight`), rows, out, c.hidden);
      return c.qkvBias ? biasRef(y, tensor(w, `${p}self_attn.${name}.bias`), rows) : y;
    };
    const q = ropeRef(proj('q_proj', qDim), batch, seqLen, c.heads, c.headDim, invFreq);
    const k = ropeRef(proj('k_proj', kvDim), batch, seqLen, c.kvHeads, c.headDim, invFreq);
    const v = proj('v_proj', kvDim);
    const attn = attentionRef(q, k, v, batch, seqLen, c.heads, c.kvHeads, c.headDim, layerWindow(c, i));
    addInto(x, matmulRef(attn, tensor(w, `${p}self_attn.o_proj.weight`), rows, c.hidden, qDim));
    const h2 = rmsnormRef(x, tensor(w, `${p}post_attention_layernorm.weight`), rows, c.hidden, c.rmsNormEps);
    const gate = matmulRef(h2, tensor(w, `${p}mlp.gate_proj.weight`), rows, c.intermediate, c.hidden);
    const up = matmulRef(h2, tensor(w, `${p}mlp.up_proj.weight`), rows, c.intermediate, c.hidden);
    addInto(x, matmulRef(swigluRef(gate, up), tensor(w, `${p}mlp.down_proj.weight`), rows, c.hidden, c.intermediate));
  }
  const P = input.positions.length;
  const gathered = rmsnormRef(gatherRowsRef(x, c.hidden, input.positions), tensor(w, 'model.norm.weight'), P, c.hidden, c.rmsNormEps);
  const head = w.get('lm_head.weight') ?? tensor(w, 'model.embed_tokens.weight');
  const logits = matmulRef(gathered, head, P, c.vocabSize, c.hidden);
  const padded = new Uint32Array(P * maxCandidates);
  for (let p = 0; p < P; p++) padded.set(input.targets.subarray(p * input.candidates, (p + 1) * input.candidates), p * maxCandidates);
  return logProbRef(logits, c.vocabSize, padded, maxCandidates, P);
}

function addInto(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) x[i] = Math.fround(x[i] + y[i]);
}
