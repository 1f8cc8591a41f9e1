// Philox-4x32-10 + Box-Muller, the seed-regenerated z of MeZO: the twin of shaders/rng.wgsl and
// src/engine/defs/rng.ts. Four Philox counters run side by side in the lanes of i32x4 (lane l =
// block b0 + l), so one call yields the 16 Gaussians of elements 4 b0 .. 4 b0 + 15. Every float
// step is one IEEE f32 operation in the same order as rng.ts (WebAssembly has no fused
// multiply-add and rounds every f32 op correctly), so z is bit for bit the TypeScript z.

const M0: u32 = 0xd2511f53;
const M1: u32 = 0xcd9e8d57;
const W0: u32 = 0x9e3779b9;
const W1: u32 = 0xbb67ae85;

// z of the last gaussian16 call, elements 4 b0 + 4 l .. 4 b0 + 4 l + 3 in Zl (globals are per
// instance, so per thread).
export let Z0: v128 = i32x4.splat(0);
export let Z1: v128 = i32x4.splat(0);
export let Z2: v128 = i32x4.splat(0);
export let Z3: v128 = i32x4.splat(0);

@inline function mulhi(a: v128, m: v128): v128 {
  const lo = i64x2.extmul_low_i32x4_u(a, m);
  const hi = i64x2.extmul_high_i32x4_u(a, m);
  return i32x4.shuffle(lo, hi, 1, 3, 5, 7);
}

// ln(u), the polynomial of rngLn.
@inline function lnv(u: v128): v128 {
  const bits = u;
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(127));
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000));
  const big = f32x4.gt(m, f32x4.splat(<f32>1.41421356));
  m = v128.bitselect(f32x4.mul(m, f32x4.splat(0.5)), m, big);
  e = i32x4.sub(e, big); // big lanes are -1
  const one = f32x4.splat(1);
  const s = f32x4.div(f32x4.sub(m, one), f32x4.add(m, one));
  const s2 = f32x4.mul(s, s);
  let p = f32x4.mul(s2, f32x4.splat(<f32>0.11111111));
  p = f32x4.add(f32x4.splat(<f32>0.14285714), p);
  p = f32x4.add(f32x4.splat(<f32>0.2), f32x4.mul(s2, p));
  p = f32x4.add(f32x4.splat(<f32>0.33333333), f32x4.mul(s2, p));
  p = f32x4.add(one, f32x4.mul(s2, p));
  const ef = f32x4.convert_i32x4_s(e);
  return f32x4.add(f32x4.mul(ef, f32x4.splat(<f32>0.69314718)), f32x4.mul(f32x4.add(s, s), p));
}

// Box-Muller of (a, b) lanes: r cos and r sin of rngCosSinTurn.
@inline function boxMuller(a: v128, b: v128, first: bool): v128 {
  const u1 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.add(i32x4.shr_u(a, 8), i32x4.splat(1))), f32x4.splat(5.9604644775390625e-8));
  const r = f32x4.sqrt(f32x4.mul(f32x4.splat(-2), lnv(u1)));
  const b24 = i32x4.shr_u(b, 8);
  const quadrant = i32x4.shr_u(b24, 22);
  const phi = f32x4.mul(f32x4.sub(f32x4.convert_i32x4_s(v128.and(b24, i32x4.splat(0x3fffff))), f32x4.splat(2097151.5)), f32x4.splat(<f32>3.7450703e-7));
  const p2 = f32x4.mul(phi, phi);
  let sp = f32x4.mul(p2, f32x4.splat(<f32>2.7557319e-6));
  sp = f32x4.add(f32x4.splat(<f32>-1.984127e-4), sp);
  sp = f32x4.add(f32x4.splat(<f32>0.0083333333), f32x4.mul(p2, sp));
  sp = f32x4.add(f32x4.splat(<f32>-0.16666667), f32x4.mul(p2, sp));
  sp = f32x4.mul(phi, f32x4.add(f32x4.splat(1), f32x4.mul(p2, sp)));
  let cp = f32x4.mul(p2, f32x4.splat(<f32>2.4801587e-5));
  cp = f32x4.add(f32x4.splat(<f32>-0.0013888889), cp);
  cp = f32x4.add(f32x4.splat(<f32>0.041666667), f32x4.mul(p2, cp));
  cp = f32x4.add(f32x4.splat(<f32>-0.5), f32x4.mul(p2, cp));
  cp = f32x4.add(f32x4.splat(1), f32x4.mul(p2, cp));
  const sqrtHalf = f32x4.splat(<f32>0.70710678);
  const c = f32x4.mul(f32x4.sub(cp, sp), sqrtHalf);
  const s = f32x4.mul(f32x4.add(cp, sp), sqrtHalf);
  // quadrant 0: (c, s); 1: (-s, c); 2: (-c, -s); 3: (s, -c)
  const swap = i32x4.eq(v128.and(quadrant, i32x4.splat(1)), i32x4.splat(1));
  let out: v128;
  let neg: v128;
  if (first) {
    out = v128.bitselect(s, c, swap);
    neg = i32x4.shl(v128.and(i32x4.shr_u(i32x4.add(quadrant, i32x4.splat(1)), 1), i32x4.splat(1)), 31);
  } else {
    out = v128.bitselect(c, s, swap);
    neg = i32x4.shl(i32x4.shr_u(quadrant, 1), 31);
  }
  return f32x4.mul(r, v128.xor(out, neg));
}

