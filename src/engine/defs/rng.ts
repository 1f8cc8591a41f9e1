// TypeScript twin of shaders/rng.wgsl: Philox-4x32-10 (Salmon et al., SC'11) + Box-Muller, the
// seed-regenerated z of MeZO (Malladi et al. 2023, Alg. 1). The u32 stream is bit-exact with the
// GPU; Gaussians agree to ~1e-6 (GPU division and sqrt are not correctly rounded, and the GPU may
// fuse multiply-adds). Stream layout: see the header of shaders/rng.wgsl.

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two u32 (exact: every partial product < 2^53). */
function mulhi32(a: number, b: number): number {
  const aHi = a >>> 16;
  const aLo = a & 0xffff;
  return Math.floor((aHi * b + Math.floor((aLo * b) / 65536)) / 65536) >>> 0;
}

/** Philox-4x32-10 of counter (c0..c3) under key (k0, k1), into `out` (4 u32). */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array = new Uint32Array(4)): Uint32Array {
  let x = c0 >>> 0, y = c1 >>> 0, z = c2 >>> 0, w = c3 >>> 0;
  let ka = k0 >>> 0, kb = k1 >>> 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi32(M0, x);
    const lo0 = Math.imul(M0, x) >>> 0;
    const hi1 = mulhi32(M1, z);
    const lo1 = Math.imul(M1, z) >>> 0;
    x = (hi1 ^ y ^ ka) >>> 0;
    y = lo1;
    z = (hi0 ^ w ^ kb) >>> 0;
    w = lo0;
    ka = (ka + W0) >>> 0;
    kb = (kb + W1) >>> 0;
  }
  out[0] = x;
  out[1] = y;
  out[2] = z;
  out[3] = w;
  return out;
}

const f = Math.fround;
const bitsF = new Float32Array(1);
const bitsU = new Uint32Array(bitsF.buffer);

/** ln(u) for u in [2^-24, 1], the same polynomial and f32 roundings as rng_ln in WGSL. */
export function rngLn(u: number): number {
  bitsF[0] = u;
  const bits = bitsU[0];
  let e = (bits >>> 23) - 127;
  bitsU[0] = (bits & 0x007fffff) | 0x3f800000;
  let m = bitsF[0];
  if (m > f(1.41421356)) {
    m = f(m * 0.5);
    e += 1;
  }
  const s = f(f(m - 1) / f(m + 1));
  const s2 = f(s * s);
  let p = f(s2 * f(0.11111111));
  p = f(f(0.14285714) + p);
  p = f(f(0.2) + f(s2 * p));
  p = f(f(0.33333333) + f(s2 * p));
  p = f(1 + f(s2 * p));
  return f(f(e * f(0.69314718)) + f(f(2 * s) * p));
}

const SQRT_HALF = f(0.70710678);

/** [cos, sin] of 2 pi (b24 + 0.5) / 2^24, as rng_cos_sin_turn in WGSL. */
export function rngCosSinTurn(b24: number): [number, number] {
  const quadrant = b24 >>> 22;
  const phi = f(((b24 & 0x3fffff) - 2097151.5) * f(3.7450703e-7));
  const p2 = f(phi * phi);
  let sp = f(p2 * f(2.7557319e-6));
  sp = f(f(-1.984127e-4) + sp);
  sp = f(f(0.0083333333) + f(p2 * sp));
  sp = f(f(-0.16666667) + f(p2 * sp));
  sp = f(phi * f(1 + f(p2 * sp)));
  let cp = f(p2 * f(2.4801587e-5));
  cp = f(f(-0.0013888889) + cp);
  cp = f(f(0.041666667) + f(p2 * cp));
  cp = f(f(-0.5) + f(p2 * cp));
  cp = f(1 + f(p2 * cp));
  const c = f(f(cp - sp) * SQRT_HALF);
  const s = f(f(cp + sp) * SQRT_HALF);
  switch (quadrant) {
    case 0: return [c, s];
    case 1: return [-s, c];
    case 2: return [-c, -s];
    default: return [s, -c];
  }
}

/** Two N(0, 1) samples from two u32, as box_muller in WGSL. */
export function boxMuller(a: number, b: number): [number, number] {
  const u1 = f(((a >>> 8) + 1) * 5.9604644775390625e-8);
  const r = f(Math.sqrt(f(-2 * rngLn(u1))));
  const [c, s] = rngCosSinTurn(b >>> 8);
  return [f(r * c), f(r * s)];
}

const scratch = new Uint32Array(4);

/** z for elements 4*block .. 4*block+3 of range `stream`, perturbation j of step `step`. */
export function gaussian4(seed: number, step: number, j: number, stream: number, block: number, out: Float32Array = new Float32Array(4)): Float32Array {
  const x = philox4x32(block, stream, j, step, seed, 0, scratch);
  const [z0, z1] = boxMuller(x[0], x[1]);
  const [z2, z3] = boxMuller(x[2], x[3]);
  out[0] = z0;
  out[1] = z1;
  out[2] = z2;
  out[3] = z3;
  return out;
}

/** z for a whole range of `count` elements (tests and the CPU reference; the GPU never stores z). */
export function gaussianRange(seed: number, step: number, j: number, stream: number, count: number, out: Float32Array = new Float32Array(count)): Float32Array {
  const four = new Float32Array(4);
  for (let b = 0; b * 4 < count; b++) {
    gaussian4(seed, step, j, stream, b, four);
    for (let k = 0; k < 4 && b * 4 + k < count; k++) out[b * 4 + k] = four[k];
  }
  return out;
}
