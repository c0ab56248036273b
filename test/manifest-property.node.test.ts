// Property-based tests of the manifest validator (fast-check): starting from
// a valid manifest, each property breaks one field in a way that is invalid
// by construction (wrong type, missing, hostile size, hostile URL, bad
// digest, unknown format version) and checks that parseManifest rejects it
// with a ManifestError naming that field (or the object holding it), saying
// what is allowed, and never throws anything else or accepts it.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MAX_FILE_BYTES, MAX_SHARD_BYTES, ManifestError, parseManifest } from '../workers/model-files/manifest';
import { validManifest } from './support/valid-manifest';

type Path = (string | number)[];

/** Fields the validator passes through unchecked: breaking them is not an error. */
const UNCHECKED = new Set(['world', 'training', 'evaluation', 'weights']);
/** Fields that may be absent (or null, for rope). */
const OPTIONAL = new Set(['description', 'once', 'rope', 'externalData', 'conditioning', 'imageToVideo', 'continuation', 'editing']);

function format(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Every checked field of the valid manifest, with its value. */
function checkedPaths(value: unknown, path: Path = []): { path: Path; value: unknown }[] {
  const out: { path: Path; value: unknown }[] = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push({ path: [...path, i], value: v }, ...checkedPaths(v, [...path, i]));
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      if (UNCHECKED.has(key)) continue;
      out.push({ path: [...path, key], value: v }, ...checkedPaths(v, [...path, key]));
    }
  }
  return out;
}

const PATHS = checkedPaths(validManifest());

function mutated(path: Path, change: (parent: any, key: string | number) => void): Record<string, any> {
  const m = validManifest();
  let parent: any = m;
  for (const key of path.slice(0, -1)) parent = parent[key];
  change(parent, path.at(-1)!);
  return m;
}

/** Parses and returns the ManifestError; fails the property on acceptance or another error type. */
function rejection(json: unknown): ManifestError {
  try {
    parseManifest(json);
  } catch (error) {
    if (error instanceof ManifestError && error.name === 'ManifestError') return error;
    throw new Error(`expected a ManifestError, got ${String(error)}`);
  }
  throw new Error('the manifest was accepted');
}

const within = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);

/** The error names the broken field, an object that holds it or a field inside the value put there, and says what is allowed. */
function expectNamed(error: ManifestError, path: Path): void {
  const at = format(path);
  const holds = within(at, error.field) || within(error.field, at);
  expect(holds, `error field '${error.field}' for a change at '${at}': ${error.message}`).toBe(true);
  expect(error.message).toContain(`Invalid model manifest: ${error.field} `);
  expect(error.message).toMatch(/must|only/);
  expect(error.message.length).toBeLessThan(400);
}

const RUNS = { numRuns: 400, seed: 20261126 };

/** A JSON-ish value of a different kind than `original`. */
function otherKind(original: unknown): fc.Arbitrary<unknown> {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  return (
    fc
      .oneof(
        fc.string(),
        fc.double(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.integer(), { maxLength: 3 }),
        fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }),
      )
      // 'text' is a valid attention key count; null and objects in place of a null RoPE may be valid RoPE specs.
      .filter((v) => kind(v) !== kind(original) && v !== 'text' && !(original === null && typeof v === 'object'))
  );
}

