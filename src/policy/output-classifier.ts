// The hook where an output classifier plugs in, for models larger than the
// built-in one.
//
// The policy it applies is the prompt policy's (categories.ts): a clip that
// shows sexual content or nudity, children in sexual or abusive situations,
// self-harm, hateful symbols or content, violence or gore, weapons, or a real
// person is refused. A prompt policy reads words; a model can draw any of
// these from harmless words, so a model that can depict people and things
// should ship a classifier that looks at the frames. When it refuses, the clip
// is neither shown nor stored: the caller drops the frames, saves nothing to
// the gallery, and shows the refusal's message (OutputRefusalError), which
// names the category. A classifier that throws refuses too (fail closed); a
// clip is never shown because its check broke.
//
// The built-in model (trained on Shapes World, src/edit/vocabulary.ts) has no
// classifier and needs none: its world is coloured shapes on plain or simple
// backgrounds, and it cannot depict any of these categories whatever the
// prompt says. classifyOutput says so by answering `classified: false`.
import type { PolicyCategory } from './categories';
import { OutputRefusalError } from './errors';

export type OutputInfo = {
  width: number;
  height: number;
  fps: number;
  /** The prompt the clip was made from (already through the prompt policy). */
  prompt: string;
};

export type OutputVerdict = {
  allowed: boolean;
  /** Which category the clip falls in, when refused. */
  category?: PolicyCategory;
  /** The classifier's confidence, 0..1, when it has one. */
  score?: number;
};

/** A model that looks at a clip's frames (RGBA, width * height * 4 bytes each) and judges them against the policy. */
export interface OutputClassifier {
  /** Shown in logs and carried by OutputRefusalError. */
  readonly name: string;
  classify(frames: Uint8ClampedArray[], info: OutputInfo): Promise<OutputVerdict>;
}

let current: OutputClassifier | null = null;

/** Installs the classifier every clip is checked with from now on; null removes it (the built-in model's case). */
export function setOutputClassifier(classifier: OutputClassifier | null): void {
  current = classifier;
}

export function getOutputClassifier(): OutputClassifier | null {
  return current;
}

/** The installed classifier's verdict on a clip; `classified: false` when none is installed. A classifier that throws gives a refusal. */
export async function classifyOutput(frames: Uint8ClampedArray[], info: OutputInfo): Promise<OutputVerdict & { classified: boolean; classifier?: string }> {
  const classifier = current;
  if (classifier === null) return { allowed: true, classified: false };
  checkFrames(frames, info);
  try {
    const verdict = await classifier.classify(frames, info);
    return { ...verdict, classified: true, classifier: classifier.name };
  } catch (err) {
    console.error(`Output classifier '${classifier.name}' failed; the clip is withheld.`, err);
    return { allowed: false, classified: true, classifier: classifier.name };
  }
}

/** Like classifyOutput, but throws OutputRefusalError when the clip is refused (the caller then neither shows nor stores it). */
export async function assertOutputAllowed(frames: Uint8ClampedArray[], info: OutputInfo): Promise<void> {
  const verdict = await classifyOutput(frames, info);
  if (verdict.allowed) return;
  throw new OutputRefusalError(verdict.classifier ?? 'unknown', verdict.category, verdict.score, outputMessage(verdict.category));
}

function outputMessage(category: PolicyCategory | undefined): string {
  const what = category === undefined ? 'something Lantern does not make' : `a category Lantern does not make (${category})`;
  return `The clip was not shown or saved: the model's output check found ${what}. Try a different prompt or seed.`;
}

function checkFrames(frames: readonly Uint8ClampedArray[], info: OutputInfo): void {
  const size = info.width * info.height * 4;
  const bad = frames.findIndex((f) => f.length !== size);
  if (bad !== -1) {
    throw new RangeError(`Frame ${bad} has ${frames[bad]!.length} bytes; a ${info.width} x ${info.height} RGBA frame has ${size}.`);
  }
}
