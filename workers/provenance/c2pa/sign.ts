// Writes a signed C2PA manifest into an MP4 (a `uuid` box after `ftyp`; the
// library moves the rest and fixes the chunk offsets). Runs in a Web Worker:
// the library reads its source Blob with FileReaderSync, which pages do not
// have. Sign last: the manifest's hash covers every top-level box, so a box
// added afterwards (XMP included) makes the manifest Invalid.
import type { WasmBuilder } from '@contentauth/c2pa-wasm';
import { coseReserveSize, coseSign1 } from './cose';
import { C2paSigningError } from './errors';
import { type IdentityLookup, installIdentity } from './install-key';
import { type C2paClaim, claimProblem, manifestDefinition } from './manifest';
import { loadC2pa } from './wasm';

export type { C2paClaim };

export type SignOptions = {
  /** Told when the stored identity could not be used and a new one was made (its reason); a console warning says it too. */
  onIdentityReplaced?: (problem: string) => void;
};

/** The MP4 with a C2PA manifest saying Lantern made it with a trained model, signed with this install's key. */
export async function signC2pa(mp4: Uint8Array, claim: C2paClaim, options: SignOptions = {}): Promise<Uint8Array> {
  if (typeof FileReaderSync === 'undefined') {
    throw new C2paSigningError(
      'this context has no FileReaderSync, which the C2PA library reads the clip with. Call signC2pa in a Web Worker (the engine worker), not on the page or in Node.',
    );
  }
  const problem = claimProblem(claim);
  if (problem !== null) throw new C2paSigningError(problem);
  const [c2pa, lookup] = await Promise.all([loadC2pa(), installIdentity()]);
  reportReplaced(lookup, options);
  const { privateKey, chain } = lookup.identity;
  const reserveSize = coseReserveSize(chain);
  let builder: WasmBuilder | undefined;
  try {
    // verify_after_sign: the library reads the signed clip back and fails here rather than hand out a manifest that does not verify.
    const settings = { verify: { verify_after_sign: true, ocsp_fetch: false, remote_manifest_fetch: false } };
    builder = c2pa.WasmBuilder.fromJson(JSON.stringify(manifestDefinition(claim)), JSON.stringify(settings));
    const source = new Blob([mp4 as Uint8Array<ArrayBuffer>], { type: 'video/mp4' });
    const signer = { alg: 'es256', reserveSize, sign: (bytes: Uint8Array<ArrayBuffer>) => coseSign1(bytes, privateKey, chain, reserveSize) };
    return await builder.sign(signer, [], 'video/mp4', source);
  } catch (error) {
    if (error instanceof C2paSigningError) throw error;
    throw new C2paSigningError(`${libraryProblem(error)}. Check that the clip is a whole MP4 from Lantern's encoder.`, { cause: error });
  } finally {
    builder?.free();
  }
}

/**
 * The library's error, short. A signed clip that failed verify_after_sign
 * comes as a Rust debug dump of every status; its failure codes say it.
 */
function libraryProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes('InvalidManifest')) {
    const failures = [...message.matchAll(/code: "([\w.]+)"[^}]*?kind: Failure/g)]
      .map((match) => match[1])
      .filter((code) => code !== 'signingCredential.untrusted');
    return `the signed clip did not verify (${failures.join(', ') || 'no failure code given'})`;
  }
  return `the C2PA library failed (${message.length > 300 ? `${message.slice(0, 300)}...` : message})`;
}

function reportReplaced(lookup: IdentityLookup, options: SignOptions): void {
  if (lookup.origin === 'replaced') options.onIdentityReplaced?.(lookup.problem ?? 'unknown');
}
