// The misuse policy (src/policy/) held against the prompt tables in
// test/fixtures/policy/prompts.json: refused prompts per category, the same
// disguised (case, spacing, leetspeak, look-alike letters, invisible
// characters), harmless prompts with risky-looking words, Shapes World's
// whole vocabulary and 200 of its captions, and what strict mode adds. False
// refusals (allowed prompts refused) and misses (refused prompts allowed) are
// counted per table and category and printed as a table at the end; the
// thresholds are asserted there. Properties: random Shapes World word salad is
// allowed in both modes, random disguises of refused prompts stay refused,
// and no refusal message holds a listed term.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { INSTRUCTION_LEXICON } from '../src/edit/instruction-lexicon';
import { EDIT_EXAMPLES } from '../src/edit/rewrite';
import {
  BACKGROUND_PHRASES,
  CAMERA_PHRASES,
  COLOUR_WORDS,
  DIRECTIONS,
  LIGHT_PHRASES,
  NOUNS,
  PLAIN_TEMPLATES,
  SIZE_WORDS,
  SPEED_POST,
  SPEED_PRE,
  STYLE_PHRASES,
  VERBS,
  WEATHER_PHRASES,
} from '../src/edit/vocabulary';
import { POLICY, POLICY_CATEGORIES, POLICY_FIELDS, POLICY_MODES, type PolicyCategory, type PolicyMode } from '../src/policy/categories';
import { OutputRefusalError, POLICY_ERROR_NAMES, PolicyRefusalError } from '../src/policy/errors';
import { foldText, leetForms, normalize } from '../src/policy/normalize';
import { assertOutputAllowed, classifyOutput, type OutputClassifier, setOutputClassifier } from '../src/policy/output-classifier';
import { assertAllowed, assertRequestAllowed, checkPrompt, checkRequest, policyMessage } from '../src/policy/policy';
import captionFixture from './fixtures/edit/parsed-captions.json';
import tables from './fixtures/policy/prompts.json';

type Evasion = { prompt: string; category: PolicyCategory; kind: string };
type Tables = {
  refused: Record<Exclude<PolicyCategory, 'profanity'>, string[]>;
  evasions: Evasion[];
  allowed: { shapesWorld: string[]; tricky: string[] };
  strictOnly: Partial<Record<PolicyCategory, string[]>>;
  knownLimits: { falseRefusals: string[]; misses: { prompt: string; category: PolicyCategory }[] };
};
const T = tables as unknown as Tables;
const RUNS = { numRuns: 300, seed: 20261214 };

const refusedIn = (text: string, mode: PolicyMode) => {
  const v = checkPrompt(text, { mode, field: 'prompt' });
  return v.allowed ? null : v.category;
};

// ---------------------------------------------------------------- tallies

type Row = {
  table: string;
  category: string;
  mode: PolicyMode;
  prompts: number;
  falseRefusals: number;
  misses: number;
  wrongCategory: number;
  /** The categories the false refusals were refused under. */
  refusedAs: PolicyCategory[];
  examples: string[];
};
const rows: Row[] = [];

/** Prompts that must be allowed in `mode`: counts the false refusals, by the category they were refused under. */
function tallyAllowed(table: string, category: string, mode: PolicyMode, prompts: readonly string[]): Row {
  const verdicts = prompts.map((p) => [p, refusedIn(p, mode)] as const);
  const bad = verdicts.filter((v): v is readonly [string, PolicyCategory] => v[1] !== null);
  const row = {
    table,
    category,
    mode,
    prompts: prompts.length,
    falseRefusals: bad.length,
    misses: 0,
    wrongCategory: 0,
    refusedAs: bad.map(([, c]) => c),
    examples: bad.slice(0, 3).map(([p, c]) => `${p} -> ${c}`),
  };
  rows.push(row);
  return row;
}

