// Recipe links (src/recipe/link.ts) and the recipe validator behind them
// (src/recipe/validate.ts), property-tested with fast-check as the manifest
// validator is (manifest-property.node.test.ts): valid recipes, nested
// sources and any unicode included, survive a link unchanged; breaking one
// field of a valid recipe (another type, out of range, deleted, an unknown
// field added) is a RecipeError naming that field; and no payload at all
// throws anything but a RecipeLinkError or a RecipeError. Recipes written
// before a field was added (the sampler) still open, with the value every
// clip had before it.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { RECIPE_LINK_REASONS, RecipeError, RecipeLinkError, show } from '../src/recipe/errors';
import { MAX_RECIPE_LINK_CHARS, parseRecipeLink, recipeLink } from '../src/recipe/link';
import type { ParentClip, Recipe, RecipeSource, SourceFile } from '../src/recipe/recipe';
import {
  MAX_FILE_NAME,
  MAX_FPS,
  MAX_GUIDANCE,
  MAX_LATENT_FRAMES,
  MAX_NAME,
  MAX_PARENT_DEPTH,
  MAX_PROMPT,
  MAX_SEED,
  MAX_SHIFT,
  MAX_STEPS,
  validateRecipe,
} from '../src/recipe/validate';
import { BACKENDS, SAMPLERS, VIDEO_CODECS } from '../workers/contracts/generator';
import { APP, b64url, linkTo, plainRecipe } from './support/recipes';

const RUNS = { numRuns: 300, seed: 20261213 };

// -- valid recipes ---------------------------------------------------------------------

/** fc.record with every object a plain one: fast-check otherwise also makes null-prototype objects, which the validator accepts but returns as plain ones. */
function record<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
}

/** Any text: grapheme clusters (emoji, combining marks), any code point (lone surrogates, controls) or ASCII. */
const anyText = (maxLength: number) =>
  fc
    .oneof(fc.string({ unit: 'grapheme', maxLength }), fc.string({ unit: 'binary', maxLength }), fc.string({ maxLength }))
    .filter((s) => s.length <= MAX_PROMPT);
const name = (max: number) => fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }).filter((s) => s.length <= max);
const sha256 = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 });
const sourceFile: fc.Arbitrary<SourceFile> = record({ name: name(MAX_FILE_NAME), sha256 });

/** Valid recipes carrying up to `depth` generations of parent recipes. */
function recipeArb(depth: number, promptLength = 300): fc.Arbitrary<Recipe> {
  const parent: fc.Arbitrary<ParentClip> = record({
    galleryId: fc.option(fc.oneof(fc.uuid(), name(MAX_NAME)), { nil: null }),
    recipe: depth === 0 ? fc.constant(null) : fc.option(recipeArb(depth - 1, 40), { nil: null, freq: 4 }),
  });
  // Weighted towards sources with a parent, so chains of several generations come up.
  const source: fc.Arbitrary<RecipeSource | null> = fc.oneof(
    fc.constant(null),
    {
      weight: 2,
      arbitrary: record({
        kind: fc.constant('edit' as const),
        instruction: anyText(promptLength),
        strength: fc.double({ min: 0, max: 1, minExcluded: true, noNaN: true }),
        parent,
      }),
    },
    {
      weight: 2,
      arbitrary: record({
        kind: fc.constant('extension' as const),
        latentFrames: fc.integer({ min: 1, max: MAX_LATENT_FRAMES }),
        parent: fc.option(parent, { nil: null }),
        file: fc.option(sourceFile, { nil: null }),
      }),
    },
    record({ kind: fc.constant('image' as const), file: sourceFile }),
  );
  return record({
    v: fc.constant(1 as const),
    model: record({ id: name(MAX_NAME), version: name(MAX_NAME) }),
    prompt: anyText(promptLength),
    negativePrompt: anyText(promptLength / 2),
    seed: fc.integer({ min: 0, max: MAX_SEED }),
    sampler: fc.constantFrom(...SAMPLERS),
    steps: fc.integer({ min: 1, max: MAX_STEPS }),
    shift: fc.option(fc.double({ min: Number.MIN_VALUE, max: MAX_SHIFT, noNaN: true }), { nil: null }),
    guidance: fc.double({ min: 0, max: MAX_GUIDANCE, noNaN: true }),
    fps: fc.integer({ min: 1, max: MAX_FPS }),
    codec: fc.constantFrom(...VIDEO_CODECS),
    backend: fc.constantFrom(...BACKENDS),
    source,
  });
}

