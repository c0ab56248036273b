// Why an edit instruction was refused. Every class sets `this.name` (the UI
// branches on it, as on the engine's errors); messages name the bad value, say
// why, and say what to do instead.

/** Instructions the UI offers as hints; the refusals quote some of them. */
export const EDIT_EXAMPLES: readonly string[] = [
  'make it blue',
  'make the star a circle',
  'add rain',
  'at night',
  'in pixel art style',
  'make it move left',
  'slower',
  'make it bigger',
  'zoom in',
  'make the background green',
  'remove the rain',
  'dimly lit',
];

const quoted = (list: readonly string[]) => list.map((e) => `"${e}"`).join(', ');

/** The instruction names nothing the rewriter can map to a change of Shapes World. */
export class InstructionNotUnderstoodError extends Error {
  readonly instruction: string;
  constructor(instruction: string, reason: string) {
    super(
      `Lantern cannot turn "${instruction}" into an edit: ${reason}. It can change an object's colour, shape, size or motion and the clip's ` +
        `background, camera, light, weather or style, for example: ${quoted([EDIT_EXAMPLES[0]!, EDIT_EXAMPLES[1]!, EDIT_EXAMPLES[2]!, EDIT_EXAMPLES[4]!, EDIT_EXAMPLES[8]!])}.`,
    );
    this.name = 'InstructionNotUnderstoodError';
    this.instruction = instruction;
  }
}

/** The prompt to edit is not a Shapes World caption (it names no shape), so there is nothing to rewrite. */
export class PromptNotUnderstoodError extends Error {
  readonly prompt: string;
  constructor(prompt: string, reason: string) {
    super(
      `The prompt "${prompt}" is not a Shapes World caption Lantern can edit: ${reason}. Write the edited prompt by hand, ` +
        'or start from one like "a red ball moves left quickly on a plain blue background" (shapes: circle, square, triangle, star, diamond).',
    );
    this.name = 'PromptNotUnderstoodError';
    this.prompt = prompt;
  }
}

/** The prompt has several objects and the instruction does not say which one to change. */
export class AmbiguousInstructionError extends Error {
  readonly instruction: string;
  /** How each candidate object can be named ('the red ball'). */
  readonly candidates: readonly string[];
  constructor(instruction: string, candidates: readonly string[], example: string) {
    const list = candidates.length === 2 ? `${candidates[0]} or ${candidates[1]}` : `${candidates.slice(0, -1).join(', ')} or ${candidates.at(-1)}`;
    super(`"${instruction}" could mean ${list}. Say which one, for example "${example}" (or "both" / "all of them").`);
    this.name = 'AmbiguousInstructionError';
    this.instruction = instruction;
    this.candidates = candidates;
  }
}

/** The edited scene would break a rule of Shapes World (a colour lost in its background, a spinning circle, a speed without a straight motion). */
export class EditClashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EditClashError';
  }
}

/** The instruction asks for what the prompt already says. */
export class NothingToChangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NothingToChangeError';
  }
}

/** Every `err.name` the rewriter throws, for the UI to branch on. */
export const EDIT_ERROR_NAMES = [
  'InstructionNotUnderstoodError',
  'PromptNotUnderstoodError',
  'AmbiguousInstructionError',
  'EditClashError',
  'NothingToChangeError',
] as const;
export type EditErrorName = (typeof EDIT_ERROR_NAMES)[number];
