// SwiGLU gate of the Llama MLP (Shazeer 2020): out = silu(gate) * up, silu(g) = g / (1 + exp(-g)),
// elementwise over [rows, width]. One thread per element. `swiglu_inplace` writes into gate
// (binding the same buffer as read-only and read_write in one dispatch is not allowed).

struct Params {
  count: u32,   // rows * width elements this call
}

@group(0) @binding(0) var<storage, read> gate: array<f32>;         // [maxRows, width]
@group(0) @binding(1) var<storage, read> up: array<f32>;           // [maxRows, width]
@group(0) @binding(2) var<storage, read_write> out: array<f32>;    // [maxRows, width]
@group(0) @binding(3) var<uniform> params: Params;

@group(0) @binding(0) var<storage, read_write> gateOut: array<f32>; // inplace: gate in, result out
@group(0) @binding(2) var<uniform> paramsInplace: Params;

override WG: u32 = 256;

fn silu(g: f32) -> f32 {
  return g / (1.0 + exp(-g));
}

@compute @workgroup_size(WG)
fn swiglu(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < params.count) {
    out[i] = silu(gate[i]) * up[i];
  }
}

@compute @workgroup_size(WG)
fn swiglu_inplace(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < paramsInplace.count) {
    gateOut[i] = silu(gateOut[i]) * up[i];
  }
}
