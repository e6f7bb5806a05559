import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** The nearest `lang` above `node`, across shadow roots. */
export function nearestLang(node: Node): string | undefined {
  let current: Node | null = node;
  while (current) {
    if (current instanceof Element && current.hasAttribute('lang')) return current.getAttribute('lang') ?? undefined;
    current = current.parentNode ?? (current instanceof ShadowRoot ? current.host : null);
  }
  return undefined;
}

/**
 * Re-renders its host when a `lang` attribute changes anywhere in the document, so an element without
 * `locale` follows a page that switches language. Observes only while the host is connected.
 */
export class LangController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  #observer?: MutationObserver;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {
    this.#observer = new MutationObserver(() => this.#host.requestUpdate());
    this.#observer.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'], subtree: true });
  }

  hostDisconnected(): void {
    this.#observer?.disconnect();
    this.#observer = undefined;
  }
}
