// Reads a file's C2PA manifest store back with the C2PA library and says what
// it claims and whether it holds up. Works in a page, a worker and Node
// (there through node.ts): the library's fromBytes reads from memory and
// needs no browser API. Reading never touches the network: remote manifests
// and OCSP are off.
//
// The library's verdict (validation_state): Invalid (a hash, signature or
// structure check failed), Valid (all pass, but the signer is not on a trust
// list) or Trusted. A Lantern clip reads Valid: its key was made by this
// install and chains to no trust list (signingCredential.untrusted).
import { C2paReadError } from './errors';
import { ACTIONS_ASSERTION, MODEL_ASSERTION } from './manifest';
import { loadC2pa } from './wasm';

/** The types a caller may name; the library reads MP4, MOV, JPEG, PNG and WebP, and has no C2PA binding for WebM. */
export const C2PA_MIME_TYPES = ['video/mp4', 'video/quicktime', 'video/webm', 'image/jpeg', 'image/png', 'image/webp'] as const;
export type C2paMimeType = (typeof C2PA_MIME_TYPES)[number];

export type C2paAction = {
  /** e.g. 'c2pa.created'. */
  action: string;
  digitalSourceType: string | null;
  /** "name version" of the tool that did it. */
  softwareAgent: string | null;
  /** ISO 8601, when the manifest says. */
  when: string | null;
};

export type C2paFinding = {
  /** The file holds a C2PA manifest store (valid or not). */
  present: boolean;
  /** Why `present` is false: the file has none, or its format cannot carry one here (WebM). null when present. */
  absence: 'none' | 'unsupported-format' | null;
  /** The signature verifies and every hash (the file's bytes, each assertion) matches. */
  valid: boolean;
  /** The signer chains to a trust anchor given in `trustAnchorsPem` (no trust list is built in, so false without one). */
  trusted: boolean;
  /** The signing certificate's common name, e.g. "Lantern install 1a2b3c4d". */
  signer: string | null;
  /** The signing certificate's organization, e.g. "Lantern (self-signed, not on a trust list)". */
  signerOrganization: string | null;
  /** The first claim_generator_info entry. */
  generator: { name: string; version: string | null } | null;
  actions: C2paAction[];
  /** The c2pa.created action's digital source type (IPTC URI), or the first action's that has one. */
  digitalSourceType: string | null;
  /** Lantern's org.lantern.model assertion, when there is one. */
  model: { id: string; version: string } | null;
  /** The library's failure codes, "code: explanation", except signingCredential.untrusted (that is `trusted`). */
  validationErrors: string[];
};

export type ReadOptions = {
  /** PEM certificates to treat as trust anchors (the C2PA trust list, or a test's own CA). */
  trustAnchorsPem?: string;
};

