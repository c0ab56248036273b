// The runtime lists every side checks values against: the engine, the page,
// `window.lantern` and the CLI (scripts/generate.mjs, plain Node, which is why
// this one file is JavaScript; TypeScript reads its literal types through the
// `@type {const}` casts). The types are in generator.ts.

/** Where the model runs. */
export const BACKENDS = /** @type {const} */ (['webgpu', 'wasm']);

/** What a user or script may ask for: 'auto' picks WebGPU on a GPU adapter, else WASM, and says why. */
export const BACKEND_CHOICES = /** @type {const} */ (['auto', 'webgpu', 'wasm']);

/** Codecs a clip can be written with, default first. Names follow mediabunny's `VideoCodec`. */
export const VIDEO_CODECS = /** @type {const} */ (['avc', 'vp9', 'av1']);

/**
 * How the flow is integrated, cheapest per step first (the same list as
 * training/lantern/flow.py SAMPLERS; the engine's solvers import this one).
 */
export const SAMPLERS = /** @type {const} */ (['euler', 'heun', 'dpmpp2m']);

/**
 * The page's Speed presets, in the order the form shows them: each a sampler
 * and steps the model's manifest names (sampler.speeds), measured for that
 * model (bench/samplers.md for the built-in one).
 */
export const SPEEDS = /** @type {const} */ (['quality', 'fast']);

/** How a WebGPU attention call's lanes exchange partial scores: quads of a subgroup, or one invocation per row. */
export const ATTENTION_PATHS = /** @type {const} */ (['subgroups', 'portable']);

/** The phases of a load ('load') and of a generation (the rest), in order. */
export const PHASES = /** @type {const} */ (['load', 'encodeText', 'encodeFrames', 'denoise', 'decode', 'encode']);
