// The field checkers the manifest validator (manifest.ts) is built from:
// each reads one value from `unknown`, names its field path in a
// ManifestError when it is wrong, and says what is allowed.

/** Schemes an absolute file URL may use. Every byte is checked against the manifest's SHA-256, so http adds no trust problem; data:, blob:, javascript:, file: are not servers. */
export const MODEL_URL_PROTOCOLS = ['https:', 'http:'] as const;

const MiB = 2 ** 20;
/** The most bytes one model may name in all: far beyond any browser's storage quota today, so a larger sum is a broken or hostile manifest. */
export const MAX_MODEL_BYTES = 64 * 1024 * MiB;

/** A manifest that is not valid JSON of format v1, or whose parts disagree. */
export class ManifestError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`Invalid model manifest: ${field} ${message}`);
    this.name = 'ManifestError';
    this.field = field;
  }
}

export function show(value: unknown): string {
  if (typeof value === 'string') {
    // Control characters escaped and long strings cut, so a hostile value cannot flood or garble the message.
    const cut = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this does.
    return `'${cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
  }
  if (value === undefined) return 'missing';
  if (typeof value === 'number') return String(value); // JSON would print NaN and Infinity as null
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}

/** `path.key`, or `key` at the top level (path ''). */
export function field(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ManifestError(path, `is ${show(value)}; it must be an object.`);
  }
  return value as Record<string, unknown>;
}

export function str(obj: Record<string, unknown>, key: string, path: string): string {
  const value = obj[key];
  if (typeof value !== 'string') throw new ManifestError(field(path, key), `is ${show(value)}; it must be a string.`);
  return value;
}

export function nonEmpty(obj: Record<string, unknown>, key: string, path: string): string {
  const value = str(obj, key, path);
  if (value === '') throw new ManifestError(field(path, key), `is empty; it must be a non-empty string.`);
  return value;
}

export function bool(obj: Record<string, unknown>, key: string, path: string): boolean {
  const value = obj[key];
  if (typeof value !== 'boolean') throw new ManifestError(field(path, key), `is ${show(value)}; it must be true or false.`);
  return value;
}

export function num(value: unknown, path: string, min = -Infinity, exclusiveMin = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ManifestError(path, `is ${show(value)}; it must be a finite number.`);
  }
  if (exclusiveMin ? !(value > min) : value < min) {
    throw new ManifestError(path, `is ${value}; it must be ${exclusiveMin ? '>' : '>='} ${min}.`);
  }
  return value;
}

export function int(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ManifestError(path, `is ${show(value)}; it must be an integer >= ${min}.`);
  }
  return value;
}

export function oneOf<T extends readonly (string | number)[]>(value: unknown, allowed: T, path: string): T[number] {
  if ((allowed as readonly unknown[]).includes(value)) return value as T[number];
  throw new ManifestError(path, `is ${show(value)}; it must be one of: ${allowed.map((a) => show(a)).join(', ')}.`);
}

export function array(value: unknown, path: string, length?: number): unknown[] {
  if (!Array.isArray(value)) throw new ManifestError(path, `is ${show(value)}; it must be an array.`);
  if (length !== undefined && value.length !== length) {
    throw new ManifestError(path, `has ${value.length} entries; it must have ${length}.`);
  }
  return value;
}

export function ints3(value: unknown, path: string, min: number): [number, number, number] {
  const a = array(value, path, 3);
  return [int(a[0], `${path}[0]`, min), int(a[1], `${path}[1]`, min), int(a[2], `${path}[2]`, min)];
}

export function stringMap(value: unknown, path: string): Record<string, string> {
  const obj = record(value, path);
  const out: Record<string, string> = {};
  for (const key of Object.keys(obj)) out[key] = nonEmpty(obj, key, path);
  return out;
}

/** A byte count: an integer from 1 to `max` (hostile manifests name sizes no browser could hold). */
export function size(value: unknown, path: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ManifestError(path, `is ${show(value)}; it must be an integer from 1 to ${max} (${showBytes(max)}).`);
  }
  return value;
}

/** A count that may be 0, bounded like a size (memory needs, limits). */
export function amount(obj: Record<string, unknown>, key: string, path: string): number {
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_MODEL_BYTES) {
    throw new ManifestError(field(path, key), `is ${show(value)}; it must be an integer from 0 to ${MAX_MODEL_BYTES}.`);
  }
  return value;
}

export function showBytes(n: number): string {
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(n % 2 ** 30 === 0 ? 0 : 2)} GiB` : `${(n / MiB).toFixed(n % MiB === 0 ? 0 : 2)} MiB`;
}

/**
 * Throws unless `url` is relative (resolved against the manifest's URL) or
 * absolute with a scheme in MODEL_URL_PROTOCOLS. It is judged as the URL
 * parser reads it, so `java\tscript:` (the parser drops tabs) is caught too.
 */
export function checkModelUrl(url: string, field: string): void {
  const allowed = `it must be relative to the manifest or an absolute URL starting with one of: ${MODEL_URL_PROTOCOLS.map((p) => show(`${p}//`)).join(', ')}.`;
  if (url === '') throw new ManifestError(field, `is empty; ${allowed}`);
  // Control characters, spaces and backslashes: the URL parser drops or rewrites them, so what is checked would not be what is fetched.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this does.
  if (/[\u0000-\u0020\u007f-\u009f\\]/.test(url))
    throw new ManifestError(field, `is ${show(url)}, which contains spaces, control characters or backslashes; ${allowed}`);
  let parsed: URL;
  try {
    parsed = new URL(url, 'https://manifest.invalid/models/');
  } catch {
    throw new ManifestError(field, `is ${show(url)}, which is not a URL; ${allowed}`);
  }
  if (!(MODEL_URL_PROTOCOLS as readonly string[]).includes(parsed.protocol))
    throw new ManifestError(field, `is ${show(url)} (scheme '${parsed.protocol}'); ${allowed}`);
  if (parsed.username !== '' || parsed.password !== '')
    throw new ManifestError(field, `is ${show(url)}, which carries credentials (a model URL must carry none); ${allowed}`);
}

export function modelUrl(obj: Record<string, unknown>, key: string, path: string): string {
  const value = str(obj, key, path);
  checkModelUrl(value, field(path, key));
  return value;
}

export function integrity(obj: Record<string, unknown>, key: string, path: string): string {
  const value = str(obj, key, path);
  if (!/^sha256-[A-Za-z0-9+/]{43}=$/.test(value)) {
    throw new ManifestError(field(path, key), `is ${show(value)}; it must be 'sha256-' followed by a base64 SHA-256 digest.`);
  }
  return value;
}
