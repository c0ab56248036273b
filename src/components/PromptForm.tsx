// Prompt, negative prompt, seed (with Random), steps, guidance, the Speed
// choice (a sampler with its steps: sampling-presets.ts), the start
// image (image-to-video) and the video format (the codecs this browser cannot encode are shown, disabled); Generate
// and Cancel. Inputs keep their text; the store parses it on Generate and the
// engine validates it, so a bad value comes back as a named error.
import { createMemo, Show } from 'solid-js';
import { isVideoCodec, VIDEO_CODECS } from '../../workers/contracts/generator';
import { CODEC_LABEL, countWords, SAMPLER_LABEL } from '../messages';
import { describeSetting, SPEED_LABEL, SPEEDS, speedOf, speedPresets } from '../sampling-presets';
import { MAX_SEED, useLantern } from '../state/generate-state';
import { StartImagePicker } from './StartImagePicker';
import { VariationsControl } from './VariationsPanel';

export function PromptForm() {
  const { state, actions } = useLantern();
  const busy = () => state.engine.status === 'generating' || state.engine.status === 'loading';
  const words = createMemo(() => countWords(state.form.prompt));
  const over = () => {
    const limit = state.lastModel?.maxPromptWords;
    return limit !== undefined && words() > limit ? words() - limit : 0;
  };

  return (
    <form
      class="panel prompt-form"
      aria-label="Generation settings"
      onSubmit={(event) => {
        event.preventDefault();
        if (state.engine.status !== 'generating') actions.generate();
      }}
    >
      <label for="prompt">Prompt</label>
      <textarea
        id="prompt"
        rows={3}
        placeholder="a red ball bounces on a meadow in pixel art style"
        value={state.form.prompt}
        onInput={(e) => actions.setForm('prompt', e.currentTarget.value)}
        aria-describedby="prompt-count shortcut-hint"
      />
      <p id="prompt-count" class="hint" classList={{ warn: over() > 0 }}>
        {words()} / {state.lastModel?.maxPromptWords ?? '…'} words
        <Show when={over() > 0}>
          {' '}
          — only the first {state.lastModel?.maxPromptWords} are used; the last {over()} will be dropped
        </Show>
      </p>

      <label for="negative">Negative prompt</label>
      <input
        id="negative"
        type="text"
        placeholder="optional: what to steer away from"
        value={state.form.negativePrompt}
        onInput={(e) => actions.setForm('negativePrompt', e.currentTarget.value)}
      />

      <div class="row">
        <div class="field">
          <label for="seed">Seed</label>
          <div class="with-button">
            <input
              id="seed"
              type="number"
              min={0}
              max={MAX_SEED}
              step={1}
              inputMode="numeric"
              value={state.form.seed}
              onInput={(e) => actions.setForm('seed', e.currentTarget.value)}
            />
            <button type="button" class="secondary" onClick={() => actions.randomizeSeed()} aria-label="Random seed" title="Pick a random seed">
              Random
            </button>
          </div>
        </div>
        <div class="field">
          <label for="steps">Steps</label>
          <input id="steps" type="number" step={1} value={state.form.steps} onInput={(e) => actions.setForm('steps', e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="guidance">Guidance</label>
          <input id="guidance" type="number" step={0.5} value={state.form.guidance} onInput={(e) => actions.setForm('guidance', e.currentTarget.value)} />
        </div>
      </div>

      <fieldset class="speed" aria-describedby="speed-hint">
        <legend>Speed</legend>
        <div class="segmented">
          {SPEEDS.map((speed) => (
            <label title={describeSetting(speedPresets(state.lastModel)[speed], SAMPLER_LABEL)}>
              <input
                type="radio"
                name="speed"
                value={speed}
                checked={speedOf(state.form, state.lastModel) === speed}
                onChange={() => actions.setSpeed(speed)}
              />
              {SPEED_LABEL[speed]}
            </label>
          ))}
        </div>
        <p id="speed-hint" class="hint" data-testid="form-sampler">
          Sampler: {SAMPLER_LABEL[state.form.sampler]}
          <Show when={speedOf(state.form, state.lastModel) === null}>
            {`, ${state.form.steps || '?'} steps${typeof state.form.shift === 'number' ? `, shift ${state.form.shift}` : ''}`} (custom); choose a speed to go
            back to a preset
          </Show>
        </p>
      </fieldset>

      <Show when={state.lastModel?.conditioning.image !== false}>
        <StartImagePicker />
      </Show>

      <div class="field format">
        <label for="codec">Video format</label>
        <select
          id="codec"
          value={state.form.codec}
          onChange={(e) => {
            const value = e.currentTarget.value;
            if (isVideoCodec(value)) actions.setForm('codec', value);
          }}
        >
          {VIDEO_CODECS.map((codec) => {
            const unsupported = () => state.lastModel !== null && !state.lastModel.codecs.includes(codec);
            return (
              <option value={codec} disabled={unsupported()}>
                {CODEC_LABEL[codec]} (MP4){unsupported() ? ' — this browser cannot encode it' : ''}
              </option>
            );
          })}
        </select>
      </div>

      <div class="actions">
        <button type="submit" disabled={state.engine.status === 'generating'}>
          Generate
        </button>
        <button type="button" class="secondary" disabled={!busy()} onClick={() => actions.cancel()}>
          Cancel
        </button>
      </div>
      <p id="shortcut-hint" class="hint">
        <kbd>Ctrl</kbd>+<kbd>Enter</kbd> (<kbd>⌘</kbd>+<kbd>Enter</kbd>) generates, <kbd>Esc</kbd> cancels.
      </p>
      <VariationsControl />
    </form>
  );
}
