// Recipe links: the app's URL with a clip's recipe (not the video) in the
// fragment, `#recipe=` + base64url (no padding) of the recipe's UTF-8 JSON.
// A fragment never reaches a server, so sharing a link shares the prompt
// with whoever opens it and with no one else.
//
// Reading one is hostile input: the payload is bounded before it is decoded,
// then must be base64url, UTF-8 and JSON (else RecipeLinkError, with a
// `reason`), and then a valid recipe (else validateRecipe's RecipeError).

import { RecipeLinkError, show } from './errors';
import type { Recipe } from './recipe';
import { validateRecipe } from './validate';

/** What the fragment starts with; a fragment that does not is not a recipe link. */
export const RECIPE_FRAGMENT_PREFIX = 'recipe=';
/** Longest payload after `#recipe=`, in characters: a long prompt fits many times over; chat apps and browsers keep links this long whole. */
export const MAX_RECIPE_LINK_CHARS = 16 * 1024;

const RECOPY = 'Copy the whole link again from the clip.';

function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(payload: string): Uint8Array {
  const bad = payload.search(/[^A-Za-z0-9_-]/);
  if (bad >= 0) {
    const c = String.fromCodePoint(payload.codePointAt(bad) ?? 0);
    throw new RecipeLinkError(
      'not-base64url',
      `This recipe link is damaged: its #recipe= part has ${show(c)} at position ${bad}, and it must have only letters, digits, '-' and '_' (base64url). ${RECOPY}`,
    );
  }
  if (payload.length % 4 === 1) {
    throw new RecipeLinkError(
      'not-base64url',
      `This recipe link is cut short: its #recipe= part is ${payload.length} characters, a length base64url never has, so it must have lost its end. ${RECOPY}`,
    );
  }
  const binary = atob(payload.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (payload.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * The link that opens `base` (the app's URL; its own fragment is replaced)
 * with `recipe` in the form. Throws RecipeError for an invalid recipe, and
 * RecipeLinkError 'too-long' for one whose link would be longer than
 * MAX_RECIPE_LINK_CHARS (a link this app would then refuse to open).
 */
export function recipeLink(recipe: Recipe, base: string): string {
  const json = JSON.stringify(validateRecipe(recipe));
  const payload = toBase64url(new TextEncoder().encode(json));
  if (payload.length > MAX_RECIPE_LINK_CHARS) {
    throw new RecipeLinkError(
      'too-long',
      `This clip's recipe is ${payload.length} characters as a link, and a recipe link must be at most ${MAX_RECIPE_LINK_CHARS}. Shorten the prompts, or share the clip itself.`,
    );
  }
  const url = new URL(base);
  url.hash = `${RECIPE_FRAGMENT_PREFIX}${payload}`;
  return url.href;
}

/**
 * The recipe in a link, or null when its fragment is not `#recipe=...`.
 * Throws RecipeLinkError when the payload is too long or not base64url of
 * UTF-8 JSON, and RecipeError when the JSON is not a valid recipe.
 */
export function parseRecipeLink(url: string): Recipe | null {
  const hash = url.indexOf('#');
  if (hash < 0) return null;
  const fragment = url.slice(hash + 1);
  if (!fragment.startsWith(RECIPE_FRAGMENT_PREFIX)) return null;
  const payload = fragment.slice(RECIPE_FRAGMENT_PREFIX.length);
  // Checked first, so a hostile link costs no decoding.
  if (payload.length > MAX_RECIPE_LINK_CHARS) {
    throw new RecipeLinkError(
      'too-long',
      `This recipe link's #recipe= part is ${payload.length} characters; it must be at most ${MAX_RECIPE_LINK_CHARS}, so this is not a link Lantern made. ${RECOPY}`,
    );
  }
  const bytes = fromBase64url(payload);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new RecipeLinkError(
      'not-utf8',
      `This recipe link is damaged: its #recipe= part decodes to bytes that are not UTF-8 text, and it must be UTF-8 JSON. ${RECOPY}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RecipeLinkError(
      'not-json',
      `This recipe link is damaged: its #recipe= part decodes to ${show(text)}, which is not JSON, and it must be a recipe's JSON. ${RECOPY}`,
    );
  }
  return validateRecipe(json);
}

/**
 * Null when `available` has the recipe's model at its version; otherwise a
 * sentence naming the model id and version the recipe needs, and the versions
 * of that model this browser has, if any (another version makes a different
 * clip from the same recipe).
 */
export function describeMissingModel(recipe: Recipe, available: readonly { id: string; version: string }[]): string | null {
  const { id, version } = recipe.model;
  if (available.some((m) => m.id === id && m.version === version)) return null;
  const needs = `This link needs the model ${show(id)} at version ${show(version)}`;
  const others = [...new Set(available.filter((m) => m.id === id).map((m) => m.version))];
  if (others.length === 0) return `${needs}, which this browser does not have. Add that model, then open the link again.`;
  return (
    `${needs}; this browser has ${show(id)} only at version ${others.map((v) => show(v)).join(', ')}, which would make a different clip. ` +
    `Add version ${show(version)} to make the same clip, or generate with the version you have.`
  );
}
