// The finished clip: a looping, muted, autoplaying player, the Download link
// (named by the engine: lantern-<prompt>-seed<seed>.mp4) and what made it.

import { CODEC_LABEL, formatBytes, formatSeconds } from '../messages';
import type { Clip } from '../state/generate-state';

export function Player(props: { clip: Clip }) {
  const total = () => Object.values(props.clip.timings).reduce((sum, ms) => sum + ms, 0);
  return (
    <figure class="stage-item">
      <video
        class="player"
        src={props.clip.url}
        loop
        autoplay
        muted
        playsinline
        controls
        aria-label="Generated clip"
        width={props.clip.width}
        height={props.clip.height}
      />
      <figcaption>
        <a class="button" href={props.clip.url} download={props.clip.fileName}>
          Download
        </a>
        <span class="clip-facts" data-testid="clip-facts">
          Seed used: <strong data-testid="seed-used">{props.clip.seed}</strong> · {props.clip.backend === 'webgpu' ? 'WebGPU' : 'WASM'} · {props.clip.width}×
          {props.clip.height}, {props.clip.frames} frames at {props.clip.fps} fps · {CODEC_LABEL[props.clip.codec]} · {formatBytes(props.clip.bytes)} · made in{' '}
          {formatSeconds(total())} (denoise {formatSeconds(props.clip.timings.denoise)})
        </span>
      </figcaption>
    </figure>
  );
}
