// Edit by instruction for the built-in model: a prompt ('a red ball moves left
// quickly on a plain blue background') and an instruction ('make it green')
// give the edited prompt, which the UI shows before it runs. The prompt is
// read into a scene (caption.ts), the instruction into changes
// (instruction.ts), the changes are applied under the world's rules (a colour
// never clashes with its background, circles do not spin, only straight
// motions have a speed), and the scene is written back in the prompt's own
// words wherever the edit left them true.
import { CAPTION_PHRASES, captionTokens, parseCaption, renderCaption, type Scene, type SceneObject, verbFor } from './caption';
import { EDIT_EXAMPLES, EditClashError, NothingToChangeError, PromptNotUnderstoodError } from './errors';
import { type Change, type InstructionChange, objectName, parseInstruction } from './instruction';
import {
  type Attribute,
  allowedColours,
  type Camera,
  type Colour,
  DIRECTIONS,
  forbiddenColours,
  isLinear,
  MIN_BACKGROUND_DISTANCE,
  type Motion,
  type NamedLight,
  type NamedSpeed,
  type NamedWeather,
  SCENE_BACKGROUNDS,
  type SceneAttribute,
  type SceneBackground,
  SHAPES,
  type Shape,
  type Size,
  SPEED_PRE,
  type Style,
} from './vocabulary';

export type { Change };
export { EDIT_EXAMPLES };

export type Rewrite = {
  /** The edited prompt. */
  prompt: string;
  /** What changed, in the instruction's order ('none' / 'normal' for removed weather / light). */
  changes: Change[];
  /** For the user: 'colour of the ball: red → blue'. */
  summary: string;
};

/**
 * The prompt rewritten by the instruction. Throws PromptNotUnderstoodError,
 * InstructionNotUnderstoodError, AmbiguousInstructionError, EditClashError or
 * NothingToChangeError (src/edit/errors.ts), each saying what to do instead.
 */
export function rewritePrompt(prompt: string, instruction: string): Rewrite {
  const scene = parseCaption(prompt);
  checkPrompt(prompt, scene);
  const asked = parseInstruction(instruction, scene);
  const { edited, changes, notes } = applyChanges(scene, asked);
  const parts = changes.map((c) => `${label(scene, c)}: ${shown(currentValue(scene, c))} → ${c.value}`);
  const unknown = unknownWords(prompt);
  if (unknown.length > 0) notes.push(`left out words the built-in model does not know: ${unknown.map((w) => `"${w}"`).join(', ')}`);
  return {
    prompt: renderCaption(edited),
    changes: changes.map(({ attribute, objectIndex, value }) => ({ attribute, objectIndex, value })),
    summary: [...parts, ...notes].join('; '),
  };
}

function checkPrompt(prompt: string, scene: Scene): void {
  if (scene.objects.length === 0) throw new PromptNotUnderstoodError(prompt, `it names no shape (${SHAPES.join(', ')})`);
  const shapeless = scene.objects.findIndex((o) => o.shape === null);
  if (shapeless >= 0) {
    const o = scene.objects[shapeless]!;
    const said = [o.said.size, o.said.colour].filter((w) => w !== undefined).join(' ');
    throw new PromptNotUnderstoodError(prompt, `object ${shapeless + 1} ("${said}") names no shape (${SHAPES.join(', ')})`);
  }
}

/** Prompt words outside the caption vocabulary (re-rendering drops them). */
function unknownWords(prompt: string): string[] {
  const { tokens, dropped } = captionTokens(prompt);
  const covered = new Set(CAPTION_PHRASES.match(tokens).flatMap((m) => Array.from({ length: m.end - m.start }, (_, k) => m.start + k)));
  const glue = new Set(['a', 'an', 'and', 'while']);
  return [...new Set([...dropped, ...tokens.filter((t, i) => !covered.has(i) && !glue.has(t) && /[\p{L}\p{N}]/u.test(t))])];
}

// ----------------------------------------------------------------------------
// Values

function currentValue(scene: Scene, c: Change): string | null {
  if (c.objectIndex === null) return scene[c.attribute as SceneAttribute];
  return scene.objects[c.objectIndex]![c.attribute as keyof Omit<SceneObject, 'said'>];
}

