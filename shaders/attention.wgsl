// Causal grouped-query attention (Vaswani et al. 2017; GQA, Ainslie et al. 2023), one pass over
// the keys with an online softmax (Milakov & Gimelshein 2018; FlashAttention, Dao et al. 2022):
//   out[b, i, h, :] = sum_{j <= qOffset + i} softmax_j(q[b, i, h, :] . k[b, j, g, :] * scale) v[b, j, g, :]
// with g = h / (heads / kvHeads), the kv head that HF's repeat_kv gives query head h. With a
// sliding window W (Mistral v0.1) only keys j > qOffset + i - W are visible (HF's
// sliding-window mask); window = 0 means every earlier key.
//
// Tiling: a workgroup owns BQ consecutive queries of one (batch, head); thread (qi, t) owns query
// qi's output columns 4t..4t+3 (D4 = headDim / 4 threads per query), so acc is one vec4 per
// thread. The block's queries sit in workgroup memory. For each tile of BK keys the workgroup
//   1. loads K and V tiles [BK, headDim] cooperatively (coalesced vec4 reads),
//   2. computes the BQ x BK scores, spread over all threads, into workgroup memory,
//   3. per thread: m' = max(m, tile max), rescale l and acc by exp(m - m'), add exp(s - m') v.
// Tiles past the block's last causal key are never loaded. Rows of q/out are
// b * qRowStride + i, rows of k/v are b * kvRowStride + j; for a whole padded batch both strides
// are seqLen and qOffset = 0. The same kernel serves decoding against a KV cache with qLen = 1,
// kvLen = cache length, qOffset = kvLen - 1 (a split-key variant would use the idle threads).

struct Params {
  qLen: u32,          // queries per sequence
  kvLen: u32,         // keys per sequence
  qOffset: u32,       // key position of query 0 (causal bound: key j <= qOffset + i)
  qRowStride: u32,    // rows of q / out per sequence
  kvRowStride: u32,   // rows of k / v per sequence
  heads: u32,
  kvHeads: u32,
  scale: f32,         // 1 / sqrt(headDim)
  batch: u32,         // sequences this call (the grid's z; the software variant's bound)
  window: u32,        // sliding window (keys per query), 0 = none
}

@group(0) @binding(0) var<storage, read> q: array<vec4<f32>>;        // [rows, heads, headDim]
@group(0) @binding(1) var<storage, read> k: array<vec4<f32>>;        // [kvRows, kvHeads, headDim]
@group(0) @binding(2) var<storage, read> v: array<vec4<f32>>;        // [kvRows, kvHeads, headDim]
@group(0) @binding(3) var<storage, read_write> out: array<vec4<f32>>; // [rows, heads * headDim]
@group(0) @binding(4) var<uniform> params: Params;

override D4: u32 = 8;    // headDim / 4
override BQ: u32 = 32;   // queries per workgroup; BQ * D4 threads
override BK: u32 = 32;   // keys per tile

var<workgroup> qs: array<vec4<f32>, BQ * D4>;   // [BQ, headDim]
var<workgroup> ks: array<vec4<f32>, BK * D4>;   // [BK, headDim]
var<workgroup> vs: array<vec4<f32>, BK * D4>;   // [BK, headDim]
var<workgroup> sc: array<f32, BQ * BK>;         // [BQ, BK] scaled scores

const NEG_BIG: f32 = -3.4028234663852886e38;

// First visible key of a query whose keys end at keyEnd (exclusive).
fn windowStart(keyEnd: u32) -> u32 {
  return select(0u, keyEnd - params.window, params.window > 0u && keyEnd > params.window);
}

@compute @workgroup_size(BQ * D4)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wid.z;
  let h = wid.y;
  let q0 = wid.x * BQ;
  let g = h / (params.heads / params.kvHeads);
  let qi = lid / D4;
  let t = lid % D4;
  let qpos = q0 + qi;
  let qAt = ((b * params.qRowStride + qpos) * params.heads + h) * D4 + t;

  var qv = vec4<f32>(0.0);
  if (qpos < params.qLen) {
    qv = q[qAt];
  }
  qs[lid] = qv;

  // Keys this block needs: from the window start of its first query to the causal bound of its last.
  let lastQ = min(q0 + BQ, params.qLen) - 1u;
  let keyEnd = min(params.qOffset + lastQ + 1u, params.kvLen);
  let tiles = (keyEnd + BK - 1u) / BK;
  let firstTile = windowStart(min(params.qOffset + q0 + 1u, params.kvLen)) / BK;
  let myEnd = min(params.qOffset + qpos + 1u, params.kvLen);  // keys [myStart, myEnd) are visible to me
  let myStart = windowStart(myEnd);
  let WG = BQ * D4;

  var m = NEG_BIG;
  var l = 0.0;
  var acc = vec4<f32>(0.0);
  for (var tile = firstTile; tile < tiles; tile++) {
    let k0 = tile * BK;
    workgroupBarrier();  // previous tile fully consumed (and qs written, on the first pass)
    for (var e = lid; e < BK * D4; e += WG) {
      let key = k0 + e / D4;
      var kk = vec4<f32>(0.0);
      var vv = vec4<f32>(0.0);
      if (key < params.kvLen) {
        let at = ((b * params.kvRowStride + key) * params.kvHeads + g) * D4 + e % D4;
        kk = k[at];
        vv = v[at];
      }
      ks[e] = kk;
      vs[e] = vv;
    }
    workgroupBarrier();
    for (var e = lid; e < BQ * BK; e += WG) {
      let qrow = (e / BK) * D4;
      let krow = (e % BK) * D4;
      var s = 0.0;
      for (var d = 0u; d < D4; d++) {
        s += dot(qs[qrow + d], ks[krow + d]);
      }
      sc[e] = s * params.scale;
    }
    workgroupBarrier();

    let n = min(BK, select(0u, myEnd - k0, myEnd > k0));  // visible keys in this tile: [j0, n)
    let j0 = select(0u, myStart - k0, myStart > k0);
    if (n > j0) {
      var mt = m;
      for (var j = j0; j < n; j++) {
        mt = max(mt, sc[qi * BK + j]);
      }
      let corr = exp(m - mt);
      l *= corr;
      acc *= corr;
      for (var j = j0; j < n; j++) {
        let p = exp(sc[qi * BK + j] - mt);
        l += p;
        acc += p * vs[j * D4 + t];
      }
      m = mt;
    }
  }
  if (qpos < params.qLen) {
    out[qAt] = acc / l;
  }
}
