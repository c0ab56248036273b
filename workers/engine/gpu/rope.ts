// 3-D rotary position embedding tables, as models-manifest/README.md defines
// them: token n sits at (frame, row, column) in row-major order of `grid`;
// head dimensions 2j, 2j+1 form pair j; the first dims[0]/2 pairs turn with
// the frame, the next dims[1]/2 with the row, the last dims[2]/2 with the
// column; pair i of an axis of d dimensions turns by
// position * theta^(-2i/d).
//
// Angles are computed in float64 and rounded once to float32, as the training
// code does (training/lantern/dit.py `rope_tables`), so the tables agree with
// its fixtures to the last bit or one ulp.

export type Rope = {
  grid: readonly [number, number, number];
  dims: readonly [number, number, number];
  theta: number;
};

export class RopeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RopeConfigError';
  }
}

export function ropeTokens(rope: Rope): number {
  return rope.grid[0] * rope.grid[1] * rope.grid[2];
}

export function validateRope(rope: Rope, headDim: number): void {
  const dimSum = rope.dims[0] + rope.dims[1] + rope.dims[2];
  if (dimSum !== headDim) {
    throw new RopeConfigError(`RoPE dims [${rope.dims.join(', ')}] sum to ${dimSum}; they must sum to headDim ${headDim}.`);
  }
  for (const d of rope.dims) {
    if (!Number.isInteger(d) || d < 0 || d % 2 !== 0) {
      throw new RopeConfigError(`RoPE dim ${d} is not allowed. Each of dims [${rope.dims.join(', ')}] must be an even integer >= 0.`);
    }
  }
  for (const g of rope.grid) {
    if (!Number.isInteger(g) || g < 1) {
      throw new RopeConfigError(`RoPE grid [${rope.grid.join(', ')}] is not allowed. Each side must be an integer >= 1.`);
    }
  }
  if (!(rope.theta > 0)) {
    throw new RopeConfigError(`RoPE theta ${rope.theta} is not allowed. It must be > 0.`);
  }
}

/** Rotation angles in float64, (tokens, headDim / 2), row-major. */
export function ropeAngles(rope: Rope, headDim: number): Float64Array {
  validateRope(rope, headDim);
  const [frames, rows, columns] = rope.grid;
  const pairs = headDim / 2;
  const angles = new Float64Array(ropeTokens(rope) * pairs);
  // Frequencies of each pair, and which axis turns it.
  const freq = new Float64Array(pairs);
  const axisOf = new Uint8Array(pairs);
  let j = 0;
  for (let axis = 0; axis < 3; axis++) {
    const d = rope.dims[axis as 0 | 1 | 2];
    for (let i = 0; i < d / 2; i++, j++) {
      freq[j] = rope.theta ** (-(2 * i) / d);
      axisOf[j] = axis;
    }
  }
  let n = 0;
  for (let f = 0; f < frames; f++) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++, n++) {
        const position = [f, r, c] as const;
        for (let p = 0; p < pairs; p++) {
          angles[n * pairs + p] = position[axisOf[p] as 0 | 1 | 2] * freq[p]!;
        }
      }
    }
  }
  return angles;
}

/** cos and sin of the angles, float32, each (tokens, headDim / 2): the fixtures' layout. */
export function ropeCosSin(rope: Rope, headDim: number): { cos: Float32Array; sin: Float32Array } {
  const angles = ropeAngles(rope, headDim);
  return { cos: Float32Array.from(angles, Math.cos), sin: Float32Array.from(angles, Math.sin) };
}

/**
 * The table shaders/attention.wgsl reads: per token and per vec4 column of
 * the head (pairs a = 2c, b = 2c + 1), the vec4 (cos a, cos a, cos b, cos b)
 * then the vec4 (sin a, sin a, sin b, sin b). (tokens, headDim / 4, 2, 4).
 */
export function ropeKernelTable(rope: Rope, headDim: number): Float32Array {
  const { cos, sin } = ropeCosSin(rope, headDim);
  const columns = headDim / 4;
  const tokens = ropeTokens(rope);
  const table = new Float32Array(tokens * columns * 8);
  for (let n = 0; n < tokens; n++) {
    for (let c = 0; c < columns; c++) {
      const a = n * (headDim / 2) + 2 * c;
      const at = (n * columns + c) * 8;
      table.set([cos[a]!, cos[a]!, cos[a + 1]!, cos[a + 1]!, sin[a]!, sin[a]!, sin[a + 1]!, sin[a + 1]!], at);
    }
  }
  return table;
}
