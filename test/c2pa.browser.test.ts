// workers/provenance/c2pa in headless Chromium: the per-install identity in
// IndexedDB, a real MP4 from the WebCodecs encoder signed in a module worker
// and read back with the C2PA library (present, Valid, untrusted signer, the
// c2pa.created action with trainedAlgorithmicMedia), a tampered copy
// (Invalid), an unsigned clip (absent), and a damaged identity record
// (replaced, and said so).
// VITE_LANTERN_WRITE_C2PA_FIXTURE=1 also writes test/fixtures/c2pa/ for the
// Node test (test/c2pa.node.test.ts).
import * as Comlink from 'comlink';
import { deleteDB, openDB } from 'idb';
import { ALL_FORMATS, BufferSource, EncodedPacketSink, Input } from 'mediabunny';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { commands } from 'vitest/browser';
import { encodeRgbaClip } from '../workers/engine/video/encode';
import { PROVENANCE_DB_NAME } from '../workers/provenance/c2pa/install-key';
import { TRAINED_ALGORITHMIC_MEDIA } from '../workers/provenance/c2pa/manifest';
import { readC2pa } from '../workers/provenance/c2pa/read';
import { signC2pa } from '../workers/provenance/c2pa/sign';
import type { C2paTestWorker } from './support/c2pa.worker';

const SIZE = { width: 64, height: 64 };
const FRAMES = 4;
const CLAIM = {
  generator: { name: 'Lantern', version: '0.1.0' },
  model: { id: 'lantern-fixture', version: '2026.12' },
  createdAt: '2026-12-05T12:00:00.000Z',
};

const workers: Worker[] = [];
/** A new worker: a fresh context, with no identity in memory. */
function freshWorker(): Comlink.Remote<C2paTestWorker> {
  const worker = new Worker(new URL('./support/c2pa.worker.ts', import.meta.url), { type: 'module' });
  workers.push(worker);
  return Comlink.wrap<C2paTestWorker>(worker);
}

/** A few frames of a grey ramp that moves, encoded by Lantern's encoder (no provenance marks). */
async function unsignedMp4(): Promise<Uint8Array> {
  const frames = Array.from({ length: FRAMES }, (_, t) => {
    const rgba = new Uint8Array(SIZE.width * SIZE.height * 4);
    for (let p = 0; p < SIZE.width * SIZE.height; p++) {
      rgba.fill((p % SIZE.width) * 4 + t * 16, p * 4, p * 4 + 3);
      rgba[p * 4 + 3] = 255;
    }
    return rgba;
  });
  const clip = await encodeRgbaClip(frames, SIZE, { fps: 8, codec: 'avc' });
  return new Uint8Array(clip.data);
}

/** The offset of the first top-level box of this type. */
function boxOffset(mp4: Uint8Array, type: string): number {
  const view = new DataView(mp4.buffer, mp4.byteOffset, mp4.byteLength);
  for (let at = 0; at + 8 <= mp4.length; ) {
    const size = view.getUint32(at);
    if (String.fromCharCode(...mp4.subarray(at + 4, at + 8)) === type) return at;
    if (size < 8) break;
    at += size;
  }
  throw new Error(`no top-level '${type}' box`);
}

function pem(der: Uint8Array): string {
  const base64 = btoa(String.fromCharCode(...der));
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
}

const base64 = (bytes: Uint8Array): string => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''));

let unsigned: Uint8Array;
let signed: Uint8Array;
let identity: Awaited<ReturnType<C2paTestWorker['identity']>>;

beforeAll(async () => {
  await deleteDB(PROVENANCE_DB_NAME);
  unsigned = await unsignedMp4();
});

afterAll(() => {
  for (const worker of workers) worker.terminate();
});

describe('the install identity', () => {
  test('is made once, stored in IndexedDB, and reused by a new context', async () => {
    const first = await freshWorker().identity();
    expect(first.origin).toBe('made');
    expect(first.extractable).toBe(false);
    expect(first.shortId).toMatch(/^[0-9a-f]{8}$/);
    expect(first.chain).toHaveLength(2);

    const again = await freshWorker().identity();
    expect(again.origin).toBe('stored');
    expect(again.shortId).toBe(first.shortId);
    expect(again.publicKey).toEqual(first.publicKey);

    const db = await openDB(PROVENANCE_DB_NAME);
    const record = (await db.get('identity', 'install')) as { privateKey: CryptoKey; chain: ArrayBuffer[] };
    db.close();
    expect(record.privateKey).toBeInstanceOf(CryptoKey);
    expect(new Uint8Array(record.chain[0]!)).toEqual(first.chain[0]);
    identity = first;
  });
});

