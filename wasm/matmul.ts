// Matrix multiply y[m, n] = alpha * sum_k x[m, k] w[n, k] (+ y[m, n] when accumulate), weights
// [out = n, in = k] as in PyTorch and the GPU kernels (shaders/matmul_*.wgsl; CPU reference
// src/engine/cpu/matmul.ts). Dot-product form: both operands are read along k, so f32 weights are
// multiplied where they lie, and any other format is decoded PANEL rows at a time into scratch
// (decode.ts) and multiplied from there while it is in cache. Micro-tile: 2 rows of x by 4 rows
// of w in 8 f32x4 accumulators (14 live vector registers: fits the 16 of x86-64 SSE without
// spills), reduced by shuffles into one vector of 4 outputs per row, so y is written with one
// v128 store per row (k % 4 == 0; other k take a 4x2 tile with a scalar tail). f32 weights are
// blocked COL_BLOCK weight rows x ROW_BLOCK rows of x so both stay in cache. Threads split the
// weight rows [n0, n1) (multiples of PANEL), so each thread writes its own columns of y.
import { decode_rows, FMT_F16, FMT_F32, FMT_Q4, FMT_Q8, halfToF32, halvesToF32 } from './decode';

/** Weight rows decoded (and multiplied by every row of x) per panel. */
export const PANEL: i32 = 16;
/** Rows of x per block for f32 weights (ROW_BLOCK * k * 4 bytes kept in L1/L2). */
const ROW_BLOCK: i32 = 32;
/** Weight rows per column block for f32 weights (the block of y written while they are reused). */
const COL_BLOCK: i32 = 128;

@inline function hsum(v: v128): f32 {
  const s = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1);
}

@inline function put(y: usize, v: f32, alpha: f32, acc: i32): void {
  store<f32>(y, acc ? load<f32>(y) + alpha * v : alpha * v);
}

// 4 rows of x (stride k) against 2 rows of w (stride k).
function tile4x2(x: usize, w: usize, y: usize, k: i32, ldy: usize, alpha: f32, acc: i32): void {
  const ks = <usize>k << 2;
  const x1 = x + ks, x2 = x1 + ks, x3 = x2 + ks;
  const w1 = w + ks;
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  const k4 = <usize>(k & ~3) << 2;
  for (let o: usize = 0; o < k4; o += 16) {
    const b0 = v128.load(w + o), b1 = v128.load(w1 + o);
    const v0 = v128.load(x + o);
    a00 = f32x4.add(a00, f32x4.mul(v0, b0));
    a01 = f32x4.add(a01, f32x4.mul(v0, b1));
    const v1 = v128.load(x1 + o);
    a10 = f32x4.add(a10, f32x4.mul(v1, b0));
    a11 = f32x4.add(a11, f32x4.mul(v1, b1));
    const v2 = v128.load(x2 + o);
    a20 = f32x4.add(a20, f32x4.mul(v2, b0));
    a21 = f32x4.add(a21, f32x4.mul(v2, b1));
    const v3 = v128.load(x3 + o);
    a30 = f32x4.add(a30, f32x4.mul(v3, b0));
    a31 = f32x4.add(a31, f32x4.mul(v3, b1));
  }
  let s00 = hsum(a00), s01 = hsum(a01), s10 = hsum(a10), s11 = hsum(a11);
  let s20 = hsum(a20), s21 = hsum(a21), s30 = hsum(a30), s31 = hsum(a31);
  for (let o = k4; o < ks; o += 4) {
    const b0 = load<f32>(w + o), b1 = load<f32>(w1 + o);
    const v0 = load<f32>(x + o), v1 = load<f32>(x1 + o), v2 = load<f32>(x2 + o), v3 = load<f32>(x3 + o);
    s00 += v0 * b0; s01 += v0 * b1; s10 += v1 * b0; s11 += v1 * b1;
    s20 += v2 * b0; s21 += v2 * b1; s30 += v3 * b0; s31 += v3 * b1;
  }
  put(y, s00, alpha, acc); put(y + 4, s01, alpha, acc);
  put(y + ldy, s10, alpha, acc); put(y + ldy + 4, s11, alpha, acc);
  put(y + 2 * ldy, s20, alpha, acc); put(y + 2 * ldy + 4, s21, alpha, acc);
  put(y + 3 * ldy, s30, alpha, acc); put(y + 3 * ldy + 4, s31, alpha, acc);
}

