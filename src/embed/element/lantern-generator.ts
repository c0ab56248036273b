// <lantern-generator>: Lantern's generator (embed.html) in an iframe, with a
// script interface for the page around it. Built as embed.js (embed.config.ts),
// one small self-contained module: importing it defines the element.
//
//   <script type="module" src="https://lantern.example/embed.js"></script>
//   <lantern-generator prompt="a red ball bounces on a plain blue background"></lantern-generator>
//
// The element only carries messages (protocol.ts, version 1): it accepts one
// only from its own frame's window at the frame's origin, and posts to that
// origin, never '*'. The embed does the work, and enforces the deployer's
// limits, whatever the page asks.
import {
  EMBED_PROTOCOL_VERSION,
  type EmbedMessage,
  type EmbedModel,
  type EmbedPhase,
  type GenerateMessage,
  isEmbedMessage,
  type ParentMessage,
  parseParentMessage,
} from '../protocol';
import {
  embedError,
  type LanternClipDetail,
  type LanternErrorDetail,
  type LanternEventMap,
  type LanternGenerateOptions,
  LanternGeneratorError,
  type LanternProgressDetail,
  type LanternReadyDetail,
} from './events';
import { applyStyles } from './styles';

export type * from './events';
export { LanternGeneratorError } from './events';

export const LANTERN_GENERATOR_TAG = 'lantern-generator';

const PHASE_WORDS: Record<EmbedPhase, string> = {
  load: 'Loading the model',
  encodeText: 'Reading the prompt',
  encodeFrames: 'Reading the frames',
  denoise: 'Generating',
  decode: 'Decoding',
  encode: 'Making the video',
};

type Run = {
  message: GenerateMessage;
  /** Posted to the embed (else still waiting for it to be ready). */
  sent: boolean;
  resolve: (clip: LanternClipDetail) => void;
  reject: (error: Error) => void;
};

let counter = 0;
/** A request id: a UUID where the page is a secure context, else a counter and some randomness (1 to 64 characters either way). */
function newId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  counter += 1;
  return `lantern-${counter}-${Math.random().toString(36).slice(2, 12)}`;
}

export class LanternGeneratorElement extends HTMLElement {
  static readonly observedAttributes = ['src', 'backend', 'prompt', 'autoplay', 'controls'];

  readonly #frame: HTMLIFrameElement;
  readonly #status: HTMLElement;
  /** The embed's origin, where messages go and whence they are accepted; null until the frame has a src. */
  #origin: string | null = null;
  #state: 'waiting' | 'ready' | 'failed' = 'waiting';
  #ready!: Promise<LanternReadyDetail>;
  #settleReady: { resolve: (detail: LanternReadyDetail) => void; reject: (error: Error) => void } | null = null;
  #model: EmbedModel | null = null;
  readonly #runs = new Map<string, Run>();
  /** Whether a configure message carried a prompt (so removing the attribute clears the embed's prompt box). */
  #promptSent = false;
  #configurePending = false;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    applyStyles(root);
    this.#frame = document.createElement('iframe');
    this.#frame.setAttribute('part', 'frame');
    this.#frame.title = 'Lantern text-to-video generator';
    this.#frame.allow = 'fullscreen';
    this.#status = document.createElement('div');
    this.#status.setAttribute('part', 'status');
    this.#status.setAttribute('role', 'status');
    root.append(this.#frame, this.#status);
    this.#waitForReady();
  }

  /** Settles when the embed has loaded its model (lantern:ready), or rejects with the embed's error when it could not. */
  get ready(): Promise<LanternReadyDetail> {
    return this.#ready;
  }

  /** The model the embed runs, once ready; null before. */
  get model(): EmbedModel | null {
    return this.#model;
  }

