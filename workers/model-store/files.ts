// The files a manifest names, as the store keeps them: the tokenizer, then
// each graph's shards and its external-data files' shards, in manifest
// order, every URL made absolute. One entry per URL.
import { InvalidRequestError } from '../contracts/errors';
import { resolveModelUrl } from '../model-files/load';
import { type Manifest, ManifestError, MODEL_URL_PROTOCOLS } from '../model-files/manifest';

export type ModelFile = {
  /** Absolute URL: the file's key in the store. */
  url: string;
  bytes: number;
  sha256: string;
  /** The manifest field that names it, for messages. */
  field: string;
};

export function modelFiles(manifest: Manifest, manifestUrl: string): ModelFile[] {
  const files: ModelFile[] = [];
  const byUrl = new Map<string, ModelFile>();
  const add = (shard: { url: string; bytes: number; sha256: string }, field: string) => {
    const url = resolveModelUrl(shard.url, manifestUrl, `${field}.url`);
    const seen = byUrl.get(url);
    if (seen !== undefined) {
      if (seen.sha256 !== shard.sha256 || seen.bytes !== shard.bytes) {
        throw new ManifestError(field, `names ${url}, as ${seen.field} does, with a different size or sha256; one URL must be one file.`);
      }
      return;
    }
    const file = { url, bytes: shard.bytes, sha256: shard.sha256, field };
    byUrl.set(url, file);
    files.push(file);
  };
  add(manifest.tokenizer, 'tokenizer');
  for (const [name, graph] of Object.entries(manifest.graphs)) {
    for (const [i, s] of graph.shards.entries()) add(s, `graphs.${name}.shards[${i}]`);
    for (const [j, f] of graph.externalData.entries()) {
      for (const [i, s] of f.shards.entries()) add(s, `graphs.${name}.externalData[${j}].shards[${i}]`);
    }
  }
  return files;
}

/** Manifest URLs are keys: always absolute, resolved like fetch would. */
export function absoluteUrl(url: string): string {
  return new URL(url, globalThis.location?.href ?? 'http://localhost/').href;
}

/** A manifest URL a person typed, made absolute; anything but http(s) is an InvalidRequestError saying what is allowed. */
export function checkedManifestUrl(url: string): string {
  const allowed = `it must be an absolute URL starting with ${MODEL_URL_PROTOCOLS.map((p) => `'${p}//'`).join(' or ')}, or a path on this site such as /models/lantern-tiny.json.`;
  const shown = url.length > 80 ? `${url.slice(0, 77)}...` : url;
  if (url.trim() === '') throw new InvalidRequestError('manifestUrl', `The manifest URL is empty; ${allowed}`);
  let parsed: URL;
  try {
    parsed = new URL(url.trim(), globalThis.location?.href ?? 'http://localhost/');
  } catch {
    throw new InvalidRequestError('manifestUrl', `The manifest URL '${shown}' is not a URL; ${allowed}`);
  }
  if (!(MODEL_URL_PROTOCOLS as readonly string[]).includes(parsed.protocol)) {
    throw new InvalidRequestError('manifestUrl', `The manifest URL '${shown}' has scheme '${parsed.protocol}'; ${allowed}`);
  }
  return parsed.href;
}

export function totalBytes(files: readonly ModelFile[]): number {
  return files.reduce((sum, f) => sum + f.bytes, 0);
}