const recipes = recipeArb(MAX_PARENT_DEPTH);

/** Generations of parent recipes behind a recipe. */
function generations(recipe: Recipe): number {
  const s = recipe.source;
  if (s === null || s.kind === 'image' || s.parent === null || s.parent.recipe === null) return 0;
  return 1 + generations(s.parent.recipe);
}

/** A chain of edits `generations` parent recipes deep. */
function chain(generations: number): Recipe {
  let r = plainRecipe();
  for (let i = 0; i < generations; i++) {
    r = plainRecipe({ prompt: `edit ${i}`, source: { kind: 'edit', instruction: 'make it blue', strength: 0.5, parent: { galleryId: null, recipe: r } } });
  }
  return r;
}

// -- helpers ---------------------------------------------------------------------------

/** The field path the validator names for `key` of the object at `path`. */
const at = (path: string, key: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${show(key)}]`);

type Entry = { path: string; parentPath: string; key: string; value: unknown; holder: Record<string, unknown> };

/** Every field of a recipe (nested ones included), with its path as the validator names it. */
function fields(value: Record<string, unknown>, path = 'recipe'): Entry[] {
  return Object.entries(value).flatMap(([key, v]) => {
    const entry = { path: `${path}.${key}`, parentPath: path, key, value: v, holder: value };
    return typeof v === 'object' && v !== null ? [entry, ...fields(v as Record<string, unknown>, entry.path)] : [entry];
  });
}

/** Every object in a recipe, the recipe included, with its path. */
function objects(value: Record<string, unknown>): { path: string; obj: Record<string, unknown> }[] {
  return [
    { path: 'recipe', obj: value },
    ...fields(value).flatMap((e) => (typeof e.value === 'object' && e.value !== null ? [{ path: e.path, obj: e.value as Record<string, unknown> }] : [])),
  ];
}

/** A recipe with one field changed: `change` gets the clone's object holding the field. */
function mutated(recipe: Recipe, path: string, change: (holder: Record<string, unknown>, key: string) => void): unknown {
  const copy = structuredClone(recipe) as unknown as Record<string, unknown>;
  const keys = path.split('.').slice(1);
  let holder = copy;
  for (const key of keys.slice(0, -1)) holder = holder[key] as Record<string, unknown>;
  change(holder, keys.at(-1) as string);
  return copy;
}

/** Validates and returns the RecipeError; fails on acceptance or on another error. */
function rejection(value: unknown): RecipeError {
  try {
    validateRecipe(value);
  } catch (error) {
    if (error instanceof RecipeError && error.name === 'RecipeError') return error;
    throw new Error(`expected a RecipeError, got ${String(error)}`);
  }
  throw new Error(`the recipe was accepted: ${show(value)}`);
}

/** The message names the field, says what is allowed and what to do, and stays short. */
function expectWorded(error: RecipeError): void {
  expect(error.message).toContain(`Invalid recipe: ${error.field} `);
  expect(error.message).toMatch(/must|only/);
  expect(error.message).toMatch(/copy the link again|update the app/i);
  expect(error.message.length).toBeLessThan(500);
}

/** Fields that may be null: text-to-video's source, an unknown gallery id, a parent with no recipe, an extension of a file or of a clip. */
function nullable(e: Entry): boolean {
  return ['source', 'galleryId', 'recipe', 'shift'].includes(e.key) || ((e.key === 'parent' || e.key === 'file') && e.holder['kind'] === 'extension');
}

const within = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);

/** A JSON-ish value of a different kind than `original`. */
function otherKind(original: unknown): fc.Arbitrary<unknown> {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  return fc
    .oneof(
      fc.string(),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 3 }),
      fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }),
    )
    .filter((v) => kind(v) !== kind(original));
}

const nonInteger = fc.oneof(
  fc.double().filter((x) => !Number.isInteger(x)),
  fc.constantFrom(NaN, Infinity, -Infinity),
);
const tooLong = (max: number) => fc.string({ minLength: max + 1, maxLength: max + 40 });

/** For each field name, values of the right type that are still invalid. */
const INVALID: Record<string, fc.Arbitrary<unknown>> = {
  v: fc.oneof(
    fc.integer().filter((v) => v !== 1),
    fc.double().filter((x) => x !== 1),
  ),
  id: fc.oneof(fc.constant(''), tooLong(MAX_NAME)),
  version: fc.oneof(fc.constant(''), tooLong(MAX_NAME)),
  galleryId: fc.oneof(fc.constant(''), tooLong(MAX_NAME)),
  prompt: tooLong(MAX_PROMPT),
  negativePrompt: tooLong(MAX_PROMPT),
  instruction: tooLong(MAX_PROMPT),
  name: fc.oneof(fc.constant(''), tooLong(MAX_FILE_NAME)),
  seed: fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: MAX_SEED + 1, max: Number.MAX_SAFE_INTEGER }), nonInteger, fc.constantFrom(MAX_SEED + 1, 2 ** 64)),
  steps: fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: MAX_STEPS + 1 }), nonInteger),
  shift: fc.oneof(fc.double({ max: 0, noNaN: true }), fc.double({ min: MAX_SHIFT, minExcluded: true, noNaN: true }), fc.constantFrom(NaN, '2')),
  fps: fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: MAX_FPS + 1 }), nonInteger),
  latentFrames: fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: MAX_LATENT_FRAMES + 1 }), nonInteger),
  guidance: fc.oneof(
    fc.double({ max: -Number.MIN_VALUE, noNaN: true }), // not max 0 excluded: that may give -0, which is 0
    fc.double({ min: MAX_GUIDANCE, minExcluded: true, noNaN: true }),
    fc.constantFrom(NaN, Infinity, -Infinity),
  ),
  strength: fc.oneof(fc.double({ max: 0, noNaN: true }), fc.double({ min: 1, minExcluded: true, noNaN: true }), fc.constant(NaN)),
  codec: fc.oneof(fc.constantFrom('h265', 'AVC', 'vp8', ''), fc.string()).filter((s) => !(VIDEO_CODECS as readonly string[]).includes(s)),
  sampler: fc.oneof(fc.constantFrom('Euler', 'dpm++2m', 'unipc', ''), fc.string()).filter((s) => !(SAMPLERS as readonly string[]).includes(s)),
  backend: fc.oneof(fc.constantFrom('auto', 'WebGPU', 'webgl', ''), fc.string()).filter((s) => !(BACKENDS as readonly string[]).includes(s)),
  kind: fc.oneof(fc.constantFrom('Edit', 'video', 'text', ''), fc.string()).filter((s) => !['edit', 'extension', 'image'].includes(s)),
  sha256: fc.oneof(
    fc.string(),
    sha256.map((h) => h.toUpperCase()).filter((h) => /[A-F]/.test(h)),
    sha256.map((h) => h.slice(1)),
    sha256.map((h) => `${h}0`),
    sha256.map((h) => `sha256-${h}`),
  ),
};

// -- properties ------------------------------------------------------------------------

describe('recipe links round-trip', () => {
  const bases = fc.constantFrom(APP, 'http://localhost:5173/', 'https://someone.github.io/lantern/?lang=de', `${APP}#recipe=old`);

  test('parseRecipeLink(recipeLink(r)) deep-equals r, for any valid recipe with nested sources and unicode prompts', () => {
    fc.assert(
      fc.property(recipes, bases, (recipe, base) => {
        const link = recipeLink(recipe, base);
        expect(link.startsWith(base.split('#')[0] as string)).toBe(true);
        expect(link).toMatch(/#recipe=[A-Za-z0-9_-]+$/);
        expect(link.length - link.indexOf('#recipe=') - 8).toBeLessThanOrEqual(MAX_RECIPE_LINK_CHARS);
        expect(parseRecipeLink(link)).toStrictEqual(recipe);
      }),
      RUNS,
    );
  });

  test('the recipe arbitrary makes chains several generations deep (else the properties would miss nested fields)', () => {
    const depths = fc.sample(recipes, { numRuns: RUNS.numRuns, seed: RUNS.seed }).map(generations);
    expect(Math.max(...depths)).toBeGreaterThanOrEqual(4);
    expect(depths.filter((d) => d >= 2).length).toBeGreaterThan(RUNS.numRuns / 20);
  });

  test('validateRecipe returns a fresh copy equal to a valid recipe', () => {
    fc.assert(
      fc.property(recipes, (recipe) => {
        const copy = validateRecipe(structuredClone(recipe));
        expect(copy).toStrictEqual(recipe);
        expect(copy).not.toBe(recipe);
      }),
      RUNS,
    );
  });

  test('a longest prompt of astral characters fits; a recipe too long for a link is a RecipeLinkError when copied', () => {
    const astral = '🎥'.repeat(MAX_PROMPT / 2);
    const long = plainRecipe({ prompt: astral, negativePrompt: astral });
    expect(parseRecipeLink(recipeLink(long, APP))).toStrictEqual(long);

    // Control characters are 6 bytes of JSON each: nine generations of them cannot fit.
    let huge = plainRecipe({ prompt: '\u0001'.repeat(MAX_PROMPT) });
    for (let i = 0; i < MAX_PARENT_DEPTH; i++) {
      huge = plainRecipe({
        prompt: '\u0001'.repeat(MAX_PROMPT),
        source: { kind: 'edit', instruction: '', strength: 1, parent: { galleryId: null, recipe: huge } },
      });
    }
    expect(() => recipeLink(huge, APP)).toThrow(expect.objectContaining({ name: 'RecipeLinkError', reason: 'too-long' }));
  });

  test('the deepest chain of parent recipes allowed round-trips; one deeper is a RecipeError naming it', () => {
    const deepest = chain(MAX_PARENT_DEPTH);
    expect(parseRecipeLink(recipeLink(deepest, APP))).toStrictEqual(deepest);
    const error = rejection(chain(MAX_PARENT_DEPTH + 1));
    expect(error.field).toBe(`recipe${'.source.parent.recipe'.repeat(MAX_PARENT_DEPTH + 1)}`);
    expect(error.message).toContain(`at most ${MAX_PARENT_DEPTH} generations`);
    expectWorded(error);
  });
});

