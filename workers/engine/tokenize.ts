// Prompt -> token ids and mask for the text encoder, as
// training/lantern/tokenizer.py `encode()` gives them.
//
// tokenizer.json is read by @huggingface/tokenizers (tokenizers.js), which
// runs the normalizer, pre-tokenizer, WordPiece model and the template
// post-processor ([BOS] $A [EOS]) but ignores the saved truncation and
// padding. So they are applied here, as the Python side does: keep the
// template's leading specials, the first `maxTokens - specials` tokens of the
// text and the trailing specials, then pad with `padId` to `maxTokens`; the
// mask is 1 on real tokens. Truncation is reported, not silent, so the UI can
// say "prompt truncated to 46 words".
import { Tokenizer } from '@huggingface/tokenizers';

/** The prompt is empty (or only whitespace): there is nothing to generate from. */
export class EmptyPromptError extends Error {
  constructor() {
    super('The prompt is empty. Describe the clip to generate, e.g. "a red ball bounces on a meadow".');
    this.name = 'EmptyPromptError';
  }
}

/** tokenizer.json cannot be read, or is not the shape the engine supports. */
export class TokenizerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenizerError';
  }
}

export type TokenizedText = {
  /** maxTokens ids, padded with padId. */
  ids: Int32Array;
  /** maxTokens values, 1 on real tokens (specials included), 0 on padding. */
  mask: Int32Array;
  /** Text tokens kept (words and punctuation, without specials). */
  keptTokens: number;
  /** Text tokens dropped by truncation; 0 when the text fits. */
  droppedTokens: number;
};

export type PromptTokenizer = {
  readonly maxTokens: number;
  /** The most text tokens a prompt keeps (maxTokens less the template's specials). */
  readonly maxTextTokens: number;
  /** `allowEmpty` is for the negative prompt, whose default is "". */
  encode(text: string, options?: { allowEmpty?: boolean }): TokenizedText;
};

type TemplatePiece = { SpecialToken?: unknown; Sequence?: unknown };

/** How many special tokens the single-text template puts before and after the text. */
function templateSpecials(json: Record<string, unknown>): { before: number; after: number } {
  const post = json['post_processor'];
  if (post === null || post === undefined) return { before: 0, after: 0 };
  const processor = post as { type?: unknown; single?: unknown };
  if (processor.type !== 'TemplateProcessing' || !Array.isArray(processor.single)) {
    throw new TokenizerError(`tokenizer.json post_processor type ${String(processor.type)} is not supported. It must be TemplateProcessing (or none).`);
  }
  const pieces = processor.single as TemplatePiece[];
  const at = pieces.findIndex((p) => p.Sequence !== undefined);
  if (at < 0 || pieces.filter((p) => p.Sequence !== undefined).length !== 1) {
    throw new TokenizerError('tokenizer.json TemplateProcessing single template must hold the text ($A) exactly once.');
  }
  return { before: at, after: pieces.length - at - 1 };
}

/**
 * A tokenizer from tokenizer.json's parsed contents. `maxTokens` and `padId`
 * come from the manifest's `tokenizer` entry.
 */
export function createPromptTokenizer(tokenizerJson: unknown, options: { maxTokens: number; padId: number }): PromptTokenizer {
  if (typeof tokenizerJson !== 'object' || tokenizerJson === null) {
    throw new TokenizerError(`tokenizer.json must hold a JSON object; got ${tokenizerJson === null ? 'null' : typeof tokenizerJson}.`);
  }
  const json = tokenizerJson as Record<string, unknown>;
  const { before, after } = templateSpecials(json);
  const { maxTokens, padId } = options;
  const maxTextTokens = maxTokens - before - after;
  if (!Number.isInteger(maxTextTokens) || maxTextTokens < 1) {
    throw new TokenizerError(`maxTokens ${maxTokens} leaves no room for text beside the template's ${before + after} special tokens.`);
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(json, {});
  } catch (cause) {
    throw new TokenizerError(`tokenizer.json could not be read: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }

  return {
    maxTokens,
    maxTextTokens,
    encode(text, { allowEmpty = false } = {}) {
      if (!allowEmpty && text.trim() === '') throw new EmptyPromptError();
      const full = tokenizer.encode(text).ids; // specials, text, specials; no truncation
      const textTokens = full.length - before - after;
      const keptTokens = Math.min(textTokens, maxTextTokens);
      const kept = [...full.slice(0, before + keptTokens), ...full.slice(full.length - after)];
      const ids = new Int32Array(maxTokens).fill(padId);
      const mask = new Int32Array(maxTokens);
      ids.set(kept);
      mask.fill(1, 0, kept.length);
      return { ids, mask, keptTokens, droppedTokens: textTokens - keptTokens };
    },
  };
}

/** The text encoder's batch: the prompt, then the negative prompt, (2, maxTokens) each. */
export function tokenizeGuidancePair(
  tokenizer: PromptTokenizer,
  prompt: string,
  negative: string,
): { ids: Int32Array; mask: Int32Array; prompt: TokenizedText; negative: TokenizedText } {
  const p = tokenizer.encode(prompt);
  const n = tokenizer.encode(negative, { allowEmpty: true });
  const ids = new Int32Array(2 * tokenizer.maxTokens);
  const mask = new Int32Array(2 * tokenizer.maxTokens);
  ids.set(p.ids);
  ids.set(n.ids, tokenizer.maxTokens);
  mask.set(p.mask);
  mask.set(n.mask, tokenizer.maxTokens);
  return { ids, mask, prompt: p, negative: n };
}