describe('a signed clip', () => {
  beforeAll(async () => {
    const result = await freshWorker().sign(unsigned, CLAIM);
    expect(result.replaced).toBeNull();
    signed = result.signed;
  });

  test('reads back present and valid, made by a trained model, from an untrusted Lantern signer', async () => {
    const finding = await freshWorker().read(signed, 'video/mp4');
    expect(finding).toMatchObject({
      present: true,
      absence: null,
      valid: true,
      trusted: false,
      signer: `Lantern install ${identity.shortId}`,
      signerOrganization: 'Lantern (self-signed, not on a trust list)',
      generator: { name: 'Lantern', version: '0.1.0' },
      digitalSourceType: TRAINED_ALGORITHMIC_MEDIA,
      model: { id: 'lantern-fixture', version: '2026.12' },
      validationErrors: [],
    });
    expect(finding.actions).toEqual([
      { action: 'c2pa.created', digitalSourceType: TRAINED_ALGORITHMIC_MEDIA, softwareAgent: 'Lantern 0.1.0', when: CLAIM.createdAt },
    ]);
  });

  test("reads trusted when the install's CA is given as a trust anchor", async () => {
    const finding = await freshWorker().read(signed, 'video/mp4', { trustAnchorsPem: pem(identity.chain[1]!) });
    expect(finding.valid).toBe(true);
    expect(finding.trusted).toBe(true);
  });

  test('is still a playable MP4 with every frame', async () => {
    expect(signed.length).toBeGreaterThan(unsigned.length);
    const input = new Input({ formats: ALL_FORMATS, source: new BufferSource(signed) });
    const track = await input.getPrimaryVideoTrack();
    expect(track?.codec).toBe('avc');
    let packets = 0;
    for await (const _ of new EncodedPacketSink(track!).packets()) packets++;
    expect(packets).toBe(FRAMES);
  });

  test('reads present but invalid once a byte of the video data changes', async () => {
    const tampered = signed.slice();
    const mdat = boxOffset(tampered, 'mdat');
    tampered[mdat + 16] = tampered[mdat + 16]! ^ 0xff;
    const finding = await freshWorker().read(tampered, 'video/mp4');
    expect(finding.present).toBe(true);
    expect(finding.valid).toBe(false);
    expect(finding.validationErrors.some((error) => error.startsWith('assertion.bmffHash.mismatch'))).toBe(true);
  });

  test.runIf(import.meta.env['VITE_LANTERN_WRITE_C2PA_FIXTURE'] === '1')('writes the Node test fixtures', async () => {
    await commands.writeFile('test/fixtures/c2pa/signed.mp4', base64(signed), 'base64');
    await commands.writeFile('test/fixtures/c2pa/unsigned.mp4', base64(unsigned), 'base64');
  });
});

describe('an unsigned clip', () => {
  test('reads not present, in a worker and on the page', async () => {
    const inWorker = await freshWorker().read(unsigned, 'video/mp4');
    expect(inWorker).toMatchObject({ present: false, absence: 'none', valid: false, signer: null, actions: [] });
    expect(await readC2pa(unsigned, 'video/mp4')).toEqual(inWorker);
  });
});

test('signing on the page fails with C2paSigningError: the library needs a worker', async () => {
  await expect(signC2pa(unsigned, CLAIM)).rejects.toMatchObject({ name: 'C2paSigningError', message: expect.stringContaining('Web Worker') });
});

test('a bad claim fails with C2paSigningError naming the field', async () => {
  await expect(freshWorker().sign(unsigned, { ...CLAIM, createdAt: 'yesterday' })).rejects.toMatchObject({
    name: 'C2paSigningError',
    message: expect.stringContaining('claim.createdAt'),
  });
});

describe('a damaged identity record', () => {
  test('is replaced by a new identity, and the signer is told', async () => {
    const db = await openDB(PROVENANCE_DB_NAME);
    await db.put('identity', { version: 1, privateKey: 'not a key', publicKey: null, chain: [] }, 'install');
    db.close();
    const result = await freshWorker().sign(unsigned, CLAIM);
    expect(result.replaced).toContain('private key');
    const after = await freshWorker().identity();
    expect(after.origin).toBe('stored');
    expect(after.shortId).not.toBe(identity.shortId);
    const finding = await freshWorker().read(result.signed, 'video/mp4');
    expect(finding.valid).toBe(true);
    expect(finding.signer).toBe(`Lantern install ${after.shortId}`);
  });
});
