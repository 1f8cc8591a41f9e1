// ZO passes over one ParamRange with z regenerated from the seed (MeZO, Malladi et al. 2023,
// Alg. 1): the twins of shaders/zo_perturb.wgsl, zo_update.wgsl and zo_mixed.wgsl, with the same
// f32 operations in the same order as their CPU references (src/engine/cpu/zo.ts,
// defs/zoOptimizers.ts, cpu/zoMixed.ts). theta points at the range's first element; elements
// [e0, e1) are done by this call (e0 a multiple of 16, e1 <= count): how threads split a range.
import { gaussian16, lane16, Z0, Z1, Z2, Z3 } from './rng';

export const OPT_SGD: i32 = 0;
export const OPT_SIGN: i32 = 1;
export const OPT_MOMENTUM: i32 = 2;
export const OPT_ADAM: i32 = 3;

@inline function zv(q: i32): v128 {
  return q == 0 ? Z0 : q == 1 ? Z1 : q == 2 ? Z2 : Z3;
}

// dst[i] = src[i] + a z[i] for the n (<= 16) elements of one step, z in four f32x4 (dst may be src).
@inline function addScaled16(dst: usize, src: usize, a: f32, z0: v128, z1: v128, z2: v128, z3: v128, n: i32): void {
  if (n == 16) {
    const av = f32x4.splat(a);
    v128.store(dst, f32x4.add(v128.load(src), f32x4.mul(av, z0)));
    v128.store(dst, f32x4.add(v128.load(src, 16), f32x4.mul(av, z1)), 16);
    v128.store(dst, f32x4.add(v128.load(src, 32), f32x4.mul(av, z2)), 32);
    v128.store(dst, f32x4.add(v128.load(src, 48), f32x4.mul(av, z3)), 48);
  } else {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)) + a * lane16(i, z0, z1, z2, z3));
  }
}

/** theta += a z_j, a = (coef eps) scale (zo_perturb.wgsl). */
export function zo_perturb(theta: usize, seed: u32, step: u32, j: u32, stream: u32, a: f32, e0: i32, e1: i32): void {
  for (let e = e0; e < e1; e += 16) {
    gaussian16(seed, step, j, stream, <u32>e >> 2);
    const p = theta + (<usize>e << 2);
    addScaled16(p, p, a, Z0, Z1, Z2, Z3, min(16, e1 - e));
  }
}

/** Loss-landscape probe: theta = snapshot + a z_j, written from the untouched snapshot (zo_probe.wgsl). */
export function zo_probe(theta: usize, snapshot: usize, seed: u32, step: u32, j: u32, stream: u32, a: f32, e0: i32, e1: i32): void {
  for (let e = e0; e < e1; e += 16) {
    gaussian16(seed, step, j, stream, <u32>e >> 2);
    addScaled16(theta + (<usize>e << 2), snapshot + (<usize>e << 2), a, Z0, Z1, Z2, Z3, min(16, e1 - e));
  }
}

@inline function sign(d: f32): f32 {
  return d > 0 ? 1 : d < 0 ? -1 : d;
}

// ZO-SGD on 4 elements at p: t (+ restoreA rz when restoring), then t - size (d + wd t).
@inline function sgd4(p: usize, d: v128, rz: v128, restoreJ: i32, restoreA: f32, size: f32, wd: f32): void {
  let t = v128.load(p);
  if (restoreJ >= 0) t = f32x4.add(t, f32x4.mul(f32x4.splat(restoreA), rz));
  v128.store(p, f32x4.sub(t, f32x4.mul(f32x4.splat(size), f32x4.add(d, f32x4.mul(f32x4.splat(wd), t)))));
}

/**
 * One optimizer move along d = ((sum_j g_j z_j) invQ) scale over elements [e0, e1)
 * (zo_update.wgsl). grads: q f32. c: the move coefficient (ZO-SGD-Cons: 1, -2 or its choice).
 * restoreJ >= 0 folds the step's last restore theta += restoreA z_restoreJ in first (as the
 * shader's RESTORE). m, v: optimizer state of the range (element i at m + 4 i), or 0.
 * scalars (f32): [lr, weightDecay * decay, invQ, scale, beta1, beta2, bias1, bias2, adamEps].
 */