/** Philox of blocks b0 .. b0 + 3 (counter (b, stream, j, step), key (seed, 0)), Gaussians into Z0..Z3. */
export function gaussian16(seed: u32, step: u32, j: u32, stream: u32, b0: u32): void {
  let x = i32x4(b0, b0 + 1, b0 + 2, b0 + 3);
  let y = i32x4.splat(stream);
  let z = i32x4.splat(j);
  let w = i32x4.splat(step);
  let ka = seed, kb: u32 = 0;
  const m0 = i32x4.splat(M0), m1 = i32x4.splat(M1);
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(x, m0), lo0 = i32x4.mul(x, m0);
    const hi1 = mulhi(z, m1), lo1 = i32x4.mul(z, m1);
    x = v128.xor(v128.xor(hi1, y), i32x4.splat(ka));
    y = lo1;
    z = v128.xor(v128.xor(hi0, w), i32x4.splat(kb));
    w = lo0;
    ka += W0;
    kb += W1;
  }
  // Lane l of (g0, g1, g2, g3) = the four Gaussians of block b0 + l; transpose to element order.
  const g0 = boxMuller(x, y, true), g1 = boxMuller(x, y, false);
  const g2 = boxMuller(z, w, true), g3 = boxMuller(z, w, false);
  const t0 = i32x4.shuffle(g0, g1, 0, 4, 1, 5), t1 = i32x4.shuffle(g2, g3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(g0, g1, 2, 6, 3, 7), t3 = i32x4.shuffle(g2, g3, 2, 6, 3, 7);
  Z0 = i32x4.shuffle(t0, t1, 0, 1, 4, 5);
  Z1 = i32x4.shuffle(t0, t1, 2, 3, 6, 7);
  Z2 = i32x4.shuffle(t2, t3, 0, 1, 4, 5);
  Z3 = i32x4.shuffle(t2, t3, 2, 3, 6, 7);
}

/** z of elements [e0, e1) (e0 a multiple of 16) of one stream into out: tests and the benchmark. */
export function gaussian_range(seed: u32, step: u32, j: u32, stream: u32, out: usize, e0: i32, e1: i32): void {
  for (let e = e0; e < e1; e += 16) {
    gaussian16(seed, step, j, stream, <u32>e >> 2);
    const o = out + (<usize>e << 2);
    if (e + 16 <= e1) {
      v128.store(o, Z0); v128.store(o, Z1, 16); v128.store(o, Z2, 32); v128.store(o, Z3, 48);
    } else {
      for (let i = 0; e + i < e1; i++) store<f32>(o + (<usize>i << 2), zAt(i));
    }
  }
}

/** Element i (< 16) of the 16 values held as four f32x4 (elements 4q .. 4q + 3 in zq). */
@inline export function lane16(i: i32, z0: v128, z1: v128, z2: v128, z3: v128): f32 {
  const v = i < 4 ? z0 : i < 8 ? z1 : i < 12 ? z2 : z3;
  switch (i & 3) {
    case 0: return f32x4.extract_lane(v, 0);
    case 1: return f32x4.extract_lane(v, 1);
    case 2: return f32x4.extract_lane(v, 2);
  }
  return f32x4.extract_lane(v, 3);
}

/** Element i (< 16) of the last gaussian16 call. */
@inline export function zAt(i: i32): f32 {
  return lane16(i, Z0, Z1, Z2, Z3);
}
