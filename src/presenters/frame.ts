// What the inline and modal presenters share: the flow's frame and the box it stands in.
import { html, nothing, type TemplateResult } from 'lit';
import { readableLocation } from '../completion.js';
import { textsFor } from '../locales.js';
import type { FramePresenter, PresenterHost, PresenterView } from './types.js';

/** Where the frame goes: the box of {@link flowBox}. */
const boxOf = (host: PresenterHost) => host.root.querySelector('.frame-box');

/**
 * The flow in a frame, put into the flow's box of the element's render root.
 *
 * The frame is made here rather than by a template. An iframe that is moved in the DOM loads again, so it
 * must stay put while the template around it changes: it goes before the box's overlay, outside anything
 * the template manages. And a rendered frame would start loading a microtask and a template instantiation
 * after the session arrived, which was most of what the element added to the time until the flow starts
 * loading (`npm run bench`).
 */
export function flowFrame(host: PresenterHost): FramePresenter {
  let frame: HTMLIFrameElement | undefined;
  return {
    /** Makes the frame, points it at the flow and puts it in the box, which starts its navigation at once. */
    show(url) {
      frame = document.createElement('iframe');
      frame.className = 'frame';
      frame.setAttribute('part', 'frame');
      frame.allow = 'camera; microphone; fullscreen; clipboard-write';
      frame.referrerPolicy = 'strict-origin-when-cross-origin';
      frame.title = textsFor(host.locale).frameTitle;
      frame.addEventListener('load', () => host.load());
      frame.src = url.href;
      // When the box is not rendered yet, `updated` puts the frame there.
      boxOf(host)?.prepend(frame);
    },
    flowWindow: () => frame?.contentWindow ?? null,
    location: () => readableLocation(frame?.contentWindow),
    /** At once rather than at the next render: the flow stops now, and a new start's frame never shares the box with this one. */
    close() {
      frame?.remove();
      frame = undefined;
    },
    updated(texts) {
      if (!frame) return;
      frame.title = texts.frameTitle; // the locale may have changed
      if (!frame.isConnected) boxOf(host)?.prepend(frame);
    },
  };
}

/**
 * The flow's box: the same template from the session request until the flow is shown, so that the box and
 * the frame in it stay where they are; an overlay until the flow loaded, and the step line under it. Once
 * the browser saw the end (`confirming`) the box goes: "Checking your result…" stands where the flow was,
 * and the verdict takes its place.
 */
export function flowBox({ state, texts, step }: PresenterView): TemplateResult {
  const confirming = state === 'confirming';
  return html`${confirming
      ? nothing
      : html`<div class="frame-box">
          ${state === 'active'
            ? nothing
            : state === 'requesting'
              ? html`<div class="overlay" role="status">
                  <slot name="loading"><span class="spinner" aria-hidden="true"></span>${texts.requesting}</slot>
                </div>`
              : html`<div class="overlay" role="status"><span class="spinner" aria-hidden="true"></span>${texts.loading}</div>`}
        </div>`}
    <div part="status" class="status ${confirming ? 'message' : ''}" role="status" aria-live="polite" tabindex="-1" data-focus-after-dialog>
      ${confirming ? html`<span class="spinner" aria-hidden="true"></span>` : nothing}${step}
    </div>`;
}
