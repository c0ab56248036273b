// The deployment on the page's side, as one Solid store: the policy mode (and
// who set it), the provenance choices, and the notices about either (a broken
// lantern.config.json, an ignored request to lower the mode). The lock and
// the settings are the truth (src/deployment/); this store mirrors them for
// the UI, and the only thing the UI can change is the provenance choices,
// which strict mode overrides for the visible mark.
import { createContext, useContext } from 'solid-js';
import { createStore } from 'solid-js/store';
import type { ProvenanceChoices } from '../../workers/contracts/provenance';
import type { PolicyLock, PolicyState } from '../deployment/policy-mode';
import type { ProvenanceSettings } from '../deployment/provenance-settings';

export type DeploymentState = { policy: PolicyState; choices: ProvenanceChoices; notices: string[] };

export type DeploymentStore = ReturnType<typeof createDeploymentStore>;

export function createDeploymentStore(lock: PolicyLock, settings: ProvenanceSettings, notices: string[] = []) {
  const [state, setState] = createStore<DeploymentState>({ policy: lock.state, choices: settings.choices, notices });
  lock.subscribe((policy) => setState('policy', policy));
  settings.subscribe((choices) => setState('choices', { ...choices }));
  return {
    state,
    actions: {
      setChoice: <K extends keyof ProvenanceChoices>(key: K, value: ProvenanceChoices[K]): void => settings.set({ [key]: value }),
      notice: (message: string): void => {
        setState('notices', (list) => [...list, message]);
      },
      dismissNotices: (): void => {
        setState('notices', []);
      },
    },
  };
}

export const DeploymentContext = createContext<DeploymentStore>();

export function useDeployment(): DeploymentStore {
  const store = useContext(DeploymentContext);
  if (store === undefined) throw new Error('useDeployment() needs a <DeploymentContext.Provider> above it.');
  return store;
}
