// The embed's message protocol (src/embed/protocol.ts) and its handler
// (src/embed/bridge.ts) over an EngineClient stand-in: valid messages from
// the framing page at an allowed origin start work and are answered to that
// origin only; anything else is dropped and logged, never thrown. Fuzzed
// with fast-check. Also lantern.config.json's "embed" section and the
// framing check.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DeploymentConfigError, type EmbedSettings, parseDeploymentConfig } from '../src/deployment/config';
import { PolicyLock } from '../src/deployment/policy-mode';
import { connectBridge } from '../src/embed/bridge';
import { framingOrigin, framingProblem } from '../src/embed/frame-check';
import { EMBED_PROTOCOL_VERSION, parseParentMessage } from '../src/embed/protocol';
import { createEmbedSession } from '../src/embed/session';
import type { EngineClient } from '../src/engine-client';
import type { GenerateRequest, GenerateResult } from '../workers/contracts/generator';

const OWN = 'https://lantern.example';
const SCHOOL = 'https://school.example';
const STRANGER = 'https://elsewhere.example';
const SETTINGS: EmbedSettings = { allowedOrigins: [SCHOOL], download: true, maxSteps: 20, starterPrompts: [] };

function result(request: GenerateRequest): GenerateResult {
  return {
    mp4: new Uint8Array([0, 0, 0, 8, 0x66, 0x74, 0x79, 0x70]),
    mimeType: 'video/mp4',
    fileName: 'clip.mp4',
    frames: [new Uint8ClampedArray(4)],
    givenFrames: 0,
    width: 1,
    height: 1,
    fps: 8,
    seed: request.seed,
    backend: 'wasm',
    codec: 'avc',
    timings: { encodeText: 0, encodeFrames: 0, denoise: 0, decode: 0, encode: 0 },
    contentCredentials: { written: true },
  };
}

/** The embed's window (an EventTarget), its parent recording what it is sent, and an engine that answers at once. */
function embed(options: { hang?: boolean } = {}) {
  const sent: { message: Record<string, unknown>; targetOrigin: string }[] = [];
  const parent = {
    postMessage: (message: unknown, o: WindowPostMessageOptions) =>
      void sent.push({ message: message as Record<string, unknown>, targetOrigin: o.targetOrigin ?? '' }),
  };
  const target = new EventTarget();
  const win = Object.assign(target, { parent });
  const requests: GenerateRequest[] = [];
  let canceled = 0;
  const client = {
    generate: (request: GenerateRequest, callbacks?: { onProgress?: (p: { phase: 'denoise'; step: number; steps: number; fraction: number }) => void }) => {
      requests.push(request);
      callbacks?.onProgress?.({ phase: 'denoise', step: 1, steps: 2, fraction: 0.5 });
      return options.hang ? new Promise<GenerateResult>(() => undefined) : Promise.resolve(result(request));
    },
    cancel: async () => void canceled++,
  } as unknown as EngineClient;
  const session = createEmbedSession(client, SETTINGS);
  const lock = new PolicyLock({ policy: 'standard', strictModels: ['lantern-tiny'], embed: SETTINGS });
  const logs: string[] = [];
  connectBridge(win, session, { ownOrigin: OWN, settings: SETTINGS, lock, log: (m) => void logs.push(m) });
  // Node's MessageEvent takes only a MessagePort as its source: an Event with the same fields stands in.
  const post = (data: unknown, origin: string, source: unknown = parent) => target.dispatchEvent(Object.assign(new Event('message'), { data, origin, source }));
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { sent, post, settle, requests, logs, lock, session, canceled: () => canceled };
}

