// Causal grouped-query attention of a few new queries against a KV cache (decoding; Vaswani et
// al. 2017, GQA Ainslie et al. 2023), one pass over the keys with an online softmax (Milakov &
// Gimelshein 2018):
//   out[b, i, h, :] = sum_{j <= qOffset + i} softmax_j(q[b, i, h, :] . K[b, j, g, :] * scale) V[b, j, g, :]
// with g = h / (heads / kvHeads), and with a sliding window W only keys j > qOffset + i - W.
// q / out rows are b * qLen + i (the qLen tokens of this call);
// cache rows are b * kvRowStride + j (the cache holds kvRowStride positions per sequence, and
// positions [0, kvLen) are filled, this call's own keys included: kv_cache.wgsl appends them).
//
// One invocation owns one (query row, head): it walks its visible keys once, reading K and V
// straight from storage, and keeps the head's output in an array of vec4 registers. No
// workgroup memory and no barriers, so it runs well on CPU adapters too. Decoding has only
// batch x heads invocations per call; splitting the keys over a workgroup would use a real
// GPU better for long caches (not done: the demo model's caches are a few hundred positions).

struct Params {
  qLen: u32,          // new tokens per sequence this call
  kvLen: u32,         // filled cache positions (past + qLen)
  qOffset: u32,       // cache position of query 0 (causal bound: key j <= qOffset + i)
  kvRowStride: u32,   // cache positions per sequence
  heads: u32,
  kvHeads: u32,
  scale: f32,         // 1 / sqrt(headDim)
  batch: u32,         // sequences this call
  window: u32,        // sliding window (keys per query), 0 = none
}

@group(0) @binding(0) var<storage, read> q: array<vec4<f32>>;        // [batch * qLen, heads, headDim]
@group(0) @binding(1) var<storage, read> kc: array<vec4<f32>>;       // [maxBatch * kvRowStride, kvHeads, headDim]
@group(0) @binding(2) var<storage, read> vc: array<vec4<f32>>;       // [maxBatch * kvRowStride, kvHeads, headDim]
@group(0) @binding(3) var<storage, read_write> out: array<vec4<f32>>; // [batch * qLen, heads * headDim]
@group(0) @binding(4) var<uniform> params: Params;

override D4: u32 = 8;    // headDim / 4, at most MAXD4
override WG: u32 = 32;   // invocations per workgroup
const MAXD4: u32 = 32;

const NEG_BIG: f32 = -3.4028234663852886e38;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = gid.x + gid.y * nwg.x * WG;
  if (n >= params.batch * params.qLen * params.heads) { return; }
  let h = n % params.heads;
  let bi = n / params.heads;           // b * qLen + i
  let i = bi % params.qLen;
  let b = bi / params.qLen;
  let g = h / (params.heads / params.kvHeads);
  let qAt = n * D4;
  let keyEnd = min(params.qOffset + i + 1u, params.kvLen);
  let keyStart = select(0u, keyEnd - params.window, params.window > 0u && keyEnd > params.window);
  let kvBase = (b * params.kvRowStride * params.kvHeads + g) * D4;
  let kvStep = params.kvHeads * D4;

  var acc: array<vec4<f32>, MAXD4>;
  for (var d = 0u; d < D4; d++) { acc[d] = vec4<f32>(0.0); }
  var m = NEG_BIG;
  var l = 0.0;
  for (var j = keyStart; j < keyEnd; j++) {
    let kAt = kvBase + j * kvStep;
    var s4 = vec4<f32>(0.0);
    for (var d = 0u; d < D4; d++) {
      s4 += q[qAt + d] * kc[kAt + d];
    }
    let s = (s4.x + s4.y + s4.z + s4.w) * params.scale;
    let mNew = max(m, s);
    let corr = exp(m - mNew);
    let p = exp(s - mNew);
    l = l * corr + p;
    for (var d = 0u; d < D4; d++) {
      acc[d] = acc[d] * corr + p * vc[kAt + d];
    }
    m = mNew;
  }
  let inv = 1.0 / l;
  for (var d = 0u; d < D4; d++) {
    out[qAt + d] = acc[d] * inv;
  }
}
