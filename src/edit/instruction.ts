// An edit instruction ('make the star a circle', 'add rain', 'slower') read
// as a list of changes to a prompt's scene. Words come from two tables: the
// caption vocabulary (every colour, noun, size, verb, direction, speed and
// scene phrase the grammar can say) and the instruction lexicon (base verbs,
// comparatives, short forms, removal and pointing words). The instruction is
// matched against both, longest phrase first, then read in three steps: noun
// phrases ('the red ball', 'a circle', 'the second one') pick the target
// objects or give a new shape; the remaining words become requests; each
// request is attached to the target before it (or after it, or to the only
// object). A word in neither table is refused, never skipped.
import { CAPTION_PHRASES, type CaptionMeaning, PhraseIndex, type Scene, type SceneObject } from './caption';
import { AmbiguousInstructionError, InstructionNotUnderstoodError } from './errors';
import { INSTRUCTION_LEXICON, type Meaning, REMOVED_VALUE } from './instruction-lexicon';
import {
  type Attribute,
  COLOUR_WORDS,
  type Colour,
  isLinear,
  type LinearMotion,
  type Motion,
  NOUNS,
  type SceneAttribute,
  type Shape,
  SIZES,
  type Size,
  VERB_BY_FINITE,
  words,
} from './vocabulary';

/** One change to a prompt's scene: an object's attribute (objectIndex) or the clip's (null). */
export type Change = { attribute: Attribute; objectIndex: number | null; value: string };

/** A change as the instruction put it: the caption phrase it used, the verb it asked for, what it removes. */
export type InstructionChange = Change & {
  /** A caption phrase of the value the instruction used ('in the pouring rain', 'to the right'). */
  phrase?: string;
  /** For motion: the caption verb (finite form) the instruction asked for ('rolls'). */
  verb?: string;
  /** For a removal ('remove the rain'): the value it removes. */
  removes?: string;
};

type Item = { meaning: Meaning; phrase: string; caption: boolean };

function fromCaption({ category, value }: CaptionMeaning): Meaning {
  switch (category) {
    case 'noun':
      return { kind: 'noun', shape: value as Shape };
    case 'colour':
      return { kind: 'colour', colour: value as Colour };
    case 'size':
      return { kind: 'size', size: value as Size };
    case 'verb':
      return { kind: 'verb', verb: value };
    case 'direction':
      return { kind: 'direction', direction: value as LinearMotion };
    case 'speed':
      return { kind: 'speed', speed: value as 'slowly' | 'quickly' };
    default:
      return { kind: 'scene', attribute: category, value };
  }
}

/** Caption phrases and lexicon forms together; a lexicon form that is also a caption phrase (or listed twice) throws here. */
export const INSTRUCTION_PHRASES: PhraseIndex<Item> = (() => {
  const index = new PhraseIndex<Item>();
  const same = (a: Item, b: Item) => a.caption && b.caption && JSON.stringify(a.meaning) === JSON.stringify(b.meaning);
  for (const key of CAPTION_PHRASES.keys()) {
    const entry = CAPTION_PHRASES.get(key)!;
    index.add(entry.phrase, { meaning: fromCaption(entry.meaning), phrase: entry.phrase, caption: true }, same);
  }
  for (const [phrase, meaning] of INSTRUCTION_LEXICON) index.add(phrase, { meaning, phrase, caption: false }, same);
  return index;
})();

// ----------------------------------------------------------------------------
// Naming objects

/** How an instruction can name object i: 'the red ball', or 'the second red ball' where two look alike. */
export function objectName(scene: Scene, i: number): string {
  const o = scene.objects[i]!;
  const short = (x: SceneObject) =>
    [x.colour === null ? null : (x.said.colour ?? COLOUR_WORDS[x.colour][0]), x.shape === null ? 'object' : (x.said.noun ?? NOUNS[x.shape][0])]
      .filter((w) => w !== null)
      .join(' ');
  const name = short(o);
  const twins = scene.objects.filter((x) => short(x) === name).length;
  const ordinal = ['first', 'second', 'third'][i];
  return twins > 1 && ordinal !== undefined ? `the ${ordinal} ${name}` : `the ${name}`;
}

// ----------------------------------------------------------------------------
// Units: targets and requests, in the instruction's order

