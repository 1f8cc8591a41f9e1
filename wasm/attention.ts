// Causal softmax attention with grouped-query heads (shaders/attention.wgsl, attention_decode.wgsl;
// CPU references src/engine/cpu/attention.ts, attentionDecode.ts): for query i of sequence b and
// head h, keys/values of kv head g = h / (heads / kvHeads) at positions [first, end),
//   out = sum_j softmax_j(q . k_j / sqrt(headDim)) v_j.
// Scores and the weighted sum run in f32 (the references use f64; see tests/wasm for the bound).
// exp is mathv.ts expv. Threads split the (sequence, head) pairs.
import { expv } from './mathv';

// (l0 + l1) + (l2 + l3): the order every score's lanes are summed in.
@inline function lanes(a: v128): f32 {
  return f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
}

// One query row: scores into p (end - first f32), then out = sum p_j v_j / sum p_j.
function attendRow(q: usize, kRow0: usize, vRow0: usize, kvStride: usize, first: i32, end: i32, hd: i32, scale: f32, out: usize, p: usize): void {
  const hd4 = hd & ~3;
  let m: f32 = -Infinity;
  let j0 = first;
  if (hd4 == hd) {
    // four keys at a time: four independent accumulation chains, each summed as the loop below
    for (; j0 + 4 <= end; j0 += 4) {
      const k0 = kRow0 + <usize>j0 * kvStride, k1 = k0 + kvStride, k2 = k1 + kvStride, k3 = k2 + kvStride;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      for (let o: usize = 0; o < (<usize>hd << 2); o += 16) {
        const qv = v128.load(q + o);
        a0 = f32x4.add(a0, f32x4.mul(qv, v128.load(k0 + o)));
        a1 = f32x4.add(a1, f32x4.mul(qv, v128.load(k1 + o)));
        a2 = f32x4.add(a2, f32x4.mul(qv, v128.load(k2 + o)));
        a3 = f32x4.add(a3, f32x4.mul(qv, v128.load(k3 + o)));
      }
      const s0 = lanes(a0) * scale, s1 = lanes(a1) * scale, s2 = lanes(a2) * scale, s3 = lanes(a3) * scale;
      const at = p + (<usize>(j0 - first) << 2);
      store<f32>(at, s0); store<f32>(at, s1, 4); store<f32>(at, s2, 8); store<f32>(at, s3, 12);
      if (s0 > m) m = s0;
      if (s1 > m) m = s1;
      if (s2 > m) m = s2;
      if (s3 > m) m = s3;
    }
  }
  for (let j = j0; j < end; j++) {
    const kr = kRow0 + <usize>j * kvStride;
    let a = f32x4.splat(0);
    for (let d = 0; d < hd4; d += 4) a = f32x4.add(a, f32x4.mul(v128.load(q + (<usize>d << 2)), v128.load(kr + (<usize>d << 2))));
    let s = f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
    for (let d = hd4; d < hd; d++) s += load<f32>(q + (<usize>d << 2)) * load<f32>(kr + (<usize>d << 2));
    s *= scale;
    store<f32>(p + (<usize>(j - first) << 2), s);
    if (s > m) m = s;
  }
  const count = end - first;
  const mv = f32x4.splat(m);
  let sv = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= count; j += 4) {
    const at = p + (<usize>j << 2);
    const e = expv(f32x4.sub(v128.load(at), mv));
    v128.store(at, e);
    sv = f32x4.add(sv, e);
  }
  let sum = f32x4.extract_lane(sv, 0) + f32x4.extract_lane(sv, 1) + (f32x4.extract_lane(sv, 2) + f32x4.extract_lane(sv, 3));
  for (; j < count; j++) {
    const at = p + (<usize>j << 2);
    const e = f32x4.extract_lane(expv(f32x4.splat(load<f32>(at) - m)), 0);
    store<f32>(at, e);
    sum += e;
  }
  let d0 = 0;
  // 16 output lanes at a time in registers, summed over j in the same order as the loop below
  for (; d0 + 16 <= hd; d0 += 16) {
    const od = <usize>d0 << 2;
    let o0 = f32x4.splat(0), o1 = f32x4.splat(0), o2 = f32x4.splat(0), o3 = f32x4.splat(0);
    for (let j = first; j < end; j++) {
      const wv = v128.load32_splat(p + (<usize>(j - first) << 2));
      const vr = vRow0 + <usize>j * kvStride + od;
      o0 = f32x4.add(o0, f32x4.mul(wv, v128.load(vr)));
      o1 = f32x4.add(o1, f32x4.mul(wv, v128.load(vr, 16)));
      o2 = f32x4.add(o2, f32x4.mul(wv, v128.load(vr, 32)));
      o3 = f32x4.add(o3, f32x4.mul(wv, v128.load(vr, 48)));
    }
    v128.store(out + od, o0); v128.store(out + od, o1, 16); v128.store(out + od, o2, 32); v128.store(out + od, o3, 48);
  }
  if (d0 < hd) memory.fill(out + (<usize>d0 << 2), 0, <usize>(hd - d0) << 2);
  for (let j = first; j < end && d0 < hd; j++) {
    const w = load<f32>(p + (<usize>(j - first) << 2));
    const wv = f32x4.splat(w);
    const vr = vRow0 + <usize>j * kvStride;
    let d = d0;
    for (; d < hd4; d += 4) {
      const o = <usize>d << 2;
      v128.store(out + o, f32x4.add(v128.load(out + o), f32x4.mul(wv, v128.load(vr + o))));
    }
    for (; d < hd; d++) { const o = <usize>d << 2; store<f32>(out + o, load<f32>(out + o) + w * load<f32>(vr + o)); }
  }
  const inv = f32x4.splat(sum);
  let d = 0;
  for (; d < hd4; d += 4) { const o = <usize>d << 2; v128.store(out + o, f32x4.div(v128.load(out + o), inv)); }
  for (; d < hd; d++) { const o = <usize>d << 2; store<f32>(out + o, load<f32>(out + o) / sum); }
}

