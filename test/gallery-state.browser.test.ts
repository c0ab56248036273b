// The gallery screen's store on a full quota, in Chromium with a real
// QuotaExceededError (a storage bucket with a small quota, as the model
// store's quota test makes one): every clip the engine makes is offered to
// the gallery; the one that does not fit becomes the GalleryFullError
// message with the oldest clips offered, every clip stored before stays
// listed and readable, and after deleting one, "Save again" stores it.
// (The page's own origin quota cannot be lowered from a test in this
// Chromium: CDP Storage.overrideQuotaForOrigin has no effect.)
import { afterEach, expect, test } from 'vitest';
import { openGallery } from '../src/gallery/gallery';
import type { Recipe } from '../src/recipe/recipe';
import { createGalleryStore } from '../src/state/gallery-state';
import type { LanternStore, MadeClip } from '../src/state/generate-state';
import type { GenerateResult } from '../workers/contracts/generator';

type Bucket = { name: string; indexedDB: IDBFactory; estimate(): Promise<StorageEstimate> };
const buckets = (navigator as unknown as { storageBuckets: { open(n: string, o: { quota: number }): Promise<Bucket>; delete(n: string): Promise<void> } })
  .storageBuckets;
const made: string[] = [];
afterEach(async () => {
  for (const name of made.splice(0)) await buckets.delete(name);
});

const KiB = 1024;
const recipe = (seed: number): Recipe => ({
  v: 1,
  model: { id: 'lantern-tiny', version: '1' },
  prompt: `a red ball, take ${seed}`,
  negativePrompt: '',
  seed,
  sampler: 'euler',
  steps: 2,
  shift: 2,
  guidance: 5,
  fps: 8,
  codec: 'avc',
  backend: 'wasm',
  source: null,
});
function madeClip(seed: number, bytes: number): MadeClip {
  const mp4 = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 65536) crypto.getRandomValues(mp4.subarray(i, Math.min(bytes, i + 65536)));
  const frame = new Uint8ClampedArray(16 * 16 * 4).fill(seed);
  const result = {
    mp4,
    mimeType: 'video/mp4',
    fileName: `clip-${seed}.mp4`,
    frames: [frame],
    givenFrames: 0,
    width: 16,
    height: 16,
    fps: 8,
    seed,
  } as unknown as GenerateResult;
  return { result, recipe: recipe(seed), url: `blob:clip-${seed}` };
}

test('a full gallery shows GalleryFullError with the oldest clips, keeps every stored clip readable, and saves again after a delete', async () => {
  const bucket = await buckets.open(`lantern-gallery-state-${Math.floor(Math.random() * 1e9)}`, { quota: 2 * 1024 * KiB });
  made.push(bucket.name);
  let listener: ((m: MadeClip) => void) | null = null;
  const stored: string[] = [];
  const lantern = {
    actions: {
      onClipMade: (l: (m: MadeClip) => void) => {
        listener = l;
        return () => undefined;
      },
      markStored: (m: MadeClip) => stored.push(m.url),
    },
  };
  const gallery = createGalleryStore(() => openGallery({ indexedDB: bucket.indexedDB, storage: bucket }), lantern as unknown as LanternStore);
  const offer = async (clip: MadeClip): Promise<void> => {
    listener!(clip);
    await expect.poll(() => stored.includes(clip.url) || gallery.state.full !== null, { timeout: 20_000 }).toBe(true);
  };

  let seed = 0;
  while (gallery.state.full === null && seed < 20) await offer(madeClip(++seed, 256 * KiB));
  const full = gallery.state.full!;
  expect(full, 'the bucket never filled').not.toBeNull();
  expect(full.message).toMatch(/^The gallery is full: this clip \(0\.3 MB\) does not fit .* Delete old clips in the Gallery to make room/);
  expect(stored).toHaveLength(seed - 1);
  await expect.poll(() => gallery.state.clips.length).toBe(seed - 1);
  expect(full.oldest[0]!.id).toBe(gallery.state.clips.at(-1)!.id);
  expect(gallery.actions.hasUnsaved()).toBe(true);

  // Every clip stored before is listed and its video reads back whole.
  const g = await openGallery({ indexedDB: bucket.indexedDB, storage: bucket });
  for (const clip of gallery.state.clips) expect((await g.video(clip.id)).byteLength).toBe(256 * KiB);
  g.close();

  await gallery.actions.remove(full.oldest[0]!.id);
  await gallery.actions.saveAgain();
  await expect.poll(() => stored.includes(`blob:clip-${seed}`), { timeout: 20_000 }).toBe(true);
  expect(gallery.state.full).toBeNull();
  expect(gallery.state.clips.map((c) => c.recipe.seed)).toEqual(Array.from({ length: seed - 1 }, (_, i) => seed - i));
});
