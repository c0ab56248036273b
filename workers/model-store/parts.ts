// A model's parts, by which backend needs them, derived from any manifest
// with the engine's own graphsFor (workers/model-files/backend-graphs.ts):
// a graph run by one backend only is that backend's part ('wasm': the whole
// denoiser graph; 'webgpu': the stage graphs), a graph run by none is
// 'other', and the rest (the tokenizer, the text encoder, the decoder, the
// encoder) is 'common'. A file belongs to the part of the backends that
// need it, so a file two parts' graphs share is common. The store reports
// each part's storage, and a first visit downloads common plus the loaded
// backend's part before the rest.

import { BACKENDS } from '../contracts/choices.mjs';
import type { Backend } from '../contracts/generator';
import { MODEL_PART_IDS, type ModelPartId } from '../contracts/model-store';
import { graphsFor } from '../model-files/backend-graphs';
import { resolveModelUrl } from '../model-files/load';
import type { Manifest } from '../model-files/manifest';
import type { ModelFile } from './files';

/** A part and the files it holds, in manifest order. */
export type PartFiles = { id: ModelPartId; graphs: string[]; files: ModelFile[] };

function partOf(backends: ReadonlySet<Backend>): ModelPartId {
  if (backends.size === 0) return 'other';
  if (backends.size === 1) return [...backends][0]!;
  return 'common';
}

/** The parts of `manifest` that hold files, in MODEL_PART_IDS order; `files` is modelFiles(manifest, manifestUrl). */
export function modelParts(manifest: Manifest, files: readonly ModelFile[], manifestUrl: string): PartFiles[] {
  const runBy = new Map<string, Set<Backend>>(Object.keys(manifest.graphs).map((graph) => [graph, new Set<Backend>()]));
  for (const backend of BACKENDS) for (const graph of graphsFor(manifest, backend)) runBy.get(graph)?.add(backend);

  // The backends needing each file: those running any graph that names it; every backend needs the tokenizer.
  const neededBy = new Map<string, Set<Backend>>([[resolveModelUrl(manifest.tokenizer.url, manifestUrl, 'tokenizer.url'), new Set(BACKENDS)]]);
  const need = (url: string, field: string, backends: ReadonlySet<Backend>) => {
    const key = resolveModelUrl(url, manifestUrl, field);
    const set = neededBy.get(key) ?? new Set<Backend>();
    for (const b of backends) set.add(b);
    neededBy.set(key, set);
  };
  for (const [name, graph] of Object.entries(manifest.graphs)) {
    const backends = runBy.get(name)!;
    for (const [i, s] of graph.shards.entries()) need(s.url, `graphs.${name}.shards[${i}].url`, backends);
    for (const [j, f] of graph.externalData.entries()) {
      for (const [i, s] of f.shards.entries()) need(s.url, `graphs.${name}.externalData[${j}].shards[${i}].url`, backends);
    }
  }

  const parts = new Map<ModelPartId, PartFiles>(MODEL_PART_IDS.map((id) => [id, { id, graphs: [], files: [] }]));
  for (const [graph, backends] of runBy) parts.get(partOf(backends))!.graphs.push(graph);
  for (const file of files) parts.get(partOf(neededBy.get(file.url) ?? new Set()))!.files.push(file);
  return [...parts.values()].filter((p) => p.files.length > 0);
}

/** URLs of the files in the parts `ids`. */
export function partFileUrls(parts: readonly PartFiles[], ids: readonly ModelPartId[]): Set<string> {
  return new Set(parts.filter((p) => ids.includes(p.id)).flatMap((p) => p.files.map((f) => f.url)));
}

/** The parts `backend` loads: the common part and its own. */
export function partsFor(backend: Backend): ModelPartId[] {
  return ['common', backend];
}

const BACKEND_WORDS: Record<Backend, string> = { wasm: 'WASM', webgpu: 'WebGPU' };

/** A part in words, for messages: "the WebGPU backend's graphs (dit_text_kv, dit_stage_00, and 13 more)". */
export function describePart(part: Pick<PartFiles, 'id' | 'graphs'>): string {
  const graphs = part.graphs.length <= 3 ? part.graphs.join(', ') : `${part.graphs.slice(0, 2).join(', ')} and ${part.graphs.length - 2} more`;
  switch (part.id) {
    case 'common':
      return `the graphs every backend needs (${[graphs, 'the tokenizer'].filter((s) => s !== '').join(' and ')})`;
    case 'other':
      return `graphs no backend runs (${graphs})`;
    default:
      return `the ${BACKEND_WORDS[part.id]} backend's graphs (${graphs})`;
  }
}
