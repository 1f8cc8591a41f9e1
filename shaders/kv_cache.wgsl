// Appends this call's keys and values to the KV cache (decoding):
//   kc[b * kvRowStride + pos + i, :] = k[b * qLen + i, :],  the same for v,
// for b < batch, i < qLen; a row is kvHeads * headDim floats (rowVec4 vec4s). One thread per vec4.

struct Params {
  count: u32,        // batch * qLen * rowVec4
  qLen: u32,
  pos: u32,          // cache position of this call's first token
  kvRowStride: u32,  // cache positions per sequence
  rowVec4: u32,      // kvHeads * headDim / 4
}

@group(0) @binding(0) var<storage, read> k: array<vec4<f32>>;         // [batch * qLen, kvHeads * headDim]
@group(0) @binding(1) var<storage, read> v: array<vec4<f32>>;         // [batch * qLen, kvHeads * headDim]
@group(0) @binding(2) var<storage, read_write> kc: array<vec4<f32>>;  // [maxBatch * kvRowStride, kvHeads * headDim]
@group(0) @binding(3) var<storage, read_write> vc: array<vec4<f32>>;  // [maxBatch * kvRowStride, kvHeads * headDim]
@group(0) @binding(4) var<uniform> params: Params;

override WG: u32 = 256;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= params.count) { return; }
  let c = e % params.rowVec4;
  let r = e / params.rowVec4;          // b * qLen + i
  let i = r % params.qLen;
  let b = r / params.qLen;
  let at = (b * params.kvRowStride + params.pos + i) * params.rowVec4 + c;
  kc[at] = k[e];
  vc[at] = v[e];
}
