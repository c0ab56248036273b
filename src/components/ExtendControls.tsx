// Extend: continue the clip on screen with a prompt (the same one, or a new
// one such as "now the ball moves left"), or continue a video file made by
// any tool. The result is one longer MP4: the clip, then the new frames,
// which start from the clip's last latent frame so there is no jump.
import { createEffect, createSignal, Show } from 'solid-js';
import { MAX_CONDITIONING_SECONDS } from '../../workers/contracts/generator';
import { useLantern } from '../state/generate-state';

export function ExtendControls() {
  const { state, actions } = useLantern();
  const [prompt, setPrompt] = createSignal('');
  // A new clip offers its own prompt to continue with; the user's edits stay until the next clip.
  createEffect(() => setPrompt(state.clip?.prompt.split(' / ').at(-1) ?? state.form.prompt));
  const busy = () => state.engine.status !== 'ready';
  const added = () => {
    const m = state.lastModel;
    return m === null ? 0 : m.frames - m.conditioning.framesPerLatentFrame;
  };
  return (
    <Show when={(state.lastModel?.conditioning.continuationLatentFrames ?? 0) > 0}>
      <form
        class="extend"
        aria-label="Extend the clip"
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy() && state.clip !== null) actions.extend(prompt());
        }}
      >
        <label for="extend-prompt">Extend with</label>
        <div class="with-button">
          <input id="extend-prompt" type="text" value={prompt()} onInput={(e) => setPrompt(e.currentTarget.value)} placeholder="now the ball moves left" />
          <button type="submit" disabled={busy() || state.clip === null}>
            Extend
          </button>
        </div>
        <p class="hint">
          Adds {added()} frames ({(added() / (state.lastModel?.fps ?? 8) || 0).toFixed(1)} s) that continue the clip; extend again to keep going, up to{' '}
          {MAX_CONDITIONING_SECONDS} s.{' '}
          <label class="inline-file">
            Or extend a video file…
            <input
              type="file"
              accept="video/mp4,video/webm,video/quicktime,.mp4,.webm,.mov"
              aria-label="Extend a video file"
              disabled={busy()}
              onChange={(e) => {
                const file = e.currentTarget.files?.[0];
                if (file !== undefined) void actions.extendFile(file, prompt());
                e.currentTarget.value = '';
              }}
            />
          </label>
        </p>
      </form>
    </Show>
  );
}
