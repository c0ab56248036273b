// A clip from Lantern's encoder as the engine worker makes it, in headless
// Chromium: the XMP packet and then the C2PA manifest, signed with this
// install's key (workers/provenance/stamp.ts, c2pa/clip-signer.ts), both read
// back from the same file; and a clip whose signing fails, which is still
// handed out, labelled by XMP, with the reason.
import * as Comlink from 'comlink';
import { ALL_FORMATS, BufferSource, EncodedPacketSink, Input } from 'mediabunny';
import { afterAll, expect, test } from 'vitest';
import type { ClipProvenance } from '../workers/contracts/provenance';
import { readC2pa } from '../workers/provenance/c2pa/read';
import { findXmpPacket, parseXmpFields, TRAINED_ALGORITHMIC_MEDIA, topLevelBoxes } from '../workers/provenance/xmp';
import type { C2paTestWorker } from './support/c2pa.worker';

const SIZE = { width: 64, height: 64 };
const FRAMES = 4;
const PROVENANCE: ClipProvenance = { model: { id: 'lantern-fixture', version: '2026.12' }, visibleMark: true };

const worker = new Worker(new URL('./support/c2pa.worker.ts', import.meta.url), { type: 'module' });
const api = Comlink.wrap<C2paTestWorker>(worker);
afterAll(() => worker.terminate());

function rampFrames(): Uint8Array[] {
  return Array.from({ length: FRAMES }, (_, t) => {
    const rgba = new Uint8Array(SIZE.width * SIZE.height * 4);
    for (let p = 0; p < SIZE.width * SIZE.height; p++) {
      rgba.fill((p % SIZE.width) * 3 + t * 16, p * 4, p * 4 + 3);
      rgba[p * 4 + 3] = 255;
    }
    return rgba;
  });
}

test('a clip carries XMP and a valid C2PA manifest that agree on the model and the time, and still plays every frame', async () => {
  const { mp4, contentCredentials } = await api.encodeLabelled(rampFrames(), SIZE, PROVENANCE, 'install');
  expect(contentCredentials).toEqual({ written: true });

  const xmp = parseXmpFields(findXmpPacket(mp4)!);
  expect(xmp).toMatchObject({ digitalSourceType: TRAINED_ALGORITHMIC_MEDIA, aiSystem: 'lantern-fixture', aiSystemVersion: '2026.12' });
  const c2pa = await readC2pa(mp4, 'video/mp4');
  // Valid: the manifest was written after the XMP box, so its hash covers it.
  expect(c2pa).toMatchObject({ present: true, valid: true, trusted: false, digitalSourceType: TRAINED_ALGORITHMIC_MEDIA, validationErrors: [] });
  expect(c2pa.model).toEqual(PROVENANCE.model);
  expect(c2pa.generator?.name).toBe('Lantern');
  expect(`${xmp.creatorTool}`).toBe(`Lantern ${c2pa.generator?.version}`);
  expect(c2pa.actions).toEqual([expect.objectContaining({ action: 'c2pa.created', when: xmp.createDate })]);
  // ftyp, then the manifest's uuid box (c2pa-rs puts it there), the media, and the XMP uuid box last.
  const types = topLevelBoxes(mp4).map((box) => box.type);
  expect(types[0]).toBe('ftyp');
  expect(types[1]).toBe('uuid');
  expect(types.at(-1)).toBe('uuid');

  const input = new Input({ formats: ALL_FORMATS, source: new BufferSource(mp4) });
  try {
    const track = await input.getPrimaryVideoTrack();
    let packets = 0;
    for await (const _ of new EncodedPacketSink(track!).packets()) packets++;
    expect(packets).toBe(FRAMES);
  } finally {
    input.dispose();
  }
});

test('a clip whose signing fails is still handed out with its XMP labels, and says why it has no manifest', async () => {
  const { mp4, contentCredentials } = await api.encodeLabelled(rampFrames(), SIZE, PROVENANCE, 'failing');
  expect(contentCredentials).toEqual({
    written: false,
    errorName: 'C2paIdentityError',
    reason: expect.stringContaining('IndexedDB is blocked (scripted)'),
  });
  expect(parseXmpFields(findXmpPacket(mp4)!)).toMatchObject({ digitalSourceType: TRAINED_ALGORITHMIC_MEDIA, aiSystem: 'lantern-fixture' });
  expect(await readC2pa(mp4, 'video/mp4')).toMatchObject({ present: false, absence: 'none' });
});
