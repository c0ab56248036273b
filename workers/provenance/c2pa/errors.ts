// Named errors of the C2PA signer and reader. Each sets `this.name` (comlink
// carries the name, not the class) and says what went wrong and what to do.

/** The C2PA library's WebAssembly could not be fetched or compiled. */
export class C2paUnavailableError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      `The C2PA library (@contentauth/c2pa-wasm) could not be loaded: ${detail}. ` +
        "Reload the page while online once so the app's files are cached; check that the Content Security Policy allows 'wasm-unsafe-eval'.",
      options,
    );
    this.name = 'C2paUnavailableError';
  }
}

/** This install's signing identity could not be read or stored (IndexedDB missing, blocked or full). */
export class C2paIdentityError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      `Lantern's signing key for Content Credentials could not be kept: ${detail}. ` +
        'Allow this site to store data (IndexedDB; not blocked by private browsing or full storage) and try again.',
      options,
    );
    this.name = 'C2paIdentityError';
  }
}

/** Writing the C2PA manifest into the MP4 failed. */
export class C2paSigningError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`The clip could not be signed with Content Credentials (C2PA): ${detail}`, options);
    this.name = 'C2paSigningError';
  }
}

/** The bytes are not a readable file of the type given, so whether they hold a manifest is unknown. */
export class C2paReadError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`Content Credentials (C2PA) could not be read: ${detail}`, options);
    this.name = 'C2paReadError';
  }
}

export const C2PA_ERROR_NAMES = ['C2paUnavailableError', 'C2paIdentityError', 'C2paSigningError', 'C2paReadError'] as const;
