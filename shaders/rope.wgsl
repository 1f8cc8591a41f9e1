// Rotary position embedding (Su et al. 2021, RoFormer) in the HF `rotate_half` layout, in place
// on q or k [rows, heads, headDim], row r = b * seqLen + t, position = posOffset + t:
//   angle = position * invFreq[i]                        (f32 product, as HF's f32 matmul)
//   x[i]        = x[i] * cos(angle) - x[i + half] * sin(angle)
//   x[i + half] = x[i + half] * cos(angle) + x[i] * sin(angle),   i < half = headDim / 2
// One thread per (row, head, i) pair. Angles reach the thousands of radians, and WGSL's
// built-in sin/cos promise only 2^-11 absolute error on [-pi, pi] (SwiftShader's are ~2e-4 off),
// so sincos() below does it by hand: Cody-Waite reduction by pi/2 in three parts (exact
// products for quadrants q < 2^16, i.e. angles below ~1e5 rad) and the Cephes sinf/cosf
// minimax polynomials on [-pi/4, pi/4], good to about one ulp.

struct Params {
  count: u32,       // rows * heads * half pairs this call
  seqLen: u32,      // t = row % seqLen
  heads: u32,
  half: u32,        // headDim / 2
  posOffset: u32,   // position of t = 0 (0 for a whole sequence; the cache length when decoding)
}

@group(0) @binding(0) var<storage, read_write> qk: array<f32>;   // [maxRows, heads, headDim]
@group(0) @binding(1) var<storage, read> invFreq: array<f32>;    // [headDim / 2]
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 256;

const TWO_OVER_PI: f32 = 0.63661977236758134;
const PIO2_1: f32 = 1.5703125;                     // pi/2 = PIO2_1 + PIO2_2 + PIO2_3
const PIO2_2: f32 = 4.837512969970703125e-4;
const PIO2_3: f32 = 7.54978995489188216e-8;

// (sin a, cos a) in f32.
fn sincos(a: f32) -> vec2<f32> {
  let q = round(a * TWO_OVER_PI);
  let r = ((a - q * PIO2_1) - q * PIO2_2) - q * PIO2_3;   // r in [-pi/4, pi/4]
  let z = r * r;
  let s = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
  let c = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
  switch (i32(q) & 3) {
    case 0: { return vec2<f32>(s, c); }
    case 1: { return vec2<f32>(c, -s); }
    case 2: { return vec2<f32>(-s, -c); }
    default: { return vec2<f32>(-c, s); }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.count) { return; }
  let pair = i % params.half;
  let rowHead = i / params.half;              // row * heads + head
  let t = (rowHead / params.heads) % params.seqLen;
  let sc = sincos(f32(params.posOffset + t) * invFreq[pair]);
  let s = sc.x;
  let c = sc.y;
  let at = rowHead * 2u * params.half + pair;
  let x1 = qk[at];
  let x2 = qk[at + params.half];
  qk[at] = x1 * c - x2 * s;
  qk[at + params.half] = x2 * c + x1 * s;
}