describe('one broken field of a valid recipe is a RecipeError naming that field', () => {
  /** A valid recipe and one of its fields that `pick` accepts (every recipe has a prompt, a seed, ...). */
  const fieldOf = (pick: (e: Entry) => boolean) =>
    recipes.chain((recipe) => fc.tuple(fc.constant(recipe), fc.constantFrom(...fields(recipe as unknown as Record<string, unknown>).filter(pick))));

  test('a field replaced by a value of another type', () => {
    fc.assert(
      fc.property(
        fieldOf(() => true).chain((picked) => fc.tuple(fc.constant(picked), otherKind(picked[1].value))),
        ([[recipe, entry], replacement]) => {
          if (replacement === null && nullable(entry)) return; // null where null is allowed: valid
          const error = rejection(
            mutated(recipe, entry.path, (holder, key) => {
              holder[key] = replacement;
            }),
          );
          // The field itself, or a field inside the object put there.
          expect(within(error.field, entry.path), `error at '${error.field}' for a change at '${entry.path}': ${error.message}`).toBe(true);
          expectWorded(error);
        },
      ),
      RUNS,
    );
  });

  test('a field given a value of the right type outside what is allowed', () => {
    fc.assert(
      fc.property(
        fieldOf((e) => INVALID[e.key] !== undefined).chain((picked) => fc.tuple(fc.constant(picked), INVALID[picked[1].key] as fc.Arbitrary<unknown>)),
        ([[recipe, entry], bad]) => {
          const error = rejection(
            mutated(recipe, entry.path, (holder, key) => {
              holder[key] = bad;
            }),
          );
          expect(error.field, error.message).toBe(entry.path);
          expectWorded(error);
          if (entry.key === 'v' && typeof bad === 'number' && Number.isInteger(bad) && bad > 1) {
            expect(error.message).toContain('made by a newer Lantern');
            expect(error.message).toMatch(/update the app/i);
          }
        },
      ),
      RUNS,
    );
  });

  test('a required field deleted (the sampler and the shift are not required: see "recipes written before samplers")', () => {
    fc.assert(
      fc.property(
        fieldOf((e) => e.key !== 'sampler' && e.key !== 'shift'),
        ([recipe, entry]) => {
          const error = rejection(
            mutated(recipe, entry.path, (holder, key) => {
              delete holder[key];
            }),
          );
          expect(error.field).toBe(entry.path);
          expect(error.message).toContain(`${entry.path} is missing;`);
          expectWorded(error);
        },
      ),
      RUNS,
    );
  });

  test('an unknown field added to any object (links are machine-written: it is rejected, not dropped)', () => {
    const keys = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString', 'seeds', 'V', 'a.b', 'x y'));
    fc.assert(
      fc.property(
        recipes.chain((recipe) => fc.tuple(fc.constant(recipe), fc.constantFrom(...objects(recipe as unknown as Record<string, unknown>)), keys)),
        ([recipe, { path, obj }, key]) => {
          if (Object.hasOwn(obj, key)) return;
          const value = mutated(recipe, `${path}.x`, (holder) => {
            // An own property even for '__proto__', as JSON.parse makes it.
            Object.defineProperty(holder, key, { value: 1, enumerable: true, configurable: true, writable: true });
          });
          const error = rejection(value);
          expect(error.field).toBe(at(path, key));
          expect(error.message).toContain('is not a field of');
          expectWorded(error);
        },
      ),
      RUNS,
    );
  });

  test('a field inherited through the prototype does not count', () => {
    const error = rejection(Object.create(plainRecipe()));
    expect(error.field).toBe('recipe.v');
  });

  test('any JSON value at all is a valid recipe or a RecipeError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        try {
          validateRecipe(json);
        } catch (error) {
          expect(error).toBeInstanceOf(RecipeError);
        }
      }),
      RUNS,
    );
  });
});

