// Counter-based Gaussian RNG for zeroth-order perturbations (MeZO, Malladi et al. 2023, Alg. 1:
// z is regenerated from a seed, never stored). Philox-4x32-10 (Salmon et al., SC'11) + Box-Muller.
// Library file: no entry points. Kernels that need z are built from rng.wgsl + their own source.
//
// Stream layout (the contract with the TypeScript twin, src/engine/defs/rng.ts):
//   key     = (runSeed, 0)                        key.y is a domain tag; 0 = perturbation z
//   counter = (i >> 2, stream, j, step)           i: element index inside its ParamRange
//   philox4x32_10(counter, key) = (x, y, z, w)    four u32
//   z[i & 3] = (bm(x, y).cos, bm(x, y).sin, bm(z, w).cos, bm(z, w).sin)
// so one Philox call gives four Gaussians, for elements 4b..4b+3 of range `stream`
// (up to 2^34 elements per range, 2^32 streams, perturbation indices and steps).
// Box-Muller: u1 = (x >> 8 + 1) / 2^24 in (0, 1]; angle = 2 pi (y >> 8 + 0.5) / 2^24;
// r = sqrt(-2 ln u1). ln, sin and cos are our own f32 polynomials (not the built-ins, whose
// WGSL accuracy bounds are loose near u1 = 1) so the twin agrees to ~1e-6 on any adapter.

const PHILOX_M0: u32 = 0xD2511F53u;
const PHILOX_M1: u32 = 0xCD9E8D57u;
const PHILOX_W0: u32 = 0x9E3779B9u;
const PHILOX_W1: u32 = 0xBB67AE85u;

// (hi, lo) 32-bit halves of the 64-bit product a * b, from 16-bit pieces (WGSL has no u64).
fn mulhilo32(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xFFFFu;
  let a1 = a >> 16u;
  let b0 = b & 0xFFFFu;
  let b1 = b >> 16u;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let mid = ((a0 * b0) >> 16u) + (p01 & 0xFFFFu) + (p10 & 0xFFFFu);
  let hi = a1 * b1 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
  return vec2<u32>(hi, a * b);
}

fn philox4x32_10(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var r = 0u; r < 10u; r++) {
    let p0 = mulhilo32(PHILOX_M0, c.x);
    let p1 = mulhilo32(PHILOX_M1, c.z);
    c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k = k + vec2<u32>(PHILOX_W0, PHILOX_W1);
  }
  return c;
}

// ln(u) for u in [2^-24, 1]: u = m 2^e with m in [sqrt(1/2), sqrt(2)], ln m = 2 atanh(s),
// s = (m - 1) / (m + 1), |s| < 0.172, so five odd terms give ~1e-9 relative error.
fn rng_ln(u: f32) -> f32 {
  let bits = bitcast<u32>(u);
  var e = f32(i32(bits >> 23u) - 127);
  var m = bitcast<f32>((bits & 0x007FFFFFu) | 0x3F800000u);
  if (m > 1.41421356) {
    m = m * 0.5;
    e = e + 1.0;
  }
  let s = (m - 1.0) / (m + 1.0);
  let s2 = s * s;
  let p = 1.0 + s2 * (0.33333333 + s2 * (0.2 + s2 * (0.14285714 + s2 * 0.11111111)));
  return e * 0.69314718 + 2.0 * s * p;
}

// (cos, sin) of 2 pi (b24 + 0.5) / 2^24 for a 24-bit integer b24: the top two bits pick the
// quadrant; inside it phi = angle - quadrant pi/2 - pi/4 lies in (-pi/4, pi/4) exactly.
fn rng_cos_sin_turn(b24: u32) -> vec2<f32> {
  let quadrant = b24 >> 22u;
  let phi = (f32(b24 & 0x3FFFFFu) - 2097151.5) * 3.7450703e-7; // (pi/2) / 2^22
  let p2 = phi * phi;
  let sp = phi * (1.0 + p2 * (-0.16666667 + p2 * (0.0083333333 + p2 * (-1.9841270e-4 + p2 * 2.7557319e-6))));
  let cp = 1.0 + p2 * (-0.5 + p2 * (0.041666667 + p2 * (-0.0013888889 + p2 * 2.4801587e-5)));
  let c = (cp - sp) * 0.70710678; // cos(pi/4 + phi)
  let s = (cp + sp) * 0.70710678; // sin(pi/4 + phi)
  switch quadrant {
    case 0u: { return vec2<f32>(c, s); }
    case 1u: { return vec2<f32>(-s, c); }
    case 2u: { return vec2<f32>(-c, -s); }
    default: { return vec2<f32>(s, -c); }
  }
}

// Two independent N(0, 1) samples from two uniform u32 (Box-Muller).
fn box_muller(a: u32, b: u32) -> vec2<f32> {
  let u1 = f32((a >> 8u) + 1u) * 5.9604645e-8; // 2^-24
  let r = sqrt(-2.0 * rng_ln(u1));
  return r * rng_cos_sin_turn(b >> 8u);
}

// z for elements 4*block .. 4*block+3 of range `stream`, perturbation j of step `step`.
fn gaussian4(seed: u32, step: u32, j: u32, stream: u32, block: u32) -> vec4<f32> {
  let x = philox4x32_10(vec4<u32>(block, stream, j, step), vec2<u32>(seed, 0u));
  return vec4<f32>(box_muller(x.x, x.y), box_muller(x.z, x.w));
}
