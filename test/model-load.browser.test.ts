// Model loading in Chromium against the served model: byte progress,
// integrity checks (a flipped byte and a short file are caught and named),
// a missing file, a manifest that is not one, and cancel.
import { describe, expect, test } from 'vitest';
import { ModelFileError, ModelIntegrityError } from '../workers/contracts/errors';
import { type FileSource, fetchFile } from '../workers/model-files/fetch';
import { sha256Integrity } from '../workers/model-files/integrity';
import { fetchManifest, fetchModelFiles, resolveModelUrl } from '../workers/model-files/load';
import { ManifestError } from '../workers/model-files/manifest';
import { MANIFEST_URL } from './support/engine-fixtures';
import { rejection } from './support/rejection';

/** The real fetch, with the file whose URL ends in `suffix` altered by `change`. */
function altered(suffix: string, change: (bytes: Uint8Array) => Uint8Array): FileSource {
  return async (request) => {
    const bytes = await fetchFile(request);
    return request.url.endsWith(suffix) ? change(bytes) : bytes;
  };
}

describe('model loading', () => {
  test('downloads the decoder and text encoder with monotone byte progress that ends at the total', async () => {
    const manifest = await fetchManifest(MANIFEST_URL);
    const seen: [number, number][] = [];
    const files = await fetchModelFiles(manifest, MANIFEST_URL, ['text_encoder', 'decoder'], { onProgress: (loaded, total) => seen.push([loaded, total]) });
    const total = manifest.tokenizer.bytes + manifest.graphs['text_encoder']!.bytes + manifest.graphs['decoder']!.bytes;
    expect(seen.length).toBeGreaterThan(2);
    for (const [i, [loaded, t]] of seen.entries()) {
      expect(t).toBe(total);
      if (i > 0) expect(loaded).toBeGreaterThanOrEqual(seen[i - 1]![0]);
    }
    expect(seen.at(-1)).toEqual([total, total]);
    expect([...files.graphs.keys()]).toEqual(['text_encoder', 'decoder']);
    expect(await sha256Integrity(files.graphs.get('decoder')!)).toBe(manifest.graphs['decoder']!.sha256);
    expect(files.tokenizerJson).toHaveProperty('model');
  });

  test('a flipped byte is a ModelIntegrityError naming the file and its digests', async () => {
    const manifest = await fetchManifest(MANIFEST_URL);
    const source = altered('decoder.onnx', (bytes) => {
      const copy = bytes.slice();
      copy[1000] = copy[1000]! ^ 1;
      return copy;
    });
    const error = await rejection(fetchModelFiles(manifest, MANIFEST_URL, ['decoder'], { source }));
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect(error.name).toBe('ModelIntegrityError');
    expect(error.message).toContain('decoder.onnx');
    expect(error.message).toContain(manifest.graphs['decoder']!.sha256);
    expect(error.message).toMatch(/Reload to download it again/);
  });

  test('a truncated file is a ModelIntegrityError on its size', async () => {
    const manifest = await fetchManifest(MANIFEST_URL);
    const error = await rejection(fetchModelFiles(manifest, MANIFEST_URL, ['decoder'], { source: altered('tokenizer.json', (b) => b.subarray(0, 100)) }));
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect(error.message).toContain('tokenizer.json');
    expect(error.message).toContain(`${manifest.tokenizer.bytes} bytes`);
  });

  test('a missing file is a ModelFileError with status 404 naming the URL', async () => {
    const manifest = await fetchManifest(MANIFEST_URL);
    const source: FileSource = (request) =>
      fetchFile(request.url.endsWith('decoder.onnx') ? { ...request, url: request.url.replace('decoder.onnx', 'no-such-graph.onnx') } : request);
    const error = await rejection(fetchModelFiles(manifest, MANIFEST_URL, ['decoder'], { source }));
    expect(error).toBeInstanceOf(ModelFileError);
    // Vite answers a missing path with index.html (200); a static server with 404. Both are "missing".
    expect(error.message).toMatch(/missing/);
    expect(error.message).toContain('no-such-graph.onnx');
    const missing = await rejection(fetchManifest('/models/no-such-model.json'));
    expect(missing.name).toBe('ModelFileError');
  });

  test('a JSON file that is not a manifest is a ManifestError naming the field', async () => {
    const error = await rejection(fetchManifest('/test/fixtures/lantern-tiny/index.json'));
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).field).toBe('format');
    const notJson = await rejection(fetchManifest('/test/fixtures/lantern-tiny/ids.bin'));
    expect(notJson.name).toBe('ManifestError');
    expect(() => resolveModelUrl('javascript:alert(1)', MANIFEST_URL, 'graphs.x.shards[0].url')).toThrow(ManifestError);
    expect(resolveModelUrl('lantern-tiny/decoder.onnx', MANIFEST_URL, 'u')).toBe(new URL('/models/lantern-tiny/decoder.onnx', location.href).href);
  });

  test('aborting rejects with the signal reason and stops the downloads', async () => {
    const manifest = await fetchManifest(MANIFEST_URL);
    const controller = new AbortController();
    const reason = new Error('stop');
    const error = await rejection(
      fetchModelFiles(manifest, MANIFEST_URL, ['denoiser'], {
        signal: controller.signal,
        onProgress: (loaded) => {
          if (loaded > 0) controller.abort(reason);
        },
      }),
    );
    expect(error).toBe(reason);
  });
});