describe('any fragment is a recipe, a RecipeLinkError or a RecipeError', () => {
  const alphabet = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];
  const payloads = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 400 }),
    fc.string({ unit: fc.constantFrom(...alphabet), minLength: MAX_RECIPE_LINK_CHARS - 4, maxLength: MAX_RECIPE_LINK_CHARS + 4 }),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => b64url(bytes)),
    fc.jsonValue().map((json) => b64url(JSON.stringify(json) ?? '')),
    recipes.map((r) => b64url(JSON.stringify(r))),
    // Deeply nested JSON, as deep as fits in a link.
    fc.integer({ min: 1, max: 6000 }).map((n) => b64url(`${'['.repeat(n)}${']'.repeat(n)}`)),
    fc.integer({ min: 1, max: 3000 }).map((n) => b64url(`${'{"v":1,"model":'.repeat(n)}1${'}'.repeat(n)}`)),
  );

  const expectOnlyNamedErrors = (url: string) => {
    try {
      const recipe = parseRecipeLink(url);
      if (recipe !== null) expect(validateRecipe(recipe)).toStrictEqual(recipe);
    } catch (error) {
      if (error instanceof RecipeLinkError) {
        expect(error.name).toBe('RecipeLinkError');
        expect(RECIPE_LINK_REASONS).toContain(error.reason);
        expect(error.message).toMatch(/copy the whole link again/i);
      } else if (error instanceof RecipeError) {
        expect(error.name).toBe('RecipeError');
      } else {
        throw new Error(`expected a RecipeLinkError or RecipeError, got ${String(error)}`);
      }
    }
  };

  test('arbitrary payloads after #recipe=', () => {
    fc.assert(
      fc.property(payloads, (payload) => expectOnlyNamedErrors(linkTo(payload))),
      RUNS,
    );
  });

  test('arbitrary strings as the whole URL', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.string({ unit: 'binary', maxLength: 300 }).map((s) => `${APP}#${s}`),
        ),
        (url) => expectOnlyNamedErrors(url),
      ),
      RUNS,
    );
  });
});

