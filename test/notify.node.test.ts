// callbackNotifier: a caller's progress callback that throws or rejects is
// logged and never stops the engine or the model store that report to it.
import { afterEach, expect, test, vi } from 'vitest';
import { callbackNotifier } from '../workers/contracts/notify';

afterEach(() => {
  vi.restoreAllMocks();
});

test('calls the callback with the value', () => {
  const seen: number[] = [];
  callbackNotifier('a test')((v: number) => seen.push(v), 7);
  expect(seen).toEqual([7]);
});

test('a callback that throws is logged with what it was, not raised', () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  expect(() =>
    callbackNotifier('a test progress')(() => {
      throw new Error('boom');
    }, 1),
  ).not.toThrow();
  expect(warn).toHaveBeenCalledWith('Lantern: a test progress callback failed:', expect.objectContaining({ message: 'boom' }));
});

test('a callback whose promise rejects (a comlink proxy to a closed page) is logged, not left unhandled', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  callbackNotifier('a test')(() => Promise.reject(new Error('gone')), 1);
  await vi.waitFor(() => expect(warn).toHaveBeenCalledWith('Lantern: a test callback failed:', expect.objectContaining({ message: 'gone' })));
});

test('no callback: nothing happens', () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  callbackNotifier('a test')(undefined, 1);
  expect(warn).not.toHaveBeenCalled();
});
