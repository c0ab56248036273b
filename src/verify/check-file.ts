// The page's "Check a video": the media worker reads the labels, this adds
// what they mean. Shared by the Check tab, window.lantern.verify and
// `npm run verify` (which calls window.lantern.verify).
import type { ProvenanceCheck } from '../../workers/provenance/check';
import { checkVideo } from '../media/media-client';
import { type CheckMeaning, explainCheck } from './meaning';

export type VerifyReport = ProvenanceCheck & { meaning: CheckMeaning };

/** The built-in model is always known; stored models add theirs. */
export async function verifyFile(file: Blob, knownModels: readonly string[]): Promise<VerifyReport> {
  const check = await checkVideo(file, [...new Set(['lantern-tiny', ...knownModels])]);
  return { ...check, meaning: explainCheck(check) };
}