/** A finding that says nothing about a manifest: the starting point for absent and broken ones. */
function absent(absence: C2paFinding['absence']): C2paFinding {
  return {
    present: false,
    absence,
    valid: false,
    trusted: false,
    signer: null,
    signerOrganization: null,
    generator: null,
    actions: [],
    digitalSourceType: null,
    model: null,
    validationErrors: [],
  };
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** What the file's C2PA manifest (its active one) says, and whether it verifies. */
export async function readC2pa(bytes: Uint8Array, mimeType: C2paMimeType, options: ReadOptions = {}): Promise<C2paFinding> {
  if (!(C2PA_MIME_TYPES as readonly string[]).includes(mimeType)) {
    throw new C2paReadError(`unknown type '${mimeType}'. Must be one of: ${C2PA_MIME_TYPES.join(', ')}.`);
  }
  const { WasmReader } = await loadC2pa();
  const settings = {
    verify: { remote_manifest_fetch: false, ocsp_fetch: false, verify_trust: true },
    ...(options.trustAnchorsPem === undefined ? {} : { trust: { trust_anchors: options.trustAnchorsPem } }),
  };
  let store: unknown;
  try {
    const reader = await WasmReader.fromBytes(mimeType, bytes, JSON.stringify(settings));
    try {
      store = reader.manifestStore();
    } finally {
      reader.free();
    }
  } catch (error) {
    return absentOrBroken(error, mimeType);
  }
  return findingFromStore(store);
}

/**
 * The library throws strings such as "C2pa(JumbfNotFound)". No manifest and
 * no binding for the format are answers; a damaged manifest (its boxes are
 * there but do not parse) is present and invalid; a file that does not parse
 * as its type at all is an error, since nothing can be said about it.
 */
function absentOrBroken(error: unknown, mimeType: string): C2paFinding {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const kind = /^C2pa\((\w+)/.exec(message)?.[1];
  if (kind === 'JumbfNotFound' || kind === 'ProvenanceMissing') return absent('none');
  if (kind === 'UnsupportedType') return absent('unsupported-format');
  if (kind === undefined || kind === 'InvalidAsset' || kind === 'IoError') {
    throw new C2paReadError(`the bytes are not a whole ${mimeType} file (${message}). Read the file again, or give its right type.`, { cause: error });
  }
  return { ...absent(null), present: true, validationErrors: [message] };
}

function findingFromStore(store: unknown): C2paFinding {
  if (!isObject(store)) throw new C2paReadError(`the library returned ${JSON.stringify(store)} instead of a manifest store.`);
  const manifests = isObject(store['manifests']) ? store['manifests'] : {};
  const activeLabel = text(store['active_manifest']);
  const active = activeLabel === null ? undefined : manifests[activeLabel];
  const state = text(store['validation_state']);
  const failures = list(store['validation_status']).filter(isObject);
  const validationErrors = failures
    .filter((status) => status['code'] !== 'signingCredential.untrusted')
    .map((status) => `${String(status['code'])}: ${String(status['explanation'] ?? '')}`);
  if (!isObject(active)) {
    return { ...absent(null), present: true, validationErrors: [...validationErrors, 'the manifest store has no active manifest'] };
  }
  const signature = isObject(active['signature_info']) ? active['signature_info'] : {};
  const generatorInfo = list(active['claim_generator_info']).find(isObject);
  const assertions = list(active['assertions']).filter(isObject);
  const actions = assertions
    .filter((assertion) => assertion['label'] === ACTIONS_ASSERTION || assertion['label'] === 'c2pa.actions')
    .flatMap((assertion) => list(isObject(assertion['data']) ? assertion['data']['actions'] : undefined))
    .filter(isObject)
    .map(actionOf);
  const created = actions.find((action) => action.action === 'c2pa.created' && action.digitalSourceType !== null);
  const modelData = assertions.find((assertion) => assertion['label'] === MODEL_ASSERTION)?.['data'];
  const modelId = isObject(modelData) ? text(modelData['id']) : null;
  const modelVersion = isObject(modelData) ? text(modelData['version']) : null;
  return {
    present: true,
    absence: null,
    valid: state === 'Valid' || state === 'Trusted',
    trusted: state === 'Trusted',
    signer: text(signature['common_name']),
    signerOrganization: text(signature['issuer']),
    generator:
      generatorInfo === undefined || text(generatorInfo['name']) === null
        ? null
        : { name: String(generatorInfo['name']), version: text(generatorInfo['version']) },
    actions,
    digitalSourceType: (created ?? actions.find((action) => action.digitalSourceType !== null))?.digitalSourceType ?? null,
    model: modelId === null || modelVersion === null ? null : { id: modelId, version: modelVersion },
    validationErrors: state === 'Invalid' && validationErrors.length === 0 ? [`validation_state: ${state}`] : validationErrors,
  };
}

function actionOf(action: Json): C2paAction {
  const agent = action['softwareAgent'];
  const softwareAgent = isObject(agent) ? [text(agent['name']), text(agent['version'])].filter((part) => part !== null).join(' ') || null : text(agent);
  return {
    action: String(action['action']),
    digitalSourceType: text(action['digitalSourceType']),
    softwareAgent,
    when: text(action['when']),
  };
}
