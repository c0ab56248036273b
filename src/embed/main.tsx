// Entry of embed.html: the generator alone, for an iframe (README,
// "Embedding in another site"). The same engine, model store, policy and
// provenance as the app; no gallery, studio or models screen. A page that
// frames it without the deployer's leave gets a notice and nothing loads.
import { render } from 'solid-js/web';
import { backendFromAddress } from '../address';
import { startDeployment } from '../deployment/bootstrap';
import { EngineClient } from '../engine-client';
import { whenEngineIdle } from '../engine-idle';
import { connectModelStore } from '../model-store-client';
import { DeploymentContext } from '../state/deployment-state';
import { BUILTIN_MANIFEST_URL } from '../state/generate-state';
import { createModelsStore, ModelsContext, storedFor } from '../state/models-state';
import { createOfflineStore, OfflineContext } from '../state/offline-state';
import { connectBridge } from './bridge';
import { EmbedApp, EmbedRefused } from './EmbedApp';
import { framingOrigin, framingProblem } from './frame-check';
import { createEmbedSession, EmbedContext } from './session-context';
import '../styles.css';
import './embed.css';

const root = document.getElementById('root');
if (root === null) throw new Error("Missing '#root' element in embed.html.");

const { config, lock, deployment, guard } = startDeployment();
const refusal = framingProblem(framingOrigin(window), location.origin, config.embed.allowedOrigins);
if (refusal !== null) {
  console.warn(`Lantern embed: ${refusal}`);
  render(() => <EmbedRefused reason={refusal} />, root);
} else {
  const notices: string[] = [];
  const backend = backendFromAddress(location.search, notices);
  for (const notice of notices) deployment.actions.notice(notice);
  const client = new EngineClient({ guard });
  const session = createEmbedSession(client, config.embed);
  const bridge = connectBridge(window, session, { ownOrigin: location.origin, settings: config.embed, lock });
  const models = createModelsStore(connectModelStore());
  const offline = createOfflineStore(client); // the service worker: after one visit the embed works offline, as the app does
  models.actions
    .firstLoad(BUILTIN_MANIFEST_URL, () => client.load({ manifestUrl: BUILTIN_MANIFEST_URL, backend }), { idle: () => whenEngineIdle(client) })
    .then(
      (model) => {
        session.setModel(model);
        // Kept for the backend it runs on; the other backend's graphs follow in the background.
        const kept = models.state.models.find((m) => m.manifestUrl === models.state.preparing);
        const stored = kept !== undefined && storedFor(kept, model.backend.backend);
        bridge.announceReady(model, stored);
      },
      (error: unknown) => {
        const e = error instanceof Error ? error : new Error(String(error));
        session.setLoadError(e);
        bridge.announceLoadError(e);
      },
    );
  render(
    () => (
      <DeploymentContext.Provider value={deployment}>
        <OfflineContext.Provider value={offline}>
          <ModelsContext.Provider value={models}>
            <EmbedContext.Provider value={session}>
              <EmbedApp starterPrompts={config.embed.starterPrompts} />
            </EmbedContext.Provider>
          </ModelsContext.Provider>
        </OfflineContext.Provider>
      </DeploymentContext.Provider>
    ),
    root,
  );
}
