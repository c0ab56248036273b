// Entry point of attention.wgsl for adapters with the `subgroups` feature
// (prepended to it, because `enable` must come first). LANES = 4: each lane
// group is one quad (four invocations whose subgroup_invocation_id differ
// only in the two low bits), and laneSum adds the quad's partial scores with
// two swaps, leaving the sum in all four lanes.
//
// Which rows a quad owns is not derived from local_invocation_index: WGSL does
// not promise how subgroups are laid over a workgroup. Instead the quad's
// first lane takes the next slot from a workgroup counter (zero-initialised
// by WGSL) and broadcasts it. This needs only that subgroups hold whole
// quads, which holds because the workgroup size is a multiple of 4 and
// subgroup sizes are powers of two of at least 4.
enable subgroups;

var<workgroup> nextSlot: atomic<u32>;

fn laneSum(x: vec4f) -> vec4f {
  let pair = x + quadSwapX(x);
  return pair + quadSwapY(pair);
}

@compute @workgroup_size(TILE_Q / ROWS * LANES)
fn main(
  @builtin(local_invocation_index) localIndex: u32,
  @builtin(workgroup_id) workgroup: vec3u,
  @builtin(subgroup_invocation_id) subgroupLane: u32,
) {
  let lane = subgroupLane % 4u;
  var slot = 0u;
  if (lane == 0u) {
    slot = atomicAdd(&nextSlot, 1u);
  }
  slot = quadBroadcast(slot, 0u);
  attend(slot, lane, localIndex, workgroup);
}
