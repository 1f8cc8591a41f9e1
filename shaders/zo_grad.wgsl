// Projected gradients on the GPU, so a ZO step needs no CPU round trip (MeZO, Malladi et al.
// 2023, Alg. 1: projected_grad = (L+ - L-) / 2 eps; one-sided: (L+ - L0) / eps), and the
// ZO-SGD-Cons choice (ZO-Bench, Zhang et al. 2024). One thread; layouts in src/engine/defs/zoScript.ts.
// Built as zo_common.wgsl + this file.

@group(0) @binding(0) var<storage, read> losses: array<f32>;          // slot s at losses[s * SLOT]
@group(0) @binding(1) var<storage, read_write> summary: array<f32>;
@group(0) @binding(2) var<uniform> zs: ZoStep;

override Q: u32 = 1u;
override SLOT: u32 = 64u;         // f32 stride between loss slots (256 bytes)
override ONE_SIDED: bool = false;
override ROUND_F16: bool = false; // the record stores f16: train with exactly what it keeps

fn finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7F800000u) != 0x7F800000u;
}

fn loss_at(slot: u32) -> f32 {
  return losses[slot * SLOT];
}

fn copy_losses() {
  for (var s = 0u; s < 2u * Q + 3u; s++) {
    summary[Q + 2u + s] = loss_at(s);
  }
}

@compute @workgroup_size(1)
fn projected_grad() {
  let l0 = loss_at(2u * Q);
  var mean = 0.0;
  for (var j = 0u; j < Q; j++) {
    let lp = loss_at(2u * j);
    var g: f32;
    if (ONE_SIDED) {
      g = (lp - l0) / zs.eps;
    } else {
      let lm = loss_at(2u * j + 1u);
      g = (lp - lm) / (2.0 * zs.eps);
      mean = mean + 0.5 * (lp + lm);
    }
    if (!finite(g)) {
      g = 0.0; // a non-finite loss skips this direction instead of poisoning the weights
    }
    if (zs.clip > 0.0) {
      g = clamp(g, -zs.clip, zs.clip);
    }
    if (ROUND_F16) {
      g = unpack2x16float(pack2x16float(vec2<f32>(clamp(g, -65504.0, 65504.0), 0.0))).x;
    }
    summary[j] = g;
  }
  summary[Q] = 0.0;
  if (ONE_SIDED) {
    summary[Q + 1u] = l0;
  } else {
    summary[Q + 1u] = mean * zs.inv_q;
  }
  copy_losses();
}

// Weights now sit at theta + lr d. Keep the lowest of L(theta), L(theta - lr d), L(theta + lr d)
// as ZO-Bench's zo_conserv_step does; the final move theta -= c lr (d + wd theta) gets there.
@compute @workgroup_size(1)
fn cons_select() {
  let l0 = loss_at(2u * Q);
  let la = select(3.0e38, loss_at(2u * Q + 1u), finite(loss_at(2u * Q + 1u))); // theta - lr d
  let lb = select(3.0e38, loss_at(2u * Q + 2u), finite(loss_at(2u * Q + 2u))); // theta + lr d
  var c = 0.0;
  if (la > l0) {
    c = select(0.0, 1.0, l0 < lb);
  } else {
    c = select(0.0, 2.0, la < lb);
  }
  summary[Q] = c;
  copy_losses();
}
