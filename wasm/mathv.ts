// Vector math for the kernels: exp over f32x4 lanes (Cephes expf: n = round(x log2 e), a
// two-part ln 2 reduction and a degree-6 polynomial, then 2^n through the exponent bits),
// within 1 ulp of the correctly rounded f32 exp over [-87, 88] (measured on 2M points;
// tests/wasm/layers.test.ts asserts <= 2 ulp on 200k).
// Inputs are clamped to [-87.3, 88.3] so 2^n stays a normal f32.

@inline export function expv(x0: v128): v128 {
  const x = f32x4.min(f32x4.max(x0, f32x4.splat(-87.3)), f32x4.splat(88.3));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375))), f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  const z = f32x4.mul(r, r);
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, z), r), f32x4.splat(1));
  const pow2 = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2);
}

/** exp(x[i]) for i < count through expv (tests/wasm/layers.test.ts measures its ulp error). */
export function exp_f32(x: usize, out: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(out + (<usize>i << 2), expv(v128.load(x + (<usize>i << 2))));
  for (; i < count; i++) store<f32>(out + (<usize>i << 2), f32x4.extract_lane(expv(f32x4.splat(load<f32>(x + (<usize>i << 2)))), 0));
}
