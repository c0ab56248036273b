// This install's signing identity for C2PA: an ECDSA P-256 key made by
// WebCrypto (the private key cannot be exported, not even by Lantern) and two
// certificates made with @peculiar/x509:
//   CA    "Lantern install <id> CA", self-signed, keyCertSign. Its key signs
//         the leaf once and is dropped; it is never stored.
//   leaf  "Lantern install <id>", issued by the CA, digitalSignature and the
//         documentSigning extended key usage C2PA asks for.
// Why two: c2pa-rs rejects a self-signed signing certificate
// (signingCredential.invalid, "certificate params incorrect"); a leaf under
// its own CA reads Valid, with signingCredential.untrusted, since no trust
// list holds the CA. <id> is the first 4 bytes of the SHA-256 of the public key.
// Both certificates end at 9999-12-31 (RFC 5280's "no well-defined
// expiration"): clips are signed offline without a time-stamp, so checkers
// judge the certificate against today's date, and one that expired would
// turn every clip this install signed Invalid.
//
// Kept in IndexedDB ('lantern-provenance', store 'identity', key 'install'):
// CryptoKeys are structured-cloneable, so the non-extractable key is stored
// as is. Made once, under a Web Lock so two tabs cannot make two.
// A record that cannot be used (unreadable, wrong shape, a certificate that
// does not parse or does not hold the key, a private key that does not match
// the public one) is replaced by a new identity, loudly:
// `origin: 'replaced'` with the reason, and a console warning. Refusing to
// sign instead would stop every generation until the user cleared the site's
// data, and would protect nothing: clips signed before keep their own
// certificate and still verify; only the signer's name changes after.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { type DBSchema, openDB } from 'idb';
import { C2paIdentityError } from './errors';

export const PROVENANCE_DB_NAME = 'lantern-provenance';
/** Bumped with an upgrade step whenever the stores or records change shape. */
export const PROVENANCE_DB_VERSION = 1;
const IDENTITY_KEY = 'install';
const LOCK_NAME = 'lantern-provenance:identity';
const ORGANIZATION = 'Lantern (self-signed\\, not on a trust list)';
const NO_EXPIRY = new Date('9999-12-31T23:59:59Z');
const DOCUMENT_SIGNING = '1.3.6.1.5.5.7.3.36';
const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export type InstallIdentity = {
  /** Signs claims: ECDSA P-256, non-extractable. */
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** DER certificates, leaf first then its CA: the COSE x5chain. */
  chain: Uint8Array[];
  /** 8 hex digits from the public key, in the certificates' names. */
  shortId: string;
  createdAt: string;
};

export type IdentityOrigin = 'stored' | 'made' | 'replaced';

export type IdentityLookup = {
  identity: InstallIdentity;
  origin: IdentityOrigin;
  /** Why the stored record was replaced (origin 'replaced'). */
  problem?: string;
};

type IdentityRecord = { version: 1; privateKey: CryptoKey; publicKey: CryptoKey; chain: ArrayBuffer[]; shortId: string; createdAt: string };

type ProvenanceSchema = DBSchema & { identity: { key: string; value: unknown } };

async function openProvenanceDb() {
  if (typeof indexedDB === 'undefined') throw new C2paIdentityError('this context has no indexedDB');
  try {
    return await openDB<ProvenanceSchema>(PROVENANCE_DB_NAME, PROVENANCE_DB_VERSION, {
      upgrade(database, oldVersion) {
        if (oldVersion < 1) database.createObjectStore('identity');
      },
    });
  } catch (error) {
    throw new C2paIdentityError(`IndexedDB '${PROVENANCE_DB_NAME}' did not open (${String(error)})`, { cause: error });
  }
}

let cached: Promise<IdentityLookup> | undefined;

/** This install's identity: the stored one, or a new one made and stored now. Later calls in this context reuse the first answer. */
export function installIdentity(): Promise<IdentityLookup> {
  cached ??= withIdentityLock(lookUpOrMake).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function withIdentityLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks === undefined) {
    console.warn('Lantern: this browser has no Web Locks (navigator.locks); two tabs opened at once may each make a signing key.');
    return work();
  }
  return locks.request(LOCK_NAME, work);
}