describe('generated invalid manifests are rejected with a ManifestError naming the field', () => {
  test('a checked field replaced by a value of another type', () => {
    const candidates = PATHS.filter(({ path, value }) => !(path.at(-1) === 'keys' && value === 'text'));
    fc.assert(
      fc.property(
        fc.constantFrom(...candidates).chain(({ path, value }) => fc.tuple(fc.constant(path), otherKind(value))),
        ([path, replacement]) => {
          // null in place of an optional field (a RoPE spec, the conditioning block) means "absent": valid.
          if (replacement === null && OPTIONAL.has(String(path.at(-1)))) return;
          const m = mutated(path, (parent, key) => {
            parent[key] = replacement;
          });
          expectNamed(rejection(m), path);
        },
      ),
      RUNS,
    );
  });

  test('a required field deleted', () => {
    // Not required: optional fields, graphs nothing in the validator refers to, and entries whose
    // removal breaks a reference elsewhere (a plan step, a graph's tensor list) rather than themselves.
    const candidates = PATHS.filter(
      ({ path }) =>
        !OPTIONAL.has(String(path.at(-1))) &&
        !(path[0] === 'graphs' && (path.length === 2 || path[2] === 'inputs' || path[2] === 'outputs')) &&
        !(path[0] === 'denoiser' && path[1] === 'plan' && path.length === 3),
    );
    fc.assert(
      fc.property(fc.constantFrom(...candidates), ({ path }) => {
        const m = mutated(path, (parent, key) => {
          if (Array.isArray(parent)) parent.splice(Number(key), 1);
          else delete parent[key];
        });
        expectNamed(rejection(m), path);
      }),
      RUNS,
    );
  });

  const sizes = PATHS.filter(({ path }) => path.at(-1) === 'bytes');
  const hostileSize = fc.oneof(
    fc.integer({ max: 0 }),
    fc.double({ noNaN: false }).filter((x) => !Number.isInteger(x)),
    fc.integer({ min: MAX_FILE_BYTES + 1, max: Number.MAX_SAFE_INTEGER }),
    fc.constantFrom(1e300, Infinity, -Infinity, NaN, 2 ** 53, 2 ** 64, '100', null),
  );

  test('a byte count that is not a size a browser can hold', () => {
    fc.assert(
      fc.property(fc.constantFrom(...sizes), hostileSize, ({ path }, bad) => {
        const m = mutated(path, (parent, key) => {
          parent[key] = bad;
        });
        const error = rejection(m);
        expect(error.field).toBe(format(path));
        expect(error.message).toMatch(/it must be an integer from 1 to \d+/);
      }),
      RUNS,
    );
  });

  test('a shard bigger than MAX_SHARD_BYTES, even when the graph adds up', () => {
    const shards = PATHS.filter(({ path }) => path.at(-3) === 'shards' && path.at(-1) === 'bytes');
    fc.assert(
      fc.property(fc.constantFrom(...shards), fc.integer({ min: MAX_SHARD_BYTES + 1, max: MAX_FILE_BYTES }), ({ path }, bytes) => {
        const m = mutated(path, (parent) => {
          parent.bytes = bytes;
        });
        m['graphs'][path[1]!].bytes = bytes;
        const error = rejection(m);
        expect(error.field).toBe(format(path));
        expect(error.message).toContain(`${bytes}; it must be an integer from 1 to ${MAX_SHARD_BYTES} (128 MiB)`);
      }),
      RUNS,
    );
  });

  const urls = PATHS.filter(({ path }) => path.at(-1) === 'url');
  const hostileUrl = fc.oneof(
    fc.constantFrom(
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<script>x</script>',
      'blob:https://a/b',
      'file:///etc/passwd',
      'ftp://host/x',
      'chrome://settings',
      'about:blank',
      'vbscript:x',
      '',
    ),
    // The URL parser drops tabs and newlines and trims spaces: "java\tscript:" is javascript:.
    fc
      .tuple(fc.constantFrom('java\tscript:', ' javascript:', 'javascript\n:', 'https://a/ b', '\u0000https://a/b', 'https:\\\\evil\\x'), fc.webSegment())
      .map(([a, b]) => a + b),
    fc.tuple(fc.constantFrom('mailto', 'ws', 'wss', 'ipfs', 'intent', 'custom-x'), fc.webSegment()).map(([scheme, rest]) => `${scheme}:${rest}`),
    fc.webUrl({ withQueryParameters: true }).map((u) => u.replace(/^https?:\/\//, (p) => `${p}user:pw@`)),
  );

  test('a file URL that is not relative or http(s)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...urls), hostileUrl, ({ path }, bad) => {
        const m = mutated(path, (parent, key) => {
          parent[key] = bad;
        });
        const error = rejection(m);
        expect(error.field).toBe(format(path));
        expect(error.message).toContain("it must be relative to the manifest or an absolute URL starting with one of: 'https://', 'http://'");
      }),
      RUNS,
    );
  });

  test('relative and http(s) URLs are accepted (the same generator shape, valid side)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...urls),
        fc.oneof(fc.webUrl(), fc.webPath(), fc.webSegment()).filter((u) => u !== '' && !u.startsWith('//') && !/^[a-z][a-z0-9+.-]*:/i.test(u)),
        ({ path }, good) => {
          const m = mutated(path, (parent, key) => {
            parent[key] = good;
          });
          expect(() => parseManifest(m)).not.toThrow();
        },
      ),
      RUNS,
    );
  });

  test('a digest that is not an integrity string', () => {
    const digests = PATHS.filter(({ path }) => path.at(-1) === 'sha256');
    const bad = fc.oneof(
      fc.string(),
      fc
        .base64String()
        .map((b) => `sha256-${b}`)
        .filter((s) => !/^sha256-[A-Za-z0-9+/]{43}=$/.test(s)),
      fc.constantFrom(`sha384-${'A'.repeat(64)}`, `sha256-${'A'.repeat(43)}`, `SHA256-${'A'.repeat(43)}=`, `sha256-${'-'.repeat(43)}=`),
    );
    fc.assert(
      fc.property(fc.constantFrom(...digests), bad, ({ path }, digest) => {
        const m = mutated(path, (parent, key) => {
          parent[key] = digest;
        });
        const error = rejection(m);
        expect(error.field).toBe(format(path));
        expect(error.message).toContain("it must be 'sha256-' followed by a base64 SHA-256 digest");
      }),
      RUNS,
    );
  });

  test('an unknown format version', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)).filter((v) => v !== 1),
        (version) => {
          const m = validManifest();
          m['formatVersion'] = version;
          const error = rejection(m);
          expect(error.field).toBe('formatVersion');
          expect(error.message).toMatch(/it must be one of: 1|reads format versions 1 only/);
        },
      ),
      RUNS,
    );
  });

  test('any JSON value at all is either a valid manifest or a ManifestError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        rejection(json);
      }),
      RUNS,
    );
  });
});
