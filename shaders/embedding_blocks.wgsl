// Token-embedding gather from a table in a block format kept as the file stores it (q4k, q5k,
// q6k, bf16, q4_1, q5_0, q5_1). Composed after embedding.wgsl, block_common.wgsl and one block_<format>.wgsl
// (embedding.ts), whose block_unit decodes through block_word.
fn block_word(i: u32) -> u32 { return table[i]; }

@compute @workgroup_size(WG)
fn embed_blocks(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let at = locate(gid, nwg);
  if (at.z == 0u) { return; }
  let i = gid.x + gid.y * nwg.x * WG;
  var v = 0.0;
  if (at.x < params.vocab) {
    let unit = block_unit(at.x * (params.hidden / 32u) + at.y / 32u, (at.y % 32u) / 8u);
    v = unit[(at.y % 8u) / 4u][at.y % 4u];
  }
  out[i] = v;
}
