// Shapes World's caption vocabulary, typed: every word the built-in model's
// caption grammar can say, keyed by the attribute value it names. The tables
// are training/lantern/world/phrases.py's, exported to
// shapes-world-vocabulary.json (training/tests/test_vocabulary.py keeps the
// copy current); the value lists below are checked against that JSON when
// this module loads, so the types and the data cannot drift apart.
import raw from './shapes-world-vocabulary.json';

const REGENERATE = 'cd training && ../.venv/bin/python -m lantern.world.vocabulary --out ../src/edit/shapes-world-vocabulary.json';

export const SHAPES = ['circle', 'square', 'triangle', 'star', 'diamond'] as const;
export const COLOURS = ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'white', 'black', 'brown', 'cyan', 'gray'] as const;
export const SIZES = ['small', 'medium', 'large'] as const;
export const MOTIONS = ['still', 'left', 'right', 'up', 'down', 'bounce', 'spin', 'grow', 'shrink', 'orbit'] as const;
export const LINEAR_MOTIONS = ['left', 'right', 'up', 'down'] as const;
export const SPEEDS = ['slowly', 'normal', 'quickly'] as const;
export const BACKGROUNDS = ['plain', 'sky', 'meadow', 'night', 'sunset', 'desert'] as const;
export const CAMERAS = ['static', 'pan left', 'pan right', 'zoom in', 'zoom out'] as const;
export const LIGHTS = ['normal', 'dim', 'bright', 'soft', 'hard'] as const;
export const WEATHERS = ['none', 'rain', 'snow', 'fog'] as const;
export const STYLES = ['flat', 'cartoon', 'pixel art', 'realistic', 'neon', 'sketch', 'vintage'] as const;
export const SCENE_ATTRIBUTES = ['background', 'camera', 'light', 'weather', 'style'] as const;
export const OBJECT_ATTRIBUTES = ['shape', 'colour', 'size', 'motion', 'speed'] as const;

export type Shape = (typeof SHAPES)[number];
export type Colour = (typeof COLOURS)[number];
export type Size = (typeof SIZES)[number];
export type Motion = (typeof MOTIONS)[number];
export type LinearMotion = (typeof LINEAR_MOTIONS)[number];
export type Speed = (typeof SPEEDS)[number];
/** A speed with words: normal speed is never named. */
export type NamedSpeed = Exclude<Speed, 'normal'>;
export type Background = (typeof BACKGROUNDS)[number];
/** A background as a caption names it: a plain one carries its colour ('plain blue'). */
export type SceneBackground = Exclude<Background, 'plain'> | `plain ${Colour}`;
export type Camera = (typeof CAMERAS)[number];
export type Light = (typeof LIGHTS)[number];
/** A light with words: normal light is never named. */
export type NamedLight = Exclude<Light, 'normal'>;
export type Weather = (typeof WEATHERS)[number];
/** A weather with words: no weather is never named. */
export type NamedWeather = Exclude<Weather, 'none'>;
export type Style = (typeof STYLES)[number];
export type SceneAttribute = (typeof SCENE_ATTRIBUTES)[number];
export type ObjectAttribute = (typeof OBJECT_ATTRIBUTES)[number];
export type Attribute = ObjectAttribute | SceneAttribute;

/** One way to say a motion: 'rolls' / 'rolling', for left and right, circles only. */
export type Verb = {
  finite: string;
  participle: string;
  motions: readonly Motion[];
  needsDirection: boolean;
  shapes: readonly Shape[];
};

type Table<K extends string> = Readonly<Record<K, readonly string[]>>;

function sameList<T extends string>(name: string, expected: readonly T[], actual: readonly string[]): readonly T[] {
  if (expected.length !== actual.length || expected.some((v, i) => v !== actual[i])) {
    throw new Error(
      `The Shapes World vocabulary's ${name} are [${actual.join(', ')}], this code expects [${expected.join(', ')}]. Regenerate it: ${REGENERATE}`,
    );
  }
  return expected;
}