// [hsum(a), hsum(b), hsum(c), hsum(d)] in one vector.
@inline function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(i32x4.shuffle(a, b, 0, 4, 1, 5), i32x4.shuffle(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(i32x4.shuffle(c, d, 0, 4, 1, 5), i32x4.shuffle(c, d, 2, 6, 3, 7));
  return f32x4.add(i32x4.shuffle(ab, cd, 0, 1, 4, 5), i32x4.shuffle(ab, cd, 2, 3, 6, 7));
}

@inline function put4(y: usize, v: v128, alpha: f32, acc: i32): void {
  const s = f32x4.mul(v, f32x4.splat(alpha));
  v128.store(y, acc ? f32x4.add(v128.load(y), s) : s);
}

// 2 rows of x against 4 rows of w (k a multiple of 4): 8 accumulators, y written as 2 vectors.
function tile2x4(x: usize, w: usize, y: usize, k: i32, ldy: usize, alpha: f32, acc: i32): void {
  const ks = <usize>k << 2;
  const x1 = x + ks;
  const w1 = w + ks, w2 = w1 + ks, w3 = w2 + ks;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
  for (let o: usize = 0; o < ks; o += 16) {
    const u = v128.load(x + o), v = v128.load(x1 + o);
    const c0 = v128.load(w + o);
    a0 = f32x4.add(a0, f32x4.mul(u, c0)); b0 = f32x4.add(b0, f32x4.mul(v, c0));
    const c1 = v128.load(w1 + o);
    a1 = f32x4.add(a1, f32x4.mul(u, c1)); b1 = f32x4.add(b1, f32x4.mul(v, c1));
    const c2 = v128.load(w2 + o);
    a2 = f32x4.add(a2, f32x4.mul(u, c2)); b2 = f32x4.add(b2, f32x4.mul(v, c2));
    const c3 = v128.load(w3 + o);
    a3 = f32x4.add(a3, f32x4.mul(u, c3)); b3 = f32x4.add(b3, f32x4.mul(v, c3));
  }
  put4(y, hsum4(a0, a1, a2, a3), alpha, acc);
  put4(y + ldy, hsum4(b0, b1, b2, b3), alpha, acc);
}

// `rows` (<= 4) rows of x against one row of w: the odd last weight row of a panel.
function tileRx1(x: usize, w: usize, y: usize, rows: i32, k: i32, ldy: usize, alpha: f32, acc: i32): void {
  const ks = <usize>k << 2;
  const k4 = <usize>(k & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * ks;
    let a = f32x4.splat(0);
    for (let o: usize = 0; o < k4; o += 16) a = f32x4.add(a, f32x4.mul(v128.load(xr + o), v128.load(w + o)));
    let s = hsum(a);
    for (let o = k4; o < ks; o += 4) s += load<f32>(xr + o) * load<f32>(w + o);
    put(y + <usize>r * ldy, s, alpha, acc);
  }
}

// One row of x against 4 rows of w (the matrix-vector case and the last rows of x).
function tile1x4(x: usize, w: usize, y: usize, k: i32, alpha: f32, acc: i32): void {
  const ks = <usize>k << 2;
  const w1 = w + ks, w2 = w1 + ks, w3 = w2 + ks;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  const k4 = <usize>(k & ~3) << 2;
  for (let o: usize = 0; o < k4; o += 16) {
    const v = v128.load(x + o);
    a0 = f32x4.add(a0, f32x4.mul(v, v128.load(w + o)));
    a1 = f32x4.add(a1, f32x4.mul(v, v128.load(w1 + o)));
    a2 = f32x4.add(a2, f32x4.mul(v, v128.load(w2 + o)));
    a3 = f32x4.add(a3, f32x4.mul(v, v128.load(w3 + o)));
  }
  let s0 = hsum(a0), s1 = hsum(a1), s2 = hsum(a2), s3 = hsum(a3);
  for (let o = k4; o < ks; o += 4) {
    const v = load<f32>(x + o);
    s0 += v * load<f32>(w + o); s1 += v * load<f32>(w1 + o); s2 += v * load<f32>(w2 + o); s3 += v * load<f32>(w3 + o);
  }
  put(y, s0, alpha, acc); put(y + 4, s1, alpha, acc); put(y + 8, s2, alpha, acc); put(y + 12, s3, alpha, acc);
}

/** y[:, n0 .. n0 + count) from x [rows, k] and `count` contiguous weight rows at w (y row stride n). */
function multiplyPanel(x: usize, w: usize, y: usize, rows: i32, n: i32, k: i32, count: i32, alpha: f32, acc: i32): void {
  const ldy = <usize>n << 2;
  const ks = <usize>k << 2;
  let m = 0;
  if ((k & 3) == 0) {
    for (; m + 2 <= rows; m += 2) {
      const xm = x + <usize>m * ks, ym = y + <usize>m * ldy;
      let j = 0;
      for (; j + 4 <= count; j += 4) tile2x4(xm, w + <usize>j * ks, ym + (<usize>j << 2), k, ldy, alpha, acc);
      for (; j < count; j++) tileRx1(xm, w + <usize>j * ks, ym + (<usize>j << 2), 2, k, ldy, alpha, acc);
    }
  }
  for (; m + 4 <= rows; m += 4) {
    const xm = x + <usize>m * ks, ym = y + <usize>m * ldy;
    let j = 0;
    for (; j + 2 <= count; j += 2) tile4x2(xm, w + <usize>j * ks, ym + (<usize>j << 2), k, ldy, alpha, acc);
    if (j < count) tileRx1(xm, w + <usize>j * ks, ym + (<usize>j << 2), 4, k, ldy, alpha, acc);
  }
  for (; m < rows; m++) {
    const xm = x + <usize>m * ks, ym = y + <usize>m * ldy;
    let j = 0;
    for (; j + 4 <= count; j += 4) tile1x4(xm, w + <usize>j * ks, ym + (<usize>j << 2), k, alpha, acc);
    for (; j < count; j++) tileRx1(xm, w + <usize>j * ks, ym + (<usize>j << 2), 1, k, ldy, alpha, acc);
  }
}

// sum over 16 signed codes q of q * x (x: 16 f32 at xp), as one f32x4 of partial sums.
@inline function dotI8x16(q: v128, xp: usize): v128 {
  const lo = i16x8.extend_low_i8x16_s(q);
  const hi = i16x8.extend_high_i8x16_s(q);
  let a = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), v128.load(xp));
  a = f32x4.add(a, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), v128.load(xp, 16)));
  a = f32x4.add(a, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), v128.load(xp, 32)));
  return f32x4.add(a, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), v128.load(xp, 48)));
}

