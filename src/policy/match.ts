// The prompt policy's matcher: compiles categories.ts's terms for a mode and
// finds them in a normalised prompt (normalize.ts). Words match with their
// inflections (stems()); phrases match word by word with a few filler words
// allowed between; fragments match inside any word; joined one-letter runs
// ('k i l l') are searched for every listed word. Harmless contexts
// (ALLOWED_CONTEXTS) are taken out first, so their words match nothing.
import {
  ALLOWED_CONTEXTS,
  GAP_WORDS,
  MINOR_SEXUALISING,
  MINOR_WORDS,
  POLICY,
  POLICY_CATEGORIES,
  type PolicyCategory,
  type PolicyMode,
  WORD_CLASSES,
} from './categories';
import { collapseRuns, type Normalized, normalize, type Position } from './normalize';

/** Inflections stripped from a word before it is looked up: 'killing' -> 'kill', 'stabbed' -> 'stab', 'raped' -> 'rape'. */
const SUFFIXES = ['ings', 'ing', 'ers', 'er', 'ed', 'es', 's'] as const;
const SIBILANT = /(?:ch|sh|s|x|z)$/;
const DOUBLED = /([b-df-hj-np-tv-z])\1$/;
/** A listed word this short is only found inside a joined run when the run is exactly it. */
const MIN_INSIDE = 3;
/** Filler words a phrase may skip between two of its words. */
const MAX_GAP = 3;

/** A word and the base forms it may be an inflection of. */
export function stems(word: string): string[] {
  const out = new Set([word]);
  if (word.endsWith('ies') && word.length > 4) out.add(`${word.slice(0, -3)}y`);
  for (const suffix of SUFFIXES) {
    if (!word.endsWith(suffix)) continue;
    const stem = word.slice(0, -suffix.length);
    if (stem.length < 3) continue;
    if (suffix === 'es' && !SIBILANT.test(stem)) continue;
    out.add(stem);
    if (suffix !== 's' && suffix !== 'es') {
      if (DOUBLED.test(stem)) out.add(stem.slice(0, -1));
      else out.add(`${stem}e`);
    }
  }
  return [...out];
}

type Slot = ReadonlySet<string>;
type Phrase = { slots: readonly Slot[]; category: PolicyCategory };

/** One mode's terms, ready to match. */
export type CompiledPolicy = {
  readonly mode: PolicyMode;
  /** Single words by base form; a word listed in two categories keeps the first in priority order. */
  readonly words: ReadonlyMap<string, PolicyCategory>;
  /** The same words with repeated letters collapsed, for stretched spellings ('kiiiill'). */
  readonly collapsed: ReadonlyMap<string, PolicyCategory>;
  readonly fragments: readonly { text: string; category: PolicyCategory }[];
  readonly phrases: readonly Phrase[];
  readonly allowed: readonly (readonly Slot[])[];
  readonly minor: readonly (readonly Slot[])[];
  readonly sexualising: readonly (readonly Slot[])[];
};

/** A term found: its category and the positions it covers, [start, end). */
export type PolicyMatch = { category: PolicyCategory; start: number; end: number };

function parsePhrase(phrase: string): Slot[] {
  return phrase.split(' ').map((part) => {
    const cls = /^<(\w+)>$/.exec(part);
    if (cls === null) return new Set(part.split('|'));
    const words = WORD_CLASSES[cls[1]!];
    if (words === undefined)
      throw new Error(`The policy phrase '${phrase}' names an unknown word class <${cls[1]}>; known: ${Object.keys(WORD_CLASSES).join(', ')}.`);
    return new Set(words);
  });
}

const GAPS: Slot = new Set(GAP_WORDS);

/** The terms of `mode` (standard's, plus strict's in strict mode), compiled. */
export function compilePolicy(mode: PolicyMode): CompiledPolicy {
  const words = new Map<string, PolicyCategory>();
  const collapsed = new Map<string, PolicyCategory>();
  const fragments: { text: string; category: PolicyCategory }[] = [];
  const phrases: Phrase[] = [];
  for (const category of POLICY_CATEGORIES) {
    const rules = POLICY[category];
    for (const term of mode === 'strict' ? [...rules.standard, ...rules.strict] : rules.standard) {
      if (term.startsWith('~')) fragments.push({ text: term.slice(1), category });
      else if (term.includes(' ') || term.includes('|') || term.includes('<')) phrases.push({ slots: parsePhrase(term), category });
      else {
        if (!words.has(term)) words.set(term, category);
        const key = collapseRuns(term);
        if (!collapsed.has(key)) collapsed.set(key, category);
      }
    }
  }
  return {
    mode,
    words,
    collapsed,
    fragments,
    phrases,
    allowed: ALLOWED_CONTEXTS.filter((a) => a.modes.includes(mode)).map((a) => parsePhrase(a.phrase)),
    minor: MINOR_WORDS.map(parsePhrase),
    sexualising: MINOR_SEXUALISING.map(parsePhrase),
  };
}

/** Whether a position spells, in any form and inflection, a word of the slot. */
function fits(p: Position, slot: Slot): boolean {
  return p.forms.some((f) => stems(f).some((s) => slot.has(s)));
}

