// The download name of a clip: `lantern-<prompt slug>-seed<seed>[-<codec>].mp4`.
// Pure string code, safe for src/ to import (no WebCodecs here).
import { DEFAULT_VIDEO_CODEC, type VideoCodecName } from './codecs';

/** Longest prompt slug kept in a file name, in characters. */
export const MAX_SLUG_LENGTH = 48;

/**
 * Lowercase ASCII letters, digits and single dashes: accents are folded
 * ("café" -> "cafe"), everything else separates words. Cut at a word boundary
 * when longer than `max`.
 */
export function slugify(text: string, max = MAX_SLUG_LENGTH): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= max) return slug;
  const cut = slug.slice(0, max + 1);
  const lastDash = cut.lastIndexOf('-');
  return (lastDash > 0 ? cut.slice(0, lastDash) : slug.slice(0, max)).replace(/-+$/, '');
}

/**
 * `clipFileName('A red ball bounces', 7, 'avc')` -> `lantern-a-red-ball-bounces-seed7.mp4`.
 * The codec is named only when it is not the default, so the common case stays short.
 */
export function clipFileName(prompt: string, seed: number, codec: VideoCodecName = DEFAULT_VIDEO_CODEC): string {
  const parts = ['lantern', slugify(prompt) || 'clip', `seed${Number.isSafeInteger(seed) ? seed : slugify(String(seed)) || '0'}`];
  if (codec !== DEFAULT_VIDEO_CODEC) parts.push(codec);
  return `${parts.join('-')}.mp4`;
}