/**
 * One row of x against q8/q4 weight rows [n0, n1), decoding each 32-weight group in registers
 * (no panel round trip): y[n] = sum_g scale_g * sum_c q_c x_c. The matrix-vector case of decoding.
 */
function matvecQuant(fmt: i32, x: usize, w: usize, scales: usize, y: usize, k: i32, n0: i32, n1: i32, alpha: f32, acc: i32): void {
  const groups = k >> 5;
  const rowBytes: usize = fmt == FMT_Q8 ? <usize>k : <usize>(k >> 1);
  const low = i8x16.splat(0x0f), eight = i8x16.splat(8);
  for (let n = n0; n < n1; n++) {
    const codes = w + <usize>n * rowBytes;
    const sc = scales + ((<usize>n * <usize>groups) << 2);
    let a = f32x4.splat(0);
    for (let g = 0; g < groups; g++) {
      const xp = x + (<usize>g << 7);
      let part: v128;
      if (fmt == FMT_Q8) {
        const p = codes + (<usize>g << 5);
        part = f32x4.add(dotI8x16(v128.load(p), xp), dotI8x16(v128.load(p, 16), xp + 64));
      } else {
        const b = v128.load(codes + (<usize>g << 4));
        const lo = v128.and(b, low), hi = i8x16.shr_u(b, 4);
        const first = i8x16.sub(i8x16.shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), eight);
        const second = i8x16.sub(i8x16.shuffle(lo, hi, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), eight);
        part = f32x4.add(dotI8x16(first, xp), dotI8x16(second, xp + 64));
      }
      a = f32x4.add(a, f32x4.mul(part, v128.load32_splat(sc + (<usize>g << 2))));
    }
    put(y + (<usize>n << 2), hsum(a), alpha, acc);
  }
}

