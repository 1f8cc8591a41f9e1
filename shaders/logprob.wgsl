// The loss kernels. Logits exist only at the positions a loss scores, so the LM head runs on
// gathered hidden rows:
//   gather_rows: dst[i, :] = src[indices[i], :]                       one thread per element
//   logprob:     out[p, c] = logits[p, targets[p, c]] - logsumexp(logits[p, :])
// logprob runs one workgroup per position. Each thread keeps an online (max, sum of exp)
// pair over a strided slice of the vocabulary, one pass and one exp per logit; a tree
// reduction merges the pairs, (m1, s1) + (m2, s2) = (m, s1 e^(m1 - m) + s2 e^(m2 - m)).
// A target id >= vocab gives NaN, so a bad id cannot pass for a probability.
// logprob_rows (software adapters such as SwiftShader, where barriers cost far more than loops):
// one invocation per position walks the whole row with the same online pair, no workgroup
// memory and no barriers. logprob_rows4 does so with one pair per vec4 lane when vocab % 4 == 0
// (logits bound as vec4), then merges the four lanes.

struct Params {
  count: u32,        // gather: elements n * dim; logprob: positions
  dim: u32,          // gather: row width; logprob: vocab
  candidates: u32,   // logprob: targets per position
  _pad: u32,
}

@group(0) @binding(0) var<storage, read> src: array<f32>;           // gather: [rows, dim]
@group(0) @binding(1) var<storage, read> indices: array<u32>;       // gather: [maxOut]
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;     // gather: [maxOut, dim]
@group(0) @binding(3) var<uniform> params: Params;

@group(0) @binding(0) var<storage, read> logits: array<f32>;        // [maxPositions, vocab]
@group(0) @binding(1) var<storage, read> targets: array<u32>;       // [maxPositions, candidates]
@group(0) @binding(2) var<storage, read_write> out: array<f32>;     // [maxPositions, candidates]

override WG: u32 = 256;  // a power of two

@compute @workgroup_size(WG)
fn gather_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.count) { return; }
  let row = i / params.dim;
  dst[i] = src[indices[row] * params.dim + i % params.dim];
}

var<workgroup> maxes: array<f32, WG>;
var<workgroup> sums: array<f32, WG>;

const NEG_INF: f32 = -3.4028234663852886e38;  // f32 lowest; exp(x - m) with m = NEG_INF never runs

@compute @workgroup_size(WG)
fn logprob(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
  let p = wid.x + wid.y * nwg.x;
  if (p >= params.count) { return; }  // uniform across the workgroup
  let vocab = params.dim;
  let base = p * vocab;

  var m = NEG_INF;
  var s = 0.0;
  for (var v = lid; v < vocab; v += WG) {
    let x = logits[base + v];
    if (x > m) {
      s = s * exp(m - x) + 1.0;
      m = x;
    } else {
      s += exp(x - m);
    }
  }
  maxes[lid] = m;
  sums[lid] = s;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      let m1 = maxes[lid];
      let m2 = maxes[lid + stride];
      let mm = max(m1, m2);
      // a thread that saw no logits has s = 0, m = NEG_INF: its term is 0 * exp(-huge) = 0
      sums[lid] = sums[lid] * exp(m1 - mm) + sums[lid + stride] * exp(m2 - mm);
      maxes[lid] = mm;
    }
    workgroupBarrier();
  }

  let lse = maxes[0] + log(sums[0]);
  for (var c = lid; c < params.candidates; c += WG) {
    let t = targets[p * params.candidates + c];
    var nanBits = 0x7fc00000u;  // a var, not a const: WGSL rejects a constant-folded NaN
    var lp = bitcast<f32>(nanBits);
    if (t < vocab) {
      lp = logits[base + t] - lse;
    }
    out[p * params.candidates + c] = lp;
  }
}

@compute @workgroup_size(WG)
fn logprob_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = gid.x + gid.y * nwg.x * WG;
  if (p >= params.count) { return; }
  let base = p * params.dim;
  var m = NEG_INF;
  var s = 0.0;
  for (var v = 0u; v < params.dim; v++) {
    let x = logits[base + v];
    let mm = max(m, x);
    s = s * exp(m - mm) + exp(x - mm);
    m = mm;
  }
  let lse = m + log(s);
  for (var c = 0u; c < params.candidates; c++) {
    let t = targets[p * params.candidates + c];
    var nanBits = 0x7fc00000u;
    var lp = bitcast<f32>(nanBits);
    if (t < params.dim) {
      lp = logits[base + t] - lse;
    }
    out[p * params.candidates + c] = lp;
  }
}

@group(0) @binding(0) var<storage, read> logits4: array<vec4<f32>>;  // [maxPositions, vocab / 4]

@compute @workgroup_size(WG)
fn logprob_rows4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = gid.x + gid.y * nwg.x * WG;
  if (p >= params.count) { return; }
  let n4 = params.dim / 4u;
  let base = p * n4;
  var m = vec4<f32>(NEG_INF);
  var s = vec4<f32>(0.0);
  for (var v = 0u; v < n4; v++) {
    let x = logits4[base + v];
    let mm = max(m, x);
    s = s * exp(m - mm) + exp(x - mm);
    m = mm;
  }
  let mx = max(max(m.x, m.y), max(m.z, m.w));
  let lse = mx + log(dot(s, exp(m - mx)));
  for (var c = 0u; c < params.candidates; c++) {
    let t = targets[p * params.candidates + c];
    var nanBits = 0x7fc00000u;
    var lp = bitcast<f32>(nanBits);
    if (t < params.dim) {
      lp = logits4[base + t / 4u][t % 4u] - lse;
    }
    out[p * params.candidates + c] = lp;
  }
}
