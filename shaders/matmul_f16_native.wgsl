// Prelude of shaders/matmul_f16.wgsl for devices with shader-f16: the same bytes bound as
// f16 (mat2x4<f16> has a 16-byte stride, columns of 4 halves), widened to f32 on load.
enable f16;

@group(0) @binding(1) var<storage, read> w: array<mat2x4<f16>>; // [N, K/8]: 8 halves each

fn load8(i: u32) -> mat2x4<f32> {
  return mat2x4<f32>(w[i]);
}
