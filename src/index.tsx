// Entry: one EngineClient (the worker), one store, the first screen, and
// `window.lantern` for scripts. `?backend=wasm|webgpu|auto` picks the first
// load's backend (the CLI uses it). The built-in model goes into the model
// store (its own worker): the engine's first load stores the parts its
// backend runs, the rest follows in the background, and a second visit
// fetches no model file.
import { render } from 'solid-js/web';
import { App } from './App';
import { backendFromAddress } from './address';
import { startDeployment } from './deployment/bootstrap';
import { EngineClient } from './engine-client';
import { whenEngineIdle } from './engine-idle';
import { openGallery } from './gallery/gallery';
import { installLanternGlobal } from './lantern-global';
import { connectModelStore } from './model-store-client';
import { DeploymentContext } from './state/deployment-state';
import { createGalleryStore, GalleryContext } from './state/gallery-state';
import { BUILTIN_MANIFEST_URL, createLanternStore, LanternContext } from './state/generate-state';
import { createModelsStore, ModelsContext } from './state/models-state';
import { createOfflineStore, OfflineContext } from './state/offline-state';
import { createStoryboardStore, StoryboardContext } from './state/storyboard-state';
import { createVariationsStore, VariationsContext } from './state/variations-state';
import { createStudio } from './studio';
import { verifyFile } from './verify/check-file';
import './styles.css';

const root = document.getElementById('root');
if (root === null) throw new Error("Missing '#root' element in index.html.");

const notices: string[] = [];
const backend = backendFromAddress(location.search, notices);

// The deployment first: its policy and provenance choices gate every request (src/deployment/guard.ts).
const { lock, deployment, guard } = startDeployment();

const client = new EngineClient({ guard });
const studio = createStudio(client, guard);
const store = createLanternStore(client, studio, { manifestUrl: BUILTIN_MANIFEST_URL, backend, notices });
const storyboard = createStoryboardStore(studio, store);
const gallery = createGalleryStore(() => openGallery(), store);
const variations = createVariationsStore(studio, store);
const models = createModelsStore(connectModelStore());
installLanternGlobal(
  client,
  studio,
  models.actions.firstLoad(BUILTIN_MANIFEST_URL, () => store.actions.start(), { idle: () => whenEngineIdle(client) }),
  BUILTIN_MANIFEST_URL,
  {
    gallery: () => gallery.actions.listing(),
    verify: (file: Blob) =>
      verifyFile(
        file,
        models.state.models.map((m) => m.id),
      ),
    policy: () => lock.state,
  },
);
const offline = createOfflineStore(client);

render(
  () => (
    <LanternContext.Provider value={store}>
      <DeploymentContext.Provider value={deployment}>
        <OfflineContext.Provider value={offline}>
          <ModelsContext.Provider value={models}>
            <StoryboardContext.Provider value={storyboard}>
              <GalleryContext.Provider value={gallery}>
                <VariationsContext.Provider value={variations}>
                  <App />
                </VariationsContext.Provider>
              </GalleryContext.Provider>
            </StoryboardContext.Provider>
          </ModelsContext.Provider>
        </OfflineContext.Provider>
      </DeploymentContext.Provider>
    </LanternContext.Provider>
  ),
  root,
);
