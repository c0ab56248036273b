// describeMissingModel: what a recipe link says when this browser lacks the model (or the version) it needs.
import { describe, expect, test } from 'vitest';
import { describeMissingModel } from '../src/recipe/link';
import { plainRecipe } from './support/recipes';

describe('describeMissingModel', () => {
  const recipe = plainRecipe({ model: { id: 'lantern-small', version: '2.1.0' } });

  test('null when the model is there at the version the link needs', () => {
    expect(
      describeMissingModel(recipe, [
        { id: 'lantern-tiny', version: '1.0.0' },
        { id: 'lantern-small', version: '2.1.0' },
      ]),
    ).toBeNull();
  });

  test('names the model and version when this browser has neither', () => {
    for (const available of [[], [{ id: 'lantern-tiny', version: '2.1.0' }]]) {
      expect(describeMissingModel(recipe, available)).toBe(
        "This link needs the model 'lantern-small' at version '2.1.0', which this browser does not have. Add that model, then open the link again.",
      );
    }
  });

  test('says so when the same model is here at another version', () => {
    const message = describeMissingModel(recipe, [
      { id: 'lantern-small', version: '1.0.0' },
      { id: 'lantern-small', version: '3.0.0' },
      { id: 'lantern-small', version: '1.0.0' },
    ]);
    expect(message).toBe(
      "This link needs the model 'lantern-small' at version '2.1.0'; this browser has 'lantern-small' only at version '1.0.0', '3.0.0', which would make a different clip. Add version '2.1.0' to make the same clip, or generate with the version you have.",
    );
  });
});