type NounPhrase = { determiner: 'definite' | 'indefinite' | null; ordinal: number | null; adjectives: Item[]; head: Shape | null; headPhrase: string };
type Unit = { kind: 'target'; objects: number[] } | { kind: 'value'; np: NounPhrase } | { kind: 'weakTarget' } | { kind: 'item'; item: Item };

function nounPhrasesAndItems(items: Item[]): (NounPhrase | Item)[] {
  const out: (NounPhrase | Item)[] = [];
  let pending: Item[] = [];
  const flush = () => {
    out.push(...pending);
    pending = [];
  };
  for (const item of items) {
    const m = item.meaning;
    if (m.kind === 'definite' || m.kind === 'indefinite') {
      flush();
      pending.push(item);
    } else if (m.kind === 'ordinal') {
      if (pending.some((p) => p.meaning.kind !== 'definite')) flush();
      pending.push(item);
    } else if (m.kind === 'colour' || m.kind === 'size') {
      pending.push(item);
    } else if (m.kind === 'noun' || m.kind === 'someObject') {
      const determiner = pending.find((p) => p.meaning.kind === 'definite' || p.meaning.kind === 'indefinite')?.meaning.kind as
        | NounPhrase['determiner']
        | undefined;
      const ordinal = pending.find((p) => p.meaning.kind === 'ordinal')?.meaning;
      out.push({
        determiner: determiner ?? null,
        ordinal: ordinal?.kind === 'ordinal' ? ordinal.index : null,
        adjectives: pending.filter((p) => p.meaning.kind === 'colour' || p.meaning.kind === 'size'),
        head: m.kind === 'noun' ? m.shape : null,
        headPhrase: item.phrase,
      });
      pending = [];
    } else {
      flush();
      out.push(item);
    }
  }
  flush();
  return out;
}

function matches(scene: Scene, np: NounPhrase): number[] {
  const n = scene.objects.length;
  return scene.objects.flatMap((o, i) => {
    if (np.head !== null && o.shape !== np.head) return [];
    if (np.ordinal !== null && (np.ordinal < 0 ? n + np.ordinal : np.ordinal) !== i) return [];
    for (const a of np.adjectives) {
      if (a.meaning.kind === 'colour' && o.colour !== a.meaning.colour) return [];
      if (a.meaning.kind === 'size' && o.size !== a.meaning.size) return [];
    }
    return [i];
  });
}

function units(instruction: string, scene: Scene, parts: (NounPhrase | Item)[]): Unit[] {
  const isNp = (p: NounPhrase | Item): p is NounPhrase => 'head' in p;
  const nps = parts.filter(isNp);
  const strong = (np: NounPhrase) => np.determiner === 'definite' || (np.head === null && (np.adjectives.length > 0 || np.ordinal !== null));
  const anyStrong = nps.some(strong) || parts.some((p) => !isNp(p) && (p.meaning.kind === 'ordinal' || p.meaning.kind === 'all'));
  // With no 'the', the first of two nouns that names an object of the prompt is the target ('star to circle').
  const deferredTarget = anyStrong || nps.length < 2 ? undefined : nps.find((np) => np.determiner === null && matches(scene, np).length === 1);
  return parts.map((p): Unit => {
    if (!isNp(p)) {
      if (p.meaning.kind === 'ordinal')
        return target(instruction, scene, { determiner: 'definite', ordinal: p.meaning.index, adjectives: [], head: null, headPhrase: '' });
      if (p.meaning.kind === 'all') return { kind: 'target', objects: scene.objects.map((_, i) => i) };
      return { kind: 'item', item: p };
    }
    if (p.head === null && p.adjectives.length === 0 && p.ordinal === null) return { kind: 'weakTarget' };
    if (strong(p) || p === deferredTarget) return target(instruction, scene, p);
    return { kind: 'value', np: p };
  });
}

function target(instruction: string, scene: Scene, np: NounPhrase): Unit {
  const found = matches(scene, np);
  const said = [np.ordinal === null ? null : (['first', 'second', 'third'][np.ordinal] ?? 'last'), ...np.adjectives.map((a) => a.phrase), np.headPhrase]
    .filter((w) => w !== null && w !== '')
    .join(' ');
  const all = scene.objects.map((_, i) => objectName(scene, i));
  if (found.length === 0) {
    throw new InstructionNotUnderstoodError(instruction, `it names "the ${said}", but the prompt has no such object (it has ${all.join(', ')})`);
  }
  if (found.length > 1) {
    throw new AmbiguousInstructionError(
      instruction,
      found.map((i) => objectName(scene, i)),
      named(instruction, `the ${said}`, objectName(scene, found[0]!)),
    );
  }
  return { kind: 'target', objects: found };
}