async function lookUpOrMake(): Promise<IdentityLookup> {
  const db = await openProvenanceDb();
  try {
    let problem: string | undefined;
    let stored: unknown;
    try {
      stored = await db.get('identity', IDENTITY_KEY);
    } catch (error) {
      problem = `the record could not be read (${String(error)})`;
    }
    if (stored !== undefined || problem !== undefined) {
      problem ??= await recordProblem(stored);
      if (problem === undefined) return { identity: identityOf(stored as IdentityRecord), origin: 'stored' };
      console.warn(`Lantern: the stored C2PA signing identity cannot be used (${problem}); a new one is made, so clips signed from now on name a new signer.`);
    }
    const record = await makeIdentity();
    try {
      await db.put('identity', record, IDENTITY_KEY);
    } catch (error) {
      throw new C2paIdentityError(`the new key could not be stored (${String(error)})`, { cause: error });
    }
    return problem === undefined ? { identity: identityOf(record), origin: 'made' } : { identity: identityOf(record), origin: 'replaced', problem };
  } finally {
    db.close();
  }
}

function identityOf(record: IdentityRecord): InstallIdentity {
  return {
    privateKey: record.privateKey,
    publicKey: record.publicKey,
    chain: record.chain.map((der) => new Uint8Array(der)),
    shortId: record.shortId,
    createdAt: record.createdAt,
  };
}

function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01; // positive and without a leading zero byte
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function publicKeyId(publicKey: CryptoKey): Promise<string> {
  const spki = await crypto.subtle.exportKey('spki', publicKey);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', spki));
  return Array.from(digest.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function makeIdentity(): Promise<IdentityRecord> {
  x509.cryptoProvider.set(crypto);
  const ca = await crypto.subtle.generateKey(ECDSA_P256, false, ['sign', 'verify']);
  const leaf = await crypto.subtle.generateKey(ECDSA_P256, false, ['sign', 'verify']);
  const shortId = await publicKeyId(leaf.publicKey);
  const now = new Date();
  // A day back: a checker whose clock runs behind would otherwise see a certificate not yet valid.
  const notBefore = new Date(now.getTime() - 24 * 3600 * 1000);
  const caCertificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=Lantern install ${shortId} CA, O=${ORGANIZATION}`,
    notBefore,
    notAfter: NO_EXPIRY,
    keys: ca,
    signingAlgorithm: ECDSA_P256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(ca.publicKey),
    ],
  });
  const leafCertificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=Lantern install ${shortId}, O=${ORGANIZATION}`,
    issuer: caCertificate.subject,
    notBefore,
    notAfter: NO_EXPIRY,
    publicKey: leaf.publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: ECDSA_P256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([DOCUMENT_SIGNING]),
      await x509.SubjectKeyIdentifierExtension.create(leaf.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey),
    ],
  });
  return {
    version: 1,
    privateKey: leaf.privateKey,
    publicKey: leaf.publicKey,
    chain: [leafCertificate.rawData, caCertificate.rawData],
    shortId,
    createdAt: now.toISOString(),
  };
}

const isEcdsaP256 = (key: unknown, type: KeyType): key is CryptoKey =>
  key instanceof CryptoKey &&
  key.type === type &&
  key.algorithm.name === 'ECDSA' &&
  (key.algorithm as EcKeyAlgorithm).namedCurve === 'P-256' &&
  key.usages.includes(type === 'private' ? 'sign' : 'verify');

/** Why a stored value is not a usable identity, or undefined when it is. */
async function recordProblem(value: unknown): Promise<string | undefined> {
  if (typeof value !== 'object' || value === null) return `the record is ${JSON.stringify(value)}, not an object`;
  const record = value as Partial<IdentityRecord>;
  if (record.version !== 1) return `record version ${JSON.stringify(record.version)}, expected 1`;
  if (!isEcdsaP256(record.privateKey, 'private')) return 'the private key is missing or not an ECDSA P-256 signing key';
  if (!isEcdsaP256(record.publicKey, 'public')) return 'the public key is missing or not an ECDSA P-256 key';
  if (!Array.isArray(record.chain) || record.chain.length !== 2 || !record.chain.every((der) => der instanceof ArrayBuffer)) {
    return 'the certificate chain is not two DER certificates';
  }
  try {
    const leafKey = new Uint8Array(new x509.X509Certificate(record.chain[0]!).publicKey.rawData);
    const ownKey = new Uint8Array(await crypto.subtle.exportKey('spki', record.publicKey));
    if (leafKey.length !== ownKey.length || !leafKey.every((b, i) => b === ownKey[i])) return "the leaf certificate does not hold this install's public key";
    new x509.X509Certificate(record.chain[1]!);
  } catch (error) {
    return `a certificate does not parse (${String(error)})`;
  }
  const probe = new TextEncoder().encode('lantern-provenance key check');
  const signature = await crypto.subtle.sign(ECDSA_P256, record.privateKey, probe);
  if (!(await crypto.subtle.verify(ECDSA_P256, record.publicKey, signature, probe))) return 'the private key does not match the public key';
  return undefined;
}
