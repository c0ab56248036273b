// Reading and writing Shapes World captions. parseCaption reads a prompt the
// way training/lantern/world/captions.py `parse_caption` does (left to right,
// the longest phrase wins, a size, colour or noun after a complete object
// starts the next one) and also keeps the words the prompt used, so
// renderCaption can write the scene back in the prompt's own words, changing
// only what an edit changed. renderCaption writes clauses the way the grammar
// does ('a small red ball moves left quickly'), joined by ' and ' / ' while ' /
// ', ', then the scene phrases.
import {
  article,
  BACKGROUND_PHRASES,
  CAMERA_PHRASES,
  type Camera,
  COLOUR_WORDS,
  COLOURS,
  type Colour,
  DIRECTIONS,
  isLinear,
  LIGHT_PHRASES,
  LINKING,
  type Motion,
  type NamedLight,
  type NamedSpeed,
  type NamedWeather,
  NOUNS,
  PLAIN_TEMPLATES,
  plainBackgroundPhrases,
  plainPhrase,
  SCENE_ATTRIBUTES,
  type SceneAttribute,
  type SceneBackground,
  SHAPES,
  type Shape,
  SIZE_WORDS,
  type Size,
  SPEED_POST,
  SPEED_PRE,
  STYLE_PHRASES,
  type Style,
  scenePhrases,
  VERB_BY_FINITE,
  VERBS,
  type Verb,
  verbsFor,
  WEATHER_PHRASES,
  words,
} from './vocabulary';

/** The words a prompt used for an object, kept so an edit changes only what it must. */
export type ObjectWords = {
  noun?: string;
  colour?: string;
  size?: string;
  /** The verb's finite form ('rolls'), whichever form the prompt used. */
  verb?: string;
  direction?: string;
  speed?: string;
  /** The speed adverb came before the verb ('slowly rolls left'). */
  speedFirst?: boolean;
};

/** One object as the prompt names it; null: not named (the model samples it). */
export type SceneObject = {
  shape: Shape | null;
  colour: Colour | null;
  size: Size | null;
  motion: Motion | null;
  /** Only left, right, up and down motions have a speed; normal speed has no words. */
  speed: NamedSpeed | null;
  said: ObjectWords;
};

/** The words a prompt used for the scene and how it joined its parts. */
export type SceneWords = Partial<Record<SceneAttribute, string>> & {
  /** Scene attributes in the order the prompt named them (the lead excluded). */
  order: SceneAttribute[];
  /** The scene attribute whose phrase opened the prompt ('at night, a red ball ...'). */
  lead: SceneAttribute | null;
  /** Verbs in their participle form ('a red ball moving left'). */
  participle: boolean;
  /** What joined each clause to the next: ' and ', ' while ', ', ', ', and '. */
  joins: string[];
  /** What came before each scene phrase: ', ' or ' '. */
  glue: Partial<Record<SceneAttribute, ', ' | ' '>>;
};

/** A Shapes World prompt read back: its objects in order and the clip-level attributes it names. */
export type Scene = {
  objects: SceneObject[];
  background: SceneBackground | null;
  camera: Camera | null;
  /** Normal light has no words, so it is never named. */
  light: NamedLight | null;
  /** No weather has no words, so it is never named. */
  weather: NamedWeather | null;
  style: Style | null;
  said: SceneWords;
};

type Category = 'noun' | 'colour' | 'size' | 'verb' | 'direction' | 'speed' | SceneAttribute;

export type PhraseEntry<M> = { meaning: M; phrase: string };
export type PhraseMatch<M> = PhraseEntry<M> & { start: number; end: number };
export type CaptionMeaning = { category: Category; value: string };

/** Phrases keyed by their words joined by single spaces (the tokenizer's split). */
export class PhraseIndex<M> {
  readonly #entries = new Map<string, PhraseEntry<M>>();
  #longest = 1;

  /** Adds a phrase; the same phrase with another meaning is a mistake in the tables. */
  add(phrase: string, meaning: M, same: (a: M, b: M) => boolean): void {
    const tokens = words(phrase);
    const key = tokens.join(' ');
    const had = this.#entries.get(key);
    if (had !== undefined && !same(had.meaning, meaning)) {
      throw new Error(`The phrase '${phrase}' has two meanings: ${JSON.stringify(had.meaning)} and ${JSON.stringify(meaning)}.`);
    }
    if (had === undefined) this.#entries.set(key, { meaning, phrase });
    this.#longest = Math.max(this.#longest, tokens.length);
  }

