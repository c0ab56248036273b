// Progress by phase: a bar over the whole run, the phase in words, the elapsed
// time and an estimate of what is left. `data-phase` and `data-fraction` carry
// the raw numbers for scripts and tests.
import { For, Show } from 'solid-js';
import { PHASES } from '../../workers/contracts/generator';
import { describeProgress, formatSeconds, PHASE_SHORT } from '../messages';
import { useLantern } from '../state/generate-state';

/** Below this much progress (or time) an estimate is noise. */
const MIN_FRACTION_FOR_ETA = 0.03;
const MIN_MS_FOR_ETA = 1000;

function finished(last: { kind: 'load' | 'generate'; ms: number }): string {
  return `${last.kind === 'load' ? 'Model ready' : 'Clip made'} in ${formatSeconds(last.ms)}.`;
}

export function ProgressPanel() {
  const { state } = useLantern();
  const elapsed = () => (state.run === null ? 0 : Math.max(0, state.now - state.run.startedAt));
  const fraction = () => state.progress?.fraction ?? 0;
  const eta = () => {
    const f = fraction();
    if (f < MIN_FRACTION_FOR_ETA || elapsed() < MIN_MS_FOR_ETA || f >= 1) return null;
    return (elapsed() * (1 - f)) / f;
  };
  // Reading given frames is a phase only of image-to-video and extend runs.
  const conditioned = () => state.engine.status === 'generating' && state.engine.request.conditioning !== undefined;
  const shown = () => (state.run?.kind === 'load' ? PHASES.slice(0, 1) : PHASES.slice(1).filter((p) => p !== 'encodeFrames' || conditioned()));
  const phaseIndex = () => (state.progress === null ? -1 : PHASES.indexOf(state.progress.phase));

  return (
    <section class="progress" aria-label="Progress" data-phase={state.progress?.phase ?? 'none'} data-fraction={fraction()} data-status={state.engine.status}>
      <ol class="phases">
        <For each={shown()}>
          {(phase) => (
            <li
              classList={{
                current: state.run !== null && state.progress?.phase === phase,
                past: PHASES.indexOf(phase) < phaseIndex() || (state.run === null && state.lastRun?.ok === true),
              }}
            >
              {PHASE_SHORT[phase]}
            </li>
          )}
        </For>
      </ol>
      <progress aria-label="Progress of the current run" max={1} value={state.run === null && state.progress === null ? 0 : fraction()} />
      <p class="progress-text" role="status">
        <Show when={state.run !== null} fallback={<Show when={state.lastRun?.ok === true ? state.lastRun : undefined}>{(last) => finished(last())}</Show>}>
          {state.progress === null ? (state.run?.kind === 'load' ? 'Starting the engine…' : 'Starting…') : describeProgress(state.progress)}
          {` · ${formatSeconds(elapsed())} elapsed`}
          <Show when={eta()}>{(left) => ` · about ${formatSeconds(left())} left`}</Show>
        </Show>
      </p>
    </section>
  );
}
