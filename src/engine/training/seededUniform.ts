// Deterministic uniform(-bound, bound) initialisation (mulberry32), so a run's initial
// adapter weights are a function of its seed and a replay starts from the same point.

export function seededUniform(n: number, seed: number, bound: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = (2 * u - 1) * bound;
  }
  return out;
}
