// Flash attention: out = softmax(q k^T * scale) v for every (batch, head),
// float32, layout BHND (batch, heads, tokens, headDim). Self-attention
// (ROPE = true) rotates q and k with 3-D RoPE first; cross-attention does not.
//
// Tiling. The dispatch is (ceil(queries / TILE_Q), batch * heads). One
// workgroup owns TILE_Q query rows of one head, split among lane groups of
// LANES invocations; each lane group owns ROWS consecutive rows, and its
// lanes split the HEAD_DIM / 4 vec4 columns round-robin (lane l owns columns
// l, l + LANES, ...). So q and the output accumulator live in registers,
// ROWS * HEAD_DIM / LANES floats each. The keys are walked in tiles of
// TILE_K: the whole workgroup copies one tile of K (rotated, for
// self-attention) and V into workgroup memory, then every lane scores the
// tile four keys at a time, a vec4 of scores per row; each K (and V) vec4 it
// reads from workgroup memory is used for all ROWS rows (register blocking).
// A lane's partial dot products are summed across its group by laneSum (a
// quad butterfly with subgroups, nothing when LANES = 1; see the two entry
// files), so every lane of a group holds the same scores.
//
// Online softmax. Each row keeps a running maximum m and running sum l of
// exp2(score - m); when a group of four keys raises m, the accumulator and l
// are scaled by exp2(m_old - m_new) first. Scores are kept in the log2
// domain (q is pre-multiplied by scale * log2(e)) so exp2 replaces exp. The
// full score matrix never exists: a row holds four scores at a time.
// (Those four are in an array declared outside the key loop and zeroed
// explicitly: a `var` declared inside the loop kept its value from the
// previous iteration on Chromium 156 / SwiftShader.)
//
// Ragged edges. Rows past `queries` still help stage tiles (barriers must be
// reached by the whole workgroup) but read a clamped row and write nothing.
// Keys past `keys` are staged as zeros and their scores masked to a large
// negative number, so their weight exp2(-3e38 - m) is exactly 0.
//
// RoPE. The table holds, per token and per vec4 column (two rotation pairs),
// (cos a, cos a, cos b, cos b) then (sin a, sin a, sin b, sin b), computed in
// float64 on the CPU once per shape (WGSL's cos and sin promise only 2^-11
// absolute error, far outside the tolerance). Pair (x0, x1) becomes
// (x0 cos - x1 sin, x0 sin + x1 cos).

override HEAD_DIM: u32 = 32u;  // a multiple of 4 * LANES, HEAD_DIM / (4 * LANES) <= MAX_REGS
override TILE_Q: u32 = 16u;    // query rows per workgroup, a multiple of ROWS
override ROWS: u32 = 1u;       // query rows per lane group; ROWS <= MAX_ROWS, ROWS * HEAD_DIM / (4 * LANES) <= MAX_REGS
override TILE_K: u32 = 32u;    // keys per staged tile, a multiple of 4
override LANES: u32 = 4u;      // invocations per query row: 4 (a quad) or 1
override ROPE: bool = true;    // rotate q and k (self-attention)
override TILE_VECS: u32 = TILE_K * HEAD_DIM / 4u;  // vec4s in one K (or V) tile

const MAX_REGS: u32 = 16u;     // vec4s of q (and of the accumulator) one invocation may hold
const MAX_ROWS: u32 = 4u;
const MASKED: f32 = -3.0e38;   // score of a key past the end; also the initial maximum

