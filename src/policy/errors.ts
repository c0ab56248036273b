// Errors of the misuse policy. Like every error in Lantern they set
// `this.name`, so the UI branches on `err.name` after comlink has dropped the
// class. A refusal's message names the category, calmly, and what to do
// instead; it never quotes the prompt's words or the policy's lists.
import type { PolicyCategory, PolicyField, PolicyMode } from './categories';

/** The names of the errors below, for the UI to branch on. */
export const POLICY_ERROR_NAMES = ['PolicyRefusalError', 'OutputRefusalError'] as const;
export type PolicyErrorName = (typeof POLICY_ERROR_NAMES)[number];

/** A prompt, negative prompt, edit instruction or storyboard shot the prompt policy refuses. */
export class PolicyRefusalError extends Error {
  readonly category: PolicyCategory;
  readonly field: PolicyField;
  readonly mode: PolicyMode;
  /** For a storyboard shot: its index, from 0. */
  readonly shotIndex: number | undefined;
  constructor(category: PolicyCategory, field: PolicyField, mode: PolicyMode, message: string, shotIndex?: number) {
    super(message);
    this.name = 'PolicyRefusalError';
    this.category = category;
    this.field = field;
    this.mode = mode;
    this.shotIndex = shotIndex;
  }
}

/** A clip an output classifier (output-classifier.ts) refused: it is neither shown nor stored. */
export class OutputRefusalError extends Error {
  readonly category: PolicyCategory | undefined;
  readonly score: number | undefined;
  /** The classifier's name, so a refusal can be traced to the model that made it. */
  readonly classifier: string;
  constructor(classifier: string, category: PolicyCategory | undefined, score: number | undefined, message: string) {
    super(message);
    this.name = 'OutputRefusalError';
    this.classifier = classifier;
    this.category = category;
    this.score = score;
  }
}
