// ZO optimizer updates along d = (s/Q) sum_j g_j z_j (s: the range's scale, 1 for MeZO) with z regenerated from the seed (MeZO,
// Malladi et al. 2023, Alg. 1 and eq. 2; the ZO-Bench family, Zhang et al. 2024). One entry point
// per optimizer; formulas and their CPU twins in src/engine/defs/zoOptimizers.ts.
// Built as rng.wgsl + zo_common.wgsl + this file. summary[0..Q) holds g_j, summary[Q] the
// ZO-SGD-Cons choice (src/engine/defs/zoScript.ts). One thread per 4 elements.

@group(0) @binding(0) var<storage, read_write> theta: array<f32>;
@group(0) @binding(1) var<uniform> range: ZoRange;
@group(0) @binding(2) var<uniform> zs: ZoStep;
@group(0) @binding(3) var<storage, read> summary: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<f32>;   // momentum / Adam first moment
@group(0) @binding(5) var<storage, read_write> v: array<f32>;   // Adam second moment

override WG: u32 = 64;
override Q: u32 = 1u;
override COEF: f32 = 1.0;              // move coefficient c (ZO-SGD-Cons: 1, then -2)
override COEF_FROM_CHOICE: bool = false; // c = summary[Q] (ZO-SGD-Cons final move)
// The step's last restore (theta += RESTORE_COEF * eps * z_RESTORE_J) folded into this pass: the
// direction regenerates z_RESTORE_J anyway, and the weights are read and written once instead of
// twice. Same float operations as zo_perturb.wgsl, so the result is the same as two passes.
override RESTORE: bool = false;
override RESTORE_J: u32 = 0u;
override RESTORE_COEF: f32 = 0.0;

var<private> z_restore: vec4<f32>;

fn direction(block: u32) -> vec4<f32> {
  var acc = vec4<f32>(0.0);
  for (var j = 0u; j < Q; j++) {
    let z = gaussian4(zs.seed, zs.step, j, range.stream, block);
    if (RESTORE && j == RESTORE_J) {
      z_restore = z;
    }
    acc = acc + summary[j] * z;
  }
  return acc * zs.inv_q * range.scale;
}

// theta[offset + i] after the folded restore (element k of its block); call after direction().
fn load_theta(i: u32, k: u32) -> f32 {
  let t = theta[range.offset + i];
  if (RESTORE) {
    let a = RESTORE_COEF * zs.eps * range.scale;
    return t + a * z_restore[k];
  }
  return t;
}

fn coef() -> f32 {
  if (COEF_FROM_CHOICE) {
    return summary[Q];
  }
  return COEF;
}

fn block_of(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// theta -= c lr (d + wd theta) over the 4 elements of `block`: ZO-SGD, and ZO-SGD-Sign with sign(d).
fn descend(block: u32, d: vec4<f32>) {
  let size = coef() * zs.lr;
  let wd = zs.weight_decay * range.decay;
  for (var k = 0u; k < 4u; k++) {
    let i = block * 4u + k;
    if (i < range.count) {
      let t = load_theta(i, k);
      theta[range.offset + i] = t - size * (d[k] + wd * t);
    }
  }
}

@compute @workgroup_size(WG)
fn sgd_update(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let block = block_of(gid, nwg);
  if (block * 4u >= range.count) { return; }
  descend(block, direction(block));
}

@compute @workgroup_size(WG)
fn sign_update(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let block = block_of(gid, nwg);
  if (block * 4u >= range.count) { return; }
  descend(block, sign(direction(block)));
}

@compute @workgroup_size(WG)
fn momentum_update(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let block = block_of(gid, nwg);
  if (block * 4u >= range.count) { return; }
  let d = direction(block);
  let wd = zs.weight_decay * range.decay;
  for (var k = 0u; k < 4u; k++) {
    let i = block * 4u + k;
    if (i < range.count) {
      let t = load_theta(i, k);
      let mi = zs.beta1 * m[i] + (d[k] + wd * t);
      m[i] = mi;
      theta[range.offset + i] = t - zs.lr * mi;
    }
  }
}

@compute @workgroup_size(WG)
fn adam_update(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let block = block_of(gid, nwg);
  if (block * 4u >= range.count) { return; }
  let d = direction(block);
  let wd = zs.weight_decay * range.decay;
  let a1 = 1.0 - zs.beta1;
  let a2 = 1.0 - zs.beta2;
  for (var k = 0u; k < 4u; k++) {
    let i = block * 4u + k;
    if (i < range.count) {
      let t = load_theta(i, k);
      let mi = zs.beta1 * m[i] + a1 * d[k];
      let vi = zs.beta2 * v[i] + a2 * (d[k] * d[k]);
      m[i] = mi;
      v[i] = vi;
      let u = (mi / zs.bias1) / (sqrt(vi / zs.bias2) + zs.adam_eps) + wd * t;
      theta[range.offset + i] = t - zs.lr * u;
    }
  }
}
