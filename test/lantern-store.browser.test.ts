// src/state/generate-state.ts, the app's store, over a real EngineClient and module worker
// running the scripted engine (test/support/scripted-engine.worker.ts),
// whose model this "browser" can encode in H.264 only: the Video format the
// form holds follows what the loaded model's ModelInfo.codecs allows, and a
// switch is said, not silent. The Speed choice sets the form's sampler and
// steps, and the request and the clip's recipe carry the sampler.
import { afterEach, expect, test, vi } from 'vitest';
import { EngineClient } from '../src/engine-client';
import { createLanternStore } from '../src/state/generate-state';
import { createStudio } from '../src/studio';

let client: EngineClient | null = null;
afterEach(() => {
  client?.dispose();
  client = null;
  vi.restoreAllMocks();
});

function scriptedClient(): EngineClient {
  client = new EngineClient({
    createWorker: () => new Worker(new URL('./support/scripted-engine.worker.ts', import.meta.url), { type: 'module' }),
  });
  return client;
}

function scriptedStore() {
  const c = scriptedClient();
  return createLanternStore(c, createStudio(c), { manifestUrl: '/scripted.json', backend: 'wasm' });
}

test('a chosen codec the loaded model cannot be encoded in switches to one it can, with a notice and a console warning', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const { state, actions } = scriptedStore();
  actions.setForm('codec', 'av1');
  const model = await actions.start();
  expect(model.codecs).toEqual(['avc']);
  await vi.waitFor(() => expect(state.model).not.toBeNull());
  const notice = 'AV1 cannot be encoded by this browser at 4×4; Video format is now H.264.';
  expect(state.form.codec).toBe('avc');
  expect(state.notices).toEqual([notice]);
  expect(warn).toHaveBeenCalledWith(`Lantern: ${notice}`);
});

test('a codec the model can be encoded in stays chosen, and nothing is said', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const { state, actions } = scriptedStore();
  await actions.start();
  await vi.waitFor(() => expect(state.model).not.toBeNull());
  expect(state.form.codec).toBe('avc');
  expect(state.notices).toEqual([]);
  expect(warn).not.toHaveBeenCalled();
});

test('a clip that came out without Content Credentials says so, with the reason; a signed clip says nothing', async () => {
  const { state, actions } = scriptedStore();
  await actions.start();
  await vi.waitFor(() => expect(state.model).not.toBeNull());
  actions.setForm('prompt', 'ok');
  actions.generate();
  await vi.waitFor(() => expect(state.clip).not.toBeNull());
  expect(state.notices).toEqual([]);

  actions.setForm('prompt', 'unsigned');
  actions.generate();
  await vi.waitFor(() => expect(state.notices).toHaveLength(1));
  expect(state.notices[0]).toMatch(
    /^This clip has no Content Credentials \(C2PA\): Lantern's signing key .* could not be kept: scripted\. It still says it is AI-made/,
  );
});

test('Speed: a preset sets the sampler and the steps; steps edited by hand keep the sampler; the request and the recipe carry it', async () => {
  const { state, actions } = scriptedStore();
  await actions.start();
  await vi.waitFor(() => expect(state.model).not.toBeNull());
  expect(state.form).toMatchObject({ sampler: 'euler', steps: '3' }); // the scripted model's default: Quality, Euler at 3 steps

  actions.setSpeed('fast');
  const fast = state.model!.speeds.fast; // DPM-Solver++(2M) at 2 steps
  expect(state.form).toMatchObject({ sampler: fast.sampler, steps: String(fast.steps) });
  actions.setForm('steps', '5');
  expect(state.form.sampler).toBe(fast.sampler);
  expect(actions.formRequest()).toMatchObject({ sampler: fast.sampler, steps: 5 });

  actions.setForm('prompt', 'ok');
  actions.generate();
  await vi.waitFor(() => expect(state.clip?.recipe).toMatchObject({ sampler: fast.sampler, steps: 5 }));

  actions.setSpeed('quality');
  expect(state.form).toMatchObject({ sampler: 'euler', steps: '3' });
  expect(actions.formRequest()).toMatchObject({ sampler: 'euler', steps: 3 });

  // Remix of a clip made with a sampler no preset uses: the form takes it as it is.
  const recipe = state.clip?.recipe;
  if (recipe == null) throw new Error('the clip has no recipe');
  actions.fillForm({ ...recipe, sampler: 'heun', steps: 7 });
  expect(state.form).toMatchObject({ sampler: 'heun', steps: '7' });
  expect(actions.formRequest()).toMatchObject({ sampler: 'heun', steps: 7 });
});