  connectedCallback(): void {
    window.addEventListener('message', this.#onMessage);
    this.#load();
  }

  disconnectedCallback(): void {
    window.removeEventListener('message', this.#onMessage);
    this.#frameGone('The generator was removed from the page before it answered.');
  }

  attributeChangedCallback(name: string, previous: string | null, value: string | null): void {
    if (previous === value || !this.isConnected) return;
    if (name === 'src' || name === 'backend') {
      this.#frameGone(`The generator was pointed at another ${name} before it answered.`);
      this.#load();
    } else if (this.#state === 'ready') {
      this.#configureSoon();
    }
  }

  /**
   * Makes a clip: sends lantern:generate (after lantern:ready, if it has not come yet) and resolves with
   * the clip. Options left out come from the prompt, seed and steps attributes. Rejects with the embed's
   * error (its name and message), or a LanternGeneratorError.
   */
  generate(options: LanternGenerateOptions = {}): Promise<LanternClipDetail> {
    return new Promise((resolve, reject) => {
      const id = newId();
      const seed = options.seed ?? this.#integerAttribute('seed');
      const steps = options.steps ?? this.#integerAttribute('steps');
      const request = { type: 'lantern:generate', id, prompt: options.prompt ?? this.getAttribute('prompt') ?? '', seed, steps, guidance: options.guidance };
      // The embed drops a message it cannot parse without answering, so one it would drop is refused here, by the same parser.
      const parsed = parseParentMessage(request);
      if ('problem' in parsed) return reject(new LanternGeneratorError('LanternRequestError', `<lantern-generator>: ${parsed.problem}.`));
      const message = { ...(parsed.message as GenerateMessage), protocol: EMBED_PROTOCOL_VERSION } as const;
      this.#runs.set(id, { message, sent: false, resolve, reject });
      this.#send(id);
    });
  }

  /** Cancels the running generation (lantern:cancel); its generate() rejects with GenerationCanceledError. Does nothing when none runs. */
  cancel(): void {
    for (const [id, run] of this.#runs) {
      if (run.sent) {
        this.#post({ type: 'lantern:cancel', id, protocol: EMBED_PROTOCOL_VERSION });
      } else {
        this.#runs.delete(id);
        run.reject(new LanternGeneratorError('GenerationCanceledError', 'The generation was canceled before the generator was ready.'));
      }
    }
  }

  /** Points the frame at <src or this script's folder>/embed.html, with ?backend= when the backend attribute is set. */
  #load(): void {
    let url: URL;
    try {
      url = new URL('embed.html', new URL(this.getAttribute('src') ?? new URL('.', import.meta.url), document.baseURI));
    } catch {
      const message = `<lantern-generator>: src=${JSON.stringify(this.getAttribute('src'))} is not a URL. Set it to the Lantern site's address, such as https://lantern.example/.`;
      this.#origin = null;
      this.#fail({ id: null, name: 'LanternRequestError', message });
      return;
    }
    const backend = this.getAttribute('backend');
    if (backend !== null) url.searchParams.set('backend', backend);
    this.#origin = url.origin;
    this.#showStatus('Loading the generator…');
    if (this.#frame.src !== url.href) this.#frame.src = url.href;
  }

  readonly #onMessage = (event: MessageEvent): void => {
    if (this.#origin === null || event.source !== this.#frame.contentWindow || event.origin !== this.#origin || !isEmbedMessage(event.data)) return;
    this.#receive(event.data);
  };

  #receive(message: EmbedMessage): void {
    switch (message.type) {
      case 'lantern:ready': {
        const { type: _type, protocol: _protocol, ...detail } = message;
        this.#model = detail.model;
        // A second ready means the embed started over: whatever it was running is lost.
        this.#frameGone('The generator reloaded before it answered.', true);
        this.#showStatus(`Ready: ${detail.model.name}`);
        this.#emit('lantern-ready', detail);
        this.#promptSent = false;
        this.#configure();
        this.#state = 'ready';
        if (this.#settleReady === null) this.#ready = Promise.resolve(detail);
        this.#settleReady?.resolve(detail);
        this.#settleReady = null;
        for (const id of this.#runs.keys()) this.#send(id);
        return;
      }
      case 'lantern:progress': {
        const { id, phase, fraction } = message;
        if (this.#runs.has(id)) this.#showStatus(`${PHASE_WORDS[phase] ?? phase} ${Math.round(fraction * 100)}%`);
        this.#emit('lantern-progress', { id, phase, fraction });
        return;
      }
      case 'lantern:clip': {
        const { type: _type, protocol: _protocol, ...clip } = message;
        const detail: LanternClipDetail = { ...clip, blob: new Blob([clip.mp4], { type: clip.mimeType }) };
        this.#showStatus(`Clip ready (seed ${clip.seed})`);
        this.#emit('lantern-clip', detail);
        this.#runs.get(clip.id)?.resolve(detail);
        this.#runs.delete(clip.id);
        return;
      }
      case 'lantern:error': {
        const { id, name } = message;
        const detail: LanternErrorDetail = { id, name, message: message.message };
        if (id === null) {
          this.#fail(detail);
          return;
        }
        this.#showStatus(message.message);
        this.#emit('lantern-error', detail);
        this.#runs.get(id)?.reject(embedError(detail));
        this.#runs.delete(id);
        return;
      }
    }
  }

  /** An error of no run (the model did not load, a bad src): the ready promise and every run not yet sent reject with it. */
  #fail(detail: LanternErrorDetail): void {
    this.#showStatus(detail.message);
    this.#emit('lantern-error', detail);
    this.#state = 'failed';
    const error = embedError(detail);
    if (this.#settleReady === null) {
      this.#ready = Promise.reject(error);
      this.#ready.catch(() => undefined);
    }
    this.#settleReady?.reject(error);
    this.#settleReady = null;
    for (const [id, run] of this.#runs) {
      if (run.sent) continue;
      this.#runs.delete(id);
      run.reject(error);
    }
  }

  /** A fresh ready promise, unless one is still waiting (runs queued on it keep waiting for the new frame). */
  #waitForReady(): void {
    this.#state = 'waiting';
    if (this.#settleReady !== null) return;
    this.#ready = new Promise((resolve, reject) => {
      this.#settleReady = { resolve, reject };
    });
    // Marked handled: a page that never reads `ready` should not see an unhandled rejection when the model fails to load.
    this.#ready.catch(() => undefined);
  }

  /** The frame went away or started over: runs it had been sent are lost and reject; queued ones wait for its next ready. */
  #frameGone(message: string, keepReady = false): void {
    for (const [id, run] of this.#runs) {
      if (!run.sent) continue;
      this.#runs.delete(id);
      run.reject(new LanternGeneratorError('LanternFrameGoneError', message));
    }
    if (!keepReady) this.#waitForReady();
  }

