// Test loss for the ZO step tests: L = sum_i a_i (x_i - t_i)^2 + 0.25 (x_i - t_i)^4 over every
// element of two parameter buffers, a_i = 0.5 + 0.25 (i mod 5). One workgroup, tree reduction;
// writes losses[SLOT * 64] (the ZoStepPlan slot layout, 256 bytes apart).

@group(0) @binding(0) var<storage, read> x0: array<f32>;
@group(0) @binding(1) var<storage, read> x1: array<f32>;
@group(0) @binding(2) var<storage, read> t0: array<f32>;
@group(0) @binding(3) var<storage, read> t1: array<f32>;
@group(0) @binding(4) var<storage, read_write> losses: array<f32>;

override N0: u32 = 1u;
override N1: u32 = 1u;
override SLOT: u32 = 0u;

var<workgroup> partial: array<f32, 256>;

fn term(x: f32, t: f32, i: u32) -> f32 {
  let d = x - t;
  let a = 0.5 + 0.25 * f32(i % 5u);
  return a * d * d + 0.25 * (d * d) * (d * d);
}

@compute @workgroup_size(256)
fn loss(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < N0; i += 256u) {
    acc += term(x0[i], t0[i], i);
  }
  for (var i = lid; i < N1; i += 256u) {
    acc += term(x1[i], t1[i], N0 + i);
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid < s) {
      partial[lid] += partial[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    losses[SLOT * 64u] = partial[0];
  }
}
