// In-place perturbation theta += COEF * eps * z_J over one ParamRange (MeZO, Malladi et al. 2023,
// Alg. 1, PerturbParameters). COEF is +1 (plus), -2 (plus -> minus), +1 (restore after minus) or
// -1 (restore after plus, one-sided). Built as rng.wgsl + zo_common.wgsl + this file.
// One thread per 4 elements: one Philox call yields exactly their 4 Gaussians.

@group(0) @binding(0) var<storage, read_write> theta: array<f32>;
@group(0) @binding(1) var<uniform> range: ZoRange;
@group(0) @binding(2) var<uniform> zs: ZoStep;

override WG: u32 = 64;
override J: u32 = 0u;       // perturbation index j (distinct per phase: never a uniform)
override COEF: f32 = 1.0;   // multiple of eps applied in this phase

@compute @workgroup_size(WG)
fn perturb(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let block = gid.x + gid.y * nwg.x * WG;
  let base = block * 4u;
  if (base >= range.count) {
    return;
  }
  let z = gaussian4(zs.seed, zs.step, J, range.stream, block);
  let a = COEF * zs.eps * range.scale;
  for (var k = 0u; k < 4u; k++) {
    let i = base + k;
    if (i < range.count) {
      let p = range.offset + i;
      theta[p] = theta[p] + a * z[k];
    }
  }
}
