// Test probe for shaders/rng.wgsl (prepended): raw Philox-4x32-10 words and Gaussians for
// arbitrary counters, so tests/zo/rng.test.ts can compare them with the TypeScript twin.

// Each query: counter (4 u32), key (2 u32), 2 unused.
@group(0) @binding(0) var<storage, read> queries: array<u32>;
@group(0) @binding(1) var<storage, read_write> words: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> normals: array<vec4<f32>>;

override N: u32 = 1u;

@compute @workgroup_size(64)
fn probe(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= N) {
    return;
  }
  let b = i * 8u;
  let ctr = vec4<u32>(queries[b], queries[b + 1u], queries[b + 2u], queries[b + 3u]);
  let key = vec2<u32>(queries[b + 4u], queries[b + 5u]);
  words[i] = philox4x32_10(ctr, key);
  // gaussian4(seed, step, j, stream, block) with counter (block, stream, j, step), key (seed, 0)
  normals[i] = gaussian4(key.x, ctr.w, ctr.z, ctr.y, ctr.x);
}