describe('malformed links', () => {
  const valid = plainRecipe();
  const json = (value: unknown) => linkTo(b64url(JSON.stringify(value)));
  const edit = (parentRecipe: unknown) => ({
    ...valid,
    source: { kind: 'edit', instruction: 'blue', strength: 0.5, parent: { galleryId: null, recipe: parentRecipe } },
  });

  const TABLE: [string, string, 'RecipeLinkError' | 'RecipeError', string][] = [
    ['a percent-encoded payload', linkTo('%7B%7D'), 'RecipeLinkError', 'not-base64url'],
    ['standard base64 (+ and /)', linkTo(Buffer.from([0xfb, 0xff, 0xbf]).toString('base64')), 'RecipeLinkError', 'not-base64url'],
    ['base64url with padding', linkTo('e30='), 'RecipeLinkError', 'not-base64url'],
    ['a payload cut to a length base64url never has', linkTo(b64url(JSON.stringify(valid)).slice(0, 4 * 10 + 1)), 'RecipeLinkError', 'not-base64url'],
    ['a space in the payload', linkTo('e3 0'), 'RecipeLinkError', 'not-base64url'],
    ['bytes that are not UTF-8', linkTo(b64url(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))), 'RecipeLinkError', 'not-utf8'],
    ['a lone UTF-8 continuation byte', linkTo(b64url(new Uint8Array([0x22, 0x80, 0x22]))), 'RecipeLinkError', 'not-utf8'],
    ['text that is not JSON', linkTo(b64url('a red ball')), 'RecipeLinkError', 'not-json'],
    ['an empty payload', linkTo(''), 'RecipeLinkError', 'not-json'],
    ['JSON cut short', linkTo(b64url(JSON.stringify(valid).slice(0, -1))), 'RecipeLinkError', 'not-json'],
    ['a payload over the limit', linkTo('A'.repeat(MAX_RECIPE_LINK_CHARS + 1)), 'RecipeLinkError', 'too-long'],
    ['an array', json([valid]), 'RecipeError', 'recipe'],
    ['null', json(null), 'RecipeError', 'recipe'],
    ['a newer recipe version', json({ ...valid, v: 2, newField: true }), 'RecipeError', 'recipe.v'],
    ['no version', json({ ...valid, v: undefined }), 'RecipeError', 'recipe.v'],
    ['an unknown field', json({ ...valid, extra: 1 }), 'RecipeError', 'recipe.extra'],
    ['an unknown field with an odd name', json({ ...valid, 'a b': 1 }), 'RecipeError', "recipe['a b']"],
    ['a seed past 2^32-1', json({ ...valid, seed: 2 ** 32 }), 'RecipeError', 'recipe.seed'],
    ['a fractional seed', json({ ...valid, seed: 1.5 }), 'RecipeError', 'recipe.seed'],
    ['a string seed', json({ ...valid, seed: '7' }), 'RecipeError', 'recipe.seed'],
    ['a sampler not in SAMPLERS', json({ ...valid, sampler: 'unipc' }), 'RecipeError', 'recipe.sampler'],
    ['a null sampler', json({ ...valid, sampler: null }), 'RecipeError', 'recipe.sampler'],
    ['a parent recipe with an unknown sampler', json(edit({ ...valid, sampler: 'Euler' })), 'RecipeError', 'recipe.source.parent.recipe.sampler'],
    ['a codec not in VIDEO_CODECS', json({ ...valid, codec: 'h265' }), 'RecipeError', 'recipe.codec'],
    ['backend auto (a choice, not a backend)', json({ ...valid, backend: 'auto' }), 'RecipeError', 'recipe.backend'],
    ['guidance over 50', json({ ...valid, guidance: 51 }), 'RecipeError', 'recipe.guidance'],
    ['an empty model id', json({ ...valid, model: { id: '', version: '1' } }), 'RecipeError', 'recipe.model.id'],
    ['a prompt over the limit', json({ ...valid, prompt: 'x'.repeat(MAX_PROMPT + 1) }), 'RecipeError', 'recipe.prompt'],
    ['an unknown source kind', json({ ...valid, source: { kind: 'video' } }), 'RecipeError', 'recipe.source.kind'],
    ['an edit of strength 0', json({ ...edit(null), source: { ...edit(null).source, strength: 0 } }), 'RecipeError', 'recipe.source.strength'],
    [
      'an edit with no parent',
      json({ ...valid, source: { kind: 'edit', instruction: 'x', strength: 1, parent: null } }),
      'RecipeError',
      'recipe.source.parent',
    ],
    ['a parent recipe with a negative seed', json(edit({ ...valid, seed: -1 })), 'RecipeError', 'recipe.source.parent.recipe.seed'],
    ['a parent recipe with an unknown field', json(edit({ ...valid, x: 1 })), 'RecipeError', 'recipe.source.parent.recipe.x'],
    [
      'an image with an uppercase digest',
      json({ ...valid, source: { kind: 'image', file: { name: 'cat.png', sha256: 'A'.repeat(64) } } }),
      'RecipeError',
      'recipe.source.file.sha256',
    ],
    [
      'an extension of 0 latent frames',
      json({ ...valid, source: { kind: 'extension', latentFrames: 0, parent: null, file: null } }),
      'RecipeError',
      'recipe.source.latentFrames',
    ],
    ['parents nested too deep', json(chain(MAX_PARENT_DEPTH + 1)), 'RecipeError', `recipe${'.source.parent.recipe'.repeat(MAX_PARENT_DEPTH + 1)}`],
  ];

  test.each(TABLE)('%s', (_what, link, name, where) => {
    let caught: unknown;
    try {
      parseRecipeLink(link);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(name === 'RecipeError' ? RecipeError : RecipeLinkError);
    const error = caught as RecipeError | RecipeLinkError;
    expect(error.name).toBe(name);
    if (error instanceof RecipeLinkError) expect(error.reason).toBe(where);
    else {
      expect(error.field).toBe(where);
      expectWorded(error);
    }
  });

  test('a newer version says to update the app', () => {
    expect(() => parseRecipeLink(json({ ...valid, v: 2 }))).toThrow(
      'Invalid recipe: recipe.v is 2: this recipe was made by a newer Lantern; this one reads recipe version 1 only. Update the app (reload the page) and open the link again.',
    );
  });

  test('a message names the bad value, what is allowed and the fix', () => {
    expect(() => parseRecipeLink(json({ ...valid, codec: 'h265' }))).toThrow(
      "Invalid recipe: recipe.codec is 'h265'; it must be one of: 'avc', 'vp9', 'av1'. The recipe was damaged or edited; copy the link again from the clip.",
    );
  });

  test('an unknown sampler says which ones this Lantern knows, and to update the app', () => {
    expect(() => parseRecipeLink(json({ ...valid, sampler: 'unipc' }))).toThrow(
      "Invalid recipe: recipe.sampler is 'unipc'; it must be one of: 'euler', 'heun', 'dpmpp2m'. Another name means a recipe from a newer Lantern or one edited by hand. Update the app, or copy the link again from the clip.",
    );
  });

  test('links without a recipe are null', () => {
    for (const url of [APP, `${APP}#`, `${APP}#about`, `${APP}#recipe`, `${APP}?recipe=e30`, `${APP}#x=1&recipe=e30`]) expect(parseRecipeLink(url)).toBeNull();
  });

  test('copying an invalid recipe is a RecipeError, not a link that will not open', () => {
    expect(() => recipeLink({ ...valid, steps: 0 }, APP)).toThrow(expect.objectContaining({ name: 'RecipeError', field: 'recipe.steps' }));
  });
});

describe('recipes written before samplers', () => {
  /** The recipe and its parents' recipes with `change` applied to each (a deep copy). */
  function everyGeneration(recipe: Recipe, change: (r: Record<string, unknown>) => void): Recipe {
    const copy = structuredClone(recipe);
    for (let r: Recipe | null = copy; r !== null; ) {
      change(r as unknown as Record<string, unknown>);
      const s: RecipeSource | null = r.source;
      r = s === null || s.kind === 'image' || s.parent === null ? null : s.parent.recipe;
    }
    return copy;
  }

  test('a recipe without a sampler, at any depth, is read as Euler: old links and gallery records keep opening', () => {
    fc.assert(
      fc.property(recipes, (recipe) => {
        const old = everyGeneration(recipe, (r) => {
          delete r['sampler'];
        });
        const euler = everyGeneration(recipe, (r) => {
          r['sampler'] = 'euler';
        });
        expect(validateRecipe(old)).toStrictEqual(euler);
        expect(parseRecipeLink(linkTo(b64url(JSON.stringify(old))))).toStrictEqual(euler);
      }),
      RUNS,
    );
  });
});
