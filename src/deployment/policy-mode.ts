// Which policy the page runs under, and the one way it may change: up.
//
// Strict (classroom) mode comes from the deployer's lantern.config.json, or
// from the page that embeds Lantern: `?policy=strict` in the frame's address,
// or a `{ type: 'lantern:policy', policy: 'strict' }` message from the parent
// window. Once strict, nothing inside the page turns it off: no address
// parameter, no message, no setting, and the tab remembers it across reloads
// (sessionStorage). A request for a lower mode is ignored, logged, and shown.
// What this can and cannot guarantee on a client is in README.md, "Misuse
// policy".
import type { PolicyMode } from '../policy/categories';
import type { DeploymentConfig } from './config';

export const POLICY_MESSAGE_TYPE = 'lantern:policy';
const TAB_KEY = 'lantern.policy';

export type PolicySource = 'deployment' | 'address' | 'embedding page' | 'earlier in this tab';

export type PolicyState = { mode: PolicyMode; source: PolicySource; allowedModels: readonly string[] };

export class PolicyLock {
  #state: PolicyState;
  readonly #listeners = new Set<(state: PolicyState) => void>();
  readonly #onIgnored: (message: string) => void;

  constructor(config: DeploymentConfig, onIgnored: (message: string) => void = () => undefined) {
    this.#state = Object.freeze({ mode: config.policy, source: 'deployment', allowedModels: config.strictModels });
    this.#onIgnored = onIgnored;
  }

  get state(): PolicyState {
    return this.#state;
  }

  get mode(): PolicyMode {
    return this.#state.mode;
  }

  /** Asks for a mode; only 'strict' can take effect. Returns whether the mode is now what was asked. */
  request(mode: unknown, source: PolicySource): boolean {
    if (mode === 'strict') {
      if (this.#state.mode !== 'strict') {
        this.#state = Object.freeze({ ...this.#state, mode: 'strict', source });
        for (const listener of this.#listeners) listener(this.#state);
      }
      return true;
    }
    if (mode === this.#state.mode) return true;
    const message =
      `The ${source} asked for policy ${JSON.stringify(mode)}; ignored. ` +
      (this.#state.mode === 'strict'
        ? `Strict mode (set by the ${this.#state.source}) cannot be turned off from inside the page.`
        : "The only policy a page or an address can ask for is 'strict'.");
    console.warn(message);
    this.#onIgnored(message);
    return false;
  }

  subscribe(listener: (state: PolicyState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

type PageContext = { location: Location; window: Window; sessionStorage: Storage | null };

/** Applies the address and the tab's memory, and listens to the embedding page; returns the stop function for the listener. */
export function watchPolicyRequests(lock: PolicyLock, page: PageContext): () => void {
  const remember = (): void => {
    try {
      if (lock.mode === 'strict') page.sessionStorage?.setItem(TAB_KEY, 'strict');
    } catch {
      // Storage blocked (a sandboxed frame): the mode still holds for this page's life.
    }
  };
  lock.subscribe(remember);
  remember();
  let tab: string | null = null;
  try {
    tab = page.sessionStorage?.getItem(TAB_KEY) ?? null;
  } catch {
    tab = null;
  }
  if (tab === 'strict') lock.request('strict', 'earlier in this tab');
  const asked = new URLSearchParams(page.location.search).get('policy');
  if (asked !== null) lock.request(asked, 'address');
  const onMessage = (event: MessageEvent): void => {
    const data = event.data as { type?: unknown; policy?: unknown } | null;
    if (typeof data !== 'object' || data === null || data.type !== POLICY_MESSAGE_TYPE) return;
    if (event.source !== page.window.parent || page.window.parent === page.window) {
      console.warn(`A '${POLICY_MESSAGE_TYPE}' message came from a window other than the embedding page; ignored.`);
      return;
    }
    lock.request(data.policy, 'embedding page');
  };
  page.window.addEventListener('message', onMessage);
  return () => page.window.removeEventListener('message', onMessage);
}
