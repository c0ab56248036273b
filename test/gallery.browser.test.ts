// The gallery in Chromium, on real IndexedDB: add/list/video round trips,
// delete of one clip only, reopening, a real QuotaExceededError (a storage
// bucket with a small quota) turned into GalleryFullError with nothing stored
// lost, damaged records reported and skipped, records from before a recipe
// field was added still read, and usage() adding up.
import { type IDBPDatabase, wrap } from 'idb';
import { afterEach, describe, expect, test } from 'vitest';
import type { GalleryFullError } from '../src/gallery/errors';
import { type Gallery, type GalleryClip, type NewClip, openGallery } from '../src/gallery/gallery';
import { GALLERY_DB_NAME } from '../src/gallery/gallery-db';
import type { ClipRecord } from '../src/gallery/gallery-record';
import { thumbnailFromFrame } from '../src/gallery/thumbnail';
import type { Recipe } from '../src/recipe/recipe';
import { rejection } from './support/rejection';

const KiB = 1024;

type Bucket = { name: string; indexedDB: IDBFactory; estimate(): Promise<StorageEstimate> };
type Buckets = { open(name: string, options?: { quota?: number }): Promise<Bucket>; delete(name: string): Promise<void> };
const buckets = (navigator as unknown as { storageBuckets: Buckets }).storageBuckets;

/** Every test gets its own storage bucket (its own IndexedDB and, where given, its own quota); all are deleted after it. */
const opened: { bucket: Bucket; galleries: Gallery[] }[] = [];
async function freshBucket(quota?: number): Promise<{ bucket: Bucket; open(): Promise<Gallery> }> {
  const bucket = await buckets.open(`lantern-gallery-test-${Math.floor(Math.random() * 1e9)}`, quota === undefined ? {} : { quota });
  const entry = { bucket, galleries: [] as Gallery[] };
  opened.push(entry);
  return {
    bucket,
    async open() {
      const gallery = await openGallery({ indexedDB: bucket.indexedDB, storage: bucket });
      entry.galleries.push(gallery);
      return gallery;
    },
  };
}
afterEach(async () => {
  for (const { bucket, galleries } of opened.splice(0)) {
    for (const g of galleries) g.close();
    await buckets.delete(bucket.name);
  }
});

function recipe(seed: number, prompt = `a lantern on a lake, take ${seed}`): Recipe {
  return {
    v: 1,
    model: { id: 'lantern-tiny', version: '1.0.0' },
    prompt,
    negativePrompt: '',
    seed,
    sampler: 'euler',
    steps: 20,
    shift: 2,
    guidance: 5,
    fps: 8,
    codec: 'avc',
    backend: 'wasm',
    source: null,
  };
}

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

/** A 64x36 gradient frame's thumbnail, made once. */
let thumbnail: Promise<Blob> | null = null;
function aThumbnail(): Promise<Blob> {
  thumbnail ??= (() => {
    const rgba = new Uint8ClampedArray(64 * 36 * 4);
    for (let i = 0; i < 64 * 36; i++) rgba.set([(i % 64) * 4, Math.floor(i / 64) * 7, 128, 255], i * 4);
    return thumbnailFromFrame(rgba, 64, 36);
  })();
  return thumbnail;
}

async function clip(seed: number, bytes = 16 * KiB, overrides: Partial<NewClip> = {}): Promise<NewClip> {
  return {
    recipe: recipe(seed),
    mp4: randomBytes(bytes),
    mimeType: 'video/mp4; codecs="avc1.42001f"',
    fileName: `lantern-${seed}.mp4`,
    width: 256,
    height: 144,
    fps: 8,
    frameCount: 17,
    thumbnail: await aThumbnail(),
    ...overrides,
  };
}

