// <lantern-generator>'s side of the embed protocol, in headless Chromium,
// against a stand-in embed (test/support/embed-stand-in/) served by the same
// test server: the element's src is the stand-in's folder, so its frame
// loads <folder>/embed.html. What it checks: ready, generate() with progress
// and a clip (and its Blob), the embed's error rejecting generate() by name,
// cancel(), attributes sent as lantern:configure, and that messages from
// another window, at another origin or of no protocol are ignored. The real
// embed, on a second origin, is the e2e project's.
import { afterEach, describe, expect, test, vi } from 'vitest';
import '../src/embed/element/lantern-generator';
import type { LanternClipDetail, LanternErrorDetail, LanternGeneratorElement, LanternProgressDetail } from '../src/embed/element/lantern-generator';
import { STAND_IN_MP4, STAND_IN_READY, type StandIn, type StandInWindow } from './support/embed-stand-in/fixture';

// From the server's root (the repository): Vite rewrites `new URL('./folder/', import.meta.url)` as an asset URL and drops the slash.
const STAND_IN_BASE = new URL('/test/support/embed-stand-in/', location.href).href;
const ORIGIN = new URL(STAND_IN_BASE).origin;

function frameOf(element: LanternGeneratorElement): HTMLIFrameElement {
  const frame = element.shadowRoot?.querySelector('iframe');
  if (!frame) throw new Error('<lantern-generator> has no iframe in its shadow root');
  return frame;
}

function standIn(element: LanternGeneratorElement): StandIn {
  return (frameOf(element).contentWindow as StandInWindow).lanternStandIn;
}

/** The messages of one type the stand-in received. */
function received(element: LanternGeneratorElement, type: string): Record<string, unknown>[] {
  return standIn(element).received.filter((m) => (m as { type?: unknown }).type === type) as Record<string, unknown>[];
}

/** Every event of these types the element fires, in order. */
function record(element: LanternGeneratorElement): { type: string; detail: unknown }[] {
  const events: { type: string; detail: unknown }[] = [];
  for (const type of ['lantern-ready', 'lantern-progress', 'lantern-clip', 'lantern-error'] as const) {
    element.addEventListener(type, (event) => events.push({ type, detail: event.detail }));
  }
  return events;
}

function mount(attributes: Record<string, string> = {}): LanternGeneratorElement {
  const element = document.createElement('lantern-generator');
  element.setAttribute('src', STAND_IN_BASE);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  document.body.append(element);
  return element;
}

/** A generate() that is held by the stand-in until canceled, and its id (from its first progress event). */
async function heldRun(element: LanternGeneratorElement): Promise<{ id: string; result: Promise<LanternClipDetail> }> {
  const first = new Promise<LanternProgressDetail>((resolve) => element.addEventListener('lantern-progress', (e) => resolve(e.detail), { once: true }));
  const result = element.generate({ prompt: 'hold: a kite over a hill' });
  result.catch(() => undefined);
  return { id: (await first).id, result };
}

function clipMessage(id: string, seed: number): Record<string, unknown> {
  return {
    type: 'lantern:clip',
    protocol: 1,
    id,
    seed,
    mp4: new ArrayBuffer(4),
    mimeType: 'video/mp4',
    fileName: 'fake.mp4',
    width: 1,
    height: 1,
    fps: 1,
    frames: 1,
  };
}

afterEach(() => {
  for (const node of document.body.querySelectorAll('lantern-generator, iframe')) node.remove();
});

