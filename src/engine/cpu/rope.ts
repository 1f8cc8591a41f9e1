// RoPE frequencies as HF transformers computes them (modeling_rope_utils: the default, 'linear'
// and 'llama3' rope types), or as llama.cpp does from a GGUF's rope_freqs tensor, and the CPU
// reference for shaders/rope.wgsl (rotate_half layout):
//   inv_freq[i] = 1 / theta^(2i / headDim)   then scaled (linear: / factor; llama3: per band;
//   rope_freqs: / freqFactors[i], the per-frequency divisors llama.cpp's converter writes)
//   x'[i] = x[i] cos(t f_i) - x[i + half] sin(t f_i),  x'[i + half] = x[i + half] cos(t f_i) + x[i] sin(t f_i)

export interface RopeConfig {
  headDim: number;
  ropeTheta: number;
  ropeScaling?: {
    rope_type?: string;
    type?: string;
    factor: number;
    low_freq_factor?: number;
    high_freq_factor?: number;
    original_max_position_embeddings?: number;
  } | null;
  /**
   * llama.cpp's per-frequency divisors (a GGUF's rope_freqs.weight, [headDim / 2]): ggml's rope
   * turns frequency i into inv_freq[i] / freqFactors[i]. How Llama 3.x GGUFs carry their scaling.
   */
  freqFactors?: readonly number[] | null;
}

/** The rope_scaling types ropeInvFreq computes (HF names; 'default' = no scaling). */
export const SUPPORTED_ROPE_TYPES = ['default', 'linear', 'llama3'] as const;

const f = Math.fround;

/** inv_freq [headDim / 2], rounded step by step in float32 as torch computes it. */
export function ropeInvFreq(c: RopeConfig): Float32Array {
  const half = c.headDim / 2;
  if (!Number.isInteger(half) || half < 1) throw new Error(`rope: headDim ${c.headDim} must be a positive even number`);
  // _compute_default_rope_parameters: 1.0 / (base ** (arange(0, dim, 2).float() / dim))
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) inv[i] = f(1 / f(Math.pow(c.ropeTheta, f((2 * i) / c.headDim))));
  const scaled = applyRopeScaling(inv, c);
  const ff = c.freqFactors;
  if (!ff) return scaled;
  if (ff.length !== half) throw new Error(`rope: ${ff.length} frequency factors (rope_freqs) for a head of ${c.headDim} (needs ${half})`);
  // ggml_rope_ext: theta = theta_base / freq_factors[i]; the divisor is applied to the frequency.
  for (let i = 0; i < half; i++) {
    if (!(ff[i] > 0) || !Number.isFinite(ff[i])) throw new Error(`rope: frequency factor ${i} is ${ff[i]} (rope_freqs must be positive and finite)`);
    scaled[i] = f(scaled[i] / ff[i]);
  }
  return scaled;
}

/** The rope_scaling type of a config ('default' when there is none). */
export function ropeType(c: RopeConfig): string {
  const s = c.ropeScaling;
  return s ? (s.rope_type ?? s.type ?? 'default') : 'default';
}

function applyRopeScaling(inv: Float32Array, c: RopeConfig): Float32Array {
  const half = inv.length;
  const type = ropeType(c);
  if (type === 'default') return inv;
  if (!(SUPPORTED_ROPE_TYPES as readonly string[]).includes(type)) {
    throw new Error(`rope: rope_scaling type '${type}' is not supported (supported: ${SUPPORTED_ROPE_TYPES.join(', ')})`);
  }
  const sc = c.ropeScaling!;
  const factor = sc.factor;
  if (!(typeof factor === 'number' && factor > 0 && Number.isFinite(factor))) throw new Error(`rope: '${type}' rope_scaling needs a positive factor (got ${String(factor)})`);
  // _compute_linear_scaling_rope_parameters: inv_freq /= factor (position interpolation).
  if (type === 'linear') return inv.map((v) => f(v / factor));
  const { low_freq_factor: low, high_freq_factor: high, original_max_position_embeddings: oldCtx } = sc;
  if (low === undefined || high === undefined || oldCtx === undefined) {
    throw new Error("rope: 'llama3' rope_scaling needs low_freq_factor, high_freq_factor and original_max_position_embeddings");
  }
  // _compute_llama3_parameters
  const lowFreqWavelen = oldCtx / low;
  const highFreqWavelen = oldCtx / high;
  const twoPi = f(2 * Math.PI);
  const out = new Float32Array(half);
  for (let i = 0; i < half; i++) {
    const wavelen = f(f(1 / inv[i]) * twoPi); // torch: scalar / tensor = tensor.reciprocal() * scalar
    let v = wavelen > lowFreqWavelen ? f(inv[i] / factor) : inv[i];
    if (!(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen)) {
      const smooth = f(f(f(f(1 / wavelen) * oldCtx) - low) / (high - low));
      v = f(f(f(f(1 - smooth) * v) / factor) + f(smooth * v));
    }
    out[i] = v;
  }
  return out;
}

/** Rotate q or k [batch * seqLen, heads, headDim] at positions posOffset + t; returns a new array. */
export function ropeRef(qk: Float32Array, batch: number, seqLen: number, heads: number, headDim: number, invFreq: Float32Array, posOffset = 0): Float32Array {
  const out = qk.slice();
  const half = headDim / 2;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seqLen; t++) {
      for (let h = 0; h < heads; h++) {
        const base = ((b * seqLen + t) * heads + h) * headDim;
        for (let i = 0; i < half; i++) {
          const angle = f((posOffset + t) * invFreq[i]);
          const c = f(Math.cos(angle));
          const s = f(Math.sin(angle));
          const x1 = qk[base + i];
          const x2 = qk[base + i + half];
          out[base + i] = f(f(x1 * c) - f(x2 * s));
          out[base + i + half] = f(f(x2 * c) + f(x1 * s));
        }
      }
    }
  }
  return out;
}
