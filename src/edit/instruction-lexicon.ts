// The words of edit instructions that are not caption phrases: base verb
// forms ('make it bounce'), comparatives ('bigger', 'slower'), short forms of
// scene values ('rainy', 'pixel'), removal words ('no rain'), the words that
// point at an object ('the', 'both', 'second') and the filler an instruction
// wraps its request in ('make it', 'please'). Everything else an instruction
// can say comes from the caption vocabulary itself (colours, nouns, sizes,
// directions, speeds, verbs and every scene phrase), so this table only adds
// forms; a phrase here that is also a caption phrase is an error (the index in
// instruction.ts refuses it at load).
import type { Colour, LinearMotion, NamedSpeed, SceneAttribute, Shape, Size } from './vocabulary';

/** What a word or phrase of an instruction means. */
export type Meaning =
  | { kind: 'noun'; shape: Shape }
  /** 'one', 'object': a noun for whichever object the adjectives or ordinal pick ('the red one'). */
  | { kind: 'someObject' }
  | { kind: 'colour'; colour: Colour }
  | { kind: 'size'; size: Size }
  | { kind: 'speed'; speed: NamedSpeed }
  | { kind: 'scene'; attribute: SceneAttribute; value: string }
  /** A verb, as the caption verb (finite form) it maps to. */
  | { kind: 'verb'; verb: string }
  | { kind: 'direction'; direction: LinearMotion }
  /** 'bigger' / 'smaller': one size up or down. */
  | { kind: 'sizeStep'; by: 1 | -1 }
  /** 'remove', 'no', 'without': the scene value that follows goes back to its default. */
  | { kind: 'remove' }
  /** 'background': a colour next to it is a plain background, not an object's colour. */
  | { kind: 'background' }
  /** 'them', 'both', 'all': every object. */
  | { kind: 'all' }
  /** 'first', 'second', 'last' (-1): an object by its place in the prompt. */
  | { kind: 'ordinal'; index: number }
  /** 'the', 'this': the noun that follows names an object of the prompt. */
  | { kind: 'definite' }
  /** 'a', 'an': the noun that follows is a new value. */
  | { kind: 'indefinite' }
  | { kind: 'filler' };

export type LexiconEntry = readonly [phrase: string, meaning: Meaning];

const each = (meaning: Meaning, ...phrases: string[]): LexiconEntry[] => phrases.map((p) => [p, meaning] as const);
const scene = (attribute: SceneAttribute, value: string, ...phrases: string[]) => each({ kind: 'scene', attribute, value }, ...phrases);
const verb = (finite: string, ...phrases: string[]) => each({ kind: 'verb', verb: finite }, ...phrases);

/** The value a scene attribute takes when an instruction removes it ('remove the rain', 'no pixel art'). */
export const REMOVED_VALUE: Readonly<Record<Exclude<SceneAttribute, 'background'>, string>> = {
  weather: 'none',
  light: 'normal',
  camera: 'static',
  style: 'flat',
};

