// Edit the clip on screen by instruction: "make it blue", "add rain". The
// instruction and the clip's prompt become the edited prompt (the Shapes
// World rewriter, src/edit/), shown in a field the user can correct before
// it runs. "How much may change" is the edit's strength (the model's
// default). The edit keeps the clip's seed, so what the prompt does not
// change (layout, motion) tends to stay.
import { createEffect, createSignal, on, Show } from 'solid-js';
import { EDIT_EXAMPLES, rewritePrompt } from '../edit/rewrite';
import { useLantern } from '../state/generate-state';

export function EditPanel() {
  const { state, actions } = useLantern();
  const [instruction, setInstruction] = createSignal('');
  const [edited, setEdited] = createSignal('');
  const [summary, setSummary] = createSignal<string | null>(null);
  const [problem, setProblem] = createSignal<{ name: string; message: string } | null>(null);
  const [strength, setStrength] = createSignal(0.9);
  const model = () => state.lastModel;
  createEffect(() => setStrength(model()?.conditioning.editStrength ?? 0.9));
  // A new clip starts a new edit.
  createEffect(
    on(
      () => state.clip?.url,
      () => {
        setEdited('');
        setSummary(null);
        setProblem(null);
      },
    ),
  );
  const editable = () => state.clip !== null && state.clip.frames === model()?.frames && state.clip.shots === 0;
  const busy = () => state.engine.status !== 'ready';

  const rewrite = (): void => {
    const clip = state.clip;
    if (clip === null) return;
    try {
      const result = rewritePrompt(clip.prompt, instruction());
      setEdited(result.prompt);
      setSummary(result.summary);
      setProblem(null);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      setProblem({ name: e.name, message: e.message });
      setSummary(null);
      // The user can still write the edited prompt by hand.
      if (edited() === '') setEdited(clip.prompt);
    }
  };

  return (
    <Show when={model()?.conditioning.editStrength != null && state.clip !== null}>
      <form
        class="edit"
        aria-label="Edit the clip"
        onSubmit={(e) => {
          e.preventDefault();
          if (edited().trim() === '') rewrite();
          else if (!busy() && editable()) actions.edit(edited(), strength(), instruction());
        }}
      >
        <label for="edit-instruction">Change</label>
        <div class="with-button">
          <input
            id="edit-instruction"
            type="text"
            value={instruction()}
            placeholder={EDIT_EXAMPLES[0]}
            aria-describedby="edit-examples"
            onInput={(e) => setInstruction(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) {
                e.preventDefault();
                rewrite();
              }
            }}
            disabled={!editable()}
          />
          <button type="button" class="secondary" onClick={rewrite} disabled={!editable() || instruction().trim() === ''}>
            Rewrite prompt
          </button>
        </div>
        <p id="edit-examples" class="hint">
          <Show when={editable()} fallback="An extended clip or a storyboard is several clips: edit a single clip.">
            For example: {EDIT_EXAMPLES.slice(0, 4).join(' · ')}
          </Show>
        </p>
        <Show when={problem()}>
          {(p) => (
            <p class="hint warn" role="alert" data-error-name={p().name}>
              {p().message}
            </p>
          )}
        </Show>
        <Show when={edited() !== ''}>
          <label for="edit-prompt">Edited prompt</label>
          <textarea id="edit-prompt" rows={2} value={edited()} onInput={(e) => setEdited(e.currentTarget.value)} aria-describedby="edit-summary" />
          <p id="edit-summary" class="hint" data-testid="edit-summary">
            {summary() ?? 'Write the edited prompt yourself.'}
          </p>
          <label for="edit-strength">
            How much may change: <output for="edit-strength">{Math.round(strength() * 100)}%</output>
          </label>
          <input
            id="edit-strength"
            type="range"
            min={0.1}
            max={1}
            step={0.05}
            value={strength()}
            onInput={(e) => setStrength(Number(e.currentTarget.value))}
            aria-valuetext={`${Math.round(strength() * 100)} percent`}
          />
          <button type="submit" disabled={busy() || !editable()}>
            Apply edit
          </button>
        </Show>
      </form>
    </Show>
  );
}
