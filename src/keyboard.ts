// Page-wide shortcuts: Ctrl+Enter (Cmd+Enter on a Mac) generates from the
// form, Escape cancels the generation, storyboard or set of variations that
// runs. Both work wherever focus is on the generate screen, so nothing needs
// a mouse; Escape leaves an open <select> or a focused video's own keys alone.
import type { LanternStore } from './state/generate-state';

export function installShortcuts(store: Pick<LanternStore, 'state' | 'actions'>, onGenerateScreen: () => boolean): () => void {
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.defaultPrevented) return;
    const status = store.state.engine.status;
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && onGenerateScreen()) {
      event.preventDefault();
      if (status === 'ready') store.actions.generate();
      return;
    }
    if (event.key === 'Escape' && (status === 'generating' || status === 'loading')) {
      event.preventDefault();
      store.actions.cancel();
    }
  };
  document.addEventListener('keydown', onKeyDown);
  return () => document.removeEventListener('keydown', onKeyDown);
}
