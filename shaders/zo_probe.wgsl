// The loss landscape along one ZO direction, for the dynamics view: theta = snapshot + a * z_J
// over one range, where z is the same seed-regenerated Gaussian a ZO step uses (rng.wgsl's
// gaussian4). Writing from an untouched snapshot (not adding in place) lets the caller sweep a
// and then restore the exact original weights with a copy. Built as rng.wgsl + this file.

struct Probe {
  seed: u32,
  step: u32,
  j: u32,
  stream: u32,
  offset: u32, // f32 elements into theta
  count: u32,
  coef: f32,   // a: how far along z
}

@group(0) @binding(0) var<storage, read_write> theta: array<f32>;
@group(0) @binding(1) var<storage, read> snapshot: array<f32>; // [count]
@group(0) @binding(2) var<uniform> probe: Probe;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let block = gid.x + gid.y * nwg.x * WG;
  let base = block * 4u;
  if (base >= probe.count) {
    return;
  }
  let z = gaussian4(probe.seed, probe.step, probe.j, probe.stream, block);
  for (var k = 0u; k < 4u; k++) {
    let i = base + k;
    if (i < probe.count) {
      theta[probe.offset + i] = snapshot[i] + probe.coef * z[k];
    }
  }
}
