// The finished clip: a looping, muted, autoplaying player, the Download link
// (named by the engine: lantern-<prompt>-seed<seed>.mp4), "Use this frame"
// (the frame on screen becomes the start image) and what made it.

import { Show } from 'solid-js';
import { CODEC_LABEL, formatBytes, formatSeconds } from '../messages';
import { type Clip, useLantern } from '../state/generate-state';

export function Player(props: { clip: Clip }) {
  const { state, actions } = useLantern();
  let video: HTMLVideoElement | undefined;
  const total = () => Object.values(props.clip.timings).reduce((sum, ms) => sum + ms, 0);
  const frameOnScreen = () => Math.min(props.clip.frames - 1, Math.floor((video?.currentTime ?? 0) * props.clip.fps));
  return (
    <figure class="stage-item">
      <video
        ref={video}
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
        <Show when={state.lastModel?.conditioning.image === true}>
          <button
            type="button"
            class="secondary"
            title="Pause on a frame, then use it as the start image of a new clip"
            onClick={() => actions.useClipFrame(frameOnScreen())}
          >
            Use this frame
          </button>
        </Show>
        <span class="clip-facts" data-testid="clip-facts">
          Seed used: <strong data-testid="seed-used">{props.clip.seed}</strong> · {props.clip.backend === 'webgpu' ? 'WebGPU' : 'WASM'} · {props.clip.width}×
          {props.clip.height}, <span data-testid="clip-frames">{props.clip.frames}</span> frames at {props.clip.fps} fps ·{' '}
          {formatSeconds((1000 * props.clip.frames) / props.clip.fps)} · {CODEC_LABEL[props.clip.codec]} · {formatBytes(props.clip.bytes)}
          <Show when={props.clip.givenFrames > 0}> · extended from {props.clip.givenFrames} frames</Show>
          <Show
            when={props.clip.shots > 0}
            fallback={
              <>
                {' '}
                · made in {formatSeconds(total())} (denoise {formatSeconds(props.clip.timings.denoise)})
              </>
            }
          >
            {' '}
            · storyboard of {props.clip.shots} shots
          </Show>
        </span>
      </figcaption>
    </figure>
  );
}
