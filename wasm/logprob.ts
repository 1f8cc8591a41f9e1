// Log-probabilities at scored positions (shaders/logprob.wgsl; CPU reference
// src/engine/cpu/logprob.ts): out[p, c] = logits[p, targets[p, c]] - logsumexp(logits[p, :]),
// NaN for a target >= vocab. The max runs in f32 SIMD, exp is mathv.ts expv, and the lane sums
// are gathered into f64 every 64 logits.
import { expv } from './mathv';

/** Positions [p0, p1). */
export function logprob(logits: usize, vocab: i32, targets: usize, candidates: i32, out: usize, p0: i32, p1: i32): void {
  const v4 = vocab & ~3;
  for (let p = p0; p < p1; p++) {
    const row = logits + ((<usize>p * <usize>vocab) << 2);
    let mx = f32x4.splat(-Infinity);
    for (let i = 0; i < v4; i += 4) mx = f32x4.max(mx, v128.load(row + (<usize>i << 2)));
    let m = max(max(f32x4.extract_lane(mx, 0), f32x4.extract_lane(mx, 1)), max(f32x4.extract_lane(mx, 2), f32x4.extract_lane(mx, 3)));
    for (let i = v4; i < vocab; i++) m = max(m, load<f32>(row + (<usize>i << 2)));
    // sum of exp(l - m): vector exp, f32 lane sums folded into f64 every 64 logits
    let s: f64 = 0;
    const mv = f32x4.splat(m);
    let i = 0;
    while (i + 4 <= vocab) {
      const end = min(v4, i + 64);
      let acc = f32x4.splat(0);
      for (; i < end; i += 4) acc = f32x4.add(acc, expv(f32x4.sub(v128.load(row + (<usize>i << 2)), mv)));
      s += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
    }
    for (; i < vocab; i++) s += <f64>f32x4.extract_lane(expv(f32x4.splat(load<f32>(row + (<usize>i << 2)) - m)), 0);
    const lse = <f64>m + Math.log(s);
    for (let c = 0; c < candidates; c++) {
      const at = <usize>(p * candidates + c) << 2;
      const t = load<u32>(targets + at);
      store<f32>(out + at, t < <u32>vocab ? <f32>(<f64>load<f32>(row + (<usize>t << 2)) - lse) : NaN);
    }
  }
}
