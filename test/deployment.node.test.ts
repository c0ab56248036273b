// The deployment's gate: lantern.config.json, the strict-mode ratchet (the
// address, the embedding page's messages and the tab's memory can raise the
// mode, never lower it), and the guard every generation passes.
import { describe, expect, test, vi } from 'vitest';
import shipped from '../lantern.config.json';
import { DeploymentConfigError, deploymentConfig, parseDeploymentConfig } from '../src/deployment/config';
import { createRequestGuard } from '../src/deployment/guard';
import { POLICY_MESSAGE_TYPE, PolicyLock, watchPolicyRequests } from '../src/deployment/policy-mode';
import { PROVENANCE_SETTINGS_KEY, ProvenanceSettings } from '../src/deployment/provenance-settings';
import type { GenerateRequest, ModelInfo } from '../workers/contracts/generator';

class MemoryStorage implements Storage {
  #items = new Map<string, string>();
  get length() {
    return this.#items.size;
  }
  clear() {
    this.#items.clear();
  }
  getItem(key: string) {
    return this.#items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.#items.delete(key);
  }
  setItem(key: string, value: string) {
    this.#items.set(key, value);
  }
}

/** A framed page: its own window (an EventTarget) and a distinct parent. */
function framedPage(search = '') {
  const parent = { name: 'embedding page' };
  const target = new EventTarget();
  const window = Object.assign(target, { parent }) as unknown as Window;
  // Node's MessageEvent takes only a MessagePort as its source: an Event with the same fields stands in.
  const post = (data: unknown, source: unknown = parent) => target.dispatchEvent(Object.assign(new Event('message'), { data, source }));
  return { window, post, parent, location: { search } as Location, sessionStorage: new MemoryStorage() };
}

const STANDARD = parseDeploymentConfig({ policy: 'standard' });
const STRICT = parseDeploymentConfig({ policy: 'strict', strict: { models: ['lantern-tiny'] } });

describe('lantern.config.json', () => {
  test('the shipped file parses: standard policy, the built-in model on the strict allow-list', () => {
    expect(deploymentConfig(shipped)).toMatchObject({ config: { policy: 'standard', strictModels: ['lantern-tiny'] }, error: null });
  });

  test.each([
    [[], 'not a JSON object'],
    [{ policy: 'lenient' }, '"policy" is "lenient"'],
    [{ policy: 'strict', strict: { models: [] } }, 'non-empty list'],
    [{ policy: 'strict', strict: { models: ['a'], extra: 1 } }, "unknown field 'strict.extra'"],
    [{ policy: 'standard', stict: true }, "unknown field 'stict'"],
  ])('%j is a named error saying what is wrong: %s', (value, words) => {
    expect(() => parseDeploymentConfig(value)).toThrow(DeploymentConfigError);
    expect(() => parseDeploymentConfig(value)).toThrow(words);
  });

  test('a broken file falls closed: strict mode, with the error to show', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { config, error } = deploymentConfig({ policy: 'off' });
    expect(config.policy).toBe('strict');
    expect(error?.name).toBe('DeploymentConfigError');
    expect(error?.message).toContain('strict mode until the file is fixed');
  });
});

describe('strict mode only goes up', () => {
  test('the deployment sets it; nothing in the page lowers it', () => {
    const ignored: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const lock = new PolicyLock(STRICT, (m) => ignored.push(m));
    const page = framedPage('?policy=standard&strict=0');
    watchPolicyRequests(lock, page);
    page.post({ type: POLICY_MESSAGE_TYPE, policy: 'standard' });
    page.post({ type: POLICY_MESSAGE_TYPE, policy: 'off' });
    expect(lock.mode).toBe('strict');
    expect(lock.state.source).toBe('deployment');
    expect(ignored).toHaveLength(3);
    expect(ignored[0]).toContain('cannot be turned off from inside the page');
  });

  test('the address raises it, and a later address or message cannot lower it', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const lock = new PolicyLock(STANDARD);
    const page = framedPage('?policy=strict');
    watchPolicyRequests(lock, page);
    expect(lock.state).toMatchObject({ mode: 'strict', source: 'address' });
    page.post({ type: POLICY_MESSAGE_TYPE, policy: 'standard' });
    expect(lock.mode).toBe('strict');
  });

  test("the embedding page's message raises it; a message from another window does not count", () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const lock = new PolicyLock(STANDARD);
    const page = framedPage();
    watchPolicyRequests(lock, page);
    page.post({ type: POLICY_MESSAGE_TYPE, policy: 'strict' }, { name: 'some popup' });
    expect(lock.mode).toBe('standard');
    page.post({ type: POLICY_MESSAGE_TYPE, policy: 'strict' });
    expect(lock.state).toMatchObject({ mode: 'strict', source: 'embedding page' });
  });

  test('the tab remembers strict across a reload, whatever the new address says', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const first = framedPage('?policy=strict');
    watchPolicyRequests(new PolicyLock(STANDARD), first);
    const reloaded = { ...framedPage('?policy=standard'), sessionStorage: first.sessionStorage };
    const lock = new PolicyLock(STANDARD);
    watchPolicyRequests(lock, reloaded);
    expect(lock.state).toMatchObject({ mode: 'strict', source: 'earlier in this tab' });
  });

  test('a standard page stays standard when nothing asks', () => {
    const lock = new PolicyLock(STANDARD);
    watchPolicyRequests(lock, framedPage());
    expect(lock.mode).toBe('standard');
  });
});

