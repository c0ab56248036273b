// The watermark's format and tuning, copied from the Python reference
// (training/lantern/watermark.py, whose docstring says why each value is what
// it is). The first block is the format: change one and marked clips from
// before no longer read. The rest tunes the detector.

/** 'LANT': seeds the keyed permutation and signs. */
export const KEY = 0x4c414e54;
/** Cells per tile side; N * N = 256 is the Walsh-Hadamard size. */
export const N = 16;
/** Tile period = TILE_FRACTION * min(height, width) px. */
export const TILE_FRACTION = 0.5;
/** Share of the mark's energy in the sync row. */
export const SYNC_ENERGY = 0.3;
/** 7 symbols of 6 bits (5 bits of row in a group of 32, 1 of sign). */
export const SYMBOLS = 7;
export const SYMBOL_ROWS = 32;
/** CRC-10/ATM, x^10 + x^9 + x^5 + x^4 + x + 1. */
export const CRC_BITS = 10;
export const CRC_POLY = 0x233;
/** RMS change per channel, grey levels (40.5 dB PSNR). */
export const AMPLITUDE = 2.4;
/** Luma weights (BT.601) scaled to mean square 1: the change in R, G, B. */
export const RGB = [0.7746, 1.5208, 0.2953] as const;
/** RMS of a bilinear interpolation of unit white cells. */
export const PATTERN_RMS = 2 / 3;
/** Strength rescaling passes, and the cap on the boost (saturated frames). */
export const PASSES = 3;
export const MAX_BOOST = 2.0;

/** Detector: folded samples per cell. */
export const SAMPLES = 4;
/** Detector: blur widths, in cells (high-pass; local energy). */
export const HP_SIGMA = 1.0;
export const ENERGY_SIGMA = 0.5;
/** Detector: grey levels of noise assumed everywhere (weight floor). */
export const NOISE = 1.0;
/** Detector: regularisation of the readout (equaliser; cell weights). */
export const EQ_REG = 0.05;
export const CELL_REG = 0.3;
/** Detector: visible fraction of the original frame searched (crop and scale). */
export const CROP_RANGE = [0.6, 1.05] as const;
/** Detector: relative step between candidate periods. */
export const SCALE_STEP = 0.015;
/** Detector: correlation peaks read out in full, then refined. */
export const CANDIDATES = 3;
/** Detector: CRC checks in list decoding (false accept about 16 / 1024). */
export const LIST_TRIES = 16;
/** E[max of 32 chi^2(1)]: a symbol's z^2 where there is no mark. */
export const NULL_MAX2 = 5.71;
/** Presence: score >= THRESHOLD (548 unmarked videos: max 7.43; bench/watermark.md). */
export const THRESHOLD = 9.0;

/**
 * Smallest frame side the port accepts: one pixel per cell (a 16 px tile
 * period). Python checks nothing; below this its own round trip fails
 * (16 x 16 scores 5.0) or barely passes (24 x 24 scores 9.2; 32 x 32, 25).
 */
export const MIN_SIDE = N / TILE_FRACTION;