/**
 * Prefill: q [batch * seqLen, heads, hd], k and v [batch * seqLen, kvHeads, hd], out like q;
 * window 0 = every earlier key. Pairs [p0, p1) of (b, h) = b * heads + h; p: seqLen f32 scratch.
 * The same as decoding seqLen queries at position 0 against a cache of length seqLen.
 */
export function attention(q: usize, k: usize, v: usize, out: usize, seqLen: i32, heads: i32, kvHeads: i32, hd: i32, window: i32, p0: i32, p1: i32, p: usize): void {
  attention_decode(q, k, v, out, seqLen, 0, seqLen, heads, kvHeads, hd, window, p0, p1, p);
}

/**
 * Decode: qLen new queries per sequence (q [batch * qLen, heads, hd]) at positions pos .. pos +
 * qLen - 1, against caches [batch * maxLen, kvHeads, hd] holding positions [0, pos + qLen).
 * p: pos + qLen f32 scratch.
 */
export function attention_decode(q: usize, kCache: usize, vCache: usize, out: usize, qLen: i32, pos: i32, maxLen: i32, heads: i32, kvHeads: i32, hd: i32, window: i32, p0: i32, p1: i32, p: usize): void {
  const group = heads / kvHeads;
  const scale: f32 = <f32>(1 / Math.sqrt(<f64>hd));
  const kvStride = (<usize>kvHeads * <usize>hd) << 2;
  for (let pair = p0; pair < p1; pair++) {
    const b = pair / heads, h = pair % heads, g = h / group;
    const kRow0 = kCache + ((<usize>(b * maxLen * kvHeads + g) * <usize>hd) << 2);
    const vRow0 = vCache + (kRow0 - kCache);
    for (let i = 0; i < qLen; i++) {
      const at = (<usize>((b * qLen + i) * heads + h) * <usize>hd) << 2;
      const end = pos + i + 1;
      const first = window > 0 ? max(0, end - window) : 0;
      attendRow(q + at, kRow0, vRow0, kvStride, first, end, hd, scale, out + at, p);
    }
  }
}
