// The watermark's one error. comlink carries an error's name, message and
// stack across a worker boundary but not its class, so it sets `this.name`;
// `field` says which argument was wrong.

export const WATERMARK_INPUT_FIELDS = ['size', 'frames', 'payload'] as const;
export type WatermarkInputField = (typeof WATERMARK_INPUT_FIELDS)[number];

/** Frames, a frame size or a payload the watermark cannot take. */
export class InvalidWatermarkInputError extends Error {
  readonly field: WatermarkInputField;
  constructor(field: WatermarkInputField, message: string) {
    super(message);
    this.name = 'InvalidWatermarkInputError';
    this.field = field;
  }
}

export const WATERMARK_ERROR_NAMES = ['InvalidWatermarkInputError'] as const;