/** Prompts that must be refused in `mode` as `category`: counts the misses and refusals under another category. */
function tallyRefused(table: string, category: PolicyCategory, mode: PolicyMode, prompts: readonly string[]): Row {
  const verdicts = prompts.map((p) => [p, refusedIn(p, mode)] as const);
  const missed = verdicts.filter(([, c]) => c === null).map(([p]) => p);
  const wrong = verdicts.filter(([, c]) => c !== null && c !== category).map(([p, c]) => `${p} -> ${c}`);
  const row = {
    table,
    category,
    mode,
    prompts: prompts.length,
    falseRefusals: 0,
    misses: missed.length,
    wrongCategory: wrong.length,
    refusedAs: [],
    examples: [...missed, ...wrong].slice(0, 3),
  };
  rows.push(row);
  return row;
}

const WORLD_PHRASES: readonly string[] = [
  ...Object.values(NOUNS).flat(),
  ...Object.values(COLOUR_WORDS).flat(),
  ...Object.values(SIZE_WORDS).flat(),
  ...VERBS.flatMap((v) => [v.finite, v.participle]),
  ...Object.values(DIRECTIONS).flat(),
  ...Object.values(SPEED_PRE).flat(),
  ...Object.values(SPEED_POST).flat(),
  ...Object.values(BACKGROUND_PHRASES).flat(),
  ...PLAIN_TEMPLATES.map((t) => t.replace('{a}', 'a').replace('{c}', 'blue')),
  ...Object.values(CAMERA_PHRASES).flat(),
  ...Object.values(LIGHT_PHRASES).flat(),
  ...Object.values(WEATHER_PHRASES).flat(),
  ...Object.values(STYLE_PHRASES).flat(),
];
const CAPTIONS = captionFixture.captions.map((c) => c.caption);
const INSTRUCTIONS = [...new Set([...INSTRUCTION_LEXICON.map(([phrase]) => phrase), ...EDIT_EXAMPLES])];

// ---------------------------------------------------------------- normalisation

describe('normalize', () => {
  test('folds width, case, accents, invisible characters and look-alike letters to ASCII', () => {
    expect(foldText('ＫＩＬＬ')).toBe('kill');
    expect(foldText('𝐤𝐢𝐥𝐥')).toBe('kill');
    expect(foldText('kíll')).toBe('kill');
    expect(foldText('ki\u200bl\u200dl\ufeff')).toBe('kill');
    expect(foldText('ѕех')).toBe('sex'); // Cyrillic dze, ie, ha
    expect(foldText('ΚΙLL')).toBe('kill'); // Greek capitals
    expect(foldText('a red ball')).toBe('a red ball');
  });

  test('reads leetspeak only in words that mix letters with digits or symbols', () => {
    expect(leetForms('k1ll')).toEqual(['kill', 'klll']);
    expect(leetForms('p0rn')).toEqual(['porn']);
    expect(leetForms('$ex')).toEqual(['sex']);
    expect(leetForms('3')).toEqual([]);
    expect(leetForms('128')).toEqual([]);
    expect(leetForms('ball')).toEqual([]);
    expect(normalize('3 balls').positions.map((p) => p.forms)).toEqual([['3'], ['balls']]);
  });

  test('joins runs of one-character words and collapses stretched letters', () => {
    const forms = (text: string) => normalize(text).positions.map((p) => [p.joined, ...p.forms, ...p.stretched]);
    expect(forms('k i l l him')).toEqual([
      [true, 'kill'],
      [false, 'him'],
    ]);
    expect(forms('k.i.l.l')).toEqual([[true, 'kill']]);
    expect(forms('k-1-l-l')).toEqual([[true, 'k1ll', 'kill', 'klll', 'kl']]);
    expect(forms('a b')).toEqual([
      [false, 'a'],
      [false, 'b'],
    ]);
    expect(forms('kiiiill')).toEqual([[false, 'kiiiill', 'kil']]);
  });
});

// ---------------------------------------------------------------- the API

