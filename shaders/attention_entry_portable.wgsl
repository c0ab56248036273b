// Entry point of attention.wgsl for adapters without `subgroups`
// (prepended to it). LANES = 1: each invocation owns a whole query row, so a
// row's score needs no exchange between invocations and laneSum is the
// identity. Slower per workgroup than the quad path on GPUs that have
// subgroups (four times fewer invocations per row and more registers each),
// but it runs on every WebGPU adapter.

fn laneSum(x: vec4f) -> vec4f {
  return x;
}

@compute @workgroup_size(TILE_Q / ROWS * LANES)
fn main(
  @builtin(local_invocation_index) localIndex: u32,
  @builtin(workgroup_id) workgroup: vec3u,
) {
  attend(localIndex, 0u, localIndex, workgroup);
}