describe('parseParentMessage', () => {
  test('takes the three message types with their fields', () => {
    expect(parseParentMessage({ type: 'lantern:generate', id: 'a', prompt: 'a red ball', seed: 7, steps: 4, guidance: 5, protocol: 1 })).toEqual({
      message: { type: 'lantern:generate', id: 'a', prompt: 'a red ball', seed: 7, steps: 4, guidance: 5 },
    });
    expect(parseParentMessage({ type: 'lantern:cancel', id: 'a' })).toEqual({ message: { type: 'lantern:cancel', id: 'a' } });
    expect(parseParentMessage({ type: 'lantern:configure', policy: 'strict', download: false, prompt: 'x' })).toEqual({
      message: { type: 'lantern:configure', policy: 'strict', download: false, prompt: 'x' },
    });
  });

  test.each([
    [null, 'not an object'],
    [{ type: 'lantern:launch' }, 'unknown type'],
    [{ type: 'lantern:generate', id: 'a', prompt: 'x', extra: 1 }, 'unknown field "extra"'],
    [{ type: 'lantern:generate', id: '', prompt: 'x' }, 'id must be'],
    [{ type: 'lantern:generate', id: 'a', prompt: '   ' }, 'prompt must be'],
    [{ type: 'lantern:generate', id: 'a', prompt: 'x', seed: -1 }, 'seed must be'],
    [{ type: 'lantern:generate', id: 'a', prompt: 'x', steps: 2.5 }, 'steps must be'],
    [{ type: 'lantern:generate', id: 'a', prompt: 'x', guidance: Number.NaN }, 'guidance must be'],
    [{ type: 'lantern:generate', id: 'a', prompt: 'x', protocol: 2 }, 'protocol 2 is not supported'],
    [{ type: 'lantern:configure', policy: 'standard' }, 'cannot lift strict mode'],
  ])('%j is dropped: %s', (data, words) => {
    const parsed = parseParentMessage(data);
    expect(parsed).toHaveProperty('problem');
    expect((parsed as { problem: string }).problem).toContain(words);
  });

  test('never throws, whatever it is given (fast-check)', () => {
    fc.assert(fc.property(fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true }), (data) => void parseParentMessage(data)));
  });
});

describe('the bridge', () => {
  test('a generate from the framing page at an allowed origin runs, and progress and the clip go to that origin only', async () => {
    const e = embed();
    e.post({ type: 'lantern:generate', id: 'r1', prompt: 'a red ball bounces', seed: 3, steps: 4 }, SCHOOL);
    await e.settle();
    expect(e.requests).toMatchObject([{ prompt: 'a red ball bounces', seed: 3, steps: 4 }]);
    expect(e.sent.map((s) => [s.message['type'], s.targetOrigin])).toEqual([
      ['lantern:progress', SCHOOL],
      ['lantern:clip', SCHOOL],
    ]);
    const clip = e.sent[1]!.message;
    expect(clip).toMatchObject({ protocol: EMBED_PROTOCOL_VERSION, id: 'r1', seed: 3, mimeType: 'video/mp4', frames: 1 });
    expect(clip['mp4']).toBeInstanceOf(ArrayBuffer);
  });

  test('messages from another origin or another window start nothing and are logged', async () => {
    const e = embed();
    e.post({ type: 'lantern:generate', id: 'x', prompt: 'a ball' }, STRANGER);
    e.post({ type: 'lantern:generate', id: 'y', prompt: 'a ball' }, SCHOOL, { postMessage() {} });
    await e.settle();
    expect(e.requests).toEqual([]);
    expect(e.sent).toEqual([]);
    expect(e.logs).toHaveLength(2);
    expect(e.logs[0]).toContain('embed.allowedOrigins does not list');
    expect(e.logs[1]).toContain('did not come from the page framing this one');
  });

  test('a second generate while one runs is refused (EmbedBusyError); more steps than allowed is EmbedStepLimitError; cancel of the running id cancels', async () => {
    const e = embed({ hang: true });
    e.post({ type: 'lantern:generate', id: 'first', prompt: 'a ball' }, SCHOOL);
    e.post({ type: 'lantern:generate', id: 'second', prompt: 'a ball' }, SCHOOL);
    e.post({ type: 'lantern:cancel', id: 'nope' }, SCHOOL);
    e.post({ type: 'lantern:cancel', id: 'first' }, SCHOOL);
    await e.settle();
    expect(e.requests).toHaveLength(1);
    expect(e.sent.find((s) => s.message['id'] === 'second')?.message).toMatchObject({ type: 'lantern:error', name: 'EmbedBusyError' });
    expect(e.logs.some((l) => l.includes('"nope", which is not running'))).toBe(true);
    expect(e.canceled()).toBe(1);

    const f = embed();
    f.post({ type: 'lantern:generate', id: 'big', prompt: 'a ball', steps: 21 }, SCHOOL);
    await f.settle();
    expect(f.requests).toEqual([]);
    expect(f.sent[0]?.message).toMatchObject({ type: 'lantern:error', id: 'big', name: 'EmbedStepLimitError' });
  });

  test('configure raises strict mode and hides the download; it cannot offer one the deployer turned off', async () => {
    const e = embed();
    e.post({ type: 'lantern:configure', policy: 'strict', download: false, autoplay: false }, SCHOOL);
    expect(e.lock.mode).toBe('strict');
    expect(e.session.state.download).toBe(false);
    expect(e.session.state.autoplay).toBe(false);
  });

  test('fuzzed messages never throw, never lower strict mode, and start work only for valid generates from the framing page at an allowed origin (fast-check)', async () => {
    const valid = fc.record({
      type: fc.constant('lantern:generate'),
      id: fc.string({ minLength: 1, maxLength: 8 }),
      prompt: fc.constantFrom('a red ball bounces', 'a star'),
      steps: fc.option(fc.integer({ min: -2, max: 30 }), { nil: undefined }),
    });
    const data = fc.oneof(
      valid,
      fc.anything(),
      fc.record(
        {
          type: fc.constantFrom('lantern:generate', 'lantern:cancel', 'lantern:configure', 'lantern:policy'),
          id: fc.anything(),
          prompt: fc.anything(),
          policy: fc.anything(),
        },
        { requiredKeys: ['type'] },
      ),
    );
    const message = fc.record({ data, origin: fc.constantFrom(OWN, SCHOOL, STRANGER, 'null'), fromParent: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(message, { maxLength: 12 }), async (messages) => {
        const e = embed();
        let expected = 0;
        let wasStrict = false;
        for (const m of messages) {
          expect(() => e.post(m.data, m.origin, m.fromParent ? undefined : { postMessage() {} })).not.toThrow();
          await e.settle();
          const parsed = parseParentMessage(m.data);
          const allowed = m.fromParent && (m.origin === OWN || m.origin === SCHOOL);
          if (allowed && 'message' in parsed && parsed.message.type === 'lantern:generate' && (parsed.message.steps ?? 0) <= SETTINGS.maxSteps!) expected++;
          if (wasStrict) expect(e.lock.mode).toBe('strict');
          wasStrict ||= e.lock.mode === 'strict';
        }
        expect(e.requests).toHaveLength(expected);
        for (const s of e.sent) expect([OWN, SCHOOL]).toContain(s.targetOrigin);
      }),
      { numRuns: 200 },
    );
  });
});