export const INSTRUCTION_LEXICON: readonly LexiconEntry[] = [
  // Weather
  ...scene('weather', 'rain', 'rain', 'rainy', 'raining', 'rains', 'rainfall', 'rainstorm', 'let it rain'),
  ...scene('weather', 'snow', 'snow', 'snowy', 'snowing', 'snows', 'snowfall', 'let it snow'),
  ...scene('weather', 'fog', 'fog', 'foggy', 'misty', 'mist', 'haze', 'hazy'),
  ...scene('weather', 'none', 'stop raining', 'stop snowing', 'stop the rain', 'stop the snow', 'stop the fog', 'no weather', 'clear weather', 'dry'),
  // Light
  ...scene('light', 'bright', 'bright', 'brighter', 'brightly', 'well lit'),
  ...scene('light', 'dim', 'dim', 'dimmer', 'dimly', 'dark', 'darker', 'low lighting'),
  ...scene('light', 'soft', 'soft', 'softer', 'softly', 'soft lit'),
  ...scene('light', 'hard', 'hard', 'harder', 'harsh', 'harsher', 'harshly'),
  ...scene('light', 'normal', 'normal light', 'normal lighting', 'normally lit'),
  // Camera
  ...scene('camera', 'static', 'static', 'still camera', 'steady camera', 'fixed', 'keep the camera still', 'camera still', 'stop the camera'),
  ...scene('camera', 'static', 'no camera movement', 'stop panning', 'stop zooming', 'no zoom', 'no pan'),
  ...scene('camera', 'pan left', 'pans left', 'pan to the left', 'pan the camera left', 'camera left', 'panning to the left'),
  ...scene('camera', 'pan right', 'pans right', 'pan to the right', 'pan the camera right', 'camera right', 'panning to the right'),
  ...scene('camera', 'zoom in', 'zooms in', 'zoom into', 'zoom closer', 'closer'),
  ...scene('camera', 'zoom out', 'zooms out', 'zoom away', 'pull back', 'further away', 'farther away'),
  // Style
  ...scene('style', 'pixel art', 'pixel', 'pixels', 'pixel style', 'pixely', '8 bit style', 'retro game'),
  ...scene('style', 'cartoon', 'cartoony', 'cartoonish', 'comic', 'comic book', 'toon', 'animated'),
  ...scene('style', 'realistic', 'real', 'realistically', 'photo', 'photographic', 'photoreal', 'realism'),
  ...scene('style', 'neon', 'glow', 'glowing', 'neon colours', 'neon colors'),
  ...scene('style', 'sketch', 'pencil', 'sketched', 'sketchy', 'drawing', 'hand drawn', 'line art'),
  ...scene('style', 'vintage', 'old', 'retro', 'film', 'old movie', 'old fashioned', 'grainy'),
  ...scene('style', 'flat', 'flat colors', 'simple', 'vector', 'plain style', 'normal style', 'default style', 'no style'),
  // Backgrounds by name ('make the background a sunset', 'make it night')
  ...scene('background', 'sky', 'sky', 'blue sky'),
  ...scene('background', 'meadow', 'meadow', 'field', 'grass', 'grassy', 'green field', 'grassland', 'grassy field'),
  ...scene('background', 'night', 'night', 'nighttime', 'night time', 'night sky', 'starry', 'starry sky', 'stars', 'midnight'),
  ...scene('background', 'sunset', 'sunset', 'dusk', 'evening', 'sundown'),
  ...scene('background', 'desert', 'desert', 'sand', 'sandy', 'dunes', 'sand dunes'),
  ...each({ kind: 'background' }, 'background', 'backdrop', 'backgrounds', 'bg', 'background colour', 'background color'),
  // Motions, by the base form of the caption's verbs ('make it bounce')
  ...verb('moves', 'move', 'go', 'goes', 'going'),
  ...verb('slides', 'slide'),
  ...verb('drifts', 'drift'),
  ...verb('glides', 'glide'),
  ...verb('travels', 'travel'),
  ...verb('flies', 'fly'),
  ...verb('rolls', 'roll'),
  ...verb('rises', 'rise', 'float up'),
  ...verb('climbs', 'climb'),
  ...verb('sinks', 'sink', 'fall', 'falls', 'falling'),
  ...verb('descends', 'descend'),
  ...verb('stays still', 'stay still', 'stop', 'stop moving', 'still', 'keep still', 'be still', 'hold still', 'freeze', 'stationary', 'motionless'),
  ...verb('sits still', 'sit still'),
  ...verb('rests', 'rest'),
  ...verb('stays put', 'stay put'),
  ...verb('does not move', 'not move', 'do not move', "don't move", 'no motion', 'no movement'),
  ...verb('stands still', 'stand still'),
  ...verb('bounces', 'bounce', 'bouncy'),
  ...verb('hops', 'hop'),
  ...verb('bounces up and down', 'bounce up and down'),
  ...verb('bounces on the floor', 'bounce on the floor'),
  ...verb('jumps', 'jump'),
  ...verb('spins', 'spin'),
  ...verb('rotates', 'rotate'),
  ...verb('twirls', 'twirl'),
  ...verb('spins around', 'spin around'),
  ...verb('turns in place', 'turn in place'),
  ...verb('grows', 'grow', 'grow bigger'),
  ...verb('gets bigger', 'get bigger', 'keep getting bigger'),
  ...verb('expands', 'expand'),
  ...verb('grows larger', 'grow larger'),
  ...verb('shrinks', 'shrink', 'shrink down'),
  ...verb('gets smaller', 'get smaller', 'keep getting smaller'),
  ...verb('becomes smaller', 'become smaller'),
  ...verb('shrinks away', 'shrink away'),
  ...verb('orbits the centre', 'orbit the centre', 'orbit', 'orbits', 'orbiting'),
  ...verb('orbits the center', 'orbit the center'),
  ...verb('circles around the centre', 'circle around the centre', 'circle around', 'go around'),
  ...verb('circles the center', 'circle the center'),
  ...verb('moves in a circle', 'move in a circle', 'go in a circle', 'in circles'),
  ...verb('goes around in a circle', 'go around in a circle'),
  // Speed and size, relative
  ...each({ kind: 'speed', speed: 'slowly' }, 'slower', 'slow', 'slow down', 'more slowly', 'less fast', 'a little slower', 'a bit slower'),
  ...each({ kind: 'speed', speed: 'quickly' }, 'faster', 'quicker', 'quick', 'speed up', 'more quickly', 'a little faster', 'a bit faster'),
  ...each({ kind: 'sizeStep', by: 1 }, 'bigger', 'larger', 'a little bigger', 'a bit bigger', 'a little larger', 'a bit larger'),
  ...each({ kind: 'sizeStep', by: -1 }, 'smaller', 'tinier', 'a little smaller', 'a bit smaller'),
  // Removal
  ...each({ kind: 'remove' }, 'remove', 'no', 'without', 'no more', 'take away', 'take out', 'get rid of', 'clear', 'clear up', 'delete', 'turn off', 'lose'),
  // Pointing at objects
  ...each({ kind: 'someObject' }, 'one', 'object', 'shape', 'thing'),
  ...each(
    { kind: 'all' },
    'them',
    'both',
    'all',
    'all of them',
    'both of them',
    'each',
    'every',
    'all objects',
    'all shapes',
    'all the shapes',
    'every object',
    'every shape',
  ),
  ...each({ kind: 'ordinal', index: 0 }, 'first', '1st'),
  ...each({ kind: 'ordinal', index: 1 }, 'second', '2nd'),
  ...each({ kind: 'ordinal', index: 2 }, 'third', '3rd'),
  ...each({ kind: 'ordinal', index: -1 }, 'last'),
  ...each({ kind: 'definite' }, 'the', 'this', 'that', 'its'),
  ...each({ kind: 'indefinite' }, 'a', 'an', 'into a', 'into an', 'to a', 'to an'),
  // What an instruction wraps its request in
  ...each(
    { kind: 'filler' },
    ...['make', 'it', 'change', 'turn', 'set', 'let', 'be', 'become', 'is', 'are', 'now', 'please', 'can', 'could', 'would', 'will', 'you', 'i'],
    ...['want', 'like', 'should', 'do', 'does', 'instead', 'also', 'then', 'and', 'but', 'so', 'just', 'only', 'to', 'into', 'in', 'on', 'at'],
    ...['of', 'with', 'for', 'from', 'a bit', 'a little bit', 'slightly', 'much', 'very', 'really', 'even', 'more', 'a lot', 'way', 'too'],
    ...['have', 'has', 'give', 'put', 'add', 'apply', 'use', 'show', 'switch', 'get', 'keep', 'colour', 'color', 'size', 'speed'],
    ...['motion', 'movement', 'direction', 'weather', 'style', 'look', 'looks', 'light', 'lighting', 'lit', 'camera', 'scene', 'clip', 'video'],
    ...['as', 'by', 'some', 'again', 'instead of', 'the same', 'same', 'plain', 'which', 'while', 'around', 'there', 'here'],
    ...[',', '.', '!', '?', ';', ':', "'", '"', "'s", 'whole', 'everything', 'version'],
  ),
];
