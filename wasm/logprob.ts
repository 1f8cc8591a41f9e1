// Log-probabilities at scored positions (shaders/logprob.wgsl; CPU reference
// src/engine/cpu/logprob.ts): out[p, c] = logits[p, targets[p, c]] - logsumexp(logits[p, :]),
// NaN for a target >= vocab. The max runs in f32 SIMD, the sum of exp in f64.

/** Positions [p0, p1). */
export function logprob(logits: usize, vocab: i32, targets: usize, candidates: i32, out: usize, p0: i32, p1: i32): void {
  const v4 = vocab & ~3;
  for (let p = p0; p < p1; p++) {
    const row = logits + ((<usize>p * <usize>vocab) << 2);
    let mv = f32x4.splat(-Infinity);
    for (let i = 0; i < v4; i += 4) mv = f32x4.max(mv, v128.load(row + (<usize>i << 2)));
    let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (let i = v4; i < vocab; i++) m = max(m, load<f32>(row + (<usize>i << 2)));
    let s: f64 = 0;
    for (let i = 0; i < vocab; i++) s += Math.exp(<f64>load<f32>(row + (<usize>i << 2)) - <f64>m);
    const lse = <f64>m + Math.log(s);
    for (let c = 0; c < candidates; c++) {
      const at = <usize>(p * candidates + c) << 2;
      const t = load<u32>(targets + at);
      store<f32>(out + at, t < <u32>vocab ? <f32>(<f64>load<f32>(row + (<usize>t << 2)) - lse) : NaN);
    }
  }
}
