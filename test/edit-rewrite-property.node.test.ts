// Properties of edit by instruction over random scenes (src/edit/): a random
// valid scene in random words of the grammar round-trips through
// renderCaption and parseCaption, and a random single-attribute instruction
// gives a prompt that parses to the scene with exactly that attribute changed,
// or the refusal the world's rules call for. The tables of every attribute
// and value are in edit-rewrite.node.test.ts.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { emptyWords, parseCaption, renderCaption, type Scene, type SceneFacts, sceneFacts } from '../src/edit/caption';
import { rewritePrompt } from '../src/edit/rewrite';
import {
  CAMERA_PHRASES,
  CAMERAS,
  COLOUR_WORDS,
  COLOURS,
  DIRECTIONS,
  forbiddenColours,
  isLinear,
  LIGHT_PHRASES,
  MOTIONS,
  NOUNS,
  SCENE_ATTRIBUTES,
  SCENE_BACKGROUNDS,
  SHAPES,
  SIZE_WORDS,
  SIZES,
  SPEED_POST,
  SPEED_PRE,
  STYLE_PHRASES,
  STYLES,
  scenePhrases,
  verbsFor,
} from '../src/edit/vocabulary';
import fixture from './fixtures/edit/parsed-captions.json';

/** The edited prompt, or the refusal's name and message. */
function attempt(prompt: string, instruction: string): { prompt: string; summary: string } | { error: string; message: string } {
  try {
    return rewritePrompt(prompt, instruction);
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

function _edited(prompt: string, instruction: string): string {
  const result = attempt(prompt, instruction);
  if ('error' in result) throw new Error(`"${instruction}" on "${prompt}" was refused: ${result.error}: ${result.message}`);
  return result.prompt;
}

function _refusal(prompt: string, instruction: string): { error: string; message: string } {
  const result = attempt(prompt, instruction);
  if (!('error' in result)) throw new Error(`"${instruction}" on "${prompt}" was accepted: ${result.prompt}`);
  return result;
}

// ----------------------------------------------------------------------------
// Properties over random scenes

const RUNS = { numRuns: 400, seed: 20261201 };
const NAMED_LIGHTS = ['dim', 'bright', 'soft', 'hard'] as const;
const NAMED_WEATHERS = ['rain', 'snow', 'fog'] as const;
const JOINS = [' and ', ' while ', ', ', ', and '] as const;
const pick = <T>(list: readonly T[], n: number): T => list[n % list.length]!;

/** A valid scene (the world's rules hold) in random words of the grammar, joins, order and lead included. */
const sceneArb: fc.Arbitrary<Scene> = fc
  .record({
    objects: fc.array(
      fc.record({
        shape: fc.constantFrom(...SHAPES),
        colour: fc.nat(),
        size: fc.option(fc.constantFrom(...SIZES), { nil: null }),
        motion: fc.option(fc.constantFrom(...MOTIONS), { nil: null }),
        speed: fc.option(fc.constantFrom('slowly', 'quickly') as fc.Arbitrary<'slowly' | 'quickly'>, { nil: null }),
        speedFirst: fc.boolean(),
        n: fc.nat(),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    background: fc.option(fc.constantFrom(...SCENE_BACKGROUNDS), { nil: null }),
    camera: fc.option(fc.constantFrom(...CAMERAS), { nil: null }),
    light: fc.option(fc.constantFrom(...NAMED_LIGHTS), { nil: null }),
    weather: fc.option(fc.constantFrom(...NAMED_WEATHERS), { nil: null }),
    style: fc.option(fc.constantFrom(...STYLES), { nil: null }),
    order: fc.shuffledSubarray([...SCENE_ATTRIBUTES], { minLength: SCENE_ATTRIBUTES.length }),
    lead: fc.option(fc.constantFrom(...SCENE_ATTRIBUTES), { nil: null }),
    participle: fc.boolean(),
    joins: fc.tuple(fc.constantFrom(...JOINS), fc.constantFrom(...JOINS)),
    n: fc.nat(),
  })
  .map((r) => {
    const colours = r.background === null ? COLOURS : COLOURS.filter((c) => !forbiddenColours(r.background!).includes(c));
    const objects = r.objects.map((o) => {
      const motion = o.shape === 'circle' && o.motion === 'spin' ? 'bounce' : o.motion;
      const speed = isLinear(motion) ? o.speed : null;
      const colour = pick(colours, o.colour);
      const verb = motion === null ? null : pick(verbsFor(o.shape, motion), o.n);
      return {
        shape: o.shape,
        colour,
        size: o.size,
        motion,
        speed,
        said: {
          noun: pick(NOUNS[o.shape], o.n),
          colour: pick(COLOUR_WORDS[colour], o.n),
          ...(o.size === null ? {} : { size: pick(SIZE_WORDS[o.size], o.n) }),
          ...(verb === null ? {} : { verb: verb.finite }),
          ...(isLinear(motion) && verb?.needsDirection ? { direction: pick(DIRECTIONS[motion], o.n) } : {}),
          ...(speed === null ? {} : { speed: pick((o.speedFirst ? SPEED_PRE : SPEED_POST)[speed], o.n), speedFirst: o.speedFirst }),
        },
      };
    });
    const scene: Scene = { objects, background: r.background, camera: r.camera, light: r.light, weather: r.weather, style: r.style, said: emptyWords() };
    for (const a of SCENE_ATTRIBUTES) {
      const value = scene[a];
      if (value !== null) scene.said[a] = pick(scenePhrases(a, value), r.n);
    }
    scene.said.lead = r.lead !== null && scene[r.lead] !== null ? r.lead : null;
    scene.said.order = r.order.filter((a) => scene[a] !== null && a !== scene.said.lead);
    scene.said.participle = r.participle && objects.some((o) => o.motion !== null);
    scene.said.joins = r.joins.slice(0, objects.length - 1);
    return scene;
  });

describe('round trips', () => {
  test('parse(render(scene)) is the scene, in the same words', () => {
    fc.assert(
      fc.property(sceneArb, (scene) => {
        const text = renderCaption(scene);
        const back = parseCaption(text);
        expect(sceneFacts(back), text).toEqual(sceneFacts(scene));
        expect(
          back.objects.map((o) => o.said),
          text,
        ).toEqual(scene.objects.map((o) => o.said));
        for (const a of SCENE_ATTRIBUTES) if (scene[a] !== null) expect(back.said[a], text).toBe(scene.said[a]);
        expect(back.said.lead, text).toBe(scene.said.lead);
        expect(back.said.participle, text).toBe(scene.said.participle);
        expect(renderCaption(back)).toBe(text);
      }),
      RUNS,
    );
  }, 60_000);
});

type Ask = { text: string; attribute: string; objectIndex: number | null; value: string };
const ORDINALS = ['first', 'second', 'third'];
const MOTION_ASK: Record<(typeof MOTIONS)[number], string> = {
  still: 'stay still',
  left: 'move left',
  right: 'move right',
  up: 'move up',
  down: 'move down',
  bounce: 'bounce',
  spin: 'spin',
  grow: 'grow',
  shrink: 'shrink',
  orbit: 'orbit',
};

/** A random single-attribute instruction for this scene, with the change it asks for. */
function askArb(facts: SceneFacts): fc.Arbitrary<Ask> {
  const n = facts.objects.length;
  const target = (i: number) => (n === 1 ? fc.constantFrom('it', `the ${NOUNS[facts.objects[0]!.shape!][0]}`) : fc.constant(`the ${ORDINALS[i]} one`));
  const forObject = fc.nat(n - 1).chain((i) =>
    target(i).chain((t) => {
      const o = facts.objects[i]!;
      const step = (by: number) => SIZES[Math.max(0, Math.min(2, o.size === null ? (by > 0 ? 2 : 0) : SIZES.indexOf(o.size) + by))]!;
      const ask = (text: string, attribute: string, value: string): Ask => ({ text, attribute, objectIndex: i, value });
      return fc.oneof(
        fc.constantFrom(...COLOURS).map((c) => ask(`make ${t} ${c}`, 'colour', c)),
        fc.constantFrom(...SHAPES).map((s) => ask(`make ${t} a ${s}`, 'shape', s)),
        fc.constantFrom(...SIZES).map((s) => ask(`make ${t} ${s}`, 'size', s)),
        fc.constantFrom(1, -1).map((by) => ask(`make ${t} ${by > 0 ? 'bigger' : 'smaller'}`, 'size', step(by))),
        fc.constantFrom(...MOTIONS).map((m) => ask(`make ${t} ${MOTION_ASK[m]}`, 'motion', m)),
        fc.constantFrom('slowly', 'quickly').map((s) => ask(`make ${t} ${s === 'slowly' ? 'slower' : 'faster'}`, 'speed', s)),
      );
    }),
  );
  const ask = (text: string, attribute: string, value: string): Ask => ({ text, attribute, objectIndex: null, value });
  const forScene = fc.oneof(
    fc.constantFrom(...SCENE_BACKGROUNDS).map((b) => ask(`make the background ${b.replace('plain ', '')}`, 'background', b)),
    fc.tuple(fc.constantFrom(...CAMERAS), fc.nat()).map(([c, k]) => ask(pick(CAMERA_PHRASES[c], k), 'camera', c)),
    fc.tuple(fc.constantFrom(...NAMED_LIGHTS), fc.nat()).map(([l, k]) => ask(pick(LIGHT_PHRASES[l], k), 'light', l)),
    fc.constant(ask('normal light', 'light', 'normal')),
    fc.constantFrom(...NAMED_WEATHERS).map((w) => ask(`add ${w}`, 'weather', w)),
    fc.constant(ask(facts.weather === null ? 'no weather' : `remove the ${facts.weather}`, 'weather', 'none')),
    fc.tuple(fc.constantFrom(...STYLES), fc.nat()).map(([s, k]) => ask(pick(STYLE_PHRASES[s], k), 'style', s)),
  );
  return fc.oneof(forObject, forScene);
}

/** What the world's rules make of one change: the refusal, or the scene after it. */
function expected(facts: SceneFacts, ask: Ask): { error: string } | { facts: SceneFacts } {
  const after: SceneFacts = structuredClone(facts);
  const unnamed = (ask.attribute === 'weather' && ask.value === 'none') || (ask.attribute === 'light' && ask.value === 'normal');
  if (ask.objectIndex === null) {
    const now = facts[ask.attribute as (typeof SCENE_ATTRIBUTES)[number]];
    if (now === ask.value || (now === null && unnamed)) return { error: 'NothingToChangeError' };
    Object.assign(after, { [ask.attribute]: unnamed ? null : ask.value });
  } else {
    const o = after.objects[ask.objectIndex]!;
    if (o[ask.attribute as 'colour'] === ask.value) return { error: 'NothingToChangeError' };
    Object.assign(o, { [ask.attribute]: ask.value });
    if (!isLinear(o.motion)) {
      if (ask.attribute === 'speed') return { error: 'EditClashError' };
      o.speed = null;
    }
    if (o.shape === 'circle' && o.motion === 'spin') return { error: 'EditClashError' };
  }
  const bg = after.background;
  const clash = (i: number) => bg !== null && after.objects[i]!.colour !== null && forbiddenColours(bg).includes(after.objects[i]!.colour!);
  if (ask.attribute === 'colour' && clash(ask.objectIndex!)) return { error: 'EditClashError' };
  if (ask.attribute === 'background' && after.objects.some((_, i) => clash(i))) return { error: 'EditClashError' };
  return { facts: after };
}

describe('rewriting', () => {
  const promptArb = fc.oneof(sceneArb.map(renderCaption), fc.constantFrom(...fixture.captions.map((c) => c.caption)));
  test('a single-attribute instruction changes exactly that attribute, or is refused by a rule of the world', () => {
    fc.assert(
      fc.property(
        promptArb.chain((prompt) => {
          const facts = sceneFacts(parseCaption(prompt));
          return askArb(facts).map((ask) => ({ prompt, facts, ask }));
        }),
        ({ prompt, facts, ask }) => {
          const want = expected(facts, ask);
          const got = attempt(prompt, ask.text);
          const where = `"${ask.text}" on "${prompt}"`;
          if ('error' in want) {
            expect('error' in got ? got.error : `accepted: ${got.prompt}`, where).toBe(want.error);
            return;
          }
          if ('error' in got) throw new Error(`${where} was refused: ${got.error}: ${got.message}`);
          expect(sceneFacts(parseCaption(got.prompt)), `${where} -> "${got.prompt}"`).toEqual(want.facts);
          expect(rewritePrompt(prompt, ask.text).changes).toEqual([{ attribute: ask.attribute, objectIndex: ask.objectIndex, value: ask.value }]);
        },
      ),
      RUNS,
    );
  }, 60_000);
});
