// Shared declarations of the ZO kernels (MeZO, Malladi et al. 2023, Alg. 1). Prepended after
// rng.wgsl to zo_perturb.wgsl and zo_update.wgsl; zo_grad.wgsl includes it too.

// One step's scalars, written once per step before the submit (src/engine/defs/zoConfig.ts
// stepScalars). Constant across every phase of that submit: what changes between phases
// (perturbation index, coefficient) is an override constant of the pipeline instead.
struct ZoStep {
  seed: u32,
  step: u32,
  eps: f32,
  lr: f32,
  weight_decay: f32,
  clip: f32,
  inv_q: f32,
  beta1: f32,
  beta2: f32,
  bias1: f32,     // 1 - beta1^(step+1)
  bias2: f32,     // 1 - beta2^(step+1)
  adam_eps: f32,
}

// One ParamRange, written once at load: elements theta[offset .. offset + count) of its buffer;
// z for element i is gaussian4(seed, step, j, stream, i / 4)[i % 4].
struct ZoRange {
  offset: u32,
  count: u32,
  stream: u32,
  decay: f32,     // 1.0 if weight decay applies to this range, else 0.0
  // Per-block perturbation scale s (ZO Fine-tuner's per-block variances: u = s z); 1.0 = MeZO.
  // Multiplies eps z in every perturbation and the step's direction, so the update follows u.
  scale: f32,
}
