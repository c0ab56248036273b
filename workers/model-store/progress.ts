// Download progress: bytes done over the whole model, and the rate and ETA
// of this call's own downloading, over a sliding window so a stall shows.
import type { PartProgress, StoreProgress } from '../contracts/model-store';

/** How far back the rate looks. */
const WINDOW_MS = 4000;
/** At most this many events a second while bytes arrive (comlink posts each one). */
const EVENTS_PER_SECOND = 10;

export type DownloadMeter = {
  /** Bytes of the model done (stored before, stored now, arriving). Lower values than the last are ignored, so progress never goes back. */
  update(doneBytes: number, doneFiles: number, force?: boolean): void;
};

export function createDownloadMeter(
  totalBytes: number,
  files: number,
  onProgress: ((p: StoreProgress) => void) | undefined,
  now: () => number = () => performance.now(),
  /** The same bytes by part, read when an event is sent. */
  parts: () => PartProgress[] = () => [],
): DownloadMeter {
  const samples: [number, number][] = [];
  let done = -1;
  let doneFiles = 0;
  let lastEvent = -Infinity;
  return {
    update(doneBytes, filesDone, force = false) {
      const t = now();
      const grew = doneBytes > done || filesDone > doneFiles;
      if (doneBytes > done) {
        done = doneBytes;
        samples.push([t, done]);
        while (samples.length > 2 && samples[0]![0] < t - WINDOW_MS) samples.shift();
      }
      doneFiles = Math.max(doneFiles, filesDone);
      if (onProgress === undefined || !(force || (grew && t - lastEvent >= 1000 / EVENTS_PER_SECOND))) return;
      lastEvent = t;
      const [t0, b0] = samples[0]!;
      const seconds = (t - t0) / 1000;
      const bytesPerSecond = seconds > 0.2 ? (done - b0) / seconds : 0;
      const etaSeconds = bytesPerSecond > 0 ? (totalBytes - done) / bytesPerSecond : done === totalBytes ? 0 : null;
      onProgress({ phase: 'download', doneBytes: done, totalBytes, doneFiles, files, bytesPerSecond, etaSeconds, parts: parts() });
    },
  };
}
