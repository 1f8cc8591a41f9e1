// Causal grouped-query attention for software adapters (SwiftShader): the result of
// attention.wgsl,
//   out[b, i, h, :] = sum_{j <= qOffset + i} softmax_j(q[b, i, h, :] . k[b, j, g, :] * scale) v[b, j, g, :]
// with g = h / (heads / kvHeads) (and, with a sliding window W, only keys j > qOffset + i - W),
// but with no workgroup memory and no barriers, which a CPU
// emulation pays for dearly (every barrier switches fibers) while plain loops over storage are
// cheap. One invocation owns one (query row, head, chunk of C4 vec4 output columns): it walks
// its causal keys once with an online softmax (Milakov & Gimelshein 2018), reading q, K and V
// straight from storage, and keeps its output columns in registers.
//   main:      headDim <= 32, one chunk (C4 = D4), eight named vec4 accumulators; the unused
//              ones sit behind `C4 > n` tests on an override, folded away at pipeline creation.
//   main_wide: headDim > 32, an array of up to MAXC4 vec4 accumulators; heads wider than
//              4 * MAXC4 split into D4 / C4 column chunks, each recomputing the full q . k.
// Invocation n = ((b * qLen + i) * heads + h) * chunks + c: neighbouring lanes share a query
// row, so they loop over the same keys, and heads of one kv group read the same K/V rows.

struct Params {
  qLen: u32,          // queries per sequence
  kvLen: u32,         // keys per sequence
  qOffset: u32,       // key position of query 0 (causal bound: key j <= qOffset + i)
  qRowStride: u32,    // rows of q / out per sequence
  kvRowStride: u32,   // rows of k / v per sequence
  heads: u32,
  kvHeads: u32,
  scale: f32,         // 1 / sqrt(headDim)
  batch: u32,         // sequences this call
  window: u32,        // sliding window (keys per query), 0 = none
}

@group(0) @binding(0) var<storage, read> q: array<vec4<f32>>;        // [rows, heads, headDim]
@group(0) @binding(1) var<storage, read> k: array<vec4<f32>>;        // [kvRows, kvHeads, headDim]
@group(0) @binding(2) var<storage, read> v: array<vec4<f32>>;        // [kvRows, kvHeads, headDim]
@group(0) @binding(3) var<storage, read_write> out: array<vec4<f32>>; // [rows, heads * headDim]
@group(0) @binding(4) var<uniform> params: Params;

override D4: u32 = 8;    // headDim / 4
override C4: u32 = 8;    // vec4 columns per invocation: main D4 (<= 8), main_wide <= MAXC4
override WG: u32 = 32;   // invocations per workgroup
const MAXC4: u32 = 32;

const NEG_BIG: f32 = -3.4028234663852886e38;

struct Task {
  qAt: u32,     // q / out index of this (row, head), vec4 units
  kvBase: u32,  // k / v index of key 0 of kv head g; key j at kvBase + j * kvStep
  kvStep: u32,
  keyStart: u32,  // keys [keyStart, keyEnd) are visible
  keyEnd: u32,
  col: u32,     // first vec4 column of this invocation's chunk
}

fn task(n: u32) -> Task {
  let chunks = D4 / C4;
  let h = (n / chunks) % params.heads;
  let bi = n / (chunks * params.heads);
  let i = bi % params.qLen;
  let b = bi / params.qLen;
  let g = h / (params.heads / params.kvHeads);
  let keyEnd = min(params.qOffset + i + 1u, params.kvLen);
  let keyStart = select(0u, keyEnd - params.window, params.window > 0u && keyEnd > params.window);
  return Task(((b * params.qRowStride + i) * params.heads + h) * D4,
              (b * params.kvRowStride * params.kvHeads + g) * D4, params.kvHeads * D4,
              keyStart, keyEnd, (n % chunks) * C4);
}

fn invocation(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  let n = gid.x + gid.y * nwg.x * WG;
  return select(n, 0xffffffffu, n >= params.batch * params.qLen * params.heads * (D4 / C4));
}

// The scaled score q . k of the task's query against the key at kAt.
fn score(qAt: u32, kAt: u32) -> f32 {
  var s4 = vec4<f32>(0.0);
  for (var d = 0u; d < D4; d++) {
    s4 += q[qAt + d] * k[kAt + d];
  }
  return (s4.x + s4.y + s4.z + s4.w) * params.scale;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = invocation(gid, nwg);
  if (n == 0xffffffffu) { return; }
  let t = task(n);
  var a0 = vec4<f32>(0.0); var a1 = a0; var a2 = a0; var a3 = a0;
  var a4 = a0; var a5 = a0; var a6 = a0; var a7 = a0;
  var m = NEG_BIG;
  var l = 0.0;
  for (var j = t.keyStart; j < t.keyEnd; j++) {
    let kAt = t.kvBase + j * t.kvStep;
    let s = score(t.qAt, kAt);
    let mNew = max(m, s);
    let corr = exp(m - mNew);  // 0 on the first key (m = NEG_BIG), 1 while the max holds
    let p = exp(s - mNew);
    l = l * corr + p;
    m = mNew;
    a0 = a0 * corr + p * v[kAt];
    if (C4 > 1u) { a1 = a1 * corr + p * v[kAt + 1u]; }
    if (C4 > 2u) { a2 = a2 * corr + p * v[kAt + 2u]; }
    if (C4 > 3u) { a3 = a3 * corr + p * v[kAt + 3u]; }
    if (C4 > 4u) { a4 = a4 * corr + p * v[kAt + 4u]; }
    if (C4 > 5u) { a5 = a5 * corr + p * v[kAt + 5u]; }
    if (C4 > 6u) { a6 = a6 * corr + p * v[kAt + 6u]; }
    if (C4 > 7u) { a7 = a7 * corr + p * v[kAt + 7u]; }
  }
  let inv = 1.0 / l;
  let o = t.qAt;
  out[o] = a0 * inv;
  if (C4 > 1u) { out[o + 1u] = a1 * inv; }
  if (C4 > 2u) { out[o + 2u] = a2 * inv; }
  if (C4 > 3u) { out[o + 3u] = a3 * inv; }
  if (C4 > 4u) { out[o + 4u] = a4 * inv; }
  if (C4 > 5u) { out[o + 5u] = a5 * inv; }
  if (C4 > 6u) { out[o + 6u] = a6 * inv; }
  if (C4 > 7u) { out[o + 7u] = a7 * inv; }
}

@compute @workgroup_size(WG)
fn main_wide(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = invocation(gid, nwg);
  if (n == 0xffffffffu) { return; }
  let t = task(n);
  var acc: array<vec4<f32>, MAXC4>;
  var m = NEG_BIG;
  var l = 0.0;
  for (var j = t.keyStart; j < t.keyEnd; j++) {
    let kAt = t.kvBase + j * t.kvStep;
    let s = score(t.qAt, kAt);
    let mNew = max(m, s);
    let corr = exp(m - mNew);
    let p = exp(s - mNew);
    l = l * corr + p;
    m = mNew;
    let vAt = kAt + t.col;
    for (var d = 0u; d < C4; d++) {
      acc[d] = acc[d] * corr + p * v[vAt + d];
    }
  }
  let inv = 1.0 / l;
  for (var d = 0u; d < C4; d++) {
    out[t.qAt + t.col + d] = acc[d] * inv;
  }
}
