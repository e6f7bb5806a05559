// How the element recognises the end of a flow from what it can observe in a browser.
import type { FlowMessage } from './schemas.js';

/** Decides whether a validated message from the flow means the flow ended. */
export type FinishMessageRecogniser = (data: unknown, event: MessageEvent) => boolean;

const FINISH_WORDS = new Set(['finished', 'finish', 'flow.end']);

/**
 * Whether `href` is the finished page: the same origin and path as `finishedUrl`, give or take one
 * trailing `/`, with any query and hash. Never a string prefix: `/finished-help` and `/finished/more`
 * are other pages.
 */
export function isFinishedUrl(href: string, finishedUrl: string): boolean {
  const page = (url: string) => {
    const { origin, pathname } = new URL(url);
    return origin + pathname.replace(/\/$/, '');
  };
  try {
    return page(href) === page(finishedUrl);
  } catch {
    return false;
  }
}

/**
 * The default recogniser: the string `finished`/`finish`; or an object whose `event`, `type` or `name`
 * is `finished`, `finish` or `flow.end`, or whose `url`/`href` is the finished page (see
 * {@link isFinishedUrl}).
 */
export function defaultIsFinishMessage(data: FlowMessage, finishedUrl: string): boolean {
  if (typeof data === 'string') return data === 'finished' || data === 'finish';
  for (const word of [data.event, data.type, data.name]) {
    if (word !== undefined && FINISH_WORDS.has(word)) return true;
  }
  return [data.url, data.href].some((url) => url !== undefined && isFinishedUrl(url, finishedUrl));
}

/**
 * The URL a frame or popup shows, or `undefined` while it is cross-origin (reading it throws then) or
 * still `about:blank`.
 */
export function readableLocation(target: Window | null | undefined): string | undefined {
  try {
    const href = target?.location.href;
    return href && href !== 'about:blank' ? href : undefined;
  } catch {
    return undefined;
  }
}

/** The technology a progress message (`technology.start` / `technology.end`) names, if it is one. */
export function progressCode(data: FlowMessage): string | undefined {
  if (typeof data === 'string') return undefined;
  const kind = data.event ?? data.type;
  return kind === 'technology.start' || kind === 'technology.end' ? data.technology_code : undefined;
}
