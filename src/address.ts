// What a page reads from its own address: `?backend=wasm|webgpu|auto`, the
// first load's backend (the CLI and the tests use it).
import { BACKEND_CHOICES, type BackendChoice, isBackendChoice } from '../workers/contracts/generator';

/** The backend the address asks for ('auto' when none); an unknown one adds a notice and gives 'auto'. */
export function backendFromAddress(search: string, notices: string[]): BackendChoice {
  const asked = new URLSearchParams(search).get('backend');
  if (isBackendChoice(asked)) return asked;
  if (asked !== null) notices.push(`Unknown backend '${asked}' in the address. Must be one of: ${BACKEND_CHOICES.join(', ')}. Using auto.`);
  return 'auto';
}
