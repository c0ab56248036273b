// Lantern's misuse policy for text: every prompt, negative prompt, edit
// instruction and storyboard shot is checked against the categories of
// categories.ts before it reaches a model. A refusal names its category in a
// calm message and says what to do instead; it never repeats the matched
// words or the lists (they would teach the way around them).
//
// The negative prompt is checked exactly like the prompt, in both modes.
// Other tools invite negative prompts such as "nsfw, nude, gore" to steer away
// from those things, but in Lantern the negative prompt is the unconditional
// branch of classifier-free guidance: the sampler draws
// negative + guidance * (prompt - negative), and guidance may be set anywhere
// from 0 to 50 (src/recipe/validate.ts). At guidance 0 the clip is the
// negative prompt's alone, and below 1 it is partly, so a negative prompt is a
// prompt. The built-in model's world has none of these things to steer away
// from anyway, so refusing them costs nothing there.
import { POLICY, type PolicyCategory, type PolicyField, type PolicyMode } from './categories';
import { PolicyRefusalError } from './errors';
import { refusedCategory } from './match';

export type PolicyOptions = {
  mode: PolicyMode;
  field: PolicyField;
  /** For a storyboard shot: its index from 0, named (from 1) in the message. */
  shotIndex?: number;
};

export type PolicyRefusal = {
  allowed: false;
  category: PolicyCategory;
  field: PolicyField;
  mode: PolicyMode;
  /** Calm, names the category only: safe to show as it is. */
  message: string;
  shotIndex?: number;
};

export type PolicyVerdict = { allowed: true } | PolicyRefusal;

/** Every text of one generation: the storyboard's shots as strings or as shots with a prompt. */
export type PolicyRequest = {
  prompt: string;
  negativePrompt?: string;
  instruction?: string;
  shots?: readonly (string | { prompt: string })[];
};

const SUPPORT = ' If you are going through a hard time, please talk to someone you trust or a local helpline.';

/** The refusal message for a category, field and mode; it depends on nothing else, so it cannot leak the prompt's words. */
export function policyMessage(category: PolicyCategory, field: PolicyField, mode: PolicyMode, shotIndex?: number): string {
  const rules = POLICY[category];
  const head = `${mode === 'strict' ? 'In classroom (strict) mode, Lantern' : 'Lantern'} does not make clips involving ${mode === 'strict' ? rules.strictLabel : rules.label}`;
  const support = category === 'self-harm' ? SUPPORT : '';
  switch (field) {
    case 'prompt':
      return `${head}. Try describing shapes, colours and motion instead.${support}`;
    case 'negativePrompt':
      return `${head}, and it reads the negative prompt as well, since at low guidance the model draws what the negative prompt says. Leave such words out of the negative prompt.${support}`;
    case 'instruction':
      return `${head}, so it cannot make this edit. Try changing a colour, a shape, the motion or the background instead.${support}`;
    case 'shot':
      return `${head}, so it cannot make ${shotIndex === undefined ? 'this shot' : `shot ${shotIndex + 1}`} of the storyboard. Try describing shapes, colours and motion instead.${support}`;
  }
}

/** Checks one text against the policy of `options.mode`. */
export function checkPrompt(text: string, options: PolicyOptions): PolicyVerdict {
  const category = refusedCategory(text, options.mode);
  if (category === null) return { allowed: true };
  return {
    allowed: false,
    category,
    field: options.field,
    mode: options.mode,
    message: policyMessage(category, options.field, options.mode, options.shotIndex),
    ...(options.shotIndex === undefined ? {} : { shotIndex: options.shotIndex }),
  };
}

/** Like checkPrompt, but throws PolicyRefusalError on a refusal. */
export function assertAllowed(text: string, options: PolicyOptions): void {
  throwIfRefused(checkPrompt(text, options));
}

/** Checks every text of a request, in order (prompt, negative prompt, instruction, shots); the first refusal wins. */
export function checkRequest(request: PolicyRequest, mode: PolicyMode): PolicyVerdict {
  const texts: [string, PolicyOptions][] = [[request.prompt, { mode, field: 'prompt' }]];
  if (request.negativePrompt !== undefined) texts.push([request.negativePrompt, { mode, field: 'negativePrompt' }]);
  if (request.instruction !== undefined) texts.push([request.instruction, { mode, field: 'instruction' }]);
  request.shots?.forEach((shot, shotIndex) => {
    texts.push([typeof shot === 'string' ? shot : shot.prompt, { mode, field: 'shot', shotIndex }]);
  });
  for (const [text, options] of texts) {
    const verdict = checkPrompt(text, options);
    if (!verdict.allowed) return verdict;
  }
  return { allowed: true };
}

/** Like checkRequest, but throws PolicyRefusalError on a refusal. */
export function assertRequestAllowed(request: PolicyRequest, mode: PolicyMode): void {
  throwIfRefused(checkRequest(request, mode));
}

function throwIfRefused(verdict: PolicyVerdict): void {
  if (verdict.allowed) return;
  throw new PolicyRefusalError(verdict.category, verdict.field, verdict.mode, verdict.message, verdict.shotIndex);
}