function table<K extends string>(name: string, keys: readonly K[], value: Record<string, string[]>): Table<K> {
  sameList(`${name} keys`, [...keys].sort(), Object.keys(value).sort());
  return value as Record<K, string[]>;
}

sameList('colours', COLOURS, raw.colourNames);
sameList('shapes', SHAPES, raw.shapes);
sameList('sizes', SIZES, raw.sizes);
sameList('motions', MOTIONS, raw.motions);
sameList('linear motions', LINEAR_MOTIONS, raw.linearMotions);
sameList('speeds', SPEEDS, raw.speeds);
sameList('backgrounds', BACKGROUNDS, raw.backgrounds);
sameList('cameras', CAMERAS, raw.cameras);
sameList('lights', LIGHTS, raw.lights);
sameList('weathers', WEATHERS, raw.weathers);
sameList('styles', STYLES, raw.styles);
sameList('scene attributes', SCENE_ATTRIBUTES, raw.sceneAttributes);

const NAMED_SPEEDS = ['slowly', 'quickly'] as const satisfies readonly NamedSpeed[];
const PICTURED_BACKGROUNDS = BACKGROUNDS.filter((b): b is Exclude<Background, 'plain'> => b !== 'plain');

export const WORLD_VERSION: number = raw.worldVersion;
export const COLOUR_HEX: Readonly<Record<Colour, string>> = (() => {
  sameList('colour hex keys', [...COLOURS].sort(), Object.keys(raw.colours).sort());
  return raw.colours as Record<Colour, string>;
})();
export const NOUNS: Table<Shape> = table('nouns', SHAPES, raw.nouns);
export const COLOUR_WORDS: Table<Colour> = table('colour words', COLOURS, raw.colourWords);
export const SIZE_WORDS: Table<Size> = table('size words', SIZES, raw.sizeWords);
export const DIRECTIONS: Table<LinearMotion> = table('directions', LINEAR_MOTIONS, raw.directions);
/** Speed adverbs before the verb ('slowly rolls'). */
export const SPEED_PRE: Table<NamedSpeed> = table('speed adverbs (before)', NAMED_SPEEDS, raw.speedPre);
/** Speed adverbs after the motion ('moves left fast'). */
export const SPEED_POST: Table<NamedSpeed> = table('speed adverbs (after)', NAMED_SPEEDS, raw.speedPost);
export const BACKGROUND_PHRASES: Table<Exclude<Background, 'plain'>> = table('background phrases', PICTURED_BACKGROUNDS, raw.backgroundPhrases);
/** Templates over a colour word `{c}` and its article `{a}`: 'on {a} {c} background'. */
export const PLAIN_TEMPLATES: readonly string[] = raw.plainTemplates;
export const CAMERA_PHRASES: Table<Camera> = table('camera phrases', CAMERAS, raw.cameraPhrases);
export const LIGHT_PHRASES: Table<NamedLight> = table(
  'light phrases',
  LIGHTS.filter((l) => l !== 'normal'),
  raw.lightPhrases,
);
export const WEATHER_PHRASES: Table<NamedWeather> = table(
  'weather phrases',
  WEATHERS.filter((w) => w !== 'none'),
  raw.weatherPhrases,
);
export const STYLE_PHRASES: Table<Style> = table('style phrases', STYLES, raw.stylePhrases);
export const VERBS: readonly Verb[] = raw.verbs.map((v) => ({
  finite: v.finite,
  participle: v.participle,
  motions: v.motions.map((m) => checked('verb motion', MOTIONS, m)),
  needsDirection: v.needsDirection,
  shapes: v.shapes.map((s) => checked('verb shape', SHAPES, s)),
}));
export const VERB_BY_FINITE: ReadonlyMap<string, Verb> = new Map(VERBS.map((v) => [v.finite, v]));
/** A scene phrase opening with one of these follows the clauses after a space ('... on a blue background'), others after a comma. */
export const LINKING: readonly string[] = raw.linking;
export const MIN_BACKGROUND_DISTANCE: number = raw.minBackgroundDistance;

