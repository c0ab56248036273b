// What each finding of "Check a video" means, in words, for the Check tab
// and `npm run verify`. Each label proves something different, and its
// absence proves little: metadata is stripped by most re-encodes and
// uploads, a C2PA manifest by any edit that rewrites the file, and the
// watermark survives those but not everything.
import { TRAINED_ALGORITHMIC_MEDIA } from '../../workers/contracts/provenance';
import type { C2paCheck, ProvenanceCheck, WatermarkFinding, XmpFinding } from '../../workers/provenance/check';

export type Verdict = 'lantern' | 'ai-label' | 'none';

export type CheckMeaning = { verdict: Verdict; headline: string; xmp: string; c2pa: string; watermark: string };

function xmpMeaning(xmp: XmpFinding): string {
  if (!xmp.present) return 'No XMP metadata. Re-encoding, most uploads and screen recordings drop metadata, so its absence says nothing either way.';
  const f = xmp.fields;
  const made = [
    f.creatorTool && `by ${f.creatorTool}`,
    f.aiSystem && `with the model ${f.aiSystem}${f.aiSystemVersion ? ` ${f.aiSystemVersion}` : ''}`,
    f.createDate && `on ${f.createDate}`,
  ]
    .filter(Boolean)
    .join(' ');
  const recipe = f.prompt === undefined ? '' : ` Its maker chose to include the recipe: prompt "${f.prompt}"${f.seed === undefined ? '' : `, seed ${f.seed}`}.`;
  if (!xmp.aiGenerated) return `XMP metadata is present but does not say the video was made by AI${made ? ` (it says: made ${made})` : ''}.${recipe}`;
  return (
    `The XMP metadata says the video was made by a trained AI model (IPTC digital source type "trainedAlgorithmicMedia")${made ? `, ${made}` : ''}.${recipe} ` +
    'Metadata is a claim anyone can write or remove; it is not proof on its own.'
  );
}

function c2paMeaning(c2pa: C2paCheck): string {
  if (!c2pa.checked) return `The C2PA manifest could not be checked: ${c2pa.reason}.`;
  if (!c2pa.present) {
    return c2pa.absence === 'unsupported-format'
      ? 'This file format cannot carry a C2PA manifest that the C2PA library reads here.'
      : 'No C2PA manifest. Any tool that rewrites the file (an editor, an upload, a re-encode) drops it, so its absence says nothing either way.';
  }
  const signer = c2pa.signer === null ? 'an unnamed signer' : `"${c2pa.signer}"${c2pa.signerOrganization === null ? '' : ` (${c2pa.signerOrganization})`}`;
  const ai = c2pa.digitalSourceType === TRAINED_ALGORITHMIC_MEDIA ? ' It records the action "created" by a trained AI model.' : '';
  if (!c2pa.valid) {
    return `A C2PA manifest is present but does not verify: the file was changed after it was signed, or the manifest is damaged (${c2pa.validationErrors.join('; ') || 'no detail given'}).${ai}`;
  }
  const trust = c2pa.trusted
    ? ' The signer chains to a trusted certificate authority.'
    : ' The signer is not on a C2PA trust list: Lantern signs with a key made by each install, so checkers show the manifest as valid but from an unknown signer. It proves the file is unchanged since that install signed it, not who that was.';
  return `A C2PA manifest is present and verifies: its signature is good and the file's bytes are the ones signed by ${signer}.${ai}${trust}`;
}

function watermarkMeaning(w: WatermarkFinding): string {
  if (!w.checked) return `The invisible watermark could not be checked: ${w.reason}.`;
  const score = `score ${w.score.toFixed(1)}, threshold ${w.threshold}`;
  if (w.found && w.lantern) {
    return (
      `Lantern's invisible watermark is in the pixels (${score}; ${w.framesRead} frames read), carrying ${w.model === null ? 'the tag of a model this page does not know' : `the tag of the model ${w.model}`}. ` +
      'It survives the re-encoding, resizing and cropping that strip metadata. Below the threshold, unmarked videos scored at most 7.4 in our measurements.'
    );
  }
  if (w.found) return `A watermark pattern was found (${score}) but its payload does not carry Lantern's marker: it may be damaged.`;
  return `No Lantern watermark (${score}). Either Lantern did not make it, or it was changed more than the watermark survives (heavy cropping, rotation, very strong compression).`;
}

export function explainCheck(check: ProvenanceCheck): CheckMeaning {
  const { xmp, c2pa, watermark } = check;
  const lantern =
    (watermark.checked && watermark.lantern) ||
    (xmp.present && /^Lantern\b/.test(xmp.fields.creatorTool ?? '')) ||
    (c2pa.checked && c2pa.present && c2pa.valid && /^Lantern\b/.test(c2pa.generator?.name ?? ''));
  const aiLabel = (xmp.present && xmp.aiGenerated) || (c2pa.checked && c2pa.present && c2pa.digitalSourceType === TRAINED_ALGORITHMIC_MEDIA);
  const verdict: Verdict = lantern ? 'lantern' : aiLabel ? 'ai-label' : 'none';
  const headline = {
    lantern: 'Made with Lantern: labelled as AI-generated.',
    'ai-label': 'Labelled as AI-generated, not by Lantern.',
    none: 'No AI-made label found. That does not prove a person made it.',
  }[verdict];
  return { verdict, headline, xmp: xmpMeaning(xmp), c2pa: c2paMeaning(c2pa), watermark: watermarkMeaning(watermark) };
}