/** The instruction with `said` ('the ball') naming one object ('the red ball'), for a message; else that name alone. */
function named(instruction: string, said: string, name: string): string {
  const pattern = new RegExp(
    `\\b${said
      .split(' ')
      .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('\\s+')}\\b`,
    'i',
  );
  return pattern.test(instruction) ? instruction.replace(pattern, name) : name;
}

/** The instruction with 'it' naming one object ('make the red ball blue'), for a message. */
function example(instruction: string, name: string): string {
  if (/\bit\b/i.test(instruction)) return instruction.replace(/\bit\b/i, name);
  if (/\bits\b/i.test(instruction)) return instruction.replace(/\bits\b/i, `${name}'s`);
  return /^\s*make\b/i.test(instruction) ? instruction.replace(/^\s*make\b/i, `make ${name}`) : `make ${name} ${instruction.trim()}`;
}

// ----------------------------------------------------------------------------
// Requests: what each unit asks for, and which objects it is for

type Request =
  | { scope: 'scene'; attribute: SceneAttribute; value: string; phrase?: string; removes?: string }
  | { scope: 'object'; attribute: 'shape' | 'colour' | 'size' | 'speed'; value: string; phrase?: string }
  | { scope: 'object'; attribute: 'sizeStep'; by: 1 | -1 }
  | { scope: 'object'; attribute: 'motion'; verb?: string; direction?: LinearMotion; phrase?: string };

type Placed = { request: Request; at: number };

function requests(instruction: string, list: Unit[]): Placed[] {
  const out: Placed[] = [];
  const used = new Set<number>();
  const item = (i: number) => {
    const u = list[i];
    return u?.kind === 'item' ? u.item : undefined;
  };
  const isDeterminer = (i: number) => {
    const kind = item(i)?.meaning.kind;
    return kind === 'definite' || kind === 'indefinite';
  };
  /** The nearest unit before (-1) or after (+1) unit i that is not 'the' or 'a'. */
  const neighbour = (i: number, by: -1 | 1) => {
    let j = i + by;
    while (isDeterminer(j)) j += by;
    return j;
  };
  // A colour or a background by name next to the word 'background' names the background ('make the background green').
  const byBackground = new Set<number>();
  list.forEach((u, i) => {
    const m = u.kind === 'item' ? u.item.meaning : undefined;
    if (m?.kind !== 'colour' && !(m?.kind === 'scene' && m.attribute === 'background')) return;
    for (const j of [neighbour(i, -1), neighbour(i, 1)]) {
      if (item(j)?.meaning.kind === 'background') {
        used.add(j);
        byBackground.add(i);
      }
    }
  });
  for (let i = 0; i < list.length; i++) {
    if (used.has(i)) continue;
    const u = list[i]!;
    if (u.kind === 'value') {
      for (const a of u.np.adjectives) out.push({ request: adjective(a), at: i });
      if (u.np.head !== null) out.push({ request: { scope: 'object', attribute: 'shape', value: u.np.head, phrase: u.np.headPhrase }, at: i });
      continue;
    }
    if (u.kind !== 'item') continue;
    const m = u.item.meaning;
    const phrase = u.item.caption ? u.item.phrase : undefined;
    switch (m.kind) {
      case 'colour': {
        if (byBackground.has(i)) {
          out.push({ request: { scope: 'scene', attribute: 'background', value: `plain ${m.colour}` }, at: i });
        } else {
          out.push({ request: adjective(u.item), at: i });
        }
        break;
      }
      case 'size':
        out.push({ request: adjective(u.item), at: i });
        break;
      case 'sizeStep':
        out.push({ request: { scope: 'object', attribute: 'sizeStep', by: m.by }, at: i });
        break;
      case 'speed':
        out.push({ request: { scope: 'object', attribute: 'speed', value: m.speed, ...(phrase === undefined ? {} : { phrase }) }, at: i });
        break;
      case 'verb': {
        const verb = VERB_BY_FINITE.get(m.verb)!;
        const request: Request = { scope: 'object', attribute: 'motion', verb: m.verb };
        if (verb.needsDirection) {
          // The direction may follow the target: 'move the ball left'.
          for (let j = i + 1; j < list.length && list[j]!.kind !== 'value'; j++) {
            const next = item(j)?.meaning;
            if (next === undefined) continue;
            if (next.kind === 'verb') break;
            if (next.kind === 'direction') {
              used.add(j);
              request.direction = next.direction;
              if (item(j)!.caption) request.phrase = item(j)!.phrase;
              break;
            }
          }
        }
        out.push({ request, at: i });
        break;
      }
      case 'direction':
        out.push({ request: { scope: 'object', attribute: 'motion', direction: m.direction, ...(phrase === undefined ? {} : { phrase }) }, at: i });
        break;
      case 'scene':
        out.push({ request: { scope: 'scene', attribute: m.attribute, value: m.value, ...(phrase === undefined ? {} : { phrase }) }, at: i });
        break;
      case 'remove': {
        const at = neighbour(i, 1);
        const next = list[at];
        const removed = next?.kind === 'item' ? next.item.meaning : undefined;
        if (removed?.kind === 'scene' && removed.attribute !== 'background') {
          used.add(at);
          out.push({ request: { scope: 'scene', attribute: removed.attribute, value: REMOVED_VALUE[removed.attribute], removes: removed.value }, at: i });
        } else if (removed?.kind === 'scene' || removed?.kind === 'background') {
          throw new InstructionNotUnderstoodError(
            instruction,
            'a clip always has a background, so it cannot be removed; name another one instead ("make the background green", "at night", "in the sky")',
          );
        } else if (next?.kind === 'target' || next?.kind === 'value') {
          throw new InstructionNotUnderstoodError(
            instruction,
            'edits change what the objects look like and how they move, but cannot remove an object; write the prompt without it by hand',
          );
        } else {
          throw new InstructionNotUnderstoodError(instruction, 'it says to remove something, but not rain, snow, fog, a light, a camera move or a style');
        }
        break;
      }
      case 'background':
        throw new InstructionNotUnderstoodError(
          instruction,
          'it mentions the background but not which one; say a colour ("make the background green") or sky, meadow, night, sunset or desert',
        );
      default:
        break; // determiners and other pointing words that point at nothing
    }
  }
  return out;
}

