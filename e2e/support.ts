// Helpers for driving the real app in headless Chromium: open it, record what
// the progress panel shows, and read MP4 bytes back with mediabunny (its
// demuxer is plain JavaScript, so Node reads what the browser wrote).
import { ALL_FORMATS, BufferSource, Input } from 'mediabunny';
import type { Browser, Page } from 'playwright-core';
import type { BackendChoice, ModelInfo } from '../workers/contracts/generator';

export type OpenedApp = { page: Page; errors: string[]; model: ModelInfo };

/** Opens the app, waits for the built-in model, and collects uncaught page errors. */
export async function openApp(browser: Browser, appUrl: string, backend: BackendChoice = 'auto'): Promise<OpenedApp> {
  const page = await browser.newPage({ acceptDownloads: true });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    await page.goto(`${appUrl}?backend=${backend}`);
    await page.waitForFunction(() => window.lantern !== undefined);
    const model = await page.evaluate(() => (window.lantern as NonNullable<Window['lantern']>).ready);
    return { page, errors, model };
  } catch (error) {
    await page.close();
    throw error;
  }
}

export type ProgressRecord = { phase: string; fraction: number; status: string };

/**
 * Records every change of the progress panel's data attributes (a
 * MutationObserver sees each one, however fast) and whether the live
 * preview canvas ever appeared.
 */
export async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { progressLog: ProgressRecord[]; previewSteps: number[] };
    w.progressLog = [];
    w.previewSteps = [];
    const panel = document.querySelector('section[aria-label="Progress"]');
    if (panel === null) throw new Error('no progress panel');
    const read = (): void => {
      const last = w.progressLog.at(-1);
      const record = {
        phase: panel.getAttribute('data-phase') ?? '',
        fraction: Number(panel.getAttribute('data-fraction')),
        status: panel.getAttribute('data-status') ?? '',
      };
      if (last === undefined || last.phase !== record.phase || last.fraction !== record.fraction || last.status !== record.status) w.progressLog.push(record);
    };
    new MutationObserver(read).observe(panel, { attributes: true });
    new MutationObserver(() => {
      const canvas = document.querySelector('canvas[aria-label="Live preview"]');
      const step = Number(canvas?.getAttribute('data-step'));
      if (canvas !== null && w.previewSteps.at(-1) !== step) w.previewSteps.push(step);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-step'] });
  });
}

export async function progressLog(page: Page): Promise<{ log: ProgressRecord[]; previewSteps: number[] }> {
  return page.evaluate(() => {
    const w = window as unknown as { progressLog: ProgressRecord[]; previewSteps: number[] };
    return { log: w.progressLog, previewSteps: w.previewSteps };
  });
}

/** Fills the form and presses Generate. */
export async function generateFromForm(
  page: Page,
  fields: { prompt: string; seed?: number; steps?: number; negative?: string; codec?: 'avc' | 'vp9' | 'av1' },
): Promise<void> {
  await page.getByLabel('Prompt', { exact: true }).fill(fields.prompt);
  if (fields.negative !== undefined) await page.getByLabel('Negative prompt').fill(fields.negative);
  if (fields.seed !== undefined) await page.getByLabel('Seed', { exact: true }).fill(String(fields.seed));
  if (fields.steps !== undefined) await page.getByLabel('Steps').fill(String(fields.steps));
  if (fields.codec !== undefined) await page.getByLabel('Video format').selectOption(fields.codec);
  await page.getByRole('button', { name: 'Generate' }).click();
}

export type Mp4Facts = { codec: string | null; width: number; height: number; packets: number; fps: number; duration: number };

/** Demuxes an MP4 and reports its video track; throws if it is not a readable MP4. */
export async function readMp4(bytes: Uint8Array): Promise<Mp4Facts> {
  const input = new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS });
  try {
    const track = await input.getPrimaryVideoTrack();
    if (track === null) throw new Error('the MP4 has no video track');
    const stats = await track.computePacketStats();
    return {
      codec: track.codec,
      width: track.displayWidth,
      height: track.displayHeight,
      packets: stats.packetCount,
      fps: stats.averagePacketRate,
      duration: await input.computeDuration(),
    };
  } finally {
    input.dispose();
  }
}

/** The box type at bytes 4..8 of an MP4 ('ftyp'). */
export function firstBoxType(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes.subarray(4, 8));
}