/** The end (exclusive) of `slots` matched from `start`, skipping filler words between, or -1. */
function matchAt(positions: readonly Position[], masked: readonly boolean[], slots: readonly Slot[], start: number): number {
  const go = (k: number, i: number): number => {
    if (k === slots.length) return i;
    if (k > 0) {
      // Try the next word straight away, then after one, two or three filler words.
      for (let gap = 0; gap <= MAX_GAP; gap++) {
        const j = i + gap;
        if (j >= positions.length || masked[j] === true) return -1;
        if (fits(positions[j]!, slots[k]!)) {
          const end = go(k + 1, j + 1);
          if (end !== -1) return end;
        }
        if (!fits(positions[j]!, GAPS)) return -1;
      }
      return -1;
    }
    if (i >= positions.length || masked[i] === true || !fits(positions[i]!, slots[0]!)) return -1;
    return go(1, i + 1);
  };
  return go(0, start);
}

function findPhrase(positions: readonly Position[], masked: readonly boolean[], slots: readonly Slot[]): { start: number; end: number } | null {
  for (let start = 0; start < positions.length; start++) {
    const end = matchAt(positions, masked, slots, start);
    if (end !== -1) return { start, end };
  }
  return null;
}

function wordCategory(compiled: CompiledPolicy, p: Position): PolicyCategory | null {
  for (const form of p.forms) {
    for (const s of stems(form)) {
      const hit = compiled.words.get(s);
      if (hit !== undefined) return hit;
    }
  }
  for (const form of p.stretched) {
    for (const s of stems(form)) {
      const hit = compiled.collapsed.get(collapseRuns(s));
      if (hit !== undefined) return hit;
    }
  }
  for (const form of p.forms) {
    for (const f of compiled.fragments) if (form.includes(f.text)) return f.category;
  }
  if (p.joined) {
    // A spaced-out word ('k i l l', 'a k i l l e r'): look for every listed word inside it.
    for (const form of p.forms) {
      for (const [word, category] of compiled.words) if (word.length >= MIN_INSIDE && form.includes(word)) return category;
    }
  }
  return null;
}

/** Positions covered by a harmless context (ALLOWED_CONTEXTS), which match no term. */
function allowedMask(compiled: CompiledPolicy, positions: readonly Position[]): boolean[] {
  const masked = positions.map(() => false);
  for (const slots of compiled.allowed) {
    for (let start = 0; start < positions.length; start++) {
      const end = matchAt(positions, masked, slots, start);
      if (end !== -1) for (let i = start; i < end; i++) masked[i] = true;
    }
  }
  return masked;
}

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'].concat([
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
]);
const AGE_UNITS = new Set(['year', 'years', 'yr', 'yrs', 'yo', 'y']);
const AGE_WORD = /^(\d{1,2})(?:yo|yrs?|years?)(?:old)?$/;
const AGE_INSIDE = /(\d{1,2})(?:yo|yrs?|years?)/;

function age(word: string): number | null {
  if (/^\d{1,3}$/.test(word)) return Number(word);
  const n = NUMBER_WORDS.indexOf(word);
  return n === -1 ? null : n;
}

/** Whether the prompt speaks of a child: a word for one, or an age under 18 ('12 year old', '12yo', 'twelve-year-old'). */
function mentionsMinor(compiled: CompiledPolicy, positions: readonly Position[], masked: readonly boolean[]): boolean {
  if (compiled.minor.some((slots) => findPhrase(positions, masked, slots) !== null)) return true;
  return positions.some((p, i) => {
    const plain = p.forms[0]!;
    // A joined run ('a 1 2 y o') may hold the age anywhere inside it.
    const glued = (p.joined ? AGE_INSIDE : AGE_WORD).exec(plain);
    if (glued !== null) return Number(glued[1]) < 18;
    const n = p.forms.map(age).find((a) => a !== null) ?? null;
    const next = positions[i + 1]?.forms ?? [];
    return n !== null && n < 18 && next.some((f) => AGE_UNITS.has(f));
  });
}

/** Every term of the compiled policy found in the prompt, with the minors rule applied (see MINOR_SEXUALISING). */
export function findTerms(compiled: CompiledPolicy, normalized: Normalized): PolicyMatch[] {
  const { positions } = normalized;
  const masked = allowedMask(compiled, positions);
  const found: PolicyMatch[] = [];
  positions.forEach((p, i) => {
    if (masked[i] === true) return;
    const category = wordCategory(compiled, p);
    if (category !== null) found.push({ category, start: i, end: i + 1 });
  });
  for (const phrase of compiled.phrases) {
    for (let start = 0; start < positions.length; start++) {
      const end = matchAt(positions, masked, phrase.slots, start);
      if (end !== -1) found.push({ category: phrase.category, start, end });
    }
  }
  // A term inside a longer one is the longer one's: 'suicide bomber' is violence, 'kill yourself' self-harm.
  const kept = found.filter((m) => !found.some((o) => o.start <= m.start && m.end <= o.end && o.end - o.start > m.end - m.start));
  const sexual = kept.some((m) => m.category === 'sexual') || compiled.sexualising.some((slots) => findPhrase(positions, masked, slots) !== null);
  if (sexual && mentionsMinor(compiled, positions, masked)) {
    return [{ category: 'minors', start: 0, end: positions.length }, ...kept];
  }
  return kept;
}

const COMPILED = new Map<PolicyMode, CompiledPolicy>();

/** The category a prompt is refused for in `mode` (the first in priority order), or null when it is allowed. */
export function refusedCategory(text: string, mode: PolicyMode): PolicyCategory | null {
  let compiled = COMPILED.get(mode);
  if (compiled === undefined) {
    compiled = compilePolicy(mode);
    COMPILED.set(mode, compiled);
  }
  const found = new Set(findTerms(compiled, normalize(text)).map((m) => m.category));
  return POLICY_CATEGORIES.find((c) => found.has(c)) ?? null;
}
