// The page's handle on the media worker (workers/media/media.worker.ts),
// started on first use: most visits never read a video file or write a cut.
// Errors keep their names across the boundary (comlink carries name and
// message), so the UI shows VideoInputError and friends with their words.
import * as Comlink from 'comlink';
import type { EncodeClipRequest, EncodedMp4, MediaWorker, VideoFrames, VideoFramesRequest } from '../../workers/contracts/media';
import type { ProvenanceCheck } from '../../workers/provenance/check';

let remote: Comlink.Remote<MediaWorker> | null = null;

function media(): Comlink.Remote<MediaWorker> {
  remote ??= Comlink.wrap<MediaWorker>(new Worker(new URL('../../workers/media/media.worker.ts', import.meta.url), { type: 'module', name: 'lantern-media' }));
  return remote;
}

export function readVideoFrames(file: Blob, request: VideoFramesRequest): Promise<VideoFrames> {
  return media().readVideoFrames(file, request);
}

export function encodeClip(frames: Uint8ClampedArray[], request: EncodeClipRequest): Promise<EncodedMp4> {
  return media().encodeClip(frames, request);
}

export function checkVideo(file: Blob, knownModels: readonly string[]): Promise<ProvenanceCheck> {
  return media().checkVideo(file, knownModels);
}
