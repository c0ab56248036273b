// Words for the models screen: the store reports numbers (bytes, rates,
// seconds) and typed concerns; this file turns them into sentences.
import type { FitConcern, ModelPart, ModelPartId, StorageInfo, StoreProgress } from '../../workers/contracts/model-store';
import { formatBytes, formatSeconds } from '../messages';
import type { ModelOutcome, ModelView } from '../state/models-state';

export const VIEW_LABEL: Record<ModelView, string> = {
  waiting: 'Waiting for another tab',
  downloading: 'Downloading',
  verifying: 'Verifying',
  complete: 'Complete',
  partial: 'Partly downloaded',
  corrupted: 'Corrupted',
};

/** formatBytes, with GB from 1 GiB up (quotas and device memory). */
export function formatSize(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GB` : formatBytes(bytes);
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatSize(bytesPerSecond)}/s`;
}

/** "12.3 MB of 28.0 MB · 4.1 MB/s · about 4.0 s left" */
export function describeStoreProgress(progress: StoreProgress): string {
  const bytes = `${formatSize(progress.doneBytes)} of ${formatSize(progress.totalBytes)}`;
  switch (progress.phase) {
    case 'wait':
      return 'Another tab is downloading this model; it continues here when that one finishes';
    case 'verify':
      return `Checking ${bytes} (file ${progress.doneFiles} of ${progress.files})`;
    case 'download': {
      const parts = [bytes];
      if (progress.bytesPerSecond > 0) parts.push(formatRate(progress.bytesPerSecond));
      if (progress.etaSeconds !== null && progress.doneBytes < progress.totalBytes) parts.push(`about ${formatSeconds(progress.etaSeconds * 1000)} left`);
      return parts.join(' · ');
    }
  }
}

const PART_LABEL: Record<ModelPartId, string> = {
  common: 'Common',
  wasm: 'WASM denoiser',
  webgpu: 'WebGPU stage graphs',
  other: 'Graphs no backend runs',
};

/** "Common (text encoder, encoder, decoder, tokenizer)", "WASM denoiser", "WebGPU stage graphs". */
export function partLabel(part: Pick<ModelPart, 'id' | 'graphs'>): string {
  if (part.id !== 'common') return PART_LABEL[part.id];
  return `${PART_LABEL.common} (${[...part.graphs, 'tokenizer'].map((g) => g.replaceAll('_', ' ')).join(', ')})`;
}

/** How a part shows: stored, arriving in the running download, partly stored or not stored, with its numbers. */
export type PartView =
  | { state: 'stored'; bytes: number }
  | { state: 'downloading'; doneBytes: number; totalBytes: number }
  | { state: 'partial'; storedBytes: number; totalBytes: number }
  | { state: 'missing'; bytes: number };

/** A part's view from the store's list and, while a download runs, its progress (which counts the part's bytes as they arrive). */
export function partView(part: ModelPart, progress: StoreProgress | null | undefined): PartView {
  const arriving = progress?.phase === 'download' ? progress.parts.find((p) => p.id === part.id) : undefined;
  if (arriving !== undefined && arriving.doneBytes < arriving.totalBytes)
    return { state: 'downloading', doneBytes: arriving.doneBytes, totalBytes: arriving.totalBytes };
  if (arriving !== undefined || part.storedFiles === part.files) return { state: 'stored', bytes: part.totalBytes };
  if (part.storedFiles === 0) return { state: 'missing', bytes: part.totalBytes };
  return { state: 'partial', storedBytes: part.storedBytes, totalBytes: part.totalBytes };
}

/** "stored, 13.1 MB", "downloading 40% of 11.1 MB", "not stored (11.1 MB)". */
export function describePartView(view: PartView): string {
  switch (view.state) {
    case 'stored':
      return `stored, ${formatSize(view.bytes)}`;
    case 'downloading':
      return `downloading ${Math.floor((100 * view.doneBytes) / Math.max(1, view.totalBytes))}% of ${formatSize(view.totalBytes)}`;
    case 'partial':
      return `partly stored, ${formatSize(view.storedBytes)} of ${formatSize(view.totalBytes)}`;
    case 'missing':
      return `not stored (${formatSize(view.bytes)})`;
  }
}

/** What the last call on a model came to, in a sentence; null when there is nothing to say. */
export function describeOutcome(outcome: ModelOutcome): string | null {
  switch (outcome.kind) {
    case 'added':
      if (outcome.fetchedFiles === 0) return 'Every file was already stored; nothing was downloaded.';
      return `Downloaded and verified ${outcome.fetchedFiles} file${outcome.fetchedFiles === 1 ? '' : 's'} (${formatSize(outcome.fetchedBytes)}).`;
    case 'verified': {
      const bad = outcome.corruptFiles.length;
      const missing = outcome.missingFiles.length;
      if (bad === 0 && missing === 0) return 'Verified: every file matches its SHA-256.';
      const said: string[] = [];
      if (bad > 0) said.push(`${bad} damaged file${bad === 1 ? ' was' : 's were'} found`);
      if (missing > 0) said.push(`${missing} file${missing === 1 ? ' was' : 's were'} missing`);
      return `Verified: ${said.join(' and ')}, and fetched again. Every file matches now.`;
    }
    case 'canceled':
      return 'Download canceled. What was stored is kept; Resume continues where it stopped.';
    case 'corrupted':
    case 'failed':
      return null;
  }
}

export function describeConcern(concern: FitConcern): string {
  switch (concern.kind) {
    case 'memory':
      return `This model recommends ${formatSize(concern.neededBytes)} of memory, but this device reports ${formatSize(concern.deviceBytes)}: it may fail to load or crash the tab.`;
    case 'gpu': {
      const why =
        concern.adapterBindingBytes === null
          ? 'this browser has no WebGPU adapter'
          : concern.missingFeatures.length > 0
            ? `the GPU lacks ${concern.missingFeatures.join(', ')}`
            : `the GPU binds buffers of at most ${formatSize(concern.adapterBindingBytes)} and the model needs ${formatSize(concern.neededBindingBytes)}`;
      return `It will run on the CPU (WASM), which is slower: ${why}.`;
    }
    case 'quota':
      return `It needs ${formatSize(concern.neededBytes)} of storage, but only ${formatSize(concern.freeBytes)} of this site's quota is free: the download will stop when it is full. Delete models you do not need first.`;
  }
}

export function describePersistence(persisted: boolean | null): string {
  if (persisted === null) return 'This browser does not say whether it keeps stored models under storage pressure.';
  return persisted
    ? 'Persistent: the browser will not evict stored models when space runs low.'
    : 'Not persistent: the browser may evict stored models when space runs low.';
}

export function describeStorage(storage: StorageInfo): string {
  if (storage.usageBytes === null || storage.quotaBytes === null) return 'The browser gives no storage estimate.';
  return `${formatSize(storage.usageBytes)} used of about ${formatSize(storage.quotaBytes)} this site may use (the browser's estimate).`;
}
