// The user's provenance choices (the visible mark, the recipe in the file),
// remembered in localStorage. Privacy is the default: the prompt and seed go
// into a file only after the user opts in. Strict mode forces the mark on
// (guard.ts); the stored choice is kept for when the page is not strict.
import { DEFAULT_PROVENANCE_CHOICES, type ProvenanceChoices } from '../../workers/contracts/provenance';

export const PROVENANCE_SETTINGS_KEY = 'lantern.provenance';

export class ProvenanceSettings {
  #choices: ProvenanceChoices;
  readonly #storage: Storage | null;
  readonly #listeners = new Set<(choices: ProvenanceChoices) => void>();

  constructor(storage: Storage | null) {
    this.#storage = storage;
    this.#choices = { ...DEFAULT_PROVENANCE_CHOICES, ...read(storage) };
  }

  get choices(): ProvenanceChoices {
    return this.#choices;
  }

  set(change: Partial<ProvenanceChoices>): void {
    this.#choices = { ...this.#choices, ...change };
    try {
      this.#storage?.setItem(PROVENANCE_SETTINGS_KEY, JSON.stringify(this.#choices));
    } catch (error) {
      console.warn('Could not remember the provenance settings (storage unavailable); they hold until the page closes.', error);
    }
    for (const listener of this.#listeners) listener(this.#choices);
  }

  subscribe(listener: (choices: ProvenanceChoices) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

function read(storage: Storage | null): Partial<ProvenanceChoices> {
  let raw: string | null = null;
  try {
    raw = storage?.getItem(PROVENANCE_SETTINGS_KEY) ?? null;
  } catch {
    return {};
  }
  if (raw === null) return {};
  try {
    const value = JSON.parse(raw) as Record<string, unknown>;
    const choices: Partial<ProvenanceChoices> = {};
    if (typeof value['visibleMark'] === 'boolean') choices.visibleMark = value['visibleMark'];
    if (typeof value['includeRecipe'] === 'boolean') choices.includeRecipe = value['includeRecipe'];
    return choices;
  } catch {
    console.warn(`The stored provenance settings (${PROVENANCE_SETTINGS_KEY}) are unreadable; using the defaults (mark on, recipe off).`);
    return {};
  }
}
