import { describe, expect, test } from 'vitest';
import { parseCaption, renderCaption, sceneFacts } from '../src/edit/caption';
import { EDIT_ERROR_NAMES } from '../src/edit/errors';
import { INSTRUCTION_PHRASES, parseInstruction } from '../src/edit/instruction';
import { INSTRUCTION_LEXICON } from '../src/edit/instruction-lexicon';
import { EDIT_EXAMPLES, rewritePrompt } from '../src/edit/rewrite';
import {
  BACKGROUND_PHRASES,
  CAMERA_PHRASES,
  CAMERAS,
  COLOURS,
  forbiddenColours,
  LIGHT_PHRASES,
  MOTIONS,
  SCENE_ATTRIBUTES,
  SCENE_BACKGROUNDS,
  SHAPES,
  SIZES,
  STYLE_PHRASES,
  STYLES,
  VERBS,
  WEATHER_PHRASES,
  words,
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

function edited(prompt: string, instruction: string): string {
  const result = attempt(prompt, instruction);
  if ('error' in result) throw new Error(`"${instruction}" on "${prompt}" was refused: ${result.error}: ${result.message}`);
  return result.prompt;
}

function refusal(prompt: string, instruction: string): { error: string; message: string } {
  const result = attempt(prompt, instruction);
  if (!('error' in result)) throw new Error(`"${instruction}" on "${prompt}" was accepted: ${result.prompt}`);
  return result;
}

describe('the vocabulary', () => {
  test('names the world: night hides black and white objects, a plain background its own colour, the desert nothing', () => {
    expect(forbiddenColours('night')).toEqual(['white', 'black']);
    expect(forbiddenColours('desert')).toEqual([]);
    for (const c of COLOURS) expect(forbiddenColours(`plain ${c}`)).toContain(c);
  });

  test('every caption verb can be asked for by a base form in the lexicon', () => {
    const asked = new Set(INSTRUCTION_LEXICON.flatMap(([, m]) => (m.kind === 'verb' ? [m.verb] : [])));
    expect(VERBS.filter((v) => !asked.has(v.finite)).map((v) => v.finite)).toEqual([]);
    for (const [phrase] of INSTRUCTION_LEXICON) expect(INSTRUCTION_PHRASES.get(words(phrase).join(' '))?.meaning.caption, phrase).toBe(false);
  });
});

describe('parseCaption agrees with Python parse_caption', () => {
  function pythonForm(caption: string) {
    const s = parseCaption(caption);
    const objects = s.objects.map((o) => ({
      shape: o.shape,
      colour: o.colour,
      size: o.size,
      motion: o.motion,
      speed: o.speed,
      noun: o.said.noun ?? null,
      verb: o.said.verb ?? null,
    }));
    const scene: Record<string, string> = {};
    for (const a of SCENE_ATTRIBUTES) {
      const v = s[a];
      if (v?.startsWith('plain ')) Object.assign(scene, { background: 'plain', background_colour: v.slice('plain '.length) });
      else if (v !== null) scene[a] = v;
    }
    const lead = s.said.lead === null ? null : [s.said.lead, words(s.said[s.said.lead]!).join(' ')];
    return { objects, scene, lead };
  }

  test('the fixture covers both splits, one to three objects and every scene attribute', () => {
    expect(fixture.captions).toHaveLength(200);
    expect(new Set(fixture.captions.map((c) => c.split))).toEqual(new Set(['train', 'eval']));
    expect(new Set(fixture.captions.map((c) => c.objects.length))).toEqual(new Set([1, 2, 3]));
    const named = new Set(fixture.captions.flatMap((c) => Object.keys(c.scene)));
    for (const a of SCENE_ATTRIBUTES) expect(named).toContain(a);
  });

  test.each(fixture.captions.map((c) => [c.caption, c] as const))('%s', (caption, python) => {
    expect(pythonForm(caption)).toEqual({ objects: python.objects, scene: python.scene, lead: python.lead });
  });
});

describe('renderCaption', () => {
  test('writes a parsed grammar caption back to the same scene, in its own words', () => {
    for (const { caption } of fixture.captions) {
      const scene = parseCaption(caption);
      const again = renderCaption(scene);
      expect(sceneFacts(parseCaption(again)), `${caption} -> ${again}`).toEqual(sceneFacts(scene));
      for (const w of words(again)) expect(words(caption), `${caption} -> ${again}`).toContain(w);
    }
  });

  test('writes clauses the way the grammar does', () => {
    const scene = parseCaption('');
    scene.objects.push(
      { shape: 'circle', colour: 'red', size: 'small', motion: 'left', speed: 'quickly', said: {} },
      { shape: 'square', colour: 'orange', size: null, motion: 'bounce', speed: null, said: {} },
    );
    scene.background = 'plain blue';
    scene.camera = 'zoom in';
    expect(renderCaption(scene)).toBe('a small red circle moves left quickly and an orange square bounces on a blue background, zooming in');
  });
});

// ----------------------------------------------------------------------------
// Every attribute and value through rewritePrompt

describe('object colour', () => {
  const base = 'a red ball moves left quickly in the desert';
  test.each(COLOURS.filter((c) => c !== 'red'))('make it %s', (c) => {
    expect(edited(base, `make it ${c}`)).toBe(`${c === 'orange' ? 'an' : 'a'} ${c} ball moves left quickly in the desert`);
  });
  test('a colour word the instruction used is kept, a synonym of the colour', () => {
    expect(edited(base, 'make it grey')).toBe('a grey ball moves left quickly in the desert');
    expect(edited('a grey ball bounces', 'make it blue')).toBe('a blue ball bounces');
  });
});

describe('object shape', () => {
  const base = 'a red star moves left quickly in the desert';
  test.each(SHAPES.filter((s) => s !== 'star'))('make the star a %s', (s) => {
    expect(edited(base, `make the star a ${s}`)).toBe(`a red ${s} moves left quickly in the desert`);
  });
  test.each([
    ['a red ball rolls left', 'make it a square', 'a red square moves left'],
    ['a red square slides to the right', 'turn the square into a ball', 'a red ball slides to the right'],
    ['a red star spins at night', 'make it a diamond', 'a red diamond spins at night'],
    ['a blue box hops', 'make it a rhombus', 'a blue rhombus hops'],
    ['a red star rises', 'star to circle', 'a red circle rises'],
  ])('%s + "%s"', (prompt, instruction, expected) => {
    expect(edited(prompt, instruction)).toBe(expected);
  });
});

describe('object size', () => {
  test.each(SIZES)('make it %s', (size) => {
    expect(edited('a red ball bounces', `make it ${size}`)).toBe(`a ${size} red ball bounces`);
  });
  test.each([
    ['a small red ball', 'make it bigger', 'a medium red ball'],
    ['a medium-sized red ball', 'bigger', 'a large red ball'],
    ['a huge red ball', 'make it smaller', 'a medium red ball'],
    ['a red ball', 'make it bigger', 'a large red ball'],
    ['a red ball', 'smaller', 'a small red ball'],
    ['a red ball', 'make it tiny', 'a tiny red ball'],
  ])('%s + "%s"', (prompt, instruction, expected) => {
    expect(edited(prompt, instruction)).toBe(expected);
  });
});

describe('object motion', () => {
  const base = 'a red square moves left quickly in the desert';
  const asked: Record<(typeof MOTIONS)[number], [string, string]> = {
    still: ['make it stay still', 'a red square stays still in the desert'],
    left: ['make it move left', ''],
    right: ['make it move right', 'a red square moves right quickly in the desert'],
    up: ['make it move up', 'a red square moves up quickly in the desert'],
    down: ['make it go down', 'a red square moves down quickly in the desert'],
    bounce: ['make it bounce', 'a red square bounces in the desert'],
    spin: ['make it spin', 'a red square spins in the desert'],
    grow: ['make it grow', 'a red square grows in the desert'],
    shrink: ['make it shrink', 'a red square shrinks in the desert'],
    orbit: ['make it orbit', 'a red square orbits the centre in the desert'],
  };
  test.each(MOTIONS.filter((m) => m !== 'left'))('%s', (motion) => {
    const [instruction, expected] = asked[motion];
    expect(edited(base, instruction)).toBe(expected);
    expect(rewritePrompt(base, instruction).changes).toEqual([{ attribute: 'motion', objectIndex: 0, value: motion }]);
  });
  test.each([
    ['a red ball bounces', 'make it roll to the left', 'a red ball rolls to the left'],
    ['a red ball slides to the left', 'right', 'a red ball slides to the right'],
    ['a red ball moves left', 'make it rise', 'a red ball rises'],
    ['a red ball moving left and a blue box bouncing', 'make the box spin', 'a red ball moving left and a blue box spinning'],
    ['a red box moves left', 'stop', 'a red box stays still'],
    ['a red box moves left', 'make it bounce up and down', 'a red box bounces up and down'],
    ['a red box moves left', 'make it move in a circle', 'a red box moves in a circle'],
  ])('%s + "%s"', (prompt, instruction, expected) => {
    expect(edited(prompt, instruction)).toBe(expected);
  });
});

describe('speed', () => {
  test.each([
    ['a red ball moves left', 'slower', 'a red ball moves left slowly'],
    ['a red ball moves left quickly', 'make it slower', 'a red ball moves left slowly'],
    ['a red ball moves left', 'faster', 'a red ball moves left quickly'],
    ['a red ball moves left', 'make it move fast', 'a red ball moves left fast'],
    ['a red ball gently rolls left', 'speed up', 'a red ball quickly rolls left'],
    ['a red ball moves left at a slow pace', 'make it quicker', 'a red ball moves left quickly'],
    ['a red ball bounces', 'make it move left slowly', 'a red ball moves left slowly'],
  ])('%s + "%s"', (prompt, instruction, expected) => {
    expect(edited(prompt, instruction)).toBe(expected);
  });
});

describe('background', () => {
  // Orange stands on every background but a plain orange one.
  const base = 'an orange ball moves left';
  const plain = (c: string) => `on ${'aeiou'.includes(c[0]!) ? 'an' : 'a'} ${c} background`;
  test.each(SCENE_BACKGROUNDS.filter((b) => b !== 'plain orange'))('%s', (b) => {
    const instruction = b.startsWith('plain ') ? `make the background ${b.slice(6)}` : `make the background ${b}`;
    const phrase = b.startsWith('plain ') ? plain(b.slice(6)) : BACKGROUND_PHRASES[b as 'sky'][0]!;
    expect(edited(base, instruction)).toBe(`${base} ${phrase}`);
    expect(rewritePrompt(base, instruction).changes).toEqual([{ attribute: 'background', objectIndex: null, value: b }]);
  });
  test.each([
    ['a red ball moves left quickly on a plain blue background', 'make the background green', 'a red ball moves left quickly on a plain green background'],
    ['a red ball on a blue background', 'green background', 'a red ball on a green background'],
    ['a red ball', 'at night', 'a red ball at night'],
    ['a red ball', 'make it night', 'a red ball at night'],
    ['a red ball in the desert', 'over a grassy field', 'a red ball over a grassy field'],
    ['in the desert, a red ball', 'make the background a meadow', 'on a meadow, a red ball'],
  ])('%s + "%s"', (prompt, instruction, expected) => {
    expect(edited(prompt, instruction)).toBe(expected);
  });
  test('a colour on a background noun no phrase covers ("a green meadow") describes the background, not a shapeless object', () => {
    const result = rewritePrompt('a red ball bounces on a green meadow', 'make it blue');
    expect(result.prompt).toBe('a blue ball bounces on a meadow');
    expect(result.summary).toMatch(/left out words the built-in model does not know: "green"$/);
    expect(rewritePrompt('a red ball against a blue sky', 'make it green').prompt).toBe('a green ball against a blue sky');
  });
});

describe('camera, light, weather, style', () => {
  const base = 'a red ball bounces';
  test.each(CAMERAS)('camera %s', (camera) => {
    const phrase = CAMERA_PHRASES[camera][0]!;
    expect(edited(base, phrase)).toBe(`${base}, ${phrase}`);
  });
  test.each([
    ['zoom in', 'a red ball bounces, zoom in'],
    ['zoom out', 'a red ball bounces, zoom out'],
    ['pan to the left', 'a red ball bounces, the camera pans left'],
    ['pans right', 'a red ball bounces, the camera pans right'],
    ['keep the camera still', 'a red ball bounces, static camera'],
  ])('camera by instruction: %s', (instruction, expected) => {
    expect(edited(base, instruction)).toBe(expected);
  });
  test.each([
    ['dimly lit', 'darker', 'dim'],
    ['brightly lit', 'brighter', 'bright'],
    ['softly lit', 'softer', 'soft'],
    ['in hard light', 'harsher', 'hard'],
  ] as const)('light %s / %s', (phrase, short, value) => {
    const glue = phrase.startsWith('in ') ? ' ' : ', ';
    expect(edited(base, phrase)).toBe(`${base}${glue}${phrase}`);
    expect(edited(base, short)).toBe(`${base}${LIGHT_PHRASES[value][0]!.startsWith('in ') ? ' ' : ', '}${LIGHT_PHRASES[value][0]}`);
  });
  test('light back to normal has no words', () => {
    expect(edited('a red ball bounces, dimly lit', 'normal light')).toBe('a red ball bounces');
  });
  test.each([
    ['add rain', 'rain'],
    ['make it snow', 'snow'],
    ['foggy', 'fog'],
    ['rainy', 'rain'],
    ['misty', 'fog'],
  ] as const)('weather: %s', (instruction, value) => {
    const phrase = WEATHER_PHRASES[value][0]!;
    expect(edited(base, instruction)).toBe(
      `${base}${phrase.startsWith('with') || phrase.startsWith('in') || phrase.startsWith('while') ? ' ' : ', '}${phrase}`,
    );
    expect(edited(base, `add ${WEATHER_PHRASES[value][2]}`)).toBe(`${base} ${WEATHER_PHRASES[value][2]}`);
  });
  test.each([
    ['a red ball bounces in the rain', 'remove the rain'],
    ['a red ball bounces while it snows', 'no snow'],
    ['a red ball bounces in thick fog', 'without the fog'],
    ['a red ball bounces in the pouring rain', 'stop the rain'],
    ['a red ball bounces in the snow', 'make it stop snowing'],
  ])('weather removed: %s + "%s"', (prompt, instruction) => {
    const result = rewritePrompt(prompt, instruction);
    expect(result.prompt).toBe('a red ball bounces');
    expect(result.changes).toEqual([{ attribute: 'weather', objectIndex: null, value: 'none' }]);
  });
  const shortStyle: Record<(typeof STYLES)[number], string> = {
    flat: 'flat colors',
    cartoon: 'cartoonish',
    'pixel art': 'pixel',
    realistic: 'photo',
    neon: 'glowing',
    sketch: 'pencil',
    vintage: 'retro',
  };
  test.each(STYLES)('style %s', (style) => {
    const phrase = STYLE_PHRASES[style][0]!;
    const glue = phrase.startsWith('in ') || phrase.startsWith('as ') ? ' ' : ', ';
    expect(edited(base, phrase)).toBe(`${base}${glue}${phrase}`);
    expect(edited(base, shortStyle[style])).toBe(`${base}${glue}${phrase}`);
  });
  test('removing a style goes back to flat', () => {
    expect(edited('a red ball bounces in pixel art style', 'remove the pixel art style')).toBe('a red ball bounces in flat style');
  });
});

describe('several objects', () => {
  const two = 'a red ball moves left and a blue square moves right';
  test.each([
    ['make the square green', 'a red ball moves left and a green square moves right'],
    ['make the ball a star', 'a red star moves left and a blue square moves right'],
    ['make the star a circle', null],
    ['make the second one bigger', 'a red ball moves left and a large blue square moves right'],
    ['make the first one stay still', 'a red ball stays still and a blue square moves right'],
    ['make both yellow', 'a yellow ball moves left and a yellow square moves right'],
    ['make the red ball blue', 'a blue ball moves left and a blue square moves right'],
    ['make the ball blue and the square red', 'a blue ball moves left and a red square moves right'],
    ['move the square up', 'a red ball moves left and a blue square moves up'],
    ['make the ball and the square small', 'a small red ball moves left and a small blue square moves right'],
    ['add rain', 'a red ball moves left and a blue square moves right in the rain'],
  ])('"%s"', (instruction, expected) => {
    if (expected === null) expect(refusal(two, instruction).error).toBe('InstructionNotUnderstoodError');
    else expect(edited(two, instruction)).toBe(expected);
  });
  test('two objects of one shape are told apart by colour or place', () => {
    const balls = 'a red ball bounces while a blue ball moves left, at night';
    expect(edited(balls, 'make the blue ball green')).toBe('a red ball bounces while a green ball moves left, at night');
    expect(edited(balls, 'make the first ball a star')).toBe('a red star bounces while a blue ball moves left, at night');
    expect(refusal(balls, 'make the ball green').error).toBe('AmbiguousInstructionError');
  });
});

describe('the result', () => {
  test('changes and summary say what changed, from what', () => {
    const result = rewritePrompt('a red ball moves left quickly on a plain blue background', 'make it green and add rain');
    expect(result.prompt).toBe('a green ball moves left quickly on a plain blue background in the rain');
    expect(result.changes).toEqual([
      { attribute: 'colour', objectIndex: 0, value: 'green' },
      { attribute: 'weather', objectIndex: null, value: 'rain' },
    ]);
    expect(result.summary).toBe('colour of the red ball: red → green; weather: not named → rain');
  });

  test('a motion without speed drops the speed, and says so', () => {
    expect(rewritePrompt('a red ball moves left quickly', 'make it bounce').summary).toBe(
      'motion of the red ball: left → bounce; speed of the red ball: quickly → not named (only left, right, up and down motions have a speed)',
    );
  });

  test('words outside the vocabulary are dropped, and the summary names them', () => {
    const result = rewritePrompt('a beautiful red ball moves left, 4k', 'make it blue');
    expect(result.prompt).toBe('a blue ball moves left');
    expect(result.summary).toContain('"beautiful", "4"');
  });

  test('parseInstruction reads several changes and their targets', () => {
    const scene = parseCaption('a red ball moves left and a blue square moves right');
    expect(parseInstruction('make the ball yellow and the square a star, in the pouring rain', scene)).toEqual([
      { attribute: 'colour', objectIndex: 0, value: 'yellow', phrase: 'yellow' },
      { attribute: 'shape', objectIndex: 1, value: 'star', phrase: 'star' },
      { attribute: 'weather', objectIndex: null, value: 'rain', phrase: 'in the pouring rain' },
    ]);
  });

  test.each(EDIT_EXAMPLES)('the hint "%s" works', (example) => {
    const bases = ['a red star moves right quickly on a plain yellow background', 'a red star moves right quickly on a plain yellow background in the rain'];
    const results = bases.map((b) => attempt(b, example));
    expect(results.some((r) => !('error' in r))).toBe(true);
  });
});

// ----------------------------------------------------------------------------
// Refusals

describe('refusals name the problem and the fix', () => {
  test.each([
    ['a red ball bounces', 'make it a dog', 'InstructionNotUnderstoodError', [/"dog"/, /"make it blue"/, /"add rain"/]],
    ['a red ball bounces', '', 'InstructionNotUnderstoodError', [/is empty/]],
    ['a red ball bounces', 'make it', 'InstructionNotUnderstoodError', [/names no colour, shape, size, motion/]],
    ['a red ball bounces', 'make it blue and red', 'InstructionNotUnderstoodError', [/two values of the colour of the red ball \(blue and red\)/]],
    ['a red ball bounces', 'make it move', 'InstructionNotUnderstoodError', [/which way the red ball should move/, /"make it move left"/]],
    ['a red ball bounces', 'make it roll', 'InstructionNotUnderstoodError', [/"make it roll left"/]],
    ['a red ball and a blue box', 'remove the box', 'InstructionNotUnderstoodError', [/cannot remove an object/, /by hand/]],
    ['a red ball in the desert', 'remove the background', 'InstructionNotUnderstoodError', [/always has a background/, /"make the background green"/]],
    ['a red ball', 'make the background', 'InstructionNotUnderstoodError', [/not which one/]],
    ['a red ball and a blue box', 'make the triangle red', 'InstructionNotUnderstoodError', [/"the triangle"/, /it has the red ball, the blue box/]],
    [
      'a beautiful sunset over the ocean',
      'make it blue',
      'PromptNotUnderstoodError',
      [/names no shape \(circle, square, triangle, star, diamond\)/, /by hand/],
    ],
    ['a red and a blue square', 'make it blue', 'PromptNotUnderstoodError', [/object 1 \("red"\) names no shape/]],
    ['a red ball and a blue box', 'make it green', 'AmbiguousInstructionError', [/the red ball or the blue box/, /"make the red ball green"/]],
    ['a red ball and a blue ball', 'make the ball a star', 'AmbiguousInstructionError', [/the red ball or the blue ball/, /"make the red ball a star"/]],
    ['a red ball and a blue box', 'make the third one blue', 'InstructionNotUnderstoodError', [/"the third one", but the prompt has no such object/]],
    [
      'a red ball, a blue box and a red ball',
      'slower',
      'AmbiguousInstructionError',
      [/the first red ball, the blue box or the third red ball/, /"make the first red ball slower"/],
    ],
    ['a red ball at night', 'make it black', 'EditClashError', [/cannot be black on the night background/, /CIELAB 25/, /Pick another colour: orange/]],
    ['a red ball on a blue background', 'make it blue', 'EditClashError', [/cannot be blue on a plain blue background/, /Pick another colour/]],
    [
      'a white ball bounces',
      'at night',
      'EditClashError',
      [/The white ball cannot be shown on the night background/, /Pick another background: sunset, desert, a plain red, orange, /],
    ],
    ['a red ball on a blue background', 'make the background red', 'EditClashError', [/plain red background/, /Pick another background/]],
    ['a red ball rolls left', 'make it spin', 'EditClashError', [/A circle cannot spin/, /"make it bounce"/]],
    ['a red star spins', 'make it a circle', 'EditClashError', [/spins, and a circle cannot spin/, /"make it a circle that bounces"/]],
    ['a red ball bounces', 'slower', 'EditClashError', [/Only straight motions/, /the red ball bounces/, /"make it move left slowly"/]],
    ['a red ball', 'faster', 'EditClashError', [/does not say how the red ball moves/, /"make it move left quickly"/]],
    ['a blue ball', 'make it blue', 'NothingToChangeError', [/The blue ball is already blue/]],
    ['a large red ball', 'make it bigger', 'NothingToChangeError', [/already large \(the largest size\)/]],
    ['a red ball moves left slowly', 'slower', 'NothingToChangeError', [/already moves slowly/]],
    ['a red ball in the rain', 'add rain', 'NothingToChangeError', [/weather is already rain/]],
    ['a red ball', 'remove the rain', 'NothingToChangeError', [/no rain to remove: its weather is not named/]],
    ['a red ball in the snow', 'no rain', 'NothingToChangeError', [/no rain to remove: its weather is snow/]],
    ['a red star moves left', 'make it move left', 'NothingToChangeError', [/The red star already moves left/]],
  ] as const)('%s + "%s": %s', (prompt, instruction, name, patterns) => {
    const { error, message } = refusal(prompt, instruction);
    expect(error).toBe(name);
    expect(EDIT_ERROR_NAMES).toContain(error);
    for (const p of patterns) expect(message).toMatch(p);
    expect(message.length).toBeLessThan(500);
  });

  test('an unknown instruction word is refused, not skipped', () => {
    const { error, message } = refusal('a red ball bounces', 'make it blue and add a dog');
    expect(error).toBe('InstructionNotUnderstoodError');
    expect(message).toContain('"dog"');
  });
});
