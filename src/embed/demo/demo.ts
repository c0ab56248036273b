// The embed docs page (embed-demo.html). Each example's markup lives once,
// in a <template>: the page shows it as code (with this site's origin in
// place of https://lantern.example) and, on Start, puts the same markup on
// the page. Scripts in a template do not run when inserted; the element
// comes from this page's bundle instead of embed.js, and the example
// scripts shown on the page run here as the functions below.
import '../element/lantern-generator';
import type { LanternGeneratorElement } from '../element/lantern-generator';
import { EMBED_PROTOCOL_VERSION, type ParentMessage } from '../protocol';

const PLACEHOLDER = 'https://lantern.example';
const origin = location.origin;

function required<T extends Element>(selector: string, root: ParentNode = document): T {
  const found = root.querySelector<T>(selector);
  if (found === null) throw new Error(`embed-demo.html has no ${selector}`);
  return found;
}

/** The example's markup, as shown and as run: its template, with this site's origin. */
function markup(example: string): string {
  return required<HTMLTemplateElement>(`#${example}-template`).innerHTML.trim().replaceAll(PLACEHOLDER, origin);
}

/** JSON for the logs; an ArrayBuffer or Blob as its size, not its bytes. */
function bytes(_key: string, value: unknown): unknown {
  if (value instanceof ArrayBuffer) return `ArrayBuffer(${value.byteLength} bytes)`;
  return value instanceof Blob ? `Blob(${value.size} bytes)` : value;
}

function logTo(list: HTMLElement): (text: string) => void {
  return (text) => {
    const item = document.createElement('li');
    item.textContent = text;
    list.append(item);
    item.scrollIntoView({ block: 'nearest' });
  };
}

/** Example 2, as its script on the page: events logged, Make a clip calls generate(). */
function wireElement(stage: HTMLElement): void {
  const generator = required<LanternGeneratorElement>('lantern-generator', stage);
  const show = logTo(required('#lantern-log', stage));
  for (const type of ['lantern-ready', 'lantern-progress', 'lantern-clip', 'lantern-error'] as const) {
    generator.addEventListener(type, (event) => show(`${type} ${JSON.stringify(event.detail, bytes)}`));
  }
  required('#make-clip', stage).addEventListener('click', async () => {
    try {
      const clip = await generator.generate();
      show(`made ${clip.fileName}: ${clip.blob.size} bytes, seed ${clip.seed}`);
    } catch (error) {
      const { name, message } = error as Error;
      show(`${name}: ${message}`);
    }
  });
  required('#cancel-clip', stage).addEventListener('click', () => generator.cancel());
}

/** Example 3: the raw protocol; every message sent and received is logged. Listens before the frame loads (ready comes once). */
function wireProtocol(stage: HTMLElement, html: string): void {
  const show = logTo(required('#protocol-log'));
  const buttons = ['#send-generate', '#send-cancel', '#send-configure'].map((selector) => required<HTMLButtonElement>(selector));
  let frame: HTMLIFrameElement | null = null;
  let runs = 0;
  window.addEventListener('message', (event) => {
    if (frame === null || event.source !== frame.contentWindow || event.origin !== new URL(frame.src).origin) return;
    show(`received ${JSON.stringify(event.data, bytes)}`);
    if ((event.data as { type?: unknown }).type === 'lantern:ready') for (const button of buttons) button.disabled = false;
  });
  stage.innerHTML = html;
  frame = required<HTMLIFrameElement>('#lantern-frame', stage);
  const send = (message: ParentMessage): void => {
    if (frame?.contentWindow == null) return;
    frame.contentWindow.postMessage({ protocol: EMBED_PROTOCOL_VERSION, ...message }, new URL(frame.src).origin);
    show(`sent ${JSON.stringify(message)}`);
  };
  const [generate, cancel, configure] = buttons;
  generate?.addEventListener('click', () => send({ type: 'lantern:generate', id: `clip-${++runs}`, prompt: 'a paper boat floats on a calm pond', steps: 8 }));
  cancel?.addEventListener('click', () => send({ type: 'lantern:cancel', id: `clip-${runs}` }));
  configure?.addEventListener('click', () => send({ type: 'lantern:configure', prompt: 'a kite over a green hill', autoplay: true, controls: true }));
}

/** Puts an example's markup on the page, without its <script> elements (they would not run; this page's bundle stands in). */
function start(example: string): void {
  const stage = required<HTMLElement>(`#${example}`);
  const html = markup(example);
  const template = document.createElement('template');
  template.innerHTML = html;
  for (const script of template.content.querySelectorAll('script')) script.remove();
  if (example === 'protocol-example') {
    wireProtocol(stage, template.innerHTML.trim());
    return;
  }
  stage.replaceChildren(template.content);
  if (example === 'element-example') wireElement(stage);
}

for (const code of document.querySelectorAll<HTMLElement>('[data-code-of]')) code.textContent = markup(code.dataset['codeOf'] ?? '');
for (const code of document.querySelectorAll<HTMLElement>('code.origin')) code.textContent = origin;
for (const button of document.querySelectorAll<HTMLButtonElement>('[data-start]')) {
  button.addEventListener(
    'click',
    () => {
      button.disabled = true;
      start(button.dataset['start'] ?? '');
    },
    { once: true },
  );
}
