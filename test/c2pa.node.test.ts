// readC2pa in Node (workers/provenance/c2pa/node.ts) over clips signed in the
// browser by test/c2pa.browser.test.ts (test/fixtures/c2pa/, written with
// VITE_LANTERN_WRITE_C2PA_FIXTURE=1): the manifest reads back, its signature
// and hashes verify, and a changed byte or a missing manifest is told apart.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { TRAINED_ALGORITHMIC_MEDIA } from '../workers/provenance/c2pa/manifest';
import { readC2paInNode } from '../workers/provenance/c2pa/node';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/c2pa/${name}`, import.meta.url)));

/** The offset of the first top-level box of this type. */
function boxOffset(mp4: Uint8Array, type: string): number {
  const view = new DataView(mp4.buffer, mp4.byteOffset, mp4.byteLength);
  for (let at = 0; at + 8 <= mp4.length; ) {
    if (String.fromCharCode(...mp4.subarray(at + 4, at + 8)) === type) return at;
    const size = view.getUint32(at);
    if (size < 8) break;
    at += size;
  }
  throw new Error(`no top-level '${type}' box`);
}

describe('readC2pa in Node', () => {
  test('a clip Lantern signed reads present and valid, with its claims, from an untrusted install signer', async () => {
    const finding = await readC2paInNode(fixture('signed.mp4'), 'video/mp4');
    expect(finding).toMatchObject({
      present: true,
      valid: true,
      trusted: false,
      signerOrganization: 'Lantern (self-signed, not on a trust list)',
      generator: { name: 'Lantern', version: '0.1.0' },
      digitalSourceType: TRAINED_ALGORITHMIC_MEDIA,
      model: { id: 'lantern-fixture', version: '2026.12' },
      validationErrors: [],
    });
    expect(finding.signer).toMatch(/^Lantern install [0-9a-f]{8}$/);
    expect(finding.actions).toEqual([
      { action: 'c2pa.created', digitalSourceType: TRAINED_ALGORITHMIC_MEDIA, softwareAgent: 'Lantern 0.1.0', when: '2026-12-05T12:00:00.000Z' },
    ]);
  });

  test('a changed byte in the video data makes it present but invalid', async () => {
    const tampered = fixture('signed.mp4');
    const mdat = boxOffset(tampered, 'mdat');
    tampered[mdat + 16] = tampered[mdat + 16]! ^ 0x01;
    const finding = await readC2paInNode(tampered, 'video/mp4');
    expect(finding.present).toBe(true);
    expect(finding.valid).toBe(false);
    expect(finding.validationErrors.some((error) => error.startsWith('assertion.bmffHash.mismatch'))).toBe(true);
  });

  test('a changed byte in the signed claim makes it invalid', async () => {
    const tampered = fixture('signed.mp4');
    const claim = new TextDecoder('latin1').decode(tampered).indexOf('c2pa.created');
    expect(claim).toBeGreaterThan(0);
    tampered[claim + 5] = 'C'.charCodeAt(0); // c2pa.Created
    const finding = await readC2paInNode(tampered, 'video/mp4');
    expect(finding.present).toBe(true);
    expect(finding.valid).toBe(false);
    expect(finding.validationErrors.length).toBeGreaterThan(0);
  });

  test('an unsigned clip reads not present', async () => {
    const finding = await readC2paInNode(fixture('unsigned.mp4'), 'video/mp4');
    expect(finding).toMatchObject({ present: false, absence: 'none', valid: false, signer: null, actions: [], validationErrors: [] });
  });

  test('WebM cannot carry a manifest here, and says so', async () => {
    const ebml = Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3, 0x84, 0x42, 0x82, 0x84, ...new TextEncoder().encode('webm'));
    const finding = await readC2paInNode(ebml, 'video/webm');
    expect(finding).toMatchObject({ present: false, absence: 'unsupported-format' });
  });

  test('bytes that are not an MP4 fail with C2paReadError, and an unknown type is named', async () => {
    await expect(readC2paInNode(fixture('signed.mp4').subarray(0, 2000), 'video/mp4')).rejects.toMatchObject({
      name: 'C2paReadError',
      message: expect.stringContaining('not a whole video/mp4 file'),
    });
    await expect(readC2paInNode(fixture('signed.mp4'), 'video/avi' as 'video/mp4')).rejects.toMatchObject({
      name: 'C2paReadError',
      message: expect.stringContaining("unknown type 'video/avi'"),
    });
  });
});
