// Recipes and samplers: a link written before samplers opens as Euler, one
// written before shifts on the model's own schedule shift, and the sampler
// and shift go from a request into its clip's recipe and back (the property
// over every depth is in recipe-link.node.test.ts).
import { describe, expect, test } from 'vitest';
import { recipeOf } from '../src/recipe/from-result';
import { parseRecipeLink, recipeLink } from '../src/recipe/link';
import type { Recipe } from '../src/recipe/recipe';
import { recipeRequest } from '../src/recipe/reproduce';
import { validateRecipe } from '../src/recipe/validate';
import { type GenerateResult, type ModelInfo, SAMPLERS } from '../workers/contracts/generator';
import { APP, b64url, linkTo, plainRecipe } from './support/recipes';

describe('recipes and samplers', () => {
  test('a link as the last Lantern without samplers wrote it opens, and its link again names the sampler', () => {
    const {
      sampler: _,
      shift: _shift,
      ...old
    } = plainRecipe({
      source: { kind: 'edit', instruction: 'make it blue', strength: 0.5, parent: { galleryId: 'g1', recipe: { ...plainRecipe() } } },
    });
    delete (old.source as { parent: { recipe: Partial<Recipe> } }).parent.recipe.sampler;
    delete (old.source as { parent: { recipe: Partial<Recipe> } }).parent.recipe.shift;
    expect(JSON.stringify(old)).not.toContain('sampler');
    expect(JSON.stringify(old)).not.toContain('shift');
    const opened = parseRecipeLink(linkTo(b64url(JSON.stringify(old))));
    expect(opened?.sampler).toBe('euler');
    expect(opened?.shift).toBeNull();
    // ... and makes its clip on the model's own schedule shift, not today's default.
    expect(recipeRequest(opened as Recipe, { scheduleShift: 2 })).toMatchObject({ sampler: 'euler', shift: 2 });
    expect(opened?.source?.kind === 'edit' && opened.source.parent.recipe?.sampler).toBe('euler');
    expect(JSON.parse(Buffer.from(recipeLink(opened as Recipe, APP).split('#recipe=')[1] as string, 'base64url').toString())).toMatchObject({
      sampler: 'euler',
    });
  });

  test("a recipe's request carries its sampler and shift; a clip's recipe has the request's, or the model's defaults for a request without them", async () => {
    for (const sampler of SAMPLERS) {
      expect(recipeRequest(plainRecipe({ sampler, shift: 5 }), { scheduleShift: 2 })).toMatchObject({ sampler, steps: 20, shift: 5 });
    }
    const model = { id: 'lantern-tiny', version: '1.0.0', defaultSampler: 'heun', defaultSteps: 20, defaultShift: 4, defaultGuidance: 4.5 } as ModelInfo;
    const result = { seed: 7, fps: 8, codec: 'avc', backend: 'wasm' } as GenerateResult;
    const fast = await recipeOf({ prompt: 'a red ball', seed: 7, sampler: 'dpmpp2m', steps: 8, shift: 6 }, result, model, undefined);
    expect(fast).toMatchObject({ sampler: 'dpmpp2m', steps: 8, shift: 6 });
    expect(validateRecipe(fast)).toStrictEqual(fast);
    expect(await recipeOf({ prompt: 'a red ball', seed: 7 }, result, model, undefined)).toMatchObject({ sampler: 'heun', steps: 20, shift: 4 });
  });
});