describe('checkPrompt, checkRequest and PolicyRefusalError', () => {
  test('a refusal names its category, field and mode in a calm message', () => {
    const v = checkPrompt('a man kills a woman', { mode: 'standard', field: 'prompt' });
    expect(v).toEqual({
      allowed: false,
      category: 'violence',
      field: 'prompt',
      mode: 'standard',
      message: 'Lantern does not make clips involving violence or gore. Try describing shapes, colours and motion instead.',
    });
    expect(checkPrompt('a red ball shoots across the sky', { mode: 'strict', field: 'prompt' })).toEqual({ allowed: true });
  });

  test('assertAllowed throws PolicyRefusalError with the category, field and mode, never the words', () => {
    let caught: unknown;
    try {
      assertAllowed('k1ll the man', { mode: 'strict', field: 'instruction' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PolicyRefusalError);
    const err = caught as PolicyRefusalError;
    expect(err.name).toBe('PolicyRefusalError');
    expect(POLICY_ERROR_NAMES).toContain(err.name);
    expect([err.category, err.field, err.mode]).toEqual(['violence', 'instruction', 'strict']);
    expect(err.message).toBe(policyMessage('violence', 'instruction', 'strict'));
    expect(err.message).not.toMatch(/k1ll|kill/i);
    expect(() => assertAllowed('make it blue', { mode: 'strict', field: 'instruction' })).not.toThrow();
  });

  test('checkRequest reads the prompt, the negative prompt, the instruction and every shot, and names the one at fault', () => {
    const ok = { prompt: 'a red ball rolls left', negativePrompt: 'blurry', instruction: 'make it blue', shots: ['a star spins', { prompt: 'a box' }] };
    expect(checkRequest(ok, 'strict')).toEqual({ allowed: true });
    expect(checkRequest({ ...ok, negativePrompt: 'nsfw, nude, gore' }, 'standard')).toMatchObject({
      allowed: false,
      field: 'negativePrompt',
      category: 'sexual',
    });
    expect(checkRequest({ ...ok, instruction: 'make it a swastika' }, 'standard')).toMatchObject({ allowed: false, field: 'instruction', category: 'hate' });
    const shot = checkRequest({ ...ok, shots: ['a star spins', { prompt: 'a man with a gun' }] }, 'standard');
    expect(shot).toMatchObject({ allowed: false, field: 'shot', category: 'weapons', shotIndex: 1 });
    expect(shot.allowed ? '' : shot.message).toContain('shot 2 of the storyboard');
    expect(() => assertRequestAllowed({ prompt: 'a red ball', shots: [{ prompt: 'a naked man' }] }, 'standard')).toThrow(PolicyRefusalError);
    // A negative prompt is a prompt at low guidance, so strict and standard both read it.
    expect(checkRequest({ prompt: 'a red ball', negativePrompt: 'a toy gun' }, 'strict')).toMatchObject({ allowed: false, field: 'negativePrompt' });
  });

  test('self-harm refusals point to help', () => {
    const v = checkPrompt('i want to end my life', { mode: 'standard', field: 'prompt' });
    expect(v.allowed ? '' : v.message).toContain('helpline');
  });
});

// ---------------------------------------------------------------- messages

describe('refusal messages', () => {
  // Single-word terms and fragments, checked word by word; phrases are left to the policy itself (below).
  const terms = POLICY_CATEGORIES.flatMap((c) => [...POLICY[c].standard, ...POLICY[c].strict]);
  const termWords = new Set(terms.filter((t) => /^[a-z0-9]+$/.test(t)));
  const fragments = terms.filter((t) => t.startsWith('~')).map((t) => t.slice(1));

  test('name the category and hold no listed term besides the category label', () => {
    for (const category of POLICY_CATEGORIES) {
      for (const mode of POLICY_MODES) {
        for (const field of POLICY_FIELDS) {
          const label = mode === 'strict' ? POLICY[category].strictLabel : POLICY[category].label;
          const message = policyMessage(category, field, mode, field === 'shot' ? 2 : undefined);
          expect(message).toContain(label);
          const rest = message.replace(label, ' ');
          const words = rest.toLowerCase().match(/[a-z0-9]+/g) ?? [];
          expect(
            words.filter((w) => termWords.has(w)),
            message,
          ).toEqual([]);
          expect(
            fragments.filter((f) => rest.toLowerCase().includes(f)),
            message,
          ).toEqual([]);
          // What is left is itself a prompt the strictest policy allows.
          expect(refusedIn(rest, 'strict'), message).toBeNull();
        }
      }
    }
  });

  test('depend only on category, field and mode (property over refused prompts and fields)', () => {
    const refused = Object.values(T.refused).flat();
    fc.assert(
      fc.property(fc.constantFrom(...refused), fc.constantFrom(...POLICY_FIELDS), fc.constantFrom(...POLICY_MODES), (prompt, field, mode) => {
        const v = checkPrompt(prompt, { mode, field });
        expect(v.allowed, prompt).toBe(false);
        if (!v.allowed) expect(v.message).toBe(policyMessage(v.category, field, mode));
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------- properties

/** Disguises a prompt letter by letter the ways the normaliser undoes: case, width, accents, invisible characters, look-alikes, leetspeak. */
const LOOK_ALIKE: Readonly<Record<string, string>> = { a: 'а', c: 'с', e: 'е', i: 'і', k: 'к', o: 'о', p: 'р', s: 'ѕ', x: 'х', y: 'у' };
const LEET: Readonly<Record<string, string>> = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' };
const disguise = (text: string, picks: readonly number[]) => {
  let k = 0;
  const next = () => picks[k++ % picks.length]!;
  return text
    .split(' ')
    .map((word) => {
      const hasDigit = /\d/.test(word);
      const out = [...word].map((ch) => {
        if (!/[a-z]/.test(ch)) return ch;
        switch (next()) {
          case 0:
            return ch.toUpperCase();
          case 1:
            return String.fromCharCode(ch.charCodeAt(0) + 0xfee0); // fullwidth
          case 2:
            return `${ch}\u0301`; // combining acute accent
          case 3:
            return `${ch}\u200b`; // zero-width space
          case 4:
            return LOOK_ALIKE[ch] ?? ch;
          case 5:
            return hasDigit ? ch : (LEET[ch] ?? ch);
          default:
            return ch;
        }
      });
      // A word left with no letter is a number, which the policy never reads as leetspeak ('3 balls'): keep it as it was.
      const result = out.join('');
      return /^\d+$/.test(result.replace(/\u200b|\u0301/g, '')) ? word : result;
    })
    .join(' ');
};

describe('properties', () => {
  test('random sentences of Shapes World words are allowed in both modes', () => {
    const piece = fc.constantFrom(...WORLD_PHRASES, 'and', 'while', ',', 'a', 'an', 'the', '2', '3', '8-bit');
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 14 }), (pieces) => {
        const text = pieces.join(' ');
        expect(refusedIn(text, 'standard'), text).toBeNull();
        expect(refusedIn(text, 'strict'), text).toBeNull();
      }),
      RUNS,
    );
  });

  test('random disguises of refused prompts are refused with the same category', () => {
    const refused = POLICY_CATEGORIES.flatMap((c) => (c === 'profanity' ? [] : T.refused[c].map((p) => [p, c] as const)));
    fc.assert(
      fc.property(fc.constantFrom(...refused), fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 12 }), ([prompt, category], picks) => {
        const text = disguise(prompt, picks);
        expect(refusedIn(text, 'standard'), `${prompt} disguised as ${JSON.stringify(text)}`).toBe(category);
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------- output classifier

describe('output classifier hook', () => {
  const info = { width: 2, height: 1, fps: 8, prompt: 'a red ball' };
  const frames = [new Uint8ClampedArray(8), new Uint8ClampedArray(8)];

  test('without a classifier (the built-in model) every clip passes, marked unclassified', async () => {
    setOutputClassifier(null);
    await expect(classifyOutput(frames, info)).resolves.toEqual({ allowed: true, classified: false });
    await expect(assertOutputAllowed(frames, info)).resolves.toBeUndefined();
  });

  test('a refusing classifier withholds the clip with OutputRefusalError; a failing one refuses too', async () => {
    const seen: number[] = [];
    const refuser: OutputClassifier = {
      name: 'test-refuser',
      classify: async (f) => {
        seen.push(f.length);
        return { allowed: false, category: 'violence', score: 0.93 };
      },
    };
    setOutputClassifier(refuser);
    try {
      await expect(classifyOutput(frames, info)).resolves.toEqual({
        allowed: false,
        category: 'violence',
        score: 0.93,
        classified: true,
        classifier: 'test-refuser',
      });
      const err = await assertOutputAllowed(frames, info).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OutputRefusalError);
      expect((err as OutputRefusalError).name).toBe('OutputRefusalError');
      expect((err as OutputRefusalError).category).toBe('violence');
      expect(seen).toEqual([2, 2]);
      await expect(classifyOutput([new Uint8ClampedArray(3)], info)).rejects.toThrow(/Frame 0 has 3 bytes/);
      setOutputClassifier({
        name: 'broken',
        classify: () => Promise.reject(new Error('model failed to load')),
      });
      const errors: unknown[] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => errors.push(args);
      try {
        await expect(classifyOutput(frames, info)).resolves.toMatchObject({ allowed: false, classified: true });
      } finally {
        console.error = original;
      }
      expect(errors).toHaveLength(1);
    } finally {
      setOutputClassifier(null);
    }
  });
});

// ---------------------------------------------------------------- the tables, counted

describe('the prompt tables', () => {
  test(`count false refusals and misses, print them, and hold the thresholds`, () => {
    const handWritten =
      Object.values(T.refused).flat().length +
      T.evasions.length +
      T.allowed.shapesWorld.length +
      T.allowed.tricky.length +
      Object.values(T.strictOnly).flat().length +
      T.knownLimits.falseRefusals.length +
      T.knownLimits.misses.length;
    expect(handWritten).toBeGreaterThanOrEqual(300);

    for (const mode of POLICY_MODES) {
      for (const c of POLICY_CATEGORIES) if (c !== 'profanity') tallyRefused('refused', c, mode, T.refused[c]);
    }
    for (const mode of POLICY_MODES) {
      for (const c of POLICY_CATEGORIES) {
        const evasions = T.evasions.filter((e) => e.category === c).map((e) => e.prompt);
        if (evasions.length > 0) tallyRefused('evasions', c, mode, evasions);
      }
    }
    for (const mode of POLICY_MODES) {
      tallyAllowed('shapes world prompts', '-', mode, T.allowed.shapesWorld);
      tallyAllowed('shapes world captions (fixture)', '-', mode, CAPTIONS);
      tallyAllowed('shapes world phrases (vocabulary)', '-', mode, WORLD_PHRASES);
      tallyAllowed('edit instruction phrases', '-', mode, INSTRUCTIONS);
      tallyAllowed('tricky allowed', '-', mode, T.allowed.tricky);
    }
    for (const c of POLICY_CATEGORIES) {
      const prompts = T.strictOnly[c] ?? [];
      if (prompts.length === 0) continue;
      tallyAllowed('strict-only', c, 'standard', prompts);
      tallyRefused('strict-only', c, 'strict', prompts);
    }
    const limitsRefused = tallyAllowed('known limits: false refusals', '-', 'standard', T.knownLimits.falseRefusals);
    const limitsMissed: string[] = [];
    for (const c of POLICY_CATEGORIES) {
      const prompts = T.knownLimits.misses.filter((m) => m.category === c).map((m) => m.prompt);
      if (prompts.length === 0) continue;
      const row = tallyRefused('known limits: misses', c, 'standard', prompts);
      limitsMissed.push(...prompts.filter((p) => refusedIn(p, 'standard') === null));
      row.examples = [];
    }

    const limit = (r: Row) => r.table.startsWith('known limits');
    const table = (header: string[], body: string[][]) => {
      const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
      const line = (cells: string[]) => cells.map((c, i) => (/^\d+$/.test(c) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ');
      return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)];
    };
    const detail = table(
      ['table', 'category', 'mode', 'prompts', 'false refusals', 'misses', 'wrong category'],
      rows.map((r) => [r.table, r.category, r.mode, r.prompts, r.falseRefusals, r.misses, r.wrongCategory].map(String)),
    );
    const byCategory = table(
      ['category', 'must refuse (prompt x mode)', 'misses', 'wrong category', 'false refusals', 'known-limit misses', 'known-limit false refusals'],
      POLICY_CATEGORIES.map((c) => {
        const mustRefuse = (r: Row) =>
          r.table === 'refused' || r.table === 'evasions' || r.table === 'known limits: misses' || (r.table === 'strict-only' && r.mode === 'strict');
        const own = rows.filter((r) => r.category === c && mustRefuse(r));
        const checked = own.filter((r) => !limit(r));
        const count = (rs: Row[], k: 'prompts' | 'misses' | 'wrongCategory') => rs.reduce((n, r) => n + r[k], 0);
        const falseAs = (pick: (r: Row) => boolean) => rows.filter(pick).reduce((n, r) => n + r.refusedAs.filter((x) => x === c).length, 0);
        return [
          c,
          count(checked, 'prompts'),
          count(checked, 'misses'),
          count(checked, 'wrongCategory'),
          falseAs((r) => !limit(r)),
          count(own.filter(limit), 'misses'),
          falseAs(limit),
        ].map(String);
      }),
    );
    const sum = (k: 'falseRefusals' | 'misses', pick: (r: Row) => boolean) => rows.filter(pick).reduce((n, r) => n + r[k], 0);
    console.log(
      [
        `Prompt policy: ${handWritten} hand-written prompts, plus ${CAPTIONS.length} captions, ${WORLD_PHRASES.length} vocabulary phrases, ${INSTRUCTIONS.length} instruction phrases`,
        ...detail,
        '',
        'By category (both modes; false refusals counted under the category they were refused as):',
        ...byCategory,
        '',
        `total false refusals: ${sum('falseRefusals', (r) => !limit(r))} (known limits: ${sum('falseRefusals', limit)}); total misses: ${sum('misses', (r) => !limit(r))} (known limits: ${sum('misses', limit)})`,
        ...rows.filter((r) => r.examples.length > 0 && !limit(r)).map((r) => `  ${r.table} / ${r.category} / ${r.mode}: ${r.examples.join('; ')}`),
      ].join('\n'),
    );

    // Thresholds. Every refused prompt and every listed evasion is caught, with its category.
    for (const r of rows.filter((r) => r.table === 'refused' || r.table === 'evasions' || (r.table === 'strict-only' && r.mode === 'strict'))) {
      expect(r.misses, `${r.table} / ${r.category} / ${r.mode}: ${r.examples.join('; ')}`).toBe(0);
      expect(r.wrongCategory, `${r.table} / ${r.category} / ${r.mode}: ${r.examples.join('; ')}`).toBe(0);
    }
    // No false refusal anywhere in Shapes World, among the tricky prompts, or of strict-only prompts in standard mode.
    for (const r of rows.filter((r) => !limit(r))) expect(r.falseRefusals, `${r.table} / ${r.category} / ${r.mode}: ${r.examples.join('; ')}`).toBe(0);
    // The limits the README states still hold; if one no longer does, move the prompt to the table it now belongs in.
    expect(limitsRefused.falseRefusals, 'a known false refusal is now allowed').toBe(T.knownLimits.falseRefusals.length);
    expect(limitsMissed.sort(), 'a known miss is now refused').toEqual(T.knownLimits.misses.map((m) => m.prompt).sort());
  });
});
