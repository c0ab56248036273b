// The media worker's interface (workers/media/media.worker.ts): the video
// work the page needs besides generating, kept off the main thread with
// WebCodecs and mediabunny (the page imports neither): reading a video file's
// frames for Extend, and writing an MP4 of frames the engine did not encode
// in one piece (a storyboard with a cut). Errors travel by name
// (VideoInputError, InvalidVideoInputError, VideoEncodingError, ...).

import type { ProvenanceCheck } from '../provenance/check';
import type { VideoCodecName } from './generator';
import type { ClipProvenance, ContentCredentials } from './provenance';

export type VideoFramesRequest = { width: number; height: number; fps: number; maxFrames: number };
export type VideoFrames = { frames: Uint8ClampedArray[] /** The file's own length, in seconds. */; duration: number };
export type EncodeClipRequest = {
  width: number;
  height: number;
  fps: number;
  codec: VideoCodecName;
  /** The codecs the engine found this browser encodes at this size (ModelInfo.codecs). */
  encodableCodecs: readonly VideoCodecName[];
  /** The marks and labels every Lantern clip carries (workers/provenance/stamp.ts). */
  provenance: ClipProvenance;
};
export type EncodedMp4 = { mp4: Uint8Array; mimeType: string; contentCredentials: ContentCredentials };

export interface MediaWorker {
  /** A video file's frames, cover-cropped to width x height and sampled at fps. */
  readVideoFrames(file: Blob, request: VideoFramesRequest): Promise<VideoFrames>;
  encodeClip(frames: Uint8ClampedArray[], request: EncodeClipRequest): Promise<EncodedMp4>;
  /** The AI-made labels of any video file: XMP, C2PA, the invisible watermark (workers/provenance/check.ts). */
  checkVideo(file: Blob, knownModels: readonly string[]): Promise<ProvenanceCheck>;
}