  get(key: string): PhraseEntry<M> | undefined {
    return this.#entries.get(key);
  }

  keys(): IterableIterator<string> {
    return this.#entries.keys();
  }

  /** Left to right over the tokens, at each one the longest phrase that starts there. */
  match(tokens: readonly string[]): PhraseMatch<M>[] {
    const out: PhraseMatch<M>[] = [];
    let i = 0;
    while (i < tokens.length) {
      let found: PhraseMatch<M> | null = null;
      for (let n = Math.min(this.#longest, tokens.length - i); n >= 1 && found === null; n--) {
        const entry = this.#entries.get(tokens.slice(i, i + n).join(' '));
        if (entry !== undefined) found = { ...entry, start: i, end: i + n };
      }
      if (found === null) {
        i++;
      } else {
        out.push(found);
        i = found.end;
      }
    }
    return out;
  }
}

const sameMeaning = (a: CaptionMeaning, b: CaptionMeaning) => a.category === b.category && a.value === b.value;

/** Every phrase the caption grammar can say (phrases.py all_phrases), with what it names. */
export const CAPTION_PHRASES: PhraseIndex<CaptionMeaning> = (() => {
  const index = new PhraseIndex<CaptionMeaning>();
  const add = (category: Category, value: string, phrases: readonly string[]) => {
    for (const phrase of phrases) index.add(phrase, { category, value }, sameMeaning);
  };
  for (const s of SHAPES) add('noun', s, NOUNS[s]);
  for (const c of COLOURS) add('colour', c, COLOUR_WORDS[c]);
  for (const [s, ws] of Object.entries(SIZE_WORDS)) add('size', s, ws);
  for (const v of VERBS) add('verb', v.finite, [v.finite, v.participle]);
  for (const [d, ws] of Object.entries(DIRECTIONS)) add('direction', d, ws);
  for (const table of [SPEED_PRE, SPEED_POST]) for (const [s, ws] of Object.entries(table)) add('speed', s, ws);
  for (const [b, ws] of Object.entries(BACKGROUND_PHRASES)) add('background', b, ws);
  for (const c of COLOURS) add('background', `plain ${c}`, plainBackgroundPhrases(c));
  for (const [attribute, table] of [
    ['camera', CAMERA_PHRASES],
    ['light', LIGHT_PHRASES],
    ['weather', WEATHER_PHRASES],
    ['style', STYLE_PHRASES],
  ] as const) {
    for (const [value, ws] of Object.entries(table)) add(attribute, value, ws);
  }
  return index;
})();

const JOINS: Readonly<Record<string, string>> = { and: ' and ', while: ' while ', ',': ', ', ', and': ', and ' };
const OBJECT_FIELD = { noun: 'shape', colour: 'colour', size: 'size' } as const;

export function emptyWords(): SceneWords {
  return { order: [], lead: null, participle: false, joins: [], glue: {} };
}

/** The nouns that end a pictured background's phrases: 'meadow', 'sky', 'field', 'sand', ... */
const BACKGROUND_NOUNS: ReadonlySet<string> = new Set(Object.values(BACKGROUND_PHRASES).flatMap((phrases) => phrases.map((p) => words(p).at(-1)!)));

/**
 * What a prompt names, read as the Python parser reads it, with the words it
 * used. A colour word on a pictured background's noun that no phrase
 * covers ('on a green meadow', 'under a dark sky') describes the
 * background, not an object: it is left out and the rest read again, so
 * the background phrase ('a meadow') is found.
 */
export function parseCaption(prompt: string): Scene {
  return parseTokens(captionTokens(prompt).tokens);
}

/** The prompt's words as parseCaption reads them, and the colour words it left out (on a background's noun). */
export function captionTokens(prompt: string): { tokens: string[]; dropped: string[] } {
  let tokens = words(prompt);
  const dropped: string[] = [];
  for (;;) {
    const covered = new Set<number>();
    const colours: number[] = [];
    for (const m of CAPTION_PHRASES.match(tokens)) {
      for (let t = m.start; t < m.end; t++) covered.add(t);
      if (m.meaning.category === 'colour') colours.push(m.start);
    }
    const stray = colours.find((i) => !covered.has(i + 1) && BACKGROUND_NOUNS.has(tokens[i + 1] ?? ''));
    if (stray === undefined) return { tokens, dropped };
    dropped.push(tokens[stray]!);
    tokens = [...tokens.slice(0, stray), ...tokens.slice(stray + 1)];
  }
}

function parseTokens(tokens: string[]): Scene {
  const scene: Scene = { objects: [], background: null, camera: null, light: null, weather: null, style: null, said: emptyWords() };
  const spans: [number, number][] = []; // first and last token of each object's phrases
  const covered = new Set<number>();
  for (const m of CAPTION_PHRASES.match(tokens)) {
    const { category, value } = m.meaning;
    for (let t = m.start; t < m.end; t++) covered.add(t);
    let current = scene.objects.at(-1);
    if (category === 'noun' || category === 'colour' || category === 'size') {
      if (current === undefined || current.shape !== null || current[OBJECT_FIELD[category]] !== null) {
        current = { shape: null, colour: null, size: null, motion: null, speed: null, said: {} };
        scene.objects.push(current);
        spans.push([m.start, m.end - 1]);
      }
      if (category === 'noun') current.shape = value as Shape;
      else if (category === 'colour') current.colour = value as Colour;
      else current.size = value as Size;
      current.said[category] = m.phrase;
      spans[spans.length - 1]![1] = m.end - 1;
    } else if (category === 'verb' || category === 'direction' || category === 'speed') {
      if (current === undefined) continue;
      if (category === 'verb') {
        const verb = VERB_BY_FINITE.get(value)!;
        current.said.verb = value;
        if (!verb.needsDirection) current.motion = verb.motions[0]!;
        if (m.phrase === verb.participle && m.phrase !== verb.finite) scene.said.participle = true;
      } else if (category === 'direction') {
        current.motion = value as Motion;
        current.said.direction = m.phrase;
      } else {
        current.speed = value as NamedSpeed;
        current.said.speed = m.phrase;
        current.said.speedFirst = current.said.verb === undefined;
      }
      spans[spans.length - 1]![1] = m.end - 1;
    } else {
      setScene(scene, category, value);
      scene.said[category] = m.phrase;
      if (m.start === 0 && tokens[m.end]?.startsWith(',')) {
        scene.said.lead = category;
      } else {
        if (!scene.said.order.includes(category)) scene.said.order.push(category);
        scene.said.glue[category] = tokens[m.start - 1]?.endsWith(',') ? ', ' : ' ';
      }
    }
  }
  if (scene.said.lead !== null) scene.said.order = scene.said.order.filter((a) => a !== scene.said.lead);
  for (let i = 1; i < spans.length; i++) {
    const between = tokens.slice(spans[i - 1]![1] + 1, spans[i]![0]).filter((t, k) => !covered.has(spans[i - 1]![1] + 1 + k) && t !== 'a' && t !== 'an');
    scene.said.joins.push(JOINS[between.join(' ')] ?? ' and ');
  }
  return scene;
}

function setScene(scene: Scene, attribute: SceneAttribute, value: string): void {
  if (attribute === 'background') scene.background = value as SceneBackground;
  else if (attribute === 'camera') scene.camera = value as Camera;
  else if (attribute === 'light') scene.light = value as NamedLight;
  else if (attribute === 'weather') scene.weather = value as NamedWeather;
  else scene.style = value as Style;
}

/** A scene's values without the words: what two phrasings of one scene share. */
export type SceneFacts = Omit<Scene, 'said' | 'objects'> & { objects: Omit<SceneObject, 'said'>[] };

export function sceneFacts(scene: Scene): SceneFacts {
  return {
    objects: scene.objects.map(({ shape, colour, size, motion, speed }) => ({ shape, colour, size, motion, speed })),
    background: scene.background,
    camera: scene.camera,
    light: scene.light,
    weather: scene.weather,
    style: scene.style,
  };
}

// ----------------------------------------------------------------------------
// Writing a scene as a caption

/** The phrase a prompt used if it still names the value, else the table's first. */
function reuse(said: string | undefined, phrases: readonly string[]): string {
  return said !== undefined && phrases.includes(said) ? said : phrases[0]!;
}

/** The prompt's verb if it still says this motion of this shape, else the first that does. */
export function verbFor(shape: Shape | null, motion: Motion, said: string | undefined): Verb {
  const fits = shape === null ? VERBS.filter((v) => v.motions.includes(motion) && v.shapes.length === SHAPES.length) : verbsFor(shape, motion);
  const mine = said === undefined ? undefined : fits.find((v) => v.finite === said);
  const verb = mine ?? fits[0] ?? VERBS.find((v) => v.motions.includes(motion));
  if (verb === undefined) throw new Error(`No verb says the motion '${motion}'.`);
  return verb;
}

/** Phrases at the same place in parallel tables ('to the left' -> 'to the right'), else the table's first. */
function parallel(said: string | undefined, tables: readonly (readonly string[])[], target: readonly string[]): string {
  if (said !== undefined) {
    if (target.includes(said)) return said;
    for (const table of tables) {
      const at = table.indexOf(said);
      if (at >= 0 && at < target.length) return target[at]!;
    }
  }
  return target[0]!;
}

function clause(o: SceneObject, participle: boolean): string {
  const size = o.size === null ? null : reuse(o.said.size, SIZE_WORDS[o.size]);
  const colour = o.colour === null ? null : reuse(o.said.colour, COLOUR_WORDS[o.colour]);
  const noun = o.shape === null ? null : reuse(o.said.noun, NOUNS[o.shape]);
  const named = [size, colour, noun].filter((w): w is string => w !== null);
  const parts = [article(named[0] ?? ''), ...named];
  const adverb = o.speed === null ? null : reuse(o.said.speed, (o.said.speedFirst ? SPEED_PRE : SPEED_POST)[o.speed]);
  if (o.motion !== null) {
    const verb = verbFor(o.shape, o.motion, o.said.verb);
    if (adverb !== null && o.said.speedFirst) parts.push(adverb);
    parts.push(participle ? verb.participle : verb.finite);
    if (verb.needsDirection && isLinear(o.motion)) parts.push(parallel(o.said.direction, Object.values(DIRECTIONS), DIRECTIONS[o.motion]));
    if (adverb !== null && !o.said.speedFirst) parts.push(adverb);
  } else if (adverb !== null) {
    parts.push(adverb);
  }
  return parts.join(' ');
}

function sceneValue(scene: Scene, attribute: SceneAttribute): string | null {
  return scene[attribute];
}

function scenePhrase(scene: Scene, attribute: SceneAttribute, value: string): string {
  const phrases = scenePhrases(attribute, value);
  const said = scene.said[attribute];
  if (attribute === 'background' && value.startsWith('plain ') && said !== undefined && !phrases.includes(said)) {
    // Plain to plain: keep the prompt's template ('on a plain blue background' -> 'on a plain green background').
    const colour = value.slice('plain '.length) as Colour;
    const template = PLAIN_TEMPLATES.find((t) => COLOURS.some((c) => COLOUR_WORDS[c].some((w) => plainPhrase(t, w) === said)));
    if (template !== undefined) return plainPhrase(template, COLOUR_WORDS[colour][0]!);
  }
  return reuse(said, phrases);
}

const LINKING_START = new RegExp(`^(?:${LINKING.map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);

/** A caption naming exactly what the scene names, in the words it was written in where they still fit. */
export function renderCaption(scene: Scene): string {
  const participle = scene.said.participle;
  const clauses = scene.objects.map((o) => clause(o, participle));
  const n = clauses.length;
  const joins = scene.said.joins.length === n - 1 ? scene.said.joins : n === 3 ? [', ', ', and '] : [' and '];
  let body = clauses.map((c, i) => (i === 0 ? c : `${joins[i - 1]}${c}`)).join('');
  const lead = scene.said.lead !== null && sceneValue(scene, scene.said.lead) !== null ? scene.said.lead : null;
  const order = [...scene.said.order.filter((a) => a !== lead), ...SCENE_ATTRIBUTES.filter((a) => a !== lead && !scene.said.order.includes(a))];
  for (const attribute of order) {
    const value = sceneValue(scene, attribute);
    if (value === null) continue;
    const phrase = scenePhrase(scene, attribute, value);
    // The prompt's comma or space where it had one; else a space before 'in ...', 'at ...' and a comma before others.
    const glue = LINKING_START.test(phrase) ? (scene.said.glue[attribute] ?? ' ') : ', ';
    body += `${glue}${phrase}`;
  }
  if (lead !== null) body = `${scenePhrase(scene, lead, sceneValue(scene, lead)!)}, ${body}`;
  return body;
}
