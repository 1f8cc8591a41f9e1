// Prelude of shaders/matmul_f16.wgsl for devices without shader-f16 (SwiftShader, some
// mobile GPUs): halves stay packed 2 per u32 and unpack2x16float converts them to f32.

@group(0) @binding(1) var<storage, read> w: array<vec4<u32>>; // [N, K/8]: 8 halves per vec4<u32>

fn load8(i: u32) -> mat2x4<f32> {
  let q = w[i];
  return mat2x4<f32>(vec4<f32>(unpack2x16float(q.x), unpack2x16float(q.y)),
                     vec4<f32>(unpack2x16float(q.z), unpack2x16float(q.w)));
}