export function zo_update(opt: i32, theta: usize, m: usize, v: usize, seed: u32, step: u32, stream: u32,
                          grads: usize, q: i32, c: f32, restoreJ: i32, restoreA: f32, scalars: usize,
                          e0: i32, e1: i32): void {
  const lr = load<f32>(scalars), wd = load<f32>(scalars, 4), invQ = load<f32>(scalars, 8), scale = load<f32>(scalars, 12);
  const beta1 = load<f32>(scalars, 16), beta2 = load<f32>(scalars, 20), bias1 = load<f32>(scalars, 24), bias2 = load<f32>(scalars, 28);
  const adamEps = load<f32>(scalars, 32);
  const size = c * lr;
  const a1: f32 = 1 - beta1, a2: f32 = 1 - beta2;
  for (let e = e0; e < e1; e += 16) {
    // d for 16 elements, and the restore's z when folded
    let d0 = f32x4.splat(0), d1 = f32x4.splat(0), d2 = f32x4.splat(0), d3 = f32x4.splat(0);
    let r0 = f32x4.splat(0), r1 = f32x4.splat(0), r2 = f32x4.splat(0), r3 = f32x4.splat(0);
    for (let jj = 0; jj < q; jj++) {
      gaussian16(seed, step, <u32>jj, stream, <u32>e >> 2);
      const g = v128.load32_splat(grads + (<usize>jj << 2));
      d0 = f32x4.add(d0, f32x4.mul(g, Z0)); d1 = f32x4.add(d1, f32x4.mul(g, Z1));
      d2 = f32x4.add(d2, f32x4.mul(g, Z2)); d3 = f32x4.add(d3, f32x4.mul(g, Z3));
      if (jj == restoreJ) { r0 = Z0; r1 = Z1; r2 = Z2; r3 = Z3; }
    }
    const iq = f32x4.splat(invQ), sc = f32x4.splat(scale);
    d0 = f32x4.mul(f32x4.mul(d0, iq), sc); d1 = f32x4.mul(f32x4.mul(d1, iq), sc);
    d2 = f32x4.mul(f32x4.mul(d2, iq), sc); d3 = f32x4.mul(f32x4.mul(d3, iq), sc);
    const n = min(16, e1 - e);
    if (opt == OPT_SGD && n == 16) {
      // the scalar loop's f32 operations, four lanes at a time (the common case, vectorized)
      const p = theta + (<usize>e << 2);
      sgd4(p, d0, r0, restoreJ, restoreA, size, wd);
      sgd4(p + 16, d1, r1, restoreJ, restoreA, size, wd);
      sgd4(p + 32, d2, r2, restoreJ, restoreA, size, wd);
      sgd4(p + 48, d3, r3, restoreJ, restoreA, size, wd);
      continue;
    }
    for (let i = 0; i < n; i++) {
      const d = lane16(i, d0, d1, d2, d3), rz = lane16(i, r0, r1, r2, r3);
      const off = <usize>(e + i) << 2;
      const p = theta + off;
      let t = load<f32>(p);
      if (restoreJ >= 0) t = t + restoreA * rz;
      if (opt == OPT_SGD || opt == OPT_SIGN) {
        const dir = opt == OPT_SIGN ? sign(d) : d;
        store<f32>(p, t - size * (dir + wd * t));
      } else if (opt == OPT_MOMENTUM) {
        const mi = beta1 * load<f32>(m + off) + (d + wd * t);
        store<f32>(m + off, mi);
        store<f32>(p, t - lr * mi);
      } else {
        const mi = beta1 * load<f32>(m + off) + a1 * d;
        const vi = beta2 * load<f32>(v + off) + a2 * (d * d);
        store<f32>(m + off, mi);
        store<f32>(v + off, vi);
        const u = (mi / bias1) / (sqrt<f32>(vi / bias2) + adamEps) + wd * t;
        store<f32>(p, t - lr * u);
      }
    }
  }
}

// z = sum_m coef_m gaussian(seed, step_m, 0, stream) for 16 elements, into D0..D3.
let D0: v128 = i32x4.splat(0);
let D1: v128 = i32x4.splat(0);
let D2: v128 = i32x4.splat(0);
let D3: v128 = i32x4.splat(0);

@inline function mixed16(seed: u32, stream: u32, terms: usize, nTerms: i32, e: i32): void {
  let a = f32x4.splat(0), b = f32x4.splat(0), c = f32x4.splat(0), d = f32x4.splat(0);
  for (let t = 0; t < nTerms; t++) {
    gaussian16(seed, load<u32>(terms + (<usize>t << 3)), 0, stream, <u32>e >> 2);
    const coef = v128.load32_splat(terms + (<usize>t << 3) + 4);
    a = f32x4.add(a, f32x4.mul(coef, Z0)); b = f32x4.add(b, f32x4.mul(coef, Z1));
    c = f32x4.add(c, f32x4.mul(coef, Z2)); d = f32x4.add(d, f32x4.mul(coef, Z3));
  }
  D0 = a; D1 = b; D2 = c; D3 = d;
}

/** ZOPrO mixed direction: theta += alpha z, terms = nTerms (u32 step, f32 coef) pairs (zo_mixed.wgsl axpy). */
export function zo_mixed_axpy(theta: usize, seed: u32, stream: u32, terms: usize, nTerms: i32, alpha: f32, e0: i32, e1: i32): void {
  for (let e = e0; e < e1; e += 16) {
    mixed16(seed, stream, terms, nTerms, e);
    const p = theta + (<usize>e << 2);
    addScaled16(p, p, alpha, D0, D1, D2, D3, min(16, e1 - e));
  }
}

/** sum of z^2 over elements [e0, e1) in f64 (zo_mixed.wgsl sumsq); written to out (f64). */
export function zo_mixed_sumsq(seed: u32, stream: u32, terms: usize, nTerms: i32, e0: i32, e1: i32, out: usize): void {
  let s: f64 = 0;
  for (let e = e0; e < e1; e += 16) {
    mixed16(seed, stream, terms, nTerms, e);
    const n = min(16, e1 - e);
    for (let i = 0; i < n; i++) {
      const z = <f64>lane16(i, D0, D1, D2, D3);
      s += z * z;
    }
  }
  store<f64>(out, s);
}