/** A prompt that names no weather (light) already has none (normal). */
const UNNAMED: Partial<Record<Attribute, string>> = { weather: 'none', light: 'normal' };

function isSame(scene: Scene, c: Change): boolean {
  const now = currentValue(scene, c);
  return now === c.value || (now === null && UNNAMED[c.attribute] === c.value);
}

function shown(value: string | null): string {
  return value ?? 'not named';
}

function label(scene: Scene, c: Change): string {
  return c.objectIndex === null ? c.attribute : `${c.attribute} of ${objectName(scene, c.objectIndex)}`;
}

// ----------------------------------------------------------------------------
// Applying changes under the world's rules

type Applied = { edited: Scene; changes: InstructionChange[]; notes: string[] };

export function applyChanges(scene: Scene, asked: readonly InstructionChange[]): Applied {
  const edited: Scene = structuredClone(scene);
  const changes: InstructionChange[] = [];
  const notes: string[] = [];
  for (const c of asked) {
    if (c.removes !== undefined && (currentValue(scene, c) ?? UNNAMED[c.attribute]) !== c.removes) {
      const now = currentValue(scene, c);
      throw new NothingToChangeError(
        `The prompt has no ${c.removes} to remove: its ${c.attribute} is ${now === null ? 'not named' : now}. Nothing was changed.`,
      );
    }
    if (isSame(scene, c)) continue;
    set(edited, c, notes, scene);
    changes.push(c);
  }
  if (changes.length === 0)
    throw new NothingToChangeError(`${asked.map((c) => already(scene, c)).join('; ')}. Nothing to change; ask for something different.`);
  checkRules(scene, edited, changes);
  return { edited, changes, notes };
}

function set(edited: Scene, c: InstructionChange, notes: string[], before: Scene): void {
  if (c.objectIndex === null) {
    const attribute = c.attribute as SceneAttribute;
    const value = UNNAMED[attribute] === c.value ? null : c.value;
    if (attribute === 'background') edited.background = value as SceneBackground;
    else if (attribute === 'camera') edited.camera = value as Camera | null;
    else if (attribute === 'light') edited.light = value as NamedLight | null;
    else if (attribute === 'weather') edited.weather = value as NamedWeather | null;
    else edited.style = value as Style | null;
    if (c.phrase !== undefined) edited.said[attribute] = c.phrase;
    return;
  }
  const o = edited.objects[c.objectIndex]!;
  switch (c.attribute) {
    case 'shape':
      o.shape = c.value as Shape;
      if (c.phrase !== undefined) o.said.noun = c.phrase;
      break;
    case 'colour':
      o.colour = c.value as Colour;
      if (c.phrase !== undefined) o.said.colour = c.phrase;
      break;
    case 'size':
      o.size = c.value as Size;
      if (c.phrase !== undefined) o.said.size = c.phrase;
      break;
    case 'motion':
      o.motion = c.value as Motion;
      if (c.verb !== undefined) o.said.verb = c.verb;
      // A bare direction ('right') keeps the prompt's form of it ('to the left' -> 'to the right').
      if (c.phrase !== undefined && !(o.said.direction !== undefined && isLinear(o.motion) && c.phrase === DIRECTIONS[o.motion][0])) {
        o.said.direction = c.phrase;
      }
      if (!isLinear(o.motion) && o.speed !== null) {
        notes.push(`speed of ${objectName(before, c.objectIndex)}: ${o.speed} → not named (only left, right, up and down motions have a speed)`);
        o.speed = null;
      }
      break;
    case 'speed':
      o.speed = c.value as NamedSpeed;
      if (c.phrase !== undefined) {
        o.said.speedFirst = (o.said.speedFirst ?? false) && SPEED_PRE[o.speed].includes(c.phrase);
        o.said.speed = c.phrase;
      }
      break;
    default:
      throw new Error(`'${c.attribute}' is not an object attribute`);
  }
}