function adjective(item: Item): Request {
  const m = item.meaning;
  if (m.kind === 'colour') return { scope: 'object', attribute: 'colour', value: m.colour, phrase: item.phrase };
  if (m.kind === 'size') return { scope: 'object', attribute: 'size', value: m.size, phrase: item.phrase };
  throw new Error(`not an adjective: ${item.phrase}`);
}

// ----------------------------------------------------------------------------
// Public API

/**
 * The changes an instruction asks of a prompt's scene. Relative requests are
 * resolved against the scene ('bigger' on a small ball is medium). Throws
 * InstructionNotUnderstoodError (unknown words, nothing to change, two values
 * for one attribute) or AmbiguousInstructionError (several objects, none named).
 */
export function parseInstruction(instruction: string, scene: Scene): InstructionChange[] {
  const tokens = words(instruction);
  const matched = INSTRUCTION_PHRASES.match(tokens);
  const covered = new Set(matched.flatMap((m) => Array.from({ length: m.end - m.start }, (_, k) => m.start + k)));
  const unknown = [...new Set(tokens.filter((_, i) => !covered.has(i)))];
  if (tokens.length === 0) throw new InstructionNotUnderstoodError(instruction, 'it is empty');
  if (unknown.length > 0) {
    throw new InstructionNotUnderstoodError(
      instruction,
      `Shapes World has no ${unknown.length === 1 ? 'word' : 'words'} ${unknown.map((w) => `"${w}"`).join(', ')} (the built-in model knows only its shapes, colours, motions and scenes)`,
    );
  }
  const items = matched.map((m) => m.meaning).filter((i) => i.meaning.kind !== 'filler');
  const list = units(instruction, scene, nounPhrasesAndItems(items));
  const placed = requests(instruction, list);
  if (placed.length === 0) {
    const named = list.some((u) => u.kind === 'target');
    throw new InstructionNotUnderstoodError(
      instruction,
      named ? 'it names an object but not what to change about it' : 'it names no colour, shape, size, motion, background, camera, light, weather or style',
    );
  }
  const targets = list.flatMap((u, at) => (u.kind === 'target' ? [{ at, objects: u.objects }] : []));
  const groups: { at: number; objects: number[] }[] = [];
  for (const t of targets) {
    const last = groups.at(-1);
    // 'the ball and the square': consecutive targets with no request between them are one group.
    if (last !== undefined && !placed.some((p) => p.at > last.at && p.at < t.at)) {
      last.objects = [...new Set([...last.objects, ...t.objects])];
      last.at = t.at;
    } else {
      groups.push({ ...t });
    }
  }
  const out: InstructionChange[] = [];
  const objectRequests = placed.filter((p) => p.request.scope === 'object');
  for (const { request, at } of placed) {
    if (request.scope === 'scene') {
      out.push({
        attribute: request.attribute,
        objectIndex: null,
        value: request.value,
        ...(request.phrase === undefined ? {} : { phrase: request.phrase }),
        ...(request.removes === undefined ? {} : { removes: request.removes }),
      });
      continue;
    }
    const group = [...groups].reverse().find((g) => g.at < at) ?? groups.find((g) => g.at > at);
    let objects = group?.objects;
    if (objects === undefined) {
      if (scene.objects.length !== 1) {
        throw new AmbiguousInstructionError(
          instruction,
          scene.objects.map((_, i) => objectName(scene, i)),
          example(instruction, objectName(scene, 0)),
        );
      }
      objects = [0];
    }
    for (const i of objects) {
      const change = resolve(instruction, scene, i, request, objectRequests.length);
      if (change !== null) out.push(change);
    }
  }
  return dedupe(instruction, scene, out);
}

