// Token-embedding gather: out[r, c] = table[ids[r], c] for r < rows, c < hidden.
// The table is [vocab, hidden] in one of the four weight formats (src/engine/gpu/tensor.ts):
//   f32: one f32 per u32;  f16: two halves per u32 (element e in word e >> 1, low half first);
//   q8/q4: codes packed 4 / 8 per u32, one f32 scale per 32 columns (src/engine/defs/quantFormat.ts).
// One thread per output element; the gather is tiny next to the matmuls, so it stays scalar.
// An id >= vocab writes a row of zeros rather than reading out of bounds.

struct Params {
  rows: u32,     // batch * seqLen rows to gather this call
  hidden: u32,   // columns per row
  vocab: u32,    // rows in the table
  _pad: u32,
}

@group(0) @binding(0) var<storage, read> table: array<u32>;      // format-dependent, see above
@group(0) @binding(1) var<storage, read> ids: array<u32>;        // [maxRows]
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // [maxRows, hidden]
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read> scales: array<f32>;     // q8/q4 only: [vocab, hidden / 32]

override WG: u32 = 256;

// (token id, column) of output element i, or id = vocab when i is past the end.
fn locate(gid: vec3<u32>, nwg: vec3<u32>) -> vec3<u32> {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.rows * params.hidden) {
    return vec3<u32>(0u, 0u, 0u);
  }
  let r = i / params.hidden;
  return vec3<u32>(ids[r], i % params.hidden, 1u);
}

@compute @workgroup_size(WG)
fn embed_f32(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let at = locate(gid, nwg);
  if (at.z == 0u) { return; }
  let i = gid.x + gid.y * nwg.x * WG;
  var v = 0.0;
  if (at.x < params.vocab) {
    v = bitcast<f32>(table[at.x * params.hidden + at.y]);
  }
  out[i] = v;
}

@compute @workgroup_size(WG)
fn embed_f16(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let at = locate(gid, nwg);
  if (at.z == 0u) { return; }
  let i = gid.x + gid.y * nwg.x * WG;
  var v = 0.0;
  if (at.x < params.vocab) {
    let e = at.x * params.hidden + at.y;
    let pair = unpack2x16float(table[e >> 1u]);
    v = select(pair.x, pair.y, (e & 1u) == 1u);
  }
  out[i] = v;
}

@compute @workgroup_size(WG)
fn embed_q8(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let at = locate(gid, nwg);
  if (at.z == 0u) { return; }
  let i = gid.x + gid.y * nwg.x * WG;
  var v = 0.0;
  if (at.x < params.vocab) {
    let word = table[at.x * (params.hidden / 4u) + (at.y >> 2u)];
    let q = extractBits(bitcast<i32>(word), 8u * (at.y & 3u), 8u);  // sign-extended int8
    v = f32(q) * scales[at.x * (params.hidden / 32u) + (at.y >> 5u)];
  }
  out[i] = v;
}

@compute @workgroup_size(WG)
fn embed_q4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let at = locate(gid, nwg);
  if (at.z == 0u) { return; }
  let i = gid.x + gid.y * nwg.x * WG;
  var v = 0.0;
  if (at.x < params.vocab) {
    let word = table[at.x * (params.hidden / 8u) + (at.y >> 3u)];
    let q = i32(extractBits(word, 4u * (at.y & 7u), 4u)) - 8;
    v = f32(q) * scales[at.x * (params.hidden / 32u) + (at.y >> 5u)];
  }
  out[i] = v;
}

