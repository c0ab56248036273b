// Errors from reading a recipe (validate.ts) and a recipe link (link.ts).
// Like every error in Lantern they set `this.name`, so the UI branches on
// `err.name`; messages name the bad value, what is allowed and the fix.

/** The names of the errors below, for the UI to branch on. */
export const RECIPE_ERROR_NAMES = ['RecipeError', 'RecipeLinkError'] as const;
export type RecipeErrorName = (typeof RECIPE_ERROR_NAMES)[number];

/** What most broken recipes need: they are machine-written, so a bad one was damaged or edited on the way. */
export const RECIPE_FIX = 'The recipe was damaged or edited; copy the link again from the clip.';

/** A recipe with a field that is missing, of the wrong type, out of range, unknown, or nested too deep. */
export class RecipeError extends Error {
  /** The field at fault, as a path from the recipe: `recipe.source.parent.recipe.seed`. */
  readonly field: string;
  /** `problem` names the bad value and what is allowed ("is 1.5; it must be ..."); `fix` says what to do. */
  constructor(field: string, problem: string, fix: string = RECIPE_FIX) {
    super(`Invalid recipe: ${field} ${problem} ${fix}`);
    this.name = 'RecipeError';
    this.field = field;
  }
}

/** Why a link's `#recipe=` part could not be read as JSON (a JSON value that is not a recipe is a RecipeError instead). */
export const RECIPE_LINK_REASONS = ['too-long', 'not-base64url', 'not-utf8', 'not-json'] as const;
export type RecipeLinkReason = (typeof RECIPE_LINK_REASONS)[number];

/** A recipe link whose `#recipe=` part is too long, or not base64url of UTF-8 JSON (or a recipe too long to become a link). */
export class RecipeLinkError extends Error {
  readonly reason: RecipeLinkReason;
  constructor(reason: RecipeLinkReason, message: string) {
    super(message);
    this.name = 'RecipeLinkError';
    this.reason = reason;
  }
}

/** A value for a message: strings quoted with control characters escaped and long ones cut, so a hostile link cannot flood or garble it. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    const cut = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this does.
    return `'${cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
  }
  if (value === undefined) return 'missing';
  if (typeof value === 'number') return String(value); // JSON would print NaN and Infinity as null
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return typeof value; // a function, a symbol
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return Array.isArray(value) ? 'an array' : typeof value;
  }
}