function resolve(instruction: string, scene: Scene, i: number, request: Request & { scope: 'object' }, requestCount: number): InstructionChange | null {
  const o = scene.objects[i]!;
  switch (request.attribute) {
    case 'sizeStep': {
      const at = o.size === null ? (request.by > 0 ? SIZES.length - 1 : 0) : Math.min(SIZES.length - 1, Math.max(0, SIZES.indexOf(o.size) + request.by));
      return { attribute: 'size', objectIndex: i, value: SIZES[at]! };
    }
    case 'motion': {
      const verb = request.verb === undefined ? undefined : VERB_BY_FINITE.get(request.verb)!;
      let motion: Motion | undefined = request.direction;
      if (verb !== undefined && !verb.needsDirection) motion = verb.motions[0]!;
      if (motion === undefined && isLinear(o.motion)) motion = o.motion; // 'make it slide': keep the direction
      if (motion === undefined) {
        if (requestCount > 1) return null; // 'make it go faster': the verb only carries the other request
        throw new InstructionNotUnderstoodError(
          instruction,
          `it does not say which way ${objectName(scene, i)} should move; say left, right, up or down ("make it ${request.verb === undefined ? 'move' : base(request.verb)} left")`,
        );
      }
      return {
        attribute: 'motion',
        objectIndex: i,
        value: motion,
        ...(request.verb === undefined ? {} : { verb: request.verb }),
        ...(request.phrase === undefined ? {} : { phrase: request.phrase }),
      };
    }
    default:
      return { attribute: request.attribute, objectIndex: i, value: request.value, ...(request.phrase === undefined ? {} : { phrase: request.phrase }) };
  }
}

/** The base form the lexicon gives a caption verb ('rolls' -> 'roll'), for messages. */
function base(finite: string): string {
  return INSTRUCTION_LEXICON.find(([, m]) => m.kind === 'verb' && m.verb === finite)?.[0] ?? finite;
}

function dedupe(instruction: string, scene: Scene, changes: InstructionChange[]): InstructionChange[] {
  const out: InstructionChange[] = [];
  for (const c of changes) {
    const twin = out.find((d) => d.attribute === c.attribute && d.objectIndex === c.objectIndex);
    if (twin === undefined) {
      out.push(c);
    } else if (twin.value !== c.value) {
      const whose = c.objectIndex === null ? 'the clip' : objectName(scene, c.objectIndex);
      throw new InstructionNotUnderstoodError(
        instruction,
        `it asks for two values of the ${c.attribute} of ${whose} (${twin.value} and ${c.value}); ask for one`,
      );
    }
  }
  return out;
}
