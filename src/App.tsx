// The first screen: settings, variations and the storyboard on the left; on
// the right the live preview while denoising, then the looping player with
// Download, Copy link, Use this frame, Edit and Extend, the variations side
// by side, and progress below. Tabs switch to the gallery (src/gallery-ui/), Check a video (src/verify-ui/)
// and the models screen (src/models/). Ctrl/Cmd+Enter generates and Escape
// cancels from anywhere on the page (src/keyboard.ts).
import { createSignal, Match, onCleanup, onMount, Show, Switch } from 'solid-js';
import { BackendPanel } from './components/BackendPanel';
import { EditPanel } from './components/EditPanel';
import { ExtendControls } from './components/ExtendControls';
import { Messages } from './components/Messages';
import { OfflineStatus } from './components/OfflineStatus';
import { Player } from './components/Player';
import { PolicyStatus } from './components/PolicyStatus';
import { PreviewCanvas } from './components/PreviewCanvas';
import { ProgressPanel } from './components/ProgressPanel';
import { PromptForm } from './components/PromptForm';
import { ProvenancePanel } from './components/ProvenancePanel';
import { RecipeBanner } from './components/RecipeBanner';
import { type Screen, ScreenTabs } from './components/ScreenTabs';
import { StoryboardPanel } from './components/StoryboardPanel';
import { UpdatePrompt } from './components/UpdatePrompt';
import { VariationsGrid } from './components/VariationsPanel';
import type { GalleryClip } from './gallery/gallery';
import { GalleryScreen } from './gallery-ui/GalleryScreen';
import { installShortcuts } from './keyboard';
import { ModelDownloadStatus } from './models/ModelDownloadStatus';
import { ModelsScreen } from './models/ModelsScreen';
import { useLantern } from './state/generate-state';
import { CheckScreen } from './verify-ui/CheckScreen';

export function App() {
  const { state, actions } = useLantern();
  const clipSeconds = () => (state.lastModel === null ? 2 : state.lastModel.frames / state.lastModel.fps);
  const [screen, setScreen] = createSignal<Screen>('generate');
  onMount(() => onCleanup(installShortcuts({ state, actions }, () => screen() === 'generate')));
  const remix = (clip: GalleryClip): void => {
    actions.fillForm(clip.recipe);
    setScreen('generate');
    document.getElementById('prompt')?.focus();
  };
  return (
    <div class="app">
      <header>
        <h1>Lantern</h1>
        <p class="tagline">Text to video, generated on this device. Nothing is uploaded.</p>
        <BackendPanel />
        <PolicyStatus />
        <OfflineStatus loaded={state.model === null ? null : { manifestUrl: state.manifestUrl, backend: state.model.backend.backend }} />
        <UpdatePrompt />
        <ModelDownloadStatus />
        <ScreenTabs screen={screen()} onSelect={setScreen} />
      </header>
      <main id="screen-generate" role="tabpanel" aria-labelledby="tab-generate" hidden={screen() !== 'generate'}>
        <div class="column">
          <RecipeBanner />
          <PromptForm />
          <Show when={(state.lastModel?.conditioning.continuationLatentFrames ?? 0) > 0}>
            <StoryboardPanel />
          </Show>
          <ProvenancePanel />
        </div>
        <section class="panel stage" aria-label="Clip">
          <Switch>
            <Match when={state.clip}>{(clip) => <Player clip={clip()} />}</Match>
            <Match when={state.preview}>{(preview) => <PreviewCanvas preview={preview()} clipSeconds={clipSeconds()} />}</Match>
            <Match when={true}>
              <div class="stage-empty">{state.engine.status === 'generating' ? 'The preview appears after the first step.' : 'Your clip will play here.'}</div>
            </Match>
          </Switch>
          <EditPanel />
          <ExtendControls />
          <VariationsGrid />
          <ProgressPanel />
          <Messages />
        </section>
      </main>
      <GalleryScreen hidden={screen() !== 'gallery'} onRemix={remix} />
      <CheckScreen hidden={screen() !== 'check'} />
      <ModelsScreen hidden={screen() !== 'models'} />
      <footer>
        <Show when={state.lastModel} fallback="No model loaded yet.">
          {(model) => `Model: ${model().name} · ${model().width}×${model().height}, ${model().frames} frames at ${model().fps} fps`}
        </Show>
        <span data-testid="app-version"> · Lantern {__LANTERN_VERSION__}</span>
      </footer>
    </div>
  );
}
