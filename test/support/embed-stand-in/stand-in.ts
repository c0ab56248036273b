// A stand-in for embed.html, for the <lantern-generator> element's protocol
// tests only (test/embed-element.browser.test.ts): it answers as the embed
// would, without a model. Ready on load; lantern:generate answers with two
// progress messages and a clip of a few bytes, or, for a prompt starting
//   'fail:'  lantern:error PolicyRefusalError
//   'hold:'  one progress message, then nothing until lantern:cancel
//            (lantern:error GenerationCanceledError).
// What it receives is kept in window.lanternStandIn.received for the test.
import { EMBED_PROTOCOL_VERSION, type EmbedMessage, parseParentMessage } from '../../../src/embed/protocol';
import { STAND_IN_MP4, STAND_IN_READY, type StandIn, type StandInWindow } from './fixture';

const held = new Set<string>();
const post = (message: EmbedMessage, transfer: Transferable[] = []): void => window.parent.postMessage(message, { targetOrigin: location.origin, transfer });
const standIn: StandIn = { received: [], send: (message) => window.parent.postMessage(message, location.origin) };
(window as unknown as StandInWindow).lanternStandIn = standIn;

window.addEventListener('message', (event) => {
  if (event.source !== window.parent || event.origin !== location.origin) return;
  standIn.received.push(event.data);
  const parsed = parseParentMessage(event.data);
  if ('problem' in parsed) return;
  const message = parsed.message;
  const progress = (id: string, fraction: number): void => post({ type: 'lantern:progress', protocol: EMBED_PROTOCOL_VERSION, id, phase: 'denoise', fraction });
  if (message.type === 'lantern:cancel' && held.delete(message.id)) {
    post({ type: 'lantern:error', protocol: EMBED_PROTOCOL_VERSION, id: message.id, name: 'GenerationCanceledError', message: 'The generation was canceled.' });
  }
  if (message.type !== 'lantern:generate') return;
  const { id, prompt } = message;
  if (prompt.startsWith('fail:')) {
    post({ type: 'lantern:error', protocol: EMBED_PROTOCOL_VERSION, id, name: 'PolicyRefusalError', message: `The stand-in refuses "${prompt}".` });
  } else if (prompt.startsWith('hold:')) {
    held.add(id);
    progress(id, 0.25);
  } else {
    progress(id, 0.5);
    progress(id, 1);
    const mp4 = new Uint8Array(STAND_IN_MP4).buffer;
    const clip = { id, seed: message.seed ?? 7, mp4, mimeType: 'video/mp4', fileName: 'stand-in.mp4', width: 64, height: 64, fps: 8, frames: 8 };
    post({ type: 'lantern:clip', protocol: EMBED_PROTOCOL_VERSION, ...clip }, [mp4]);
  }
});

post({ type: 'lantern:ready', protocol: EMBED_PROTOCOL_VERSION, ...STAND_IN_READY });