struct Params {
  queries: u32,
  keys: u32,
  scaleLog2e: f32,  // scale * log2(e)
  pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<vec4f>;
@group(0) @binding(2) var<storage, read> k: array<vec4f>;
@group(0) @binding(3) var<storage, read> v: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> out: array<vec4f>;
@group(0) @binding(5) var<storage, read> rope: array<vec4f>;  // (tokens, HEAD_DIM / 4, cos|sin)

var<workgroup> kTile: array<vec4f, TILE_VECS>;
var<workgroup> vTile: array<vec4f, TILE_VECS>;

fn rotate(x: vec4f, token: u32, column: u32) -> vec4f {
  let at = 2u * (token * (HEAD_DIM / 4u) + column);
  return x * rope[at] + vec4f(-x.y, x.x, -x.w, x.z) * rope[at + 1u];
}

// Called by the entry point with the lane group's slot (0 <= slot <
// TILE_Q / ROWS) and the lane (0 <= lane < LANES) this invocation was given.
fn attend(slot: u32, lane: u32, localIndex: u32, workgroup: vec3u) {
  let rowVecs = HEAD_DIM / 4u;
  let own = rowVecs / LANES;
  let head = workgroup.y;  // batch * heads + head
  let row0 = workgroup.x * TILE_Q + slot * ROWS;
  let kvBase = head * params.keys * rowVecs;

  // Row r's columns sit at qr[r * own + i], acc[r * own + i].
  var qr: array<vec4f, MAX_REGS>;
  var acc: array<vec4f, MAX_REGS>;
  var m: array<f32, MAX_ROWS>;  // running maximum per row
  var l: array<f32, MAX_ROWS>;  // running sum per row
  var s: array<vec4f, MAX_ROWS>;  // scores of four keys per row
  var p: array<vec4f, MAX_ROWS>;  // their weights
  var correction: array<f32, MAX_ROWS>;
  for (var r = 0u; r < ROWS; r++) {
    let row = min(row0 + r, params.queries - 1u);
    for (var i = 0u; i < own; i++) {
      let column = lane + i * LANES;
      var x = q[(head * params.queries + row) * rowVecs + column];
      if (ROPE) {
        x = rotate(x, row, column);
      }
      qr[r * own + i] = x * params.scaleLog2e;
      acc[r * own + i] = vec4f(0.0);
    }
    m[r] = MASKED;
    l[r] = 0.0;
  }

  for (var t0 = 0u; t0 < params.keys; t0 += TILE_K) {
    workgroupBarrier();  // the previous tile is no longer read
    for (var e = localIndex; e < TILE_VECS; e += (TILE_Q / ROWS) * LANES) {
      let key = t0 + e / rowVecs;
      let column = e % rowVecs;
      var kx = vec4f(0.0);
      var vx = vec4f(0.0);
      if (key < params.keys) {
        kx = k[kvBase + key * rowVecs + column];
        vx = v[kvBase + key * rowVecs + column];
        if (ROPE) {
          kx = rotate(kx, key, column);
        }
      }
      kTile[e] = kx;
      vTile[e] = vx;
    }
    workgroupBarrier();

    let count = min(TILE_K, params.keys - t0);
    for (var j = 0u; j < count; j += 4u) {
      let k0 = j * rowVecs;
      // Partial scores of keys j..j+3 over this lane's columns, each K
      // column read once for all ROWS rows.
      for (var r = 0u; r < ROWS; r++) {
        s[r] = vec4f(0.0);
      }
      for (var i = 0u; i < own; i++) {
        let c = lane + i * LANES;
        let ka = kTile[k0 + c];
        let kb = kTile[k0 + rowVecs + c];
        let kc = kTile[k0 + 2u * rowVecs + c];
        let kd = kTile[k0 + 3u * rowVecs + c];
        for (var r = 0u; r < ROWS; r++) {
          let x = qr[r * own + i];
          s[r] += vec4f(dot(x, ka), dot(x, kb), dot(x, kc), dot(x, kd));
        }
      }
      let valid = vec4u(j, j + 1u, j + 2u, j + 3u) < vec4u(count);
      for (var r = 0u; r < ROWS; r++) {
        let sr = select(vec4f(MASKED), laneSum(s[r]), valid);
        let mNew = max(m[r], max(max(sr.x, sr.y), max(sr.z, sr.w)));
        correction[r] = exp2(m[r] - mNew);
        p[r] = exp2(sr - mNew);
        l[r] = l[r] * correction[r] + (p[r].x + p[r].y) + (p[r].z + p[r].w);
        m[r] = mNew;
      }
      for (var i = 0u; i < own; i++) {
        let c = lane + i * LANES;
        let va = vTile[k0 + c];
        let vb = vTile[k0 + rowVecs + c];
        let vc = vTile[k0 + 2u * rowVecs + c];
        let vd = vTile[k0 + 3u * rowVecs + c];
        for (var r = 0u; r < ROWS; r++) {
          let pr = p[r];
          acc[r * own + i] = acc[r * own + i] * correction[r] + pr.x * va + pr.y * vb + pr.z * vc + pr.w * vd;
        }
      }
    }
  }

  for (var r = 0u; r < ROWS; r++) {
    let row = row0 + r;
    if (row < params.queries) {
      let inverse = 1.0 / l[r];
      for (var i = 0u; i < own; i++) {
        out[(head * params.queries + row) * rowVecs + lane + i * LANES] = acc[r * own + i] * inverse;
      }
    }
  }
}
