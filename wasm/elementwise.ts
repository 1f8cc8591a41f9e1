// Row-wise and element-wise kernels: rmsnorm (shaders/rmsnorm.wgsl), SwiGLU (swiglu.wgsl),
// add / bias (elementwise.wgsl, bias.wgsl), the embedding gather (embedding.wgsl) and the
// calibration column norms (column_norms.wgsl). CPU references in src/engine/cpu/. Threads split
// rows [r0, r1) or elements [e0, e1).
import { decode_rows, FMT_F32 } from './decode';
import { expv } from './mathv';

/** y[r, :] = x[r, :] / sqrt(mean(x[r, :]^2) + eps) * weight for rows [r0, r1). */
export function rmsnorm(x: usize, weight: usize, y: usize, dim: i32, eps: f32, r0: i32, r1: i32): void {
  const d4 = dim & ~3;
  for (let r = r0; r < r1; r++) {
    const xr = x + ((<usize>r * <usize>dim) << 2), yr = y + ((<usize>r * <usize>dim) << 2);
    let a = f32x4.splat(0);
    for (let c = 0; c < d4; c += 4) {
      const v = v128.load(xr + (<usize>c << 2));
      a = f32x4.add(a, f32x4.mul(v, v));
    }
    let ss = f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
    for (let c = d4; c < dim; c++) { const v = load<f32>(xr + (<usize>c << 2)); ss += v * v; }
    const inv: f32 = 1 / sqrt<f32>(ss / <f32>dim + eps);
    const iv = f32x4.splat(inv);
    for (let c = 0; c < d4; c += 4) {
      const o = <usize>c << 2;
      v128.store(yr + o, f32x4.mul(f32x4.mul(v128.load(xr + o), iv), v128.load(weight + o)));
    }
    for (let c = d4; c < dim; c++) {
      const o = <usize>c << 2;
      store<f32>(yr + o, load<f32>(xr + o) * inv * load<f32>(weight + o));
    }
  }
}

/** out = silu(gate) * up over elements [e0, e1), silu(g) = g / (1 + exp(-g)), exp from mathv.ts. */
export function swiglu(gate: usize, up: usize, out: usize, e0: i32, e1: i32): void {
  let e = e0;
  const one = f32x4.splat(1);
  for (; e + 4 <= e1; e += 4) {
    const o = <usize>e << 2;
    const g = v128.load(gate + o);
    const silu = f32x4.div(g, f32x4.add(one, expv(f32x4.neg(g))));
    v128.store(out + o, f32x4.mul(silu, v128.load(up + o)));
  }
  for (; e < e1; e++) {
    const o = <usize>e << 2;
    const g = load<f32>(gate + o);
    const silu = g / (<f32>1 + f32x4.extract_lane(expv(f32x4.splat(-g)), 0));
    store<f32>(out + o, silu * load<f32>(up + o));
  }
}

/** dst += src over elements [e0, e1). */
export function add_inplace(dst: usize, src: usize, e0: i32, e1: i32): void {
  let e = e0;
  for (; e + 4 <= e1; e += 4) {
    const o = <usize>e << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; e < e1; e++) { const o = <usize>e << 2; store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o)); }
}

/** y[r, :] += bias over rows [r0, r1) of width `width`. */
export function bias_rows(y: usize, bias: usize, width: i32, r0: i32, r1: i32): void {
  for (let r = r0; r < r1; r++) add_inplace(y + ((<usize>r * <usize>width) << 2), bias, 0, width);
}

/** out[r, :] = table[ids[r], :] decoded from `fmt` for rows [r0, r1); ids >= vocab give zeros. */
export function embedding(fmt: i32, table: usize, scales: usize, vocab: i32, hidden: i32, ids: usize, out: usize, r0: i32, r1: i32): void {
  for (let r = r0; r < r1; r++) {
    const id = load<u32>(ids + (<usize>r << 2));
    const dst = out + ((<usize>r * <usize>hidden) << 2);
    if (id >= <u32>vocab) memory.fill(dst, 0, <usize>hidden << 2);
    else if (fmt == FMT_F32) memory.copy(dst, table + ((<usize>id * <usize>hidden) << 2), <usize>hidden << 2);
    else decode_rows(fmt, table, scales, <i32>id, 1, hidden, dst);
  }
}

/** out[c] += sum_m x[m, c]^2 for columns [c0, c1): accumulates over calibration calls, as column_norms.wgsl. */
export function column_sumsq(x: usize, rows: i32, inDim: i32, out: usize, c0: i32, c1: i32): void {
  for (let c = c0; c < c1; c++) {
    let s: f32 = 0;
    for (let m = 0; m < rows; m++) { const v = load<f32>(x + ((<usize>m * <usize>inDim + <usize>c) << 2)); s += v * v; }
    const o = out + (<usize>c << 2);
    store<f32>(o, load<f32>(o) + s);
  }
}
