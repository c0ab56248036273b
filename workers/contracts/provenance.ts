// What a clip says about where it came from (issue 14): the choices a user
// (or a strict deployment) makes, and what the encoder writes from them. The
// marks themselves are made in workers/provenance/.

/** IPTC's digital source type for media made by a trained model; XMP and C2PA both say it. */
export const TRAINED_ALGORITHMIC_MEDIA = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';

/** The user's choices, sent with each GenerateRequest (the page's EngineClient fills them in). */
export type ProvenanceChoices = {
  /** Draw the small "AI" badge into the frames. Forced on in strict mode. */
  visibleMark: boolean;
  /** Write the prompt, negative prompt and seed into the file's metadata (off by default: privacy). */
  includeRecipe: boolean;
};

export const DEFAULT_PROVENANCE_CHOICES: Readonly<ProvenanceChoices> = Object.freeze({ visibleMark: true, includeRecipe: false });

/** What the encoder writes into a clip: always the model and the AI-made marks; the recipe only by choice. */
export type ClipProvenance = {
  model: { id: string; version: string };
  /** Present only when the user chose to include it. */
  recipe?: { prompt: string; negativePrompt?: string; seed?: number };
  visibleMark: boolean;
};

/** ProvenanceChoices from an untrusted value (a worker message, a script); InvalidRequestError-style message on a bad one. */
export function provenanceChoicesProblem(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'object' || value === null) return `provenance must be an object { visibleMark, includeRecipe }, not ${JSON.stringify(value)}.`;
  for (const key of Object.keys(value)) {
    if (key !== 'visibleMark' && key !== 'includeRecipe') return `provenance has an unknown field '${key}'. Allowed: visibleMark, includeRecipe.`;
  }
  for (const key of ['visibleMark', 'includeRecipe'] as const) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined && typeof field !== 'boolean') return `provenance.${key} must be true or false, not ${JSON.stringify(field)}.`;
  }
  return null;
}

/**
 * Whether the clip's C2PA manifest (Content Credentials) was written. When
 * it was not, the clip still carries its XMP labels, the watermark and (when
 * chosen) the badge; the reason says why, and the UI shows it. `note` is
 * something the user should know about a manifest that was written (this
 * install's signing key had to be made anew).
 */
export type ContentCredentials = { written: true; note?: string } | { written: false; reason: string; errorName: string };
