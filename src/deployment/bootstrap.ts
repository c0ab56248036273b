// The deployment as a page starts it (the app, index.tsx, and the embed,
// embed/main.tsx): the configuration, the policy lock and what may raise it,
// the provenance choices, the store the UI reads them from, and the guard
// every request passes.
import { createDeploymentStore } from '../state/deployment-state';
import { deploymentConfig } from './config';
import { createRequestGuard } from './guard';
import { PolicyLock, watchPolicyRequests } from './policy-mode';
import { ProvenanceSettings } from './provenance-settings';

/** Web storage, or null where site data is blocked (a sandboxed frame): settings then hold for this page only. */
export function webStorage(kind: 'localStorage' | 'sessionStorage'): Storage | null {
  try {
    return window[kind];
  } catch {
    return null;
  }
}

export function startDeployment() {
  const { config, error: configError } = deploymentConfig();
  const early: string[] = configError === null ? [] : [configError.message];
  let onIgnored = (message: string): void => void early.push(message);
  const lock = new PolicyLock(config, (message) => onIgnored(message));
  watchPolicyRequests(lock, { location, window, sessionStorage: webStorage('sessionStorage') });
  const provenanceSettings = new ProvenanceSettings(webStorage('localStorage'));
  const deployment = createDeploymentStore(lock, provenanceSettings, early);
  onIgnored = deployment.actions.notice;
  const guard = createRequestGuard(lock, provenanceSettings);
  return { config, lock, provenanceSettings, deployment, guard };
}
