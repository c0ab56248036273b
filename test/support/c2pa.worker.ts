// workers/provenance/c2pa in a real module worker, for test/c2pa.browser.test.ts:
// signing needs the worker's FileReaderSync, and each new worker is a fresh
// context, so reusing the identity has to go through IndexedDB.
import * as Comlink from 'comlink';
import type { ClipProvenance } from '../../workers/contracts/provenance';
import { type ClipSize, encodeRgbaClip } from '../../workers/engine/video/encode';
import { signClipWithInstallKey } from '../../workers/provenance/c2pa/clip-signer';
import { C2paIdentityError } from '../../workers/provenance/c2pa/errors';
import { installIdentity } from '../../workers/provenance/c2pa/install-key';
import { type C2paMimeType, type ReadOptions, readC2pa } from '../../workers/provenance/c2pa/read';
import { type C2paClaim, signC2pa } from '../../workers/provenance/c2pa/sign';

const api = {
  async identity() {
    const { identity, origin, problem } = await installIdentity();
    const publicKey = new Uint8Array(await crypto.subtle.exportKey('spki', identity.publicKey));
    return { origin, problem: problem ?? null, shortId: identity.shortId, publicKey, chain: identity.chain, extractable: identity.privateKey.extractable };
  },
  async sign(mp4: Uint8Array, claim: C2paClaim) {
    let replaced: string | null = null;
    const signed = await signC2pa(mp4, claim, {
      onIdentityReplaced: (problem) => {
        replaced = problem;
      },
    });
    return Comlink.transfer({ signed, replaced }, [signed.buffer]);
  },
  /** Lantern's encoder as the engine worker runs it: marks, XMP, then C2PA with this install's key (or a signer that fails as blocked storage does). */
  async encodeLabelled(frames: Uint8Array[], size: ClipSize, provenance: ClipProvenance, signer: 'install' | 'failing') {
    const failing = async (): Promise<never> => {
      throw new C2paIdentityError('IndexedDB is blocked (scripted)');
    };
    const clip = await encodeRgbaClip(frames, size, { fps: 8, codec: 'avc', provenance, signer: signer === 'install' ? signClipWithInstallKey : failing });
    const mp4 = new Uint8Array(clip.data);
    return Comlink.transfer({ mp4, contentCredentials: clip.contentCredentials }, [mp4.buffer]);
  },
  read: (bytes: Uint8Array, mimeType: C2paMimeType, options?: ReadOptions) => readC2pa(bytes, mimeType, options),
};

export type C2paTestWorker = typeof api;
Comlink.expose(api);
