// The claim signature, as C2PA wants it: a tagged COSE_Sign1 (RFC 9052) with
// a detached payload (the claim), ES256, and the certificate chain in the
// protected header (x5chain, label 33). The library's signer callback hands
// us the claim bytes and takes back the whole COSE structure ("direct COSE
// handling"), so the private key never leaves WebCrypto. c2pa-rs reserved
// `reserveSize` bytes for it in the file before hashing, so the structure
// is padded to exactly that size with a zero-filled 'pad' bstr in the
// unprotected header, as c2pa-rs does itself.
import { encode, Tag } from 'cbor2';
import { C2paSigningError } from './errors';

const COSE_SIGN1_TAG = 18;
const HEADER_ALG = 1;
const HEADER_X5CHAIN = 33;
const ES256 = -7;

/** Bytes to reserve for a signature over this chain: the chain, a 64-byte signature, CBOR framing, and room to spare. */
export function coseReserveSize(chain: readonly Uint8Array[]): number {
  return chain.reduce((sum, der) => sum + der.length, 0) + 1024;
}

/** COSE_Sign1_Tagged over `claim`, signed with `privateKey` (ECDSA P-256), exactly `reserveSize` bytes long. */
export async function coseSign1(claim: Uint8Array, privateKey: CryptoKey, chain: readonly Uint8Array[], reserveSize: number): Promise<Uint8Array<ArrayBuffer>> {
  const protectedHeader = encode(
    new Map<number, unknown>([
      [HEADER_ALG, ES256],
      [HEADER_X5CHAIN, chain.length === 1 ? chain[0] : [...chain]],
    ]),
  );
  // Sig_structure (RFC 9052 4.4): context, body_protected, external_aad (empty), payload.
  const toBeSigned = encode(['Signature1', protectedHeader, new Uint8Array(0), claim]);
  // WebCrypto's ECDSA signature is r || s (IEEE P1363), which is COSE's form; no DER to undo.
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, toBeSigned as Uint8Array<ArrayBuffer>));
  const build = (pad: number): Uint8Array => encode(new Tag(COSE_SIGN1_TAG, [protectedHeader, new Map([['pad', new Uint8Array(pad)]]), null, signature]));
  // The bstr's length prefix grows with it (1, 2, 3 bytes ...): correct once, then check.
  let pad = Math.max(0, reserveSize - build(0).length);
  pad = Math.max(0, pad - (build(pad).length - reserveSize));
  const cose = build(pad);
  if (cose.length !== reserveSize) {
    throw new C2paSigningError(
      `the COSE signature is ${cose.length} bytes and cannot be padded to the ${reserveSize} reserved. This is a bug in Lantern; please report it.`,
    );
  }
  return cose as Uint8Array<ArrayBuffer>;
}
