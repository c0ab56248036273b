// The deployer's configuration: `lantern.config.json` at the repository root,
// built into the app (so it is precached with the code, works offline, and
// nothing on the network or in the page can swap it). A classroom deployment
// sets "policy": "strict"; "strict.models" is the allow-list of model ids
// strict mode may load. A file that does not parse makes the app strict and
// says so: a broken classroom config must not fall open.

import shipped from '../../lantern.config.json';
import type { PolicyMode } from '../policy/categories';
import { POLICY_MODES } from '../policy/categories';

export type DeploymentConfig = {
  policy: PolicyMode;
  /** Model ids strict mode may load. */
  strictModels: readonly string[];
};

export const DEFAULT_DEPLOYMENT: DeploymentConfig = Object.freeze({ policy: 'standard', strictModels: Object.freeze(['lantern-tiny']) });

/** lantern.config.json is not what Lantern expects. */
export class DeploymentConfigError extends Error {
  constructor(detail: string) {
    super(
      `lantern.config.json: ${detail}. Expected { "policy": "standard" | "strict", "strict": { "models": ["model-id", ...] } }. ` +
        'Lantern runs in strict mode until the file is fixed and the app rebuilt.',
    );
    this.name = 'DeploymentConfigError';
  }
}

export function parseDeploymentConfig(value: unknown): DeploymentConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DeploymentConfigError('it is not a JSON object');
  const { policy, strict, ...rest } = value as Record<string, unknown>;
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
  return Object.freeze({ policy: policy as PolicyMode, strictModels });
}

/** The shipped configuration; on a broken file, strict mode with the default allow-list and the error to show. */
export function deploymentConfig(value: unknown = shipped): { config: DeploymentConfig; error: DeploymentConfigError | null } {
  try {
    return { config: parseDeploymentConfig(value), error: null };
  } catch (error) {
    if (!(error instanceof DeploymentConfigError)) throw error;
    console.error(error);
    return { config: Object.freeze({ policy: 'strict', strictModels: DEFAULT_DEPLOYMENT.strictModels }), error };
  }
}