describe('lantern.config.json "embed"', () => {
  test('takes the teacher settings, with defaults for what is left out', () => {
    expect(parseDeploymentConfig({ policy: 'strict' }).embed).toEqual({ allowedOrigins: [], download: true, maxSteps: null, starterPrompts: [] });
    const embedConfig = { allowedOrigins: [SCHOOL, 'http://127.0.0.1:5173'], download: false, maxSteps: 12, starterPrompts: ['a red ball bounces'] };
    expect(parseDeploymentConfig({ policy: 'standard', embed: embedConfig }).embed).toEqual(embedConfig);
  });

  test.each([
    [{ allowedOrigins: ['https://school.example/'] }, 'no path, no trailing slash'],
    [{ allowedOrigins: ['school.example'] }, 'not a URL'],
    [{ allowedOrigins: ['ftp://school.example'] }, 'only http and https'],
    [{ maxSteps: 0 }, '"embed.maxSteps" must be'],
    [{ starterPrompts: [''] }, '"embed.starterPrompts" must be'],
    [{ allowed: [] }, "unknown field 'embed.allowed'"],
  ])('%j is a named error: %s', (embedConfig, words) => {
    expect(() => parseDeploymentConfig({ policy: 'standard', embed: embedConfig })).toThrow(DeploymentConfigError);
    expect(() => parseDeploymentConfig({ policy: 'standard', embed: embedConfig })).toThrow(words);
  });
});

describe('the framing check', () => {
  test('not framed, framed by its own origin or an allowed one runs; any other origin gets a notice naming it', () => {
    expect(framingProblem(null, OWN, [SCHOOL])).toBeNull();
    expect(framingProblem(OWN, OWN, [])).toBeNull();
    expect(framingProblem(SCHOOL, OWN, [SCHOOL])).toBeNull();
    expect(framingProblem(STRANGER, OWN, [SCHOOL])).toContain(`embedded by ${STRANGER}, which this Lantern deployment does not allow`);
  });

  test('the framing origin comes from ancestorOrigins, else the referrer', () => {
    const self = {};
    const framed = (ancestors: string[] | undefined, referrer: string) =>
      framingOrigin({
        self,
        top: {},
        location: { ancestorOrigins: ancestors } as unknown as Location,
        document: { referrer } as Document,
      } as unknown as Window);
    expect(framed([SCHOOL], '')).toBe(SCHOOL);
    expect(framed(undefined, `${SCHOOL}/lesson/3`)).toBe(SCHOOL);
    expect(framed(undefined, '')).toBe('null');
    expect(framingOrigin({ self, top: self } as unknown as Window)).toBeNull();
  });
});
