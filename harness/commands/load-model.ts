import type { TokenLevel } from '../../corpora/corpus.ts';
import type { CorpusOptions } from '../../corpora/load.ts';
import { loadCheckpoint } from '../../models/checkpoint.ts';
import type { PluginRegistry } from '../../models/registry.ts';
import { UserError } from '../../errors/user-error.ts';
import type { LanguageModel, Protocol } from '../../models/types.ts';

export interface LoadedModel {
  readonly model: LanguageModel;
  /** What training recorded, if the model was trained by the CLI or the harness. */
  readonly trainedOn?: { corpus: string; corpusOptions: CorpusOptions; level: TokenLevel; mode: Protocol; seed: number };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A saved model, rebuilt by the plug-in that wrote it (found in `registry`). */
export function loadModel(dir: string, registry: PluginRegistry): LoadedModel {
  const data = loadCheckpoint(dir);
  if (!registry.has(data.plugin)) {
    throw new UserError(
      `${dir}: written by plug-in "${data.plugin}", which is not loaded: add --plugin PATH_OR_PACKAGE (the module that defines it); loaded: ${registry.names().join(', ')}`,
    );
  }
  const model = registry.find(data.plugin).fromCheckpoint(data);
  const p = data.provenance;
  if (isObject(p) && typeof p.corpus === 'string' && (p.level === 'word' || p.level === 'char') && (p.mode === 'sentence' || p.mode === 'stream')) {
    return {
      model,
      trainedOn: {
        corpus: p.corpus,
        corpusOptions: (isObject(p.corpusOptions) ? p.corpusOptions : {}) as CorpusOptions,
        level: p.level,
        mode: p.mode,
        seed: typeof p.seed === 'number' ? p.seed : 0,
      },
    };
  }
  return { model };
}