function already(scene: Scene, c: Change): string {
  if (c.objectIndex === null) {
    if (UNNAMED[c.attribute] === c.value) return `The prompt already names no ${c.attribute === 'weather' ? 'weather' : 'special light'}`;
    return `The prompt's ${c.attribute} is already ${c.value}`;
  }
  const name = objectName(scene, c.objectIndex);
  const o = scene.objects[c.objectIndex]!;
  switch (c.attribute) {
    case 'shape':
      return `${cap(name)} is already a ${c.value}`;
    case 'size':
      return `${cap(name)} is already ${c.value}${c.value === 'large' ? ' (the largest size)' : c.value === 'small' ? ' (the smallest size)' : ''}`;
    case 'motion':
      return `${cap(name)} already ${verbFor(o.shape, c.value as Motion, o.said.verb).finite}${isLinear(c.value as Motion) ? ` ${c.value}` : ''}`;
    case 'speed':
      return `${cap(name)} already moves ${c.value}`;
    default:
      return `${cap(name)} is already ${c.value}`;
  }
}

const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function backgroundName(background: SceneBackground): string {
  return background.startsWith('plain ') ? `a ${background} background` : `the ${background} background`;
}

function checkRules(before: Scene, edited: Scene, changes: readonly InstructionChange[]): void {
  const changed = (i: number, attribute: Attribute) => changes.some((c) => c.objectIndex === i && c.attribute === attribute);
  const backgroundChanged = changes.some((c) => c.attribute === 'background');
  edited.objects.forEach((o, i) => {
    const name = objectName(before, i);
    if (o.shape === 'circle' && o.motion === 'spin' && (changed(i, 'shape') || changed(i, 'motion'))) {
      throw new EditClashError(
        changed(i, 'motion')
          ? `A circle cannot spin in Shapes World (it would look still), so ${name} cannot spin. Try another motion ("make it bounce", "make it orbit", "make it grow") or another shape first ("make it a star").`
          : `${cap(name)} spins, and a circle cannot spin in Shapes World (it would look still). Change its motion too, e.g. "make it a circle that bounces".`,
      );
    }
    if (changed(i, 'speed') && !isLinear(o.motion)) {
      const adverb = o.speed ?? 'slowly';
      throw new EditClashError(
        o.motion === null
          ? `The prompt does not say how ${name} moves, and only a straight motion (left, right, up or down) has a speed. Say both, e.g. "make it move left ${adverb}".`
          : `Only straight motions (left, right, up or down) have a speed in Shapes World, and ${name} ${verbFor(o.shape, o.motion, o.said.verb).finite}. Ask for a straight motion too, e.g. "make it move left ${adverb}".`,
      );
    }
    if (
      edited.background !== null &&
      o.colour !== null &&
      (changed(i, 'colour') || backgroundChanged) &&
      forbiddenColours(edited.background).includes(o.colour)
    ) {
      const why = `${o.colour} is within CIELAB ${MIN_BACKGROUND_DISTANCE} of ${backgroundName(edited.background)}, so the object would be lost in it and Shapes World never shows that pair`;
      if (changed(i, 'colour')) {
        const others = allowedColours(edited.background).filter((c) => c !== before.objects[i]!.colour);
        throw new EditClashError(
          `${cap(name)} cannot be ${o.colour} on ${backgroundName(edited.background)}: ${why}. Pick another colour: ${others.join(', ')}.`,
        );
      }
      throw new EditClashError(
        `${cap(name)} cannot be shown on ${backgroundName(edited.background)}: ${why}. Pick another background: ${fittingBackgrounds(edited)}.`,
      );
    }
  });
}

/** Backgrounds every object's colour may stand on: 'sunset, desert, or a plain red, orange or gray background'. */
function fittingBackgrounds(scene: Scene): string {
  const colours = scene.objects.flatMap((o) => (o.colour === null ? [] : [o.colour]));
  const fits = SCENE_BACKGROUNDS.filter((b) => colours.every((c) => !forbiddenColours(b).includes(c)));
  const plain = fits.filter((b) => b.startsWith('plain ')).map((b) => b.slice('plain '.length));
  const pictured = fits.filter((b) => !b.startsWith('plain '));
  const plainText = plain.length === 0 ? [] : [`a plain ${plain.length > 1 ? `${plain.slice(0, -1).join(', ')} or ${plain.at(-1)}` : plain[0]} background`];
  return [...pictured, ...plainText].join(', ');
}
