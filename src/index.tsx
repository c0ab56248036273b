// Entry: one EngineClient (the worker), one store, the first screen, and
// `window.lantern` for scripts. `?backend=wasm|webgpu|auto` picks the first
// load's backend (the CLI uses it). The built-in model goes into the model
// store (its own worker) before the engine's first load, which then reads
// it from IndexedDB, so a second visit fetches no model file.
import { render } from 'solid-js/web';
import { BACKEND_CHOICES, type BackendChoice, isBackendChoice } from '../workers/contracts/generator';
import { App } from './App';
import { deploymentConfig } from './deployment/config';
import { createRequestGuard } from './deployment/guard';
import { PolicyLock, watchPolicyRequests } from './deployment/policy-mode';
import { ProvenanceSettings } from './deployment/provenance-settings';
import { EngineClient } from './engine-client';
import { openGallery } from './gallery/gallery';
import { installLanternGlobal } from './lantern-global';
import { connectModelStore } from './model-store-client';
import { createDeploymentStore, DeploymentContext } from './state/deployment-state';
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
const asked = new URLSearchParams(location.search).get('backend');
let backend: BackendChoice = 'auto';
if (isBackendChoice(asked)) backend = asked;
else if (asked !== null) notices.push(`Unknown backend '${asked}' in the address. Must be one of: ${BACKEND_CHOICES.join(', ')}. Using auto.`);

// The deployment first: its policy and provenance choices gate every request (src/deployment/guard.ts).
const { config, error: configError } = deploymentConfig();
const deploymentNotices = configError === null ? [] : [configError.message];
const storage = (kind: 'localStorage' | 'sessionStorage'): Storage | null => {
  try {
    return window[kind];
  } catch {
    return null; // blocked site data (a sandboxed frame): settings hold for this page only
  }
};
const policyNotices: string[] = [];
let onIgnored = (message: string): void => void policyNotices.push(message);
const lock = new PolicyLock(config, (message) => onIgnored(message));
watchPolicyRequests(lock, { location, window, sessionStorage: storage('sessionStorage') });
const provenanceSettings = new ProvenanceSettings(storage('localStorage'));
const deployment = createDeploymentStore(lock, provenanceSettings, [...deploymentNotices, ...policyNotices]);
onIgnored = deployment.actions.notice;
const guard = createRequestGuard(lock, provenanceSettings);

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
  models.actions.prepare(BUILTIN_MANIFEST_URL).then(() => store.actions.start()),
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