/** Every background a caption can name, plain colours included. */
export const SCENE_BACKGROUNDS: readonly SceneBackground[] = [...PICTURED_BACKGROUNDS, ...COLOURS.map((c) => `plain ${c}` as const)];

const FORBIDDEN: Readonly<Record<SceneBackground, readonly Colour[]>> = (() => {
  const value = raw.forbiddenColours as Record<string, string[]>;
  sameList('forbidden colour keys', [...SCENE_BACKGROUNDS].sort(), Object.keys(value).sort());
  return Object.fromEntries(Object.entries(value).map(([k, colours]) => [k, colours.map((c) => checked('forbidden colour', COLOURS, c))])) as Record<
    SceneBackground,
    Colour[]
  >;
})();

function checked<T extends string>(name: string, allowed: readonly T[], value: string): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new Error(`Unknown ${name} '${value}' in the Shapes World vocabulary. Regenerate it: ${REGENERATE}`);
  return value as T;
}

/** Object colours that are within CIELAB 25 of this background's colours (spec.py's clash rule). */
export function forbiddenColours(background: SceneBackground): readonly Colour[] {
  return FORBIDDEN[background];
}

/** Object colours allowed in front of this background, in the world's colour order. */
export function allowedColours(background: SceneBackground): readonly Colour[] {
  const forbidden = FORBIDDEN[background];
  return COLOURS.filter((c) => !forbidden.includes(c));
}

export function isOneOf<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

export function isLinear(motion: Motion | null): motion is LinearMotion {
  return motion !== null && isOneOf(LINEAR_MOTIONS, motion);
}

/** The article before a word, as the grammar chooses it: 'an orange ball', 'a red ball'. */
export function article(nextWord: string): 'a' | 'an' {
  return 'aeiou'.includes(nextWord.slice(0, 1)) && nextWord !== '' ? 'an' : 'a';
}

/** A plain background phrase from a template, for one colour word. */
export function plainPhrase(template: string, colourWord: string): string {
  return template.replace('{a}', article(colourWord)).replace('{c}', colourWord);
}

/** Every phrase naming a plain background of this colour, in template order per colour word. */
export function plainBackgroundPhrases(colour: Colour): string[] {
  return COLOUR_WORDS[colour].flatMap((w) => PLAIN_TEMPLATES.map((t) => plainPhrase(t, w)));
}

/** The verbs that truly say this motion of this shape, in table order (phrases.py verbs_for). */
export function verbsFor(shape: Shape, motion: Motion): Verb[] {
  return VERBS.filter((v) => v.motions.includes(motion) && v.shapes.includes(shape));
}

/** Every phrase of a scene attribute's value (none for normal light or no weather). */
export function scenePhrases(attribute: SceneAttribute, value: string): readonly string[] {
  switch (attribute) {
    case 'background':
      if (value.startsWith('plain ')) {
        const colour = value.slice('plain '.length);
        return isOneOf(COLOURS, colour) ? plainBackgroundPhrases(colour) : [];
      }
      return isOneOf(PICTURED_BACKGROUNDS, value) ? BACKGROUND_PHRASES[value] : [];
    case 'camera':
      return isOneOf(CAMERAS, value) ? CAMERA_PHRASES[value] : [];
    case 'light':
      return value !== 'normal' && isOneOf(LIGHTS, value) ? LIGHT_PHRASES[value as NamedLight] : [];
    case 'weather':
      return value !== 'none' && isOneOf(WEATHERS, value) ? WEATHER_PHRASES[value as NamedWeather] : [];
    case 'style':
      return isOneOf(STYLES, value) ? STYLE_PHRASES[value] : [];
  }
}

// Words as the tokenizer splits them (phrases.py `words`): letter runs, single
// digits, runs of punctuation, lowercased. Python's [^\W\d_] is a letter or a
// non-decimal numeral.
const WORD = /[\p{L}\p{No}\p{Nl}]+|\p{Nd}|[^\p{L}\p{N}_\s]+|_+/gu;

export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}
