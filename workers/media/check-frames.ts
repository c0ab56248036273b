// Frames of any video for the watermark detector: at the file's own aspect,
// downscaled so the shorter side is at most CHECK_MAX_SIDE (the mark's tile
// is a fixed fraction of the frame, so a uniform downscale keeps it; the
// detector's cost grows with pixels), sampled evenly over the whole file (the
// mark is the same in every frame; averaging more frames cancels more of the
// picture).
import { ALL_FORMATS, BlobSource, CanvasSink, Input } from 'mediabunny';

export const CHECK_MAX_SIDE = 256;
export const CHECK_MAX_FRAMES = 48;

export type CheckFrames =
  | { ok: true; frames: Uint8ClampedArray[]; width: number; height: number; sourceWidth: number; sourceHeight: number; container: string }
  | { ok: false; reason: string; container: string | null };

export async function readCheckFrames(file: Blob): Promise<CheckFrames> {
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  let container: string | null = null;
  try {
    try {
      container = (await input.getFormat()).name;
    } catch {
      return { ok: false, reason: 'it is not a video container this browser reads (MP4, MOV, WebM, MKV)', container: null };
    }
    const track = await input.getPrimaryVideoTrack();
    if (track === null) return { ok: false, reason: 'the file has no video track', container };
    if (!(await track.canDecode())) return { ok: false, reason: `this browser cannot decode its ${track.codec ?? 'unknown'} video`, container };
    const sourceWidth = track.displayWidth;
    const sourceHeight = track.displayHeight;
    const scale = Math.min(1, CHECK_MAX_SIDE / Math.min(sourceWidth, sourceHeight));
    const width = Math.max(1, Math.round(sourceWidth * scale));
    const height = Math.max(1, Math.round(sourceHeight * scale));
    const first = await track.getFirstTimestamp();
    const duration = await input.computeDuration();
    const rate = (await track.computePacketStats(64)).averagePacketRate || 30;
    const count = Math.max(1, Math.min(CHECK_MAX_FRAMES, Math.round((duration - first) * rate)));
    const times = Array.from({ length: count }, (_, i) => first + ((i + 0.5) * (duration - first)) / count);
    const sink = new CanvasSink(track, { width, height, fit: 'fill', poolSize: 1 });
    const frames: Uint8ClampedArray[] = [];
    try {
      for await (const wrapped of sink.canvasesAtTimestamps(times)) {
        if (wrapped === null) continue;
        const context = (wrapped.canvas as OffscreenCanvas).getContext('2d', { willReadFrequently: true });
        if (context === null) return { ok: false, reason: 'this browser gave no 2D canvas to read frames with', container };
        frames.push(context.getImageData(0, 0, width, height).data);
      }
    } catch (error) {
      return { ok: false, reason: `its frames do not decode (${String(error)})`, container };
    }
    if (frames.length === 0) return { ok: false, reason: 'it has no decodable frames', container };
    return { ok: true, frames, width, height, sourceWidth, sourceHeight, container };
  } finally {
    input.dispose();
  }
}
