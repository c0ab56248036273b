// The deployer's configuration: `lantern.config.json` at the repository root,
// built into the app (so it is precached with the code, works offline, and
// nothing on the network or in the page can swap it). A classroom deployment
// sets "policy": "strict"; "strict.models" is the allow-list of model ids
// strict mode may load. "embed" is the teacher's settings for embed.html
// (README, "Embedding in another site"): the parent origins allowed to frame
// and drive it (also its frame-ancestors policy, pwa.config.ts), whether it
// offers a download, a step limit and starter prompts. A file that does not
// parse makes the app strict and says so, and no origin may embed it: a
// broken classroom config must not fall open.

import shipped from '../../lantern.config.json';
import type { PolicyMode } from '../policy/categories';
import { POLICY_MODES } from '../policy/categories';

export type EmbedSettings = {
  /** Origins (scheme://host[:port]) whose pages may frame embed.html and send it messages; none by default. */
  allowedOrigins: readonly string[];
  /** Whether the embed offers its clip for download. */
  download: boolean;
  /** The most denoising steps an embedded generation may use; null: the model's own limit. */
  maxSteps: number | null;
  /** Prompts shown to pupils as one-click starters. */
  starterPrompts: readonly string[];
};

export type DeploymentConfig = {
  policy: PolicyMode;
  /** Model ids strict mode may load. */
  strictModels: readonly string[];
  embed: EmbedSettings;
};

export const DEFAULT_EMBED: EmbedSettings = Object.freeze({
  allowedOrigins: Object.freeze([]),
  download: true,
  maxSteps: null,
  starterPrompts: Object.freeze([]),
});

export const DEFAULT_DEPLOYMENT: DeploymentConfig = Object.freeze({
  policy: 'standard',
  strictModels: Object.freeze(['lantern-tiny']),
  embed: DEFAULT_EMBED,
});

/** lantern.config.json is not what Lantern expects. */
export class DeploymentConfigError extends Error {
  constructor(detail: string) {
    super(
      `lantern.config.json: ${detail}. Expected { "policy": "standard" | "strict", "strict": { "models": ["model-id", ...] }, ` +
        '"embed": { "allowedOrigins": ["https://school.example"], "download": true, "maxSteps": 20, "starterPrompts": ["..."] } }. ' +
        'Lantern runs in strict mode until the file is fixed and the app rebuilt.',
    );
    this.name = 'DeploymentConfigError';
  }
}

export function parseDeploymentConfig(value: unknown): DeploymentConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DeploymentConfigError('it is not a JSON object');
  const { policy, strict, embed, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new DeploymentConfigError(`unknown field '${unknown[0]}'`);
  if (!(POLICY_MODES as readonly unknown[]).includes(policy)) {
    throw new DeploymentConfigError(`"policy" is ${JSON.stringify(policy)}; it must be one of ${POLICY_MODES.map((m) => `"${m}"`).join(', ')}`);
  }
  let strictModels = DEFAULT_DEPLOYMENT.strictModels;
  if (strict !== undefined) {
    if (typeof strict !== 'object' || strict === null) throw new DeploymentConfigError('"strict" must be an object');
    const { models, ...other } = strict as Record<string, unknown>;
    if (Object.keys(other).length > 0) throw new DeploymentConfigError(`unknown field 'strict.${Object.keys(other)[0]}'`);
    if (!Array.isArray(models) || models.length === 0 || !models.every((m) => typeof m === 'string' && m !== '')) {
      throw new DeploymentConfigError('"strict.models" must be a non-empty list of model ids');
    }
    strictModels = Object.freeze([...(models as string[])]);
  }
  return Object.freeze({ policy: policy as PolicyMode, strictModels, embed: parseEmbed(embed) });
}

function parseEmbed(embed: unknown): EmbedSettings {
  if (embed === undefined) return DEFAULT_EMBED;
  if (typeof embed !== 'object' || embed === null || Array.isArray(embed)) throw new DeploymentConfigError('"embed" must be an object');
  const { allowedOrigins = [], download = true, maxSteps = null, starterPrompts = [], ...other } = embed as Record<string, unknown>;
  if (Object.keys(other).length > 0) throw new DeploymentConfigError(`unknown field 'embed.${Object.keys(other)[0]}'`);
  if (!Array.isArray(allowedOrigins)) throw new DeploymentConfigError('"embed.allowedOrigins" must be a list of origins such as "https://school.example"');
  for (const origin of allowedOrigins) {
    if (originProblem(origin) !== null) throw new DeploymentConfigError(`"embed.allowedOrigins" has ${JSON.stringify(origin)}: ${originProblem(origin)}`);
  }
  if (typeof download !== 'boolean') throw new DeploymentConfigError('"embed.download" must be true or false');
  if (maxSteps !== null && (!Number.isInteger(maxSteps) || (maxSteps as number) < 1)) {
    throw new DeploymentConfigError('"embed.maxSteps" must be a positive integer or null');
  }
  if (!Array.isArray(starterPrompts) || !starterPrompts.every((p) => typeof p === 'string' && p.trim() !== '')) {
    throw new DeploymentConfigError('"embed.starterPrompts" must be a list of non-empty strings');
  }
  return Object.freeze({
    allowedOrigins: Object.freeze([...(allowedOrigins as string[])]),
    download,
    maxSteps: maxSteps as number | null,
    starterPrompts: Object.freeze([...(starterPrompts as string[])]),
  });
}

/** Why a string is not an origin as a browser writes it (scheme://host[:port], nothing after), or null. */
export function originProblem(origin: unknown): string | null {
  if (typeof origin !== 'string') return 'an origin must be a string';
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return 'not a URL; write the origin as https://host or https://host:port';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'only http and https origins can embed Lantern';
  if (url.origin !== origin) return `write it as the browser does, ${JSON.stringify(url.origin)} (no path, no trailing slash)`;
  return null;
}

/** The shipped configuration; on a broken file, strict mode with the default allow-list and the error to show. */
export function deploymentConfig(value: unknown = shipped): { config: DeploymentConfig; error: DeploymentConfigError | null } {
  try {
    return { config: parseDeploymentConfig(value), error: null };
  } catch (error) {
    if (!(error instanceof DeploymentConfigError)) throw error;
    console.error(error);
    return { config: Object.freeze({ policy: 'strict', strictModels: DEFAULT_DEPLOYMENT.strictModels, embed: DEFAULT_EMBED }), error };
  }
}
