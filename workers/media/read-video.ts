// A video file's frames at the model's size and frame rate, for Extend: any
// MP4, WebM or QuickTime file this browser can decode, made by Lantern or by
// another tool. Frames are fitted like images (cover-crop, src/media/fit-image.ts) and
// sampled at the model's fps from the file's timestamps, so a 30 fps clip
// of 2 s gives 16 frames at 8 fps. Failures are VideoInputErrors saying what
// was wrong: an empty file, not a video container, no video track, a codec
// this browser cannot decode, frames that do not decode, or a clip over the
// continuation limit.
import { ALL_FORMATS, BlobSource, CanvasSink, Input } from 'mediabunny';
import { VideoInputError } from '../contracts/errors';

export type FrameSize = { width: number; height: number };

export type VideoFrames = {
  frames: Uint8ClampedArray[];
  /** The file's own length, in seconds. */
  duration: number;
};

/** Frame `i` of the output is the file's frame shown at (i + 0.5) / fps: the middle of the output frame's slot. */
export function sampleTimes(duration: number, fps: number, firstTimestamp = 0): number[] {
  const count = Math.max(1, Math.round((duration - firstTimestamp) * fps));
  return Array.from({ length: count }, (_, i) => firstTimestamp + (i + 0.5) / fps);
}

export async function readVideoFrames(file: Blob, size: FrameSize & { fps: number; maxFrames: number }): Promise<VideoFrames> {
  const name = file instanceof File ? file.name : 'the video';
  const fail = (message: string, cause?: unknown): never => {
    throw new VideoInputError(name, `${name} ${message}`, cause === undefined ? undefined : { cause });
  };
  if (file.size === 0) fail('is empty (0 bytes). Pick the video file again; it may not have finished saving or downloading.');
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  try {
    let track: Awaited<ReturnType<Input['getPrimaryVideoTrack']>> = null;
    try {
      track = await input.getPrimaryVideoTrack();
    } catch (error) {
      fail('is not a video file Lantern can read. Use an MP4, WebM or QuickTime (.mov) file.', error);
    }
    if (track === null) fail('has no video track. Pick a file with video in it.');
    if (!(await track!.canDecode())) {
      fail(`holds ${track!.codec ?? 'an unknown codec'} video, which this browser cannot decode. Convert it to H.264 (MP4) or VP9 (WebM) first.`);
    }
    const first = await track!.getFirstTimestamp();
    const duration = await input.computeDuration();
    const times = sampleTimes(duration, size.fps, first);
    if (times.length > size.maxFrames) {
      fail(
        `is ${duration.toFixed(1)} s long: ${times.length} frames at ${size.fps} fps, over the ${size.maxFrames} a continuation takes. Trim it to its last ${Math.floor(size.maxFrames / size.fps)} s first.`,
      );
    }
    const sink = new CanvasSink(track!, { width: size.width, height: size.height, fit: 'cover', poolSize: 1 });
    const frames: Uint8ClampedArray[] = [];
    try {
      for await (const wrapped of sink.canvasesAtTimestamps(times)) {
        if (wrapped === null) fail(`has no frame at ${times[frames.length]!.toFixed(3)} s. The file may be cut short; export it again.`);
        const context = (wrapped!.canvas as OffscreenCanvas | HTMLCanvasElement).getContext('2d', { willReadFrequently: true }) as
          | OffscreenCanvasRenderingContext2D
          | CanvasRenderingContext2D
          | null;
        if (context === null) fail('could not be read: this browser gave no 2D canvas context.');
        frames.push(context!.getImageData(0, 0, size.width, size.height).data);
      }
    } catch (error) {
      if (error instanceof VideoInputError) throw error;
      fail('has video frames that do not decode (the file is damaged, or its codec settings are not supported here). Export it again as H.264 MP4.', error);
    }
    if (frames.length === 0) fail('has no video frames.');
    return { frames, duration };
  } finally {
    input.dispose();
  }
}
