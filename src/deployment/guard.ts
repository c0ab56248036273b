// The gate every generation passes on the page (EngineClient calls it, so the
// UI, window.lantern, the studio and the CLI cannot go round it): the prompt
// policy on the prompt and the negative prompt, strict mode's model
// allow-list, the provenance choices the clip is made with (strict forces
// the visible mark), and the output classifier's look at the frames.
import type { GenerateRequest, GenerateResult, ModelInfo } from '../../workers/contracts/generator';
import type { ProvenanceChoices } from '../../workers/contracts/provenance';
import { assertOutputAllowed } from '../policy/output-classifier';
import { assertAllowed, assertRequestAllowed } from '../policy/policy';
import type { PolicyLock } from './policy-mode';
import type { ProvenanceSettings } from './provenance-settings';

/** Strict mode allows only the deployment's listed models. */
export class ModelNotAllowedError extends Error {
  readonly modelId: string;
  constructor(modelId: string, allowed: readonly string[]) {
    super(
      `In classroom (strict) mode this Lantern only runs ${allowed.map((id) => `'${id}'`).join(', ')}; '${modelId}' is not on the list. ` +
        'Ask whoever set up this page to add it to lantern.config.json.',
    );
    this.name = 'ModelNotAllowedError';
    this.modelId = modelId;
  }
}

export type RequestGuard = {
  /** Throws PolicyRefusalError or ModelNotAllowedError where the request may not run. */
  check(request: GenerateRequest, model: ModelInfo | null): void;
  /** Throws PolicyRefusalError for an edit instruction the policy refuses. */
  checkInstruction(instruction: string): void;
  /** Throws PolicyRefusalError (naming the shot) for the first storyboard shot the policy refuses. */
  checkShots(prompts: readonly string[]): void;
  /** Throws ModelNotAllowedError for a model strict mode does not allow. */
  checkModel(model: ModelInfo): void;
  /** The choices the clip is made with. */
  provenance(request: GenerateRequest): ProvenanceChoices;
  /** Throws OutputRefusalError when an installed output classifier refuses the clip. */
  checkOutput(result: GenerateResult, request: GenerateRequest): Promise<void>;
};

export function createRequestGuard(lock: PolicyLock, settings: ProvenanceSettings): RequestGuard {
  const checkModel = (model: ModelInfo): void => {
    const { mode, allowedModels } = lock.state;
    if (mode === 'strict' && !allowedModels.includes(model.id)) throw new ModelNotAllowedError(model.id, allowedModels);
  };
  return {
    check(request, model) {
      assertRequestAllowed(
        { prompt: String(request.prompt ?? ''), ...(typeof request.negativePrompt === 'string' ? { negativePrompt: request.negativePrompt } : {}) },
        lock.mode,
      );
      if (model !== null) checkModel(model);
    },
    checkInstruction: (instruction) => assertAllowed(instruction, { mode: lock.mode, field: 'instruction' }),
    checkShots: (prompts) => {
      prompts.forEach((prompt, shotIndex) => {
        assertAllowed(prompt, { mode: lock.mode, field: 'shot', shotIndex });
      });
    },
    checkModel,
    provenance(request) {
      const choices = { ...settings.choices, ...request.provenance };
      return lock.mode === 'strict' ? { ...choices, visibleMark: true } : choices;
    },
    checkOutput: (result, request) =>
      assertOutputAllowed(result.frames, { width: result.width, height: result.height, fps: result.fps, prompt: request.prompt }),
  };
}