describe('<lantern-generator>', () => {
  test('the backend attribute becomes ?backend= on the frame, and changing it reloads the frame', async () => {
    const element = mount({ backend: 'wasm' });
    expect(frameOf(element).src).toBe(`${new URL('embed.html', STAND_IN_BASE).href}?backend=wasm`);
    await element.ready;
    element.setAttribute('backend', 'webgpu');
    expect(frameOf(element).src).toBe(`${new URL('embed.html', STAND_IN_BASE).href}?backend=webgpu`);
  });

  test('frames <src>/embed.html, reports ready and sends its attributes as lantern:configure', async () => {
    const element = document.createElement('lantern-generator');
    const events = record(element);
    element.setAttribute('src', STAND_IN_BASE);
    element.setAttribute('prompt', 'a red ball bounces on a plain blue background');
    document.body.append(element);

    expect(frameOf(element).src).toBe(new URL('embed.html', STAND_IN_BASE).href);
    expect(frameOf(element).getAttribute('part')).toBe('frame');
    expect(element.model).toBeNull();
    expect(await element.ready).toEqual(STAND_IN_READY);
    expect(element.model).toEqual(STAND_IN_READY.model);
    expect(events).toEqual([{ type: 'lantern-ready', detail: STAND_IN_READY }]);
    expect(element.shadowRoot?.querySelector('[part="status"]')?.textContent).toBe('Ready: Stand-in');
    await vi.waitFor(() => expect(received(element, 'lantern:configure')).toHaveLength(1));
    expect(received(element, 'lantern:configure')[0]).toEqual({
      type: 'lantern:configure',
      protocol: 1,
      prompt: 'a red ball bounces on a plain blue background',
      autoplay: false,
      controls: true,
    });
  });

  test('generate() queued before ready resolves with the clip and a Blob; progress arrives first; it posts to the embed origin only', async () => {
    const element = mount({ prompt: 'a red ball bounces', seed: '42', steps: '6' });
    const events = record(element);
    const targets: unknown[] = [];
    const clip = element.generate(); // before ready: queued
    await element.ready;
    const frameWindow = frameOf(element).contentWindow as Window;
    const postMessage = frameWindow.postMessage.bind(frameWindow);
    frameWindow.postMessage = ((message: unknown, target: string) => {
      targets.push(target);
      postMessage(message, target);
    }) as Window['postMessage'];
    const second = await element.generate({ prompt: 'a green cube spins', seed: 5, guidance: 4 });

    const first = await clip;
    expect(first.seed).toBe(42);
    expect(first.mimeType).toBe('video/mp4');
    expect(new Uint8Array(first.mp4)).toEqual(new Uint8Array(STAND_IN_MP4));
    expect(first.blob).toBeInstanceOf(Blob);
    expect(first.blob.type).toBe('video/mp4');
    expect(new Uint8Array(await first.blob.arrayBuffer())).toEqual(new Uint8Array(STAND_IN_MP4));
    expect(second.seed).toBe(5);
    expect(targets).toEqual([ORIGIN]);

    const generates = received(element, 'lantern:generate');
    expect(generates).toEqual([
      { type: 'lantern:generate', protocol: 1, id: first.id, prompt: 'a red ball bounces', seed: 42, steps: 6 },
      { type: 'lantern:generate', protocol: 1, id: second.id, prompt: 'a green cube spins', seed: 5, steps: 6, guidance: 4 },
    ]);
    expect(first.id).not.toBe(second.id);
    // The configure of ready went before the queued generate.
    expect(standIn(element).received.map((m) => (m as { type: string }).type)).toEqual(['lantern:configure', 'lantern:generate', 'lantern:generate']);

    const firstRun = events.filter((e) => (e.detail as { id?: string }).id === first.id);
    expect(firstRun.map((e) => e.type)).toEqual(['lantern-progress', 'lantern-progress', 'lantern-clip']);
    expect(firstRun.slice(0, 2).map((e) => e.detail)).toEqual([
      { id: first.id, phase: 'denoise', fraction: 0.5 },
      { id: first.id, phase: 'denoise', fraction: 1 },
    ]);
    expect(firstRun[2]?.detail).toBe(first);
  });

  test("the embed's lantern:error rejects generate() with its name and message, and fires lantern-error", async () => {
    const element = mount();
    const events = record(element);
    const error = await element.generate({ prompt: 'fail: something not allowed' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('PolicyRefusalError');
    expect((error as Error).message).toBe('The stand-in refuses "fail: something not allowed".');
    const detail = events.find((e) => e.type === 'lantern-error')?.detail as LanternErrorDetail;
    expect(detail).toEqual({ id: received(element, 'lantern:generate')[0]?.['id'], name: 'PolicyRefusalError', message: (error as Error).message });
  });

  test('an option or attribute the embed would drop rejects with LanternRequestError, and nothing is sent', async () => {
    const element = mount({ seed: 'abc' });
    await element.ready;
    await expect(element.generate({ prompt: 'a boat' })).rejects.toMatchObject({ name: 'LanternRequestError', message: expect.stringContaining('seed') });
    await expect(element.generate({ prompt: '   ', seed: 1 })).rejects.toMatchObject({
      name: 'LanternRequestError',
      message: expect.stringContaining('prompt'),
    });
    await expect(element.generate({ prompt: 'a boat', seed: 1, guidance: 99 })).rejects.toMatchObject({ name: 'LanternRequestError' });
    await element.generate({ prompt: 'a boat', seed: 1 }); // a round trip: anything sent before it has arrived
    expect(received(element, 'lantern:generate')).toHaveLength(1);
  });

  test('cancel() sends lantern:cancel for the running id, and generate() rejects with GenerationCanceledError; with none running it sends nothing', async () => {
    const element = mount();
    await element.ready;
    element.cancel(); // nothing runs
    const { id, result } = await heldRun(element);
    element.cancel();
    await expect(result).rejects.toMatchObject({ name: 'GenerationCanceledError' });
    expect(received(element, 'lantern:cancel')).toEqual([{ type: 'lantern:cancel', protocol: 1, id }]);
  });

  test('cancel() before ready drops the queued generate() without sending it', async () => {
    const element = mount();
    const queued = element.generate({ prompt: 'a boat' });
    element.cancel();
    await expect(queued).rejects.toMatchObject({ name: 'GenerationCanceledError' });
    await element.generate({ prompt: 'a second boat' });
    expect(received(element, 'lantern:generate').map((m) => m['prompt'])).toEqual(['a second boat']);
    expect(received(element, 'lantern:cancel')).toEqual([]);
  });

  test('ignores messages from a window that is not its frame: another frame of the same page, and the page itself', async () => {
    const element = mount();
    await element.ready;
    const events = record(element);
    const { id, result } = await heldRun(element);

    // A second stand-in: it announces ready, and is made to claim the running id's clip.
    const decoy = document.createElement('iframe');
    decoy.src = new URL('embed.html', STAND_IN_BASE).href;
    const loaded = new Promise((resolve) => decoy.addEventListener('load', resolve, { once: true }));
    document.body.append(decoy);
    await loaded;
    (decoy.contentWindow as StandInWindow).lanternStandIn.send(clipMessage(id, 999));
    window.postMessage(clipMessage(id, 998), ORIGIN);
    window.postMessage({ type: 'lantern:ready', protocol: 1, ...STAND_IN_READY, model: { ...STAND_IN_READY.model, name: 'Decoy' } }, ORIGIN);

    // The cancel's answer comes after all of those (posted messages arrive in order).
    element.cancel();
    await expect(result).rejects.toMatchObject({ name: 'GenerationCanceledError' });
    expect(events.map((e) => e.type)).toEqual(['lantern-progress', 'lantern-error']);
    expect(element.model?.name).toBe('Stand-in');
  });

  test('ignores a message from its frame at another origin, or without protocol 1', async () => {
    const element = mount();
    await element.ready;
    const events = record(element);
    const { id, result } = await heldRun(element);
    const source = frameOf(element).contentWindow;
    const deliver = (data: unknown, origin: string): void => {
      window.dispatchEvent(new MessageEvent('message', { data, origin, source }));
    };

    deliver(clipMessage(id, 997), 'https://evil.example');
    deliver({ ...clipMessage(id, 996), protocol: 2 }, ORIGIN);
    const { protocol: _protocol, ...unversioned } = clipMessage(id, 995);
    deliver(unversioned, ORIGIN);
    expect(events.map((e) => e.type)).toEqual(['lantern-progress']);

    // The same message from its frame at its origin is taken: the origin was what kept the first one out.
    deliver(clipMessage(id, 994), ORIGIN);
    expect(events.map((e) => e.type)).toEqual(['lantern-progress', 'lantern-clip']);
    expect((await result).seed).toBe(994);
  });

  test('prompt, autoplay and controls changed after ready are sent as one lantern:configure; removing prompt clears it', async () => {
    const element = mount({ prompt: 'a boat' });
    await element.ready;
    element.setAttribute('prompt', 'a lighthouse at night');
    element.toggleAttribute('autoplay', true);
    element.setAttribute('controls', 'false');
    await vi.waitFor(() => expect(received(element, 'lantern:configure')).toHaveLength(2));
    expect(received(element, 'lantern:configure')[1]).toEqual({
      type: 'lantern:configure',
      protocol: 1,
      prompt: 'a lighthouse at night',
      autoplay: true,
      controls: false,
    });

    element.removeAttribute('prompt');
    element.setAttribute('controls', '');
    await vi.waitFor(() => expect(received(element, 'lantern:configure')).toHaveLength(3));
    expect(received(element, 'lantern:configure')[2]).toEqual({ type: 'lantern:configure', protocol: 1, prompt: '', autoplay: true, controls: true });
  });

  test('removed from the page, a run it had sent rejects with LanternFrameGoneError', async () => {
    const element = mount();
    await element.ready;
    const { result } = await heldRun(element);
    element.remove();
    await expect(result).rejects.toMatchObject({ name: 'LanternFrameGoneError' });
  });

  test("the embed's error of no run (its model did not load) fires lantern-error, and ready and generate() then reject with it", async () => {
    const element = mount();
    await element.ready;
    const events = record(element);
    const failure = { id: null, name: 'ModelLoadError', message: 'The model could not load: out of GPU memory.' };
    standIn(element).send({ type: 'lantern:error', protocol: 1, ...failure });
    await vi.waitFor(() => expect(events).toEqual([{ type: 'lantern-error', detail: failure }]));
    await expect(element.ready).rejects.toMatchObject({ name: 'ModelLoadError', message: failure.message });
    await expect(element.generate({ prompt: 'a boat' })).rejects.toMatchObject({ name: 'ModelLoadError' });
    expect(received(element, 'lantern:generate')).toEqual([]);
  });

  test('a src that is not a URL rejects ready and generate() with LanternRequestError', async () => {
    const element = document.createElement('lantern-generator');
    const events = record(element);
    element.setAttribute('src', 'http://[not a host/');
    document.body.append(element);
    await expect(element.ready).rejects.toMatchObject({ name: 'LanternRequestError', message: expect.stringContaining('is not a URL') });
    await expect(element.generate({ prompt: 'a boat' })).rejects.toMatchObject({ name: 'LanternRequestError' });
    expect(events.map((e) => e.type)).toEqual(['lantern-error']);
  });
});
