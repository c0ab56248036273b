// The download meter's arithmetic with a fake clock: bytes never go back,
// the rate covers the last few seconds (so a stall shows), the ETA follows
// from it, events are throttled while bytes arrive but never at a file's end.
import { expect, test } from 'vitest';
import type { StoreProgress } from '../workers/contracts/model-store';
import { createDownloadMeter } from '../workers/model-store/progress';

function meter(total: number, files: number) {
  let now = 0;
  const events: StoreProgress[] = [];
  const m = createDownloadMeter(
    total,
    files,
    (p) => events.push(p),
    () => now,
  );
  return { m, events, at: (ms: number) => (now = ms) };
}

test('rate over the window, ETA from it, and a final event at the total', () => {
  const { m, events, at } = meter(10_000_000, 2);
  at(0);
  m.update(0, 0, true);
  expect(events.at(-1)).toMatchObject({ phase: 'download', doneBytes: 0, bytesPerSecond: 0, etaSeconds: null });
  at(1000);
  m.update(2_000_000, 0);
  expect(events.at(-1)).toMatchObject({ doneBytes: 2_000_000, bytesPerSecond: 2_000_000, etaSeconds: 4 });
  at(2000);
  m.update(5_000_000, 1, true);
  expect(events.at(-1)).toMatchObject({ doneBytes: 5_000_000, doneFiles: 1, bytesPerSecond: 2_500_000, etaSeconds: 2 });
  at(4000);
  m.update(10_000_000, 2, true);
  expect(events.at(-1)).toMatchObject({ doneBytes: 10_000_000, doneFiles: 2, totalBytes: 10_000_000, files: 2, bytesPerSecond: 2_500_000, etaSeconds: 0 });
});

test('a stall drags the rate down once the window has passed it', () => {
  const { m, events, at } = meter(10_000_000, 1);
  at(0);
  m.update(0, 0, true);
  at(1000);
  m.update(4_000_000, 0);
  at(9000);
  m.update(4_000_001, 0);
  // The window (4 s) keeps the last two samples at least: 1 byte over 8 s.
  const last = events.at(-1)!;
  expect(last.phase === 'download' ? last.bytesPerSecond : NaN).toBeLessThan(1);
});

test('bytes that go back (a retried file) are not reported; events are throttled to 10 a second, except forced ones', () => {
  const { m, events, at } = meter(1000, 1);
  at(0);
  m.update(500, 0, true);
  at(10);
  m.update(300, 0, true);
  expect(events.at(-1)).toMatchObject({ doneBytes: 500 });
  const before = events.length;
  for (let t = 20; t < 100; t += 10) {
    at(t);
    m.update(500 + t, 0);
  }
  expect(events.length).toBe(before);
  at(120);
  m.update(700, 0);
  expect(events.length).toBe(before + 1);
});
