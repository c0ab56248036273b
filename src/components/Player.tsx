// The finished clip: a looping, muted, autoplaying player, the Download link
// (named by the engine: lantern-<prompt>-seed<seed>.mp4), Copy link (its
// recipe), "Use this frame" (the frame on screen becomes the start image),
// what made it (its recipe's steps and sampler among it), and its frames'
// fingerprint (the same recipe on the same model and backend gives the same
// one).

import { Show } from 'solid-js';
import { CopyLink } from '../gallery-ui/CopyLink';
import { CODEC_LABEL, formatBytes, formatSeconds, SAMPLER_LABEL } from '../messages';
import { isReproducible } from '../recipe/recipe';
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
        <Show when={props.clip.recipe !== null && isReproducible(props.clip.recipe)}>
          <CopyLink recipe={props.clip.recipe} />
        </Show>
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
          Seed used: <strong data-testid="seed-used">{props.clip.seed}</strong> · {props.clip.backend === 'webgpu' ? 'WebGPU' : 'WASM'} ·{' '}
          <Show when={props.clip.recipe}>
            {(recipe) => (
              <>
                <span data-testid="clip-sampler">
                  {recipe().steps} steps, {SAMPLER_LABEL[recipe().sampler]}
                  {recipe().shift === null ? '' : `, shift ${recipe().shift}`}
                </span>{' '}
                ·{' '}
              </>
            )}
          </Show>
          {props.clip.width}×{props.clip.height}, <span data-testid="clip-frames">{props.clip.frames}</span> frames at {props.clip.fps} fps ·{' '}
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
          <Show when={props.clip.galleryId !== null}> · in the gallery</Show>
        </span>
        <span class="hint fingerprint" title="SHA-256 of the clip's frames: the same recipe on the same model and backend gives the same fingerprint">
          Frames fingerprint: <code data-testid="clip-fingerprint">{props.clip.fingerprint ?? '…'}</code>
        </span>
      </figcaption>
    </figure>
  );
}
