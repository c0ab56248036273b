// The media worker (workers/contracts/media.ts): reads video files and
// writes MP4s for the page, so the main thread loads neither mediabunny nor
// WebCodecs. Decoded frames go back transferred, not copied.
import * as Comlink from 'comlink';
import type { MediaWorker } from '../contracts/media';
import { encodeRgbaClip } from '../engine/video/encode';
import { signClipWithInstallKey } from '../provenance/c2pa/clip-signer';
import { checkVideo } from '../provenance/check';
import { readVideoFrames } from './read-video';

const media: MediaWorker = {
  async readVideoFrames(file, request) {
    const result = await readVideoFrames(file, request);
    return Comlink.transfer(
      result,
      result.frames.map((f) => f.buffer as ArrayBuffer),
    );
  },
  checkVideo: (file, knownModels) => checkVideo(file, knownModels),
  async encodeClip(frames, { width, height, fps, codec, encodableCodecs, provenance }) {
    const clip = await encodeRgbaClip(frames, { width, height }, { fps, codec, encodableCodecs, provenance, signer: signClipWithInstallKey });
    const mp4 = new Uint8Array(clip.data);
    // provenance is required here, so the encoder always says whether it signed.
    return Comlink.transfer({ mp4, mimeType: clip.mimeType, contentCredentials: clip.contentCredentials! }, [mp4.buffer]);
  },
};

Comlink.expose(media);
