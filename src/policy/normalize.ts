// Text normalisation for the prompt policy's matcher (match.ts). A word list
// is only as good as the text it is held against, so a prompt is first
// brought to one spelling: NFKC (fullwidth and mathematical letters become
// ASCII), lowercase, accents and other combining marks stripped, zero-width
// and other invisible characters removed, and letters from other scripts that
// look like ASCII ones (Cyrillic 'а', Greek 'ο') folded to them.
//
// The result is a sequence of positions, one per word, each carrying every
// spelling the word may stand for: as written ('3', 'balls'), leetspeak folded
// when the word mixes letters with digits or symbols ('k1ll' -> 'kill' or
// 'klll'), and stretched letters collapsed ('kiiiill' -> 'kil'). A word made
// of digits alone is never folded, so '3 balls' stays three balls. Runs of three
// or more one-character words ('k i l l', 'k.i.l.l', 'k-i-l-l') are joined
// into one position, the de-spaced stream, which the matcher searches inside.

// Invisible and format characters (soft hyphen, zero-width space and joiners, direction marks, fillers).
// Invisible combining marks (variation selectors, the grapheme joiner) go with the other marks.
const INVISIBLE = /[\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0]/gu;
const MARKS = /\p{M}+/gu;

/**
 * Lowercase letters of other scripts that pass for ASCII ones (after NFKC and
 * lowercasing, so capitals are covered by their small forms). A deliberately
 * small table of the look-alikes used to dodge filters, not Unicode's whole
 * confusables list; letters with no ASCII twin are left alone.
 */
const CONFUSABLES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  ь: 'b',
  с: 'c',
  ԁ: 'd',
  е: 'e',
  ё: 'e',
  һ: 'h',
  н: 'h',
  і: 'i',
  ї: 'i',
  ӏ: 'l',
  ј: 'j',
  к: 'k',
  м: 'm',
  п: 'n',
  о: 'o',
  р: 'p',
  ԛ: 'q',
  ѕ: 's',
  т: 't',
  у: 'y',
  ў: 'y',
  х: 'x',
  ԝ: 'w',
  // Greek
  α: 'a',
  β: 'b',
  γ: 'y',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  μ: 'u',
  ν: 'v',
  ο: 'o',
  π: 'n',
  ρ: 'p',
  ς: 'c',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  // Latin letters outside ASCII that NFKC keeps (small capitals, dotless i, stroked letters)
  ı: 'i',
  ȷ: 'j',
  ɑ: 'a',
  ɡ: 'g',
  ɩ: 'i',
  ɪ: 'i',
  ʟ: 'l',
  ʀ: 'r',
  ɴ: 'n',
  ʜ: 'h',
  ɢ: 'g',
  ʙ: 'b',
  ᴀ: 'a',
  ᴄ: 'c',
  ᴅ: 'd',
  ᴇ: 'e',
  ᴊ: 'j',
  ᴋ: 'k',
  ᴍ: 'm',
  ᴏ: 'o',
  ᴘ: 'p',
  ᴛ: 't',
  ᴜ: 'u',
  ᴠ: 'v',
  ᴡ: 'w',
  ᴢ: 'z',
  ꜰ: 'f',
  ꜱ: 's',
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ħ: 'h',
};

/** Digits and symbols that stand for letters in leetspeak; '1', '!' and '|' read as 'i' or as 'l'. */
const LEET: Readonly<Record<string, readonly [string, string]>> = {
  '0': ['o', 'o'],
  '1': ['i', 'l'],
  '3': ['e', 'e'],
  '4': ['a', 'a'],
  '5': ['s', 's'],
  '6': ['g', 'g'],
  '7': ['t', 't'],
  '8': ['b', 'b'],
  '9': ['g', 'g'],
  '@': ['a', 'a'],
  $: ['s', 's'],
  '!': ['i', 'l'],
  '|': ['i', 'l'],
  '+': ['t', 't'],
  '€': ['e', 'e'],
};

/** Anything else splits words: spaces, punctuation, hyphens, dots, underscores. */
const WORD = /[a-z0-9@$!|+€]+/g;
const LETTER = /[a-z]/;
const LEET_CHAR = /[0-9@$!|+€]/;
const STRETCH = /([a-z])\1\1/;

/** One word of the prompt with every spelling it may stand for. */
export type Position = {
  /** Spellings to look up: as written (letters and digits only), then leetspeak readings; never empty, no duplicates. */
  readonly forms: readonly string[];
  /** Forms with letters written three or more times, each run collapsed to one letter ('kiiiilll' -> 'kil'). */
  readonly stretched: readonly string[];
  /** A run of one-character words joined ('k i l l'): the matcher looks for words inside it, not only equal to it. */
  readonly joined: boolean;
};

export type Normalized = {
  /** The prompt after NFKC, lowercasing, mark and invisible stripping and look-alike folding. */
  readonly text: string;
  readonly positions: readonly Position[];
};

/** NFKC, lowercase, combining marks and invisible characters removed, look-alike letters folded to ASCII. */
export function foldText(text: string): string {
  const folded = text.normalize('NFKC').toLowerCase().normalize('NFD').replace(MARKS, '').replace(INVISIBLE, '').normalize('NFC');
  let out = '';
  for (const ch of folded) out += CONFUSABLES[ch] ?? ch;
  return out;
}

/** A word read as leetspeak, twice: once with the ambiguous symbols as 'i', once as 'l'. Empty when nothing to fold. */
export function leetForms(word: string): string[] {
  if (!LETTER.test(word) || !LEET_CHAR.test(word)) return [];
  let asI = '';
  let asL = '';
  for (const ch of word) {
    const pair = LEET[ch];
    asI += pair?.[0] ?? ch;
    asL += pair?.[1] ?? ch;
  }
  return asI === asL ? [asI] : [asI, asL];
}

/** Each run of a repeated letter down to one letter. */
export function collapseRuns(word: string): string {
  return word.replace(/([a-z])\1+/g, '$1');
}

function position(spellings: readonly string[], joined: boolean): Position | null {
  const forms = [...new Set(spellings.filter((s) => s !== ''))];
  if (forms.length === 0) return null;
  const stretched = [...new Set(forms.filter((f) => STRETCH.test(f)).map(collapseRuns))];
  return { forms, stretched, joined };
}

function wordPosition(raw: string): Position | null {
  return position([raw.replace(/[^a-z0-9]/g, ''), ...leetForms(raw)], false);
}

function joinedPosition(run: readonly string[]): Position | null {
  const raw = run.join('');
  // Symbols alone ('!', '|') join as the letters they stand for; digits stay digits in the plain join.
  const readings = [...leetForms(raw)];
  const plain = raw.replace(/[^a-z0-9]/g, '');
  return position([plain, ...readings], true);
}

/** The prompt as positions to match against: words, their leetspeak and stretched readings, and joined one-letter runs. */
export function normalize(text: string): Normalized {
  const folded = foldText(text);
  const words = folded.match(WORD) ?? [];
  const positions: Position[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length >= 3) {
      const p = joinedPosition(run);
      if (p !== null) positions.push(p);
    } else {
      for (const w of run) {
        const p = wordPosition(w);
        if (p !== null) positions.push(p);
      }
    }
    run = [];
  };
  for (const w of words) {
    if ([...w].length === 1) {
      run.push(w);
      continue;
    }
    flush();
    const p = wordPosition(w);
    if (p !== null) positions.push(p);
  }
  flush();
  return { text: folded, positions };
}
