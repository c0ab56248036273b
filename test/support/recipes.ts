// Recipes and recipe links for tests: a plain, valid recipe (text-to-video with
// lantern-tiny, any field overridden) and a link to any payload.
import type { Recipe } from '../../src/recipe/recipe';

export function plainRecipe(over: Partial<Recipe> = {}): Recipe {
  return {
    v: 1,
    model: { id: 'lantern-tiny', version: '1.0.0' },
    prompt: 'a red ball rolls left',
    negativePrompt: '',
    seed: 7,
    sampler: 'euler',
    steps: 20,
    shift: 2,
    guidance: 4.5,
    fps: 8,
    codec: 'avc',
    backend: 'webgpu',
    source: null,
    ...over,
  };
}

export const APP = 'https://lantern.example/';
export const b64url = (text: string | Uint8Array) => Buffer.from(text).toString('base64url');
export const linkTo = (payload: string) => `${APP}#recipe=${payload}`;
