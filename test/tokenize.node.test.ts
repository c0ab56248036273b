// Token ids from tokenizers.js plus Lantern's truncation and padding against
// training/lantern/tokenizer.py `encode()` (test/fixtures/engine/, written by
// test/support/engine_reference.py).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { createPromptTokenizer, EmptyPromptError, TokenizerError, tokenizeGuidancePair } from '../workers/engine/tokenize';

const FIXTURES = new URL('./fixtures/engine/', import.meta.url);
type TokenCase = { text: string; ids: number[]; mask: number[]; untruncated: number };
const cases = (JSON.parse(readFileSync(new URL('reference.json', FIXTURES), 'utf8')) as { tokens: TokenCase[] }).tokens;
const tokenizerJson: unknown = JSON.parse(readFileSync(new URL('tokenizer/tokenizer.json', FIXTURES), 'utf8'));
const tokenizer = createPromptTokenizer(tokenizerJson, { maxTokens: 48, padId: 0 });

describe('ids and mask equal the Python encode()', () => {
  test('the fixtures cover the cases that matter', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
    expect(cases.some((c) => c.untruncated > 48)).toBe(true); // an over-long prompt
    expect(cases.some((c) => c.ids.includes(1))).toBe(true); // [UNK]
  });

  test.each(cases.filter((c) => c.text.trim() !== '').map((c) => [c.text.slice(0, 50), c] as const))('%s', (_, c) => {
    const encoded = tokenizer.encode(c.text);
    expect(Array.from(encoded.ids)).toEqual(c.ids);
    expect(Array.from(encoded.mask)).toEqual(c.mask);
    const dropped = Math.max(0, c.untruncated - 48);
    expect(encoded.droppedTokens).toBe(dropped);
    expect(encoded.keptTokens).toBe(c.untruncated - 2 - dropped);
  });

  test('the empty negative prompt encodes as [BOS] [EOS] and padding', () => {
    const empty = cases.find((c) => c.text === '');
    expect(empty).toBeDefined();
    const encoded = tokenizer.encode('', { allowEmpty: true });
    expect(Array.from(encoded.ids)).toEqual(empty!.ids);
    expect(Array.from(encoded.mask)).toEqual(empty!.mask);
  });
});

test('truncation keeps [BOS], the first 46 tokens and [EOS], and says so', () => {
  expect(tokenizer.maxTextTokens).toBe(46);
  const long = cases.find((c) => c.untruncated > 48)!;
  const encoded = tokenizer.encode(long.text);
  expect(encoded.keptTokens).toBe(46);
  expect(encoded.droppedTokens).toBe(long.untruncated - 48);
  expect(encoded.mask.every((m) => m === 1)).toBe(true);
  expect(encoded.ids[47]).toBe(long.ids[47]); // [EOS]
});

test('an empty prompt is a named error; the negative prompt may be empty', () => {
  expect(() => tokenizer.encode('')).toThrow(EmptyPromptError);
  expect(() => tokenizer.encode('  \t\n')).toThrow(/The prompt is empty/);
  expect(() => tokenizeGuidancePair(tokenizer, ' ', '')).toThrow(EmptyPromptError);
});

test('tokenizeGuidancePair is the prompt then the negative prompt', () => {
  const pair = tokenizeGuidancePair(tokenizer, cases[0]!.text, '');
  const empty = cases.find((c) => c.text === '')!;
  expect(pair.ids.length).toBe(96);
  expect(Array.from(pair.ids.subarray(0, 48))).toEqual(cases[0]!.ids);
  expect(Array.from(pair.ids.subarray(48))).toEqual(empty.ids);
  expect(Array.from(pair.mask.subarray(48))).toEqual(empty.mask);
});

test('an unsupported tokenizer.json is a named error', () => {
  expect(() => createPromptTokenizer(null, { maxTokens: 48, padId: 0 })).toThrow(TokenizerError);
  const json = tokenizerJson as Record<string, unknown>;
  expect(() => createPromptTokenizer({ ...json, post_processor: { type: 'BertProcessing' } }, { maxTokens: 48, padId: 0 })).toThrow(
    /BertProcessing is not supported/,
  );
  expect(() => createPromptTokenizer(json, { maxTokens: 2, padId: 0 })).toThrow(TokenizerError);
});
