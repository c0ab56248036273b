// The embed's side of the message protocol (protocol.ts): messages from the
// window that frames it, at an allowed origin, drive the session; every
// answer goes to the origin that asked, never '*'. Anything else (another
// window, another origin, a malformed message) is dropped and logged; a
// handler never throws. Strict mode can only be raised (PolicyLock).
import type { GenerateResult, ModelInfo, Progress } from '../../workers/contracts/generator';
import type { EmbedSettings } from '../deployment/config';
import type { PolicyLock } from '../deployment/policy-mode';
import { acceptsMessageFrom } from './frame-check';
import { EMBED_PROTOCOL_VERSION, type EmbedMessage, type EmbedModel, parseParentMessage } from './protocol';
import type { EmbedSession } from './session';

export type BridgeWindow = Pick<Window, 'addEventListener' | 'removeEventListener'> & {
  parent: { postMessage(message: unknown, options: WindowPostMessageOptions): void };
};

export type Bridge = {
  /** Tells the parent the model is ready (lantern:ready), at every origin it may have, as no one has asked yet. */
  announceReady(model: ModelInfo, modelStored: boolean): void;
  /** Tells the parent the model could not load (lantern:error with id null). */
  announceLoadError(error: { name: string; message: string }): void;
  dispose(): void;
};

export function connectBridge(
  win: BridgeWindow,
  session: EmbedSession,
  options: { ownOrigin: string; settings: EmbedSettings; lock: PolicyLock; log?: (message: string) => void },
): Bridge {
  const { ownOrigin, settings, lock } = options;
  const log = options.log ?? ((message: string) => console.warn(`Lantern embed: ${message}`));
  const post = (message: EmbedMessage, origin: string, transfer: Transferable[] = []): void => {
    win.parent.postMessage(message, { targetOrigin: origin, transfer });
  };
  const onMessage = (event: MessageEvent): void => {
    try {
      handle(event);
    } catch (error) {
      log(`a message could not be handled (${String(error)}); dropped.`);
    }
  };
  const handle = (event: MessageEvent): void => {
    if (event.source !== win.parent) {
      log(`a message from ${event.origin} that did not come from the page framing this one was dropped.`);
      return;
    }
    if (!acceptsMessageFrom(event.origin, ownOrigin, settings.allowedOrigins)) {
      log(`a message from ${event.origin}, which lantern.config.json's embed.allowedOrigins does not list, was dropped.`);
      return;
    }
    const parsed = parseParentMessage(event.data);
    if ('problem' in parsed) {
      log(`a message from ${event.origin} was dropped: ${parsed.problem}.`);
      return;
    }
    const message = parsed.message;
    const origin = event.origin;
    switch (message.type) {
      case 'lantern:configure':
        if (message.policy === 'strict') lock.request('strict', 'embedding page');
        session.configure(message);
        return;
      case 'lantern:cancel':
        if (!session.cancel(message.id)) log(`lantern:cancel for ${JSON.stringify(message.id)}, which is not running; ignored.`);
        return;
      case 'lantern:generate': {
        const { id, type: _type, protocol: _protocol, ...input } = message;
        session
          .generate(id, input, {
            progress: (progress: Progress) =>
              post({ type: 'lantern:progress', protocol: EMBED_PROTOCOL_VERSION, id, phase: progress.phase, fraction: progress.fraction }, origin),
            clip: (result: GenerateResult) => {
              const mp4 = result.mp4.slice().buffer as ArrayBuffer;
              post(
                {
                  type: 'lantern:clip',
                  protocol: EMBED_PROTOCOL_VERSION,
                  id,
                  seed: result.seed,
                  mp4,
                  mimeType: result.mimeType,
                  fileName: result.fileName,
                  width: result.width,
                  height: result.height,
                  fps: result.fps,
                  frames: result.frames.length,
                },
                origin,
                [mp4],
              );
            },
            error: (error) => post({ type: 'lantern:error', protocol: EMBED_PROTOCOL_VERSION, id, name: error.name, message: error.message }, origin),
          })
          .catch(() => undefined); // told through the listener
        return;
      }
    }
  };
  win.addEventListener('message', onMessage);

  const everyOrigin = (): string[] => [ownOrigin, ...settings.allowedOrigins];
  return {
    announceReady(model, modelStored) {
      const message: EmbedMessage = {
        type: 'lantern:ready',
        protocol: EMBED_PROTOCOL_VERSION,
        model: embedModel(model),
        policy: lock.mode,
        maxSteps: session.maxSteps(),
        download: session.state.download,
        starterPrompts: [...settings.starterPrompts],
        modelStored,
      };
      // targetOrigin makes the browser drop it unless the parent is at that origin: only the framing page receives it.
      for (const origin of everyOrigin()) post(message, origin);
    },
    announceLoadError(error) {
      for (const origin of everyOrigin())
        post({ type: 'lantern:error', protocol: EMBED_PROTOCOL_VERSION, id: null, name: error.name, message: error.message }, origin);
    },
    dispose: () => win.removeEventListener('message', onMessage),
  };
}

function embedModel(model: ModelInfo): EmbedModel {
  const { id, name, version, width, height, frames, fps } = model;
  return { id, name, version, width, height, frames, fps };
}
