// Storyboards from any source (panel, window.lantern, the CLI's shots.json)
// are checked before anything renders: every mistake is a StoryboardError
// naming the shot and field and what to do.
import { describe, expect, test } from 'vitest';
import { MAX_SHOTS, parseShots, parseShotsJson } from '../src/storyboard/shots';

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a StoryboardError');
}

describe('parseShots', () => {
  test('keeps prompt, seed and image, in order', () => {
    const image = new Uint8ClampedArray(4);
    expect(parseShots([{ prompt: 'a red ball' }, { prompt: 'now it moves left', seed: 7 }, { prompt: 'a cut', image }])).toEqual([
      { prompt: 'a red ball' },
      { prompt: 'now it moves left', seed: 7 },
      { prompt: 'a cut', image },
    ]);
    expect(parseShotsJson('[{"prompt": "x", "seed": 0}]')).toEqual([{ prompt: 'x', seed: 0 }]);
  });

  test.each([
    ['invalid JSON', () => parseShotsJson('[{"prompt": "x",'), null, /not valid JSON .*must be an array/],
    ['an object', () => parseShotsJson('{"prompt": "x"}'), null, /must be a JSON array of shots.*got an object/],
    ['no shots', () => parseShots([]), null, /no shots/],
    [`${MAX_SHOTS + 1} shots`, () => parseShots(Array.from({ length: MAX_SHOTS + 1 }, () => ({ prompt: 'x' }))), null, /65 shots; Lantern renders at most 64/],
    ['1000 shots', () => parseShots(Array.from({ length: 1000 }, () => ({ prompt: 'x' }))), null, /1000 shots/],
    ['a string shot', () => parseShots(['a red ball']), 0, /Shot 1: must be an object .*got "a red ball"/],
    ['an empty prompt', () => parseShots([{ prompt: 'x' }, { prompt: '  ' }]), 1, /Shot 2: needs a prompt/],
    ['a negative seed', () => parseShots([{ prompt: 'x', seed: -1 }]), 0, /Shot 1: has seed -1; a seed is a whole number from 0 to 4294967295/],
    ['a string seed', () => parseShots([{ prompt: 'x', seed: '7' }]), 0, /has seed "7"/],
    ['a typo', () => parseShots([{ prompt: 'x', sed: 7 }]), 0, /unknown field "sed"; a shot has "prompt", "seed" and "image"/],
    ['an image path', () => parseShots([{ prompt: 'x', image: 'a.png' }]), 0, /image that is "a.png"; give a File\/Blob or RGBA bytes/],
  ])('%s is a StoryboardError', (_, run, shot, message) => {
    const error = errorOf(run);
    expect(error.name).toBe('StoryboardError');
    expect((error as Error & { shot: number | null }).shot).toBe(shot);
    expect(error.message).toMatch(message);
  });
});