/** A SHA-256 of the bytes in hex (toEqual on 256 KiB arrays takes seconds). */
async function digest(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return [...hash].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The gallery database of a bucket, opened directly (not through the gallery). */
async function raw(bucket: Bucket): Promise<IDBPDatabase> {
  return (await wrap(bucket.indexedDB.open(GALLERY_DB_NAME))) as unknown as IDBPDatabase;
}

async function storedKeys(bucket: Bucket): Promise<{ clips: string[]; videos: string[] }> {
  const db = await raw(bucket);
  try {
    const tx = db.transaction(['clips', 'videos']);
    const [clips, videos] = await Promise.all([tx.objectStore('clips').getAllKeys(), tx.objectStore('videos').getAllKeys(), tx.done]);
    return { clips: (clips as string[]).sort(), videos: (videos as string[]).sort() };
  } finally {
    db.close();
  }
}

describe('storing clips', () => {
  test('add, list and video round trip: newest first, every field kept, the video bytes equal', async () => {
    const gallery = await (await freshBucket()).open();
    const inputs = [await clip(1, 20 * KiB), await clip(2, 30 * KiB), await clip(3, 10 * KiB)];
    inputs[1]!.recipe = {
      ...recipe(2),
      source: { kind: 'edit', instruction: 'make it night', strength: 0.6, parent: { galleryId: 'abc', recipe: recipe(1) } },
    };
    const added: GalleryClip[] = [];
    for (const input of inputs) added.push(await gallery.add(input));

    for (const [i, c] of added.entries()) {
      expect(c.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(new Date(c.createdAt).toISOString()).toBe(c.createdAt);
      expect(c).toMatchObject({
        recipe: inputs[i]!.recipe,
        title: inputs[i]!.recipe.prompt,
        byteLength: inputs[i]!.mp4.byteLength,
        width: 256,
        height: 144,
        fps: 8,
        frameCount: 17,
      });
      if (i > 0) expect(c.createdAt > added[i - 1]!.createdAt).toBe(true);
    }
    const { clips, damaged } = await gallery.list();
    expect(damaged).toEqual([]);
    expect(clips.map((c) => c.id)).toEqual(added.map((c) => c.id).reverse());
    expect(clips[2]).toMatchObject({ ...added[0], thumbnail: expect.any(Blob) });
    expect(clips[0]!.thumbnail.size).toBe((await aThumbnail()).size);

    for (const [i, c] of added.entries()) expect(await gallery.video(c.id)).toEqual(inputs[i]!.mp4);
    const blob = await gallery.videoBlob(added[1]!.id);
    expect(blob.type).toBe(inputs[1]!.mimeType);
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(inputs[1]!.mp4);

    const missing = await rejection(gallery.video('no-such-clip'));
    expect(missing.name).toBe('GalleryClipMissingError');
    expect(missing.message).toContain("No clip 'no-such-clip' is in the gallery");
  });

  test('delete removes one clip from both stores and nothing else', async () => {
    const { bucket, open } = await freshBucket();
    const gallery = await open();
    const inputs = [await clip(1), await clip(2), await clip(3)];
    const [a, b, c] = [await gallery.add(inputs[0]!), await gallery.add(inputs[1]!), await gallery.add(inputs[2]!)];
    await gallery.delete(b!.id);

    expect((await gallery.list()).clips.map((x) => x.id)).toEqual([c!.id, a!.id]);
    expect(await storedKeys(bucket)).toEqual({ clips: [a!.id, c!.id].sort(), videos: [a!.id, c!.id].sort() });
    expect(await gallery.video(a!.id)).toEqual(inputs[0]!.mp4);
    expect(await gallery.video(c!.id)).toEqual(inputs[2]!.mp4);
    expect((await rejection(gallery.video(b!.id))).name).toBe('GalleryClipMissingError');
    await gallery.delete(b!.id); // already gone: nothing to do
    expect((await gallery.list()).clips).toHaveLength(2);
  });

  test('survives closing and reopening the database', async () => {
    const { open } = await freshBucket();
    const first = await open();
    const input = await clip(7, 40 * KiB);
    const added = await first.add(input);
    first.close();

    const again = await open();
    expect((await again.list()).clips).toEqual([{ ...added, thumbnail: expect.any(Blob) }]);
    expect(await again.video(added.id)).toEqual(input.mp4);
  });

  test('a clip stored before samplers (its recipe has none) is listed and plays, its recipe read as Euler', async () => {
    const { bucket, open } = await freshBucket();
    const gallery = await open();
    const input = await clip(8, 4 * KiB, { recipe: { ...recipe(8), sampler: 'dpmpp2m' } });
    const added = await gallery.add(input);
    // Rewritten as a Lantern before samplers stored it: no recipe.sampler.
    const db = await raw(bucket);
    const record = (await db.get('clips', added.id)) as ClipRecord;
    const { sampler: _, ...old } = record.recipe;
    await db.put('clips', { ...record, recipe: old });
    db.close();

    const { clips, damaged } = await gallery.list();
    expect(damaged).toEqual([]);
    expect(clips).toEqual([{ ...added, recipe: { ...added.recipe, sampler: 'euler' }, thumbnail: expect.any(Blob) }]);
    expect(await gallery.video(added.id)).toEqual(input.mp4);
  });

  test("the default gallery is the origin's IndexedDB, with the origin's storage estimate", async () => {
    const gallery = await openGallery();
    const added = await gallery.add(await clip(11));
    try {
      expect((await gallery.list()).clips.map((c) => c.id)).toContain(added.id);
      const usage = await gallery.usage();
      expect(usage.quota).toBeGreaterThan(0);
      expect(usage.usage).toBeGreaterThanOrEqual(0);
    } finally {
      await gallery.delete(added.id);
      gallery.close();
    }
  });

  test('a clip the gallery could not read back is refused by name, and nothing is stored', async () => {
    const { bucket, open } = await freshBucket();
    const gallery = await open();
    const bad = await rejection(gallery.add(await clip(1, 1024, { recipe: { ...recipe(1), seed: -1 } })));
    expect(bad.name).toBe('GalleryInvalidClipError');
    expect(bad.message).toContain('recipe.seed is -1; it must be an integer from 0 to 4294967295');
    const empty = await rejection(gallery.add(await clip(2, 0)));
    expect(empty.message).toContain('mp4 is empty');
    expect(await storedKeys(bucket)).toEqual({ clips: [], videos: [] });
  });
});

describe('thumbnails', () => {
  test('a frame becomes a small WebP that keeps its aspect', async () => {
    const rgba = new Uint8ClampedArray(320 * 180 * 4).fill(200);
    const blob = await thumbnailFromFrame(rgba, 320, 180);
    expect(blob.type).toBe('image/webp');
    const image = await createImageBitmap(blob);
    expect([image.width, image.height]).toEqual([96, 54]);
    const small = await createImageBitmap(await thumbnailFromFrame(new Uint8ClampedArray(40 * 30 * 4), 40, 30));
    expect([small.width, small.height]).toEqual([40, 30]); // never enlarged
    await expect(thumbnailFromFrame(rgba, 320, 181)).rejects.toThrow('a 320x181 RGBA frame has 231680');
  });
});

describe('a full quota', () => {
  test('is a GalleryFullError offering the oldest clips; everything stored before is intact, and deleting the oldest two makes room', async () => {
    // A storage bucket enforces its own quota (Chromium): 2 MiB, filled with 256 KiB clips.
    const { bucket, open } = await freshBucket(2 * 1024 * KiB);
    const gallery = await open();
    const thumbBytes = (await aThumbnail()).size;
    const stored: { clip: GalleryClip; mp4: Uint8Array }[] = [];
    let full: GalleryFullError | null = null;
    for (let seed = 0; seed < 20 && full === null; seed++) {
      const input = await clip(seed, 256 * KiB);
      try {
        stored.push({ clip: await gallery.add(input), mp4: input.mp4 });
      } catch (error) {
        full = error as GalleryFullError;
      }
    }
    expect(full).not.toBeNull();
    const error = full!;
    const galleryBytes = stored.length * (256 * KiB + thumbBytes);
    expect(stored.length).toBeGreaterThanOrEqual(3);
    expect(error.name).toBe('GalleryFullError');
    expect((error.cause as Error).name).toBe('QuotaExceededError');
    expect(error).toMatchObject({ neededBytes: 256 * KiB + thumbBytes, galleryBytes, galleryClips: stored.length });
    expect(error.message).toBe(
      `The gallery is full: this clip (0.3 MB) does not fit in this site's storage quota, and the gallery holds ${stored.length} clips ` +
        `(${(galleryBytes / 1e6).toFixed(1)} MB). Delete old clips in the Gallery to make room, then save this clip again. (Nothing stored was changed.)`,
    );
    expect(error.oldest).toEqual(stored.slice(0, 5).map(({ clip: c }) => ({ id: c.id, createdAt: c.createdAt, byteLength: 256 * KiB + thumbBytes })));

    // Nothing stored before was lost or changed, and nothing of the refused clip was written.
    const { clips, damaged } = await gallery.list();
    expect(damaged).toEqual([]);
    expect(clips.map((c) => c.id)).toEqual(stored.map(({ clip: c }) => c.id).reverse());
    for (const { clip: c, mp4 } of stored) expect(await digest(await gallery.video(c.id))).toBe(await digest(mp4));
    const ids = stored.map(({ clip: c }) => c.id).sort();
    expect(await storedKeys(bucket)).toEqual({ clips: ids, videos: ids });

    // Deleting the two oldest makes room for the clip. (One clip's bytes are not always enough: the
    // database's own records and logs take a little more than they free, and Chromium gives a deleted
    // Blob's bytes back to the quota shortly after the delete, not at once, so the save is retried a while.)
    await gallery.delete(error.oldest[0]!.id);
    await gallery.delete(error.oldest[1]!.id);
    const retry = await clip(99, 256 * KiB);
    let retried: GalleryClip | null = null;
    await expect
      .poll(
        async () => {
          try {
            retried = await gallery.add(retry);
          } catch (e) {
            if ((e as Error).name !== 'GalleryFullError') throw e;
          }
          return retried !== null;
        },
        { timeout: 10_000, interval: 250 },
      )
      .toBe(true);
    expect((await gallery.list()).clips.map((c) => c.id)).toEqual([
      retried!.id,
      ...stored
        .slice(2)
        .map(({ clip: c }) => c.id)
        .reverse(),
    ]);
  });
});

describe('damaged records', () => {
  test('are reported with a reason and skipped; the good clips are listed and play; each can be deleted', async () => {
    const { bucket, open } = await freshBucket();
    const gallery = await open();
    const goodInputs = [await clip(1), await clip(2)];
    const good = [await gallery.add(goodInputs[0]!), await gallery.add(goodInputs[1]!)];

    // Written behind the gallery's back, as a bug, an old version or a disk error might leave them.
    const db = await raw(bucket);
    const template = (await db.get('clips', good[0]!.id)) as ClipRecord;
    const { recipe: _, ...noRecipe } = { ...template, id: 'no-recipe' };
    const badSeed = { ...template, id: 'bad-seed', recipe: { ...template.recipe, seed: '42' } };
    const noVideo = { ...template, id: 'no-video', createdAt: new Date().toISOString() };
    const badDate = { ...template, id: 'bad-date', createdAt: 'yesterday' };
    for (const record of [noRecipe, badSeed, badDate]) {
      await db.put('clips', record);
      await db.put('videos', randomBytes(template.byteLength), record.id);
    }
    await db.put('clips', noVideo);
    await db.put('videos', randomBytes(100), 'orphan-video');
    db.close();

    const { clips, damaged } = await gallery.list();
    expect(clips.map((c) => c.id)).toEqual([good[1]!.id, good[0]!.id]);
    expect(damaged.sort((a, b) => (a.key < b.key ? -1 : 1))).toEqual([
      { key: 'bad-date', reason: "createdAt is 'yesterday'; it must be an ISO 8601 date string" },
      { key: 'bad-seed', reason: expect.stringContaining("Invalid recipe: recipe.seed is '42'; it must be an integer from 0 to 4294967295.") },
      { key: 'no-recipe', reason: expect.stringContaining('Invalid recipe: recipe is missing; it must be an object.') },
      { key: 'no-video', reason: 'its video is missing (no entry in the videos store)' },
      { key: 'orphan-video', reason: 'a video with no clip record' },
    ]);
    expect(await gallery.video(good[0]!.id)).toEqual(goodInputs[0]!.mp4);
    const damagedVideo = await rejection(gallery.video('bad-seed'));
    expect(damagedVideo.name).toBe('GalleryClipDamagedError');
    expect(damagedVideo.message).toContain("recipe.seed is '42'");
    const noVideoError = await rejection(gallery.video('no-video'));
    expect(noVideoError.name).toBe('GalleryClipMissingError');
    expect(noVideoError.message).toContain("The video of clip 'no-video' is missing");
    expect((await gallery.usage()).clips).toBe(2);

    for (const { key } of damaged) await gallery.deleteDamaged(key);
    expect(await gallery.list()).toMatchObject({ clips: [{ id: good[1]!.id }, { id: good[0]!.id }], damaged: [] });
    expect(await storedKeys(bucket)).toEqual({ clips: good.map((c) => c.id).sort(), videos: good.map((c) => c.id).sort() });
  });

  test('a video that does not match its record (size, type) is a GalleryClipDamagedError', async () => {
    const { bucket, open } = await freshBucket();
    const gallery = await open();
    const added = await gallery.add(await clip(5, 4 * KiB));
    const db = await raw(bucket);
    await db.put('videos', randomBytes(1000), added.id);
    const error = await rejection(gallery.video(added.id));
    expect(error.name).toBe('GalleryClipDamagedError');
    expect(error.message).toContain(`The video of clip '${added.id}' is damaged (1000 bytes stored, 4096 recorded)`);
    await db.put('videos', new Blob([randomBytes(4096)]), added.id);
    expect((await rejection(gallery.videoBlob(added.id))).message).toContain('(the stored video is object, not bytes)');
    db.close();
  });
});

describe('usage', () => {
  test('counts the listed clips and their video and thumbnail bytes, with the estimate of the storage given', async () => {
    const { bucket, open } = await freshBucket(8 * 1024 * KiB);
    const gallery = await open();
    expect(await gallery.usage()).toMatchObject({ clips: 0, bytes: 0, quota: 8 * 1024 * KiB });
    const sizes = [10 * KiB, 100 * KiB, 300 * KiB];
    for (const [i, size] of sizes.entries()) await gallery.add(await clip(i, size));
    const thumbBytes = (await aThumbnail()).size;
    const usage = await gallery.usage();
    const estimate = await bucket.estimate();
    const total = sizes.reduce((a, b) => a + b, 0) + sizes.length * thumbBytes;
    expect(usage).toEqual({ clips: 3, bytes: total, quota: estimate.quota, usage: estimate.usage });
    expect(usage.usage).toBeGreaterThanOrEqual(sizes.reduce((a, b) => a + b, 0));
    const { clips } = await gallery.list();
    expect(clips.reduce((sum, c) => sum + c.byteLength + c.thumbnail.size, 0)).toBe(usage.bytes);
  });
});