/** One row of x against f16 weight rows [n0, n1), converting 8 halves at a time in registers. */
function matvecHalf(x: usize, w: usize, y: usize, k: i32, n0: i32, n1: i32, alpha: f32, acc: i32): void {
  const k8 = k & ~7;
  for (let n = n0; n < n1; n++) {
    const row = w + ((<usize>n * <usize>k) << 1);
    let a = f32x4.splat(0), b = f32x4.splat(0);
    for (let c = 0; c < k8; c += 8) {
      const h = v128.load(row + (<usize>c << 1));
      const xp = x + (<usize>c << 2);
      a = f32x4.add(a, f32x4.mul(halvesToF32(i32x4.extend_low_i16x8_u(h)), v128.load(xp)));
      b = f32x4.add(b, f32x4.mul(halvesToF32(i32x4.extend_high_i16x8_u(h)), v128.load(xp, 16)));
    }
    let s = hsum(f32x4.add(a, b));
    for (let c = k8; c < k; c++) s += halfToF32(<u32>load<u16>(row + (<usize>c << 1))) * load<f32>(x + (<usize>c << 2));
    put(y + (<usize>n << 2), s, alpha, acc);
  }
}

/**
 * y[m, n] (=|+=) alpha * sum_k x[m, k] w[n, k] for weight rows n in [n0, n1).
 * fmt: decode.ts FMT_*; scales: q8/q4 only; panel: PANEL * k f32 of scratch (unused for f32).
 */
export function matmul(fmt: i32, x: usize, w: usize, scales: usize, y: usize, rows: i32, n: i32, k: i32,
                       alpha: f32, accumulate: i32, n0: i32, n1: i32, panel: usize): void {
  const ks = <usize>k << 2;
  if (fmt == FMT_F32) {
    // blocks of ROW_BLOCK rows of x stay in L1 while every weight panel passes by
    for (let cb = n0; cb < n1; cb += COL_BLOCK) {
      const ce = min(n1, cb + COL_BLOCK);
      for (let mb = 0; mb < rows; mb += ROW_BLOCK) {
        const mc = min(ROW_BLOCK, rows - mb);
        const xm = x + <usize>mb * ks, ym = y + ((<usize>mb * <usize>n) << 2);
        for (let nb = cb; nb < ce; nb += PANEL) {
          multiplyPanel(xm, w + <usize>nb * ks, ym + (<usize>nb << 2), mc, n, k, min(PANEL, ce - nb), alpha, accumulate);
        }
      }
    }
    return;
  }
  if (rows == 1 && (fmt == FMT_Q8 || fmt == FMT_Q4)) {
    matvecQuant(fmt, x, w, scales, y, k, n0, n1, alpha, accumulate);
    return;
  }
  if (rows == 1 && fmt == FMT_F16) {
    matvecHalf(x, w, y, k, n0, n1, alpha, accumulate);
    return;
  }
  for (let nb = n0; nb < n1; nb += PANEL) {
    const count = min(PANEL, n1 - nb);
    decode_rows(fmt, w, scales, nb, count, k, panel);
    multiplyPanel(x, panel, y + (<usize>nb << 2), rows, n, k, count, alpha, accumulate);
  }
}
