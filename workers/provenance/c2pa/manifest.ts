// What Lantern's C2PA manifest says, as the library's ManifestDefinition
// JSON. c2pa-rs adds the hard binding (c2pa.hash.bmff.v3, a hash of every
// top-level box but the manifest's own) and the claim around these when it
// signs.
//   claim_generator_info  Lantern and its version
//   c2pa.actions.v2       one c2pa.created action: digitalSourceType
//                         trainedAlgorithmicMedia (IPTC: made by a trained
//                         model), softwareAgent Lantern, when = createdAt
//   org.lantern.model     the model's id and version (no standard assertion
//                         names a generative model yet; the label is ours)
// The recipe (prompt, seed) is never written here: it goes only into the
// XMP packet, and only when the user opts in.

import { TRAINED_ALGORITHMIC_MEDIA } from '../../contracts/provenance';

export { TRAINED_ALGORITHMIC_MEDIA };
export const MODEL_ASSERTION = 'org.lantern.model';
export const ACTIONS_ASSERTION = 'c2pa.actions.v2';

export type C2paClaim = {
  generator: { name: string; version: string };
  model: { id: string; version: string };
  /** ISO 8601, e.g. new Date().toISOString(). */
  createdAt: string;
};

/** The definition WasmBuilder.fromJson takes. */
export function manifestDefinition(claim: C2paClaim): object {
  const { generator, model, createdAt } = claim;
  const agent = { name: generator.name, version: generator.version };
  return {
    claim_generator_info: [agent],
    format: 'video/mp4',
    assertions: [
      {
        label: ACTIONS_ASSERTION,
        data: { actions: [{ action: 'c2pa.created', when: createdAt, digitalSourceType: TRAINED_ALGORITHMIC_MEDIA, softwareAgent: agent }] },
      },
      { label: MODEL_ASSERTION, data: { id: model.id, version: model.version } },
    ],
  };
}

/** The claim's fields, or what is wrong with them (C2paSigningError's detail). */
export function claimProblem(claim: C2paClaim): string | null {
  const strings: [string, unknown][] = [
    ['generator.name', claim.generator?.name],
    ['generator.version', claim.generator?.version],
    ['model.id', claim.model?.id],
    ['model.version', claim.model?.version],
  ];
  for (const [field, value] of strings) {
    if (typeof value !== 'string' || value === '') return `claim.${field} must be a non-empty string, not ${JSON.stringify(value)}.`;
  }
  if (typeof claim.createdAt !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(claim.createdAt)) {
    return `claim.createdAt must be an ISO 8601 time such as ${JSON.stringify(new Date(0).toISOString())}, not ${JSON.stringify(claim.createdAt)}.`;
  }
  return null;
}