const MODEL = { id: 'lantern-tiny' } as ModelInfo;
const OTHER = { id: 'someone-elses-dit' } as ModelInfo;
const request = (prompt: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({ prompt, seed: 1, ...extra });

describe('the guard every generation passes', () => {
  const guardFor = (mode: 'standard' | 'strict', stored?: object) => {
    const storage = new MemoryStorage();
    if (stored !== undefined) storage.setItem(PROVENANCE_SETTINGS_KEY, JSON.stringify(stored));
    const settings = new ProvenanceSettings(storage);
    return { guard: createRequestGuard(new PolicyLock(mode === 'strict' ? STRICT : STANDARD), settings), settings, storage };
  };

  test('a refused prompt, or negative prompt, is a PolicyRefusalError naming the field', () => {
    const { guard } = guardFor('standard');
    expect(() => guard.check(request('a red ball shoots across the sky'), MODEL)).not.toThrow();
    expect(() => guard.check(request('a n4ked person'), MODEL)).toThrow(expect.objectContaining({ name: 'PolicyRefusalError', field: 'prompt' }));
    expect(() => guard.check(request('a red ball', { negativePrompt: 'g o r e' }), MODEL)).toThrow(
      expect.objectContaining({ name: 'PolicyRefusalError', field: 'negativePrompt' }),
    );
  });

  test('edit instructions and storyboard shots are checked; the shot is named', () => {
    const { guard } = guardFor('standard');
    expect(() => guard.checkInstruction('make it blue')).not.toThrow();
    expect(() => guard.checkInstruction('add blood and gore')).toThrow(expect.objectContaining({ field: 'instruction' }));
    expect(() => guard.checkShots(['a red ball bounces', 'a gun fires'])).toThrow(expect.objectContaining({ field: 'shot', shotIndex: 1 }));
  });

  test('strict mode: the narrower policy and the model allow-list', () => {
    const standard = guardFor('standard').guard;
    const strict = guardFor('strict').guard;
    expect(() => standard.check(request('a red ball bounces'), OTHER)).not.toThrow();
    expect(() => strict.check(request('a red ball bounces'), MODEL)).not.toThrow();
    expect(() => strict.check(request('a red ball bounces'), OTHER)).toThrow(expect.objectContaining({ name: 'ModelNotAllowedError' }));
    expect(() => strict.checkModel(OTHER)).toThrow("'someone-elses-dit' is not on the list");
  });

  test('provenance: mark on and recipe out by default; the user may change both, strict keeps the mark', () => {
    expect(guardFor('standard').guard.provenance(request('x'))).toEqual({ visibleMark: true, includeRecipe: false });
    const { guard, settings, storage } = guardFor('standard');
    settings.set({ visibleMark: false, includeRecipe: true });
    expect(guard.provenance(request('x'))).toEqual({ visibleMark: false, includeRecipe: true });
    expect(JSON.parse(storage.getItem(PROVENANCE_SETTINGS_KEY)!)).toEqual({ visibleMark: false, includeRecipe: true });
    const strict = guardFor('strict', { visibleMark: false, includeRecipe: true }).guard;
    expect(strict.provenance(request('x'))).toEqual({ visibleMark: true, includeRecipe: true });
    expect(strict.provenance(request('x', { provenance: { visibleMark: false } }))).toMatchObject({ visibleMark: true });
  });

  test('remembered settings come back; unreadable ones give the defaults', () => {
    expect(guardFor('standard', { includeRecipe: true }).guard.provenance(request('x'))).toEqual({ visibleMark: true, includeRecipe: true });
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const storage = new MemoryStorage();
    storage.setItem(PROVENANCE_SETTINGS_KEY, '{not json');
    expect(new ProvenanceSettings(storage).choices).toEqual({ visibleMark: true, includeRecipe: false });
  });
});
