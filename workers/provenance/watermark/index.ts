// Lantern's invisible watermark in TypeScript: a port of the Python
// reference training/lantern/watermark.py (design in its docstring and in
// ARCHITECTURE.md). Pure computation on RGBA bytes: runs in a worker, a page
// or Node. embedWatermark equals Python's embed byte for byte;
// detectWatermark is a statistical test held to Python's score.
export { MIN_SIDE, THRESHOLD } from './constants';
export { detectWatermark, type WatermarkDetection } from './detect';
export { embedWatermark, embedWatermarkInPlace } from './embed';
export { InvalidWatermarkInputError, WATERMARK_ERROR_NAMES, WATERMARK_INPUT_FIELDS, type WatermarkInputField } from './errors';
export { describePayload, LANTERN_MARKER, lanternPayload, modelForTag, modelTag } from './payload';
export type { RgbaFrame } from './validate';