  #send(id: string): void {
    const run = this.#runs.get(id);
    if (run === undefined || run.sent || this.#state === 'waiting') return;
    if (this.#state === 'failed') {
      // The frame could not load (or its model): the run fails as `ready` did.
      this.#runs.delete(id);
      this.#ready.catch(run.reject);
      return;
    }
    run.sent = true;
    this.#showStatus('Starting…');
    this.#post(run.message);
  }

  #configureSoon(): void {
    if (this.#configurePending) return;
    this.#configurePending = true;
    queueMicrotask(() => {
      this.#configurePending = false;
      if (this.#state === 'ready') this.#configure();
    });
  }

  /** Sends the prompt, autoplay and controls attributes (lantern:configure). */
  #configure(): void {
    const prompt = this.getAttribute('prompt');
    const request: Record<string, unknown> = {
      type: 'lantern:configure',
      autoplay: this.hasAttribute('autoplay'),
      controls: this.getAttribute('controls') !== 'false',
    };
    if (prompt !== null || this.#promptSent) request['prompt'] = prompt ?? '';
    const parsed = parseParentMessage(request);
    if ('problem' in parsed) {
      this.#emit('lantern-error', { id: null, name: 'LanternRequestError', message: `<lantern-generator>: ${parsed.problem}.` });
      return;
    }
    this.#promptSent = prompt !== null;
    this.#post({ ...parsed.message, protocol: EMBED_PROTOCOL_VERSION });
  }

  #post(message: ParentMessage): void {
    const target = this.#frame.contentWindow;
    if (target !== null && this.#origin !== null) target.postMessage(message, this.#origin);
  }

  /** An integer attribute, or undefined when absent; a value that is not an integer goes through as NaN for the parser to name. */
  #integerAttribute(name: string): number | undefined {
    const value = this.getAttribute(name);
    return value === null || value.trim() === '' ? undefined : Number(value);
  }

  #showStatus(text: string): void {
    this.#status.textContent = text;
  }

  #emit<K extends keyof LanternEventMap>(type: K, detail: LanternEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

if (customElements.get(LANTERN_GENERATOR_TAG) === undefined) customElements.define(LANTERN_GENERATOR_TAG, LanternGeneratorElement);

declare global {
  interface HTMLElementTagNameMap {
    'lantern-generator': LanternGeneratorElement;
  }
  interface HTMLElementEventMap {
    'lantern-ready': CustomEvent<LanternReadyDetail>;
    'lantern-progress': CustomEvent<LanternProgressDetail>;
    'lantern-clip': CustomEvent<LanternClipDetail>;
    'lantern-error': CustomEvent<LanternErrorDetail>;
  }
}
