// ZOPrO's perturbation direction (Galatolo et al. 2025, "Visualising Policy-Reward Interplay to
// Inform Zeroth-Order Preference Optimisation of LLMs"): z = lambda mu + sqrt(1 - lambda^2) n,
// mu the previous update direction, n fresh Gaussian noise rescaled to mu's norm. Neither is
// stored: every direction is a short linear combination of seed-regenerated Gaussian streams,
//   z[i] = sum_m coef_m * gaussian(seed, step_m, j = 0, stream, i)
// whose terms (step_m, coef_m) the CPU keeps (src/engine/zo/mixedDirection.ts). Built as rng.wgsl +
// zo_common.wgsl (ZoRange) + this file. One thread per 4 elements (one Philox call per term).
//   axpy:  theta += alpha z over one ParamRange (perturb, restore + update in one move)
//   sumsq: per-workgroup partial sums of z^2 (the CPU adds them up: the norms of mu and n)

struct Term {
  step: u32,
  coef: f32,
}

struct Mix {
  seed: u32,
  terms: u32,     // terms in use
  alpha: f32,     // axpy: multiple of z added to theta
}

// axpy binds theta at 0, sumsq binds partials there (an entry point uses only one of them).
@group(0) @binding(0) var<storage, read_write> theta: array<f32>;
@group(0) @binding(0) var<storage, read_write> partials: array<f32>;   // sumsq: [workgroups]
@group(0) @binding(1) var<uniform> range: ZoRange;
@group(0) @binding(2) var<uniform> mixp: Mix;
@group(0) @binding(3) var<storage, read> terms: array<Term>;

override WG: u32 = 64;

var<workgroup> part: array<f32, WG>;

fn direction4(block: u32) -> vec4<f32> {
  var z = vec4<f32>(0.0);
  for (var m = 0u; m < mixp.terms; m++) {
    z += terms[m].coef * gaussian4(mixp.seed, terms[m].step, 0u, range.stream, block);
  }
  return z;
}

@compute @workgroup_size(WG)
fn axpy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let block = gid.x + gid.y * nwg.x * WG;
  let base = block * 4u;
  if (base >= range.count) { return; }
  let z = direction4(block);
  for (var k = 0u; k < 4u; k++) {
    if (base + k < range.count) {
      let p = range.offset + base + k;
      theta[p] = theta[p] + mixp.alpha * z[k];
    }
  }
}

@compute @workgroup_size(WG)
fn sumsq(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32,
         @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let block = gid.x + gid.y * nwg.x * WG;
  let base = block * 4u;
  var s = 0.0;
  if (base < range.count) {
    let z = direction4(block);
    for (var k = 0u; k < 4u; k++) {
      if (base + k < range.count) { s += z[k] * z[k]; }
    }
  }
  part[lid] = s;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) { part[lid] += part[lid + stride]; }
    workgroupBarrier();
  }
  if (lid == 0u) { partials[wid.x + wid.y * nwg.x] = part[0]; }
}
