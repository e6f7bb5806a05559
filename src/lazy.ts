// The one place that loads a split-off chunk (src/chunks/: what loads when): one memo per chunk, and one
// failure path. A chunk that does not come (a host that serves biometric-flow.js alone, a network that
// fails) is told in the console once, and each caller gets a FlowError `chunk-load-failed` to report or to
// go on without; the core has a short text of its own to show for it, so that nobody is left with a blank box.
import { FlowError } from './errors.js';
import type { Locale } from './locales.js';

const CHUNKS = {
  deferred: () => import('./chunks/deferred.js'),
  handoff: () => import('./chunks/handoff.js'),
  'handoff-view': () => import('./chunks/handoff-view.js'),
  session: () => import('./chunks/session.js'),
};

/** A chunk by the tail of its CDN file's name (`biometric-flow-<name>.js`). */
export type ChunkName = keyof typeof CHUNKS;
export type Chunk<Name extends ChunkName> = Awaited<ReturnType<(typeof CHUNKS)[Name]>>;

const loading: Partial<Record<ChunkName, Promise<unknown>>> = {};

/**
 * The chunk `name`, loaded once for the page.
 *
 * @throws {FlowError} (the promise rejects) `chunk-load-failed` when the file did not load.
 */
export function lazy<Name extends ChunkName>(name: Name): Promise<Chunk<Name>> {
  return (loading[name] ??= CHUNKS[name]().catch((cause: unknown) => {
    const error = new FlowError('chunk-load-failed', `biometric-flow-${name}.js did not load`, { cause });
    console.error(`<biometric-flow>: ${error.message}; serve that file beside biometric-flow.js`, cause);
    throw error;
  })) as Promise<Chunk<Name>>;
}

/** What the element shows in place of a view whose chunk did not load. */
export const CHUNK_FAILED: Record<Locale, string> = {
  ru: 'Проверка не загрузилась.',
  kk: 'Тексеру жүктелмеді.',
  en: 'The verification did not load.',
};
