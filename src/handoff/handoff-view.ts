// The handoff view (`biometric-flow-handoff-view.js`, loaded only once a start may go to a phone): asks the
// handoff endpoint for a link, shows its QR code, the short code and the link itself (the QR's text
// alternative, with a copy button), counts down to its expiry and offers a new code; or, for an in-app
// browser without `handoff-endpoint`, the page's own link to open in the phone's browser. The element
// waits by its status endpoint meanwhile (the presenter's `host.gone(true)`).
import { generate } from 'lean-qr/nano';
import { custom } from 'zod/mini';
import { html, render, type TemplateResult } from 'lit';
import type { FlowConfig } from '../configuration.js';
import { FlowError } from '../errors.js';
import { fetchJson } from '../net/fetch-json.js';
import { emit, type FlowErrorDetail } from '../events.js';
import type { PresenterHost } from '../presenters/types.js';
import { TEXTS } from '../i18n/handoff-view.js';
import { matching, parseFields } from '../schemas.js';
import type { HandoffKind } from './handoff.js';

/** A link as the handoff endpoint gives it. */
export interface HandoffAnswer {
  url: string;
  code: string;
  expires_at: string;
}

/** The handoff endpoint's answer: an http(s) `url`, a short `code`, a date in `expires_at` (zod/mini, as every answer). */
const handoffAnswerShape = {
  url: matching(/^https?:\/\/\S{1,2040}$/),
  code: matching(/^[^]{1,16}$/),
  // ISO 8601 with a zone, as `toISOString` writes it.
  expires_at: matching(/^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-][\d:]+)$/),
};

/** The handoff endpoint's answer to the element's `GET ?session_id=`: whether the phone went on with the link. */
const openedShape = { opened: custom<boolean>((value) => typeof value === 'boolean') };

/**
 * Checks the handoff endpoint's answer.
 *
 * @returns the answer, or `undefined` when it is not one.
 */
export function parseHandoffAnswer(body: unknown): HandoffAnswer | undefined {
  const parsed = parseFields(body, handoffAnswerShape);
  return parsed.success ? parsed.data : undefined;
}

/** The QR code of `text` as an SVG path: one unit square per dark module. */
export function qrPath(text: string): { size: number; path: string } {
  const code = generate(text);
  let path = '';
  for (let y = 0; y < code.size; y++) for (let x = 0; x < code.size; x++) if (code.get(x, y)) path += `M${x} ${y}h1v1h-1z`;
  return { size: code.size, path };
}

/** `m:ss`. */
export function clock(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * Runs the handoff view of one start in `box` (the handoff's part puts it in the flow's box, see `part`
 * in handoff.ts), until the start ends.
 *
 * @returns `show`: the session is there; asks the handoff endpoint for a link and counts down to its expiry.
 *   The `browser` kind ("open in your browser") is shown without a session, and so without it.
 */
export function handoffView(host: PresenterHost, element: FlowConfig, kind: HandoffKind, box: HTMLElement): () => void {
  const t = TEXTS[host.locale];
  const signal = host.signal;
  let link: HandoffAnswer | undefined;
  let deadline = 0;
  let now = Date.now();
  /** What the live region says. */
  let status = kind === 'phone' ? t.preparing : '';
  let failed = false;
  /** The phone confirmed the link: the view then only says to go on there. */
  let opened = false;
  let ticks = 0;
  let busy = false;
  let reported = false;
  let qrFor: { url: string; size: number; path: string } | undefined;

  const copy = async (text: string, input: HTMLInputElement | null) => {
    try {
      await navigator.clipboard.writeText(text);
      status = t.copied;
      // Said for a moment: the live region then goes back to what the view is waiting for.
      setTimeout(() => {
        if (status === t.copied) status = kind === 'phone' ? t.waiting : '';
        draw();
      }, 3000);
    } catch {
      // No clipboard permission (an in-app browser, a frame without clipboard-write): the text is selected
      // for a manual copy.
      input?.focus();
    }
    draw();
  };

  const linkRow = (label: string, url: string, id: string): TemplateResult => html`<label for=${id}>${label}</label>
    <div class="row">
      <input id=${id} readonly .value=${url} @focus=${(event: Event) => (event.target as HTMLInputElement).select()} />
      <button type="button" @click=${() => void copy(url, box.querySelector<HTMLInputElement>(`#${id}`))}>${t.copy}</button>
    </div>`;

  const view = (): TemplateResult => {
    if (kind === 'browser') {
      return html`<h2 tabindex="-1">${t.browserTitle}</h2>
        <p>${t.browserText}</p>
        ${linkRow(t.link, location.href, 'handoff-page-link')}`;
    }
    if (opened) return html`<h2 tabindex="-1">${t.title}</h2>`;
    const expired = link !== undefined && now >= deadline;
    if (link && !expired && qrFor?.url !== link.url) qrFor = { url: link.url, ...qrPath(link.url) };
    const qr = link && !expired ? qrFor : undefined;
    return html`<h2 tabindex="-1">${t.title}</h2>
      ${qr && link
        ? html`<p>${t.scan}</p>
            <svg role="img" aria-label=${t.qr} viewBox="-4 -4 ${qr.size + 8} ${qr.size + 8}">
              <path fill="#000" d=${qr.path}></path>
            </svg>
            <p>${t.code}: <span class="code" data-handoff-code>${link.code}</span></p>
            ${linkRow(t.link, link.url, 'handoff-link')}
            <p>${t.expires.replace('{time}', clock(deadline - now))}</p>`
        : ''}
      ${expired || failed ? html`<p>${failed ? t.failed : t.expired}</p>` : ''}
      ${link || failed ? html`<button type="button" data-handoff-new @click=${() => void ask()}>${t.newCode}</button>` : ''}`;
  };

  function draw(): void {
    if (signal.aborted) return;
    render(html`${view()}<p role="status" aria-live="polite" data-handoff-status>${status}</p>`, content);
  }

  const headers = (): Record<string, string> => {
    const token = host.session?.statusToken;
    return token === undefined ? {} : { 'Biometric-Status-Token': token };
  };

  /** Asks the handoff endpoint whether the phone went on with the link; an error or a no waits for the next time. */
  async function check(): Promise<void> {
    try {
      const url = new URL(element.handoffEndpoint ?? '', document.baseURI);
      url.searchParams.set('session_id', host.session!.id);
      const response = await fetch(url, { ...element.requestInit, headers: headers(), signal });
      const answer = parseFields(await response.json(), openedShape);
      if (answer.success && answer.data.opened && !signal.aborted) {
        opened = true;
        status = t.opened;
        draw();
      }
    } catch {
      // The countdown goes on; the next tick asks again.
    }
  }

  async function ask(): Promise<void> {
    const session = host.session;
    if (busy || signal.aborted || !session) return;
    busy = true;
    failed = false;
    status = t.preparing;
    draw();
    try {
      const code = 'handoff-request-failed';
      const body = await fetchJson(
        new URL(element.handoffEndpoint ?? '', document.baseURI),
        { method: 'POST', headers: { 'content-type': 'application/json', ...headers() }, body: JSON.stringify({ session_id: session.id, locale: host.locale }) },
        element.requestInit,
        15_000,
        signal,
        { unreachable: code, timeout: code, http: code, invalid: code },
      );
      const answer = parseHandoffAnswer(body);
      if (!answer) throw new FlowError(code, 'Not a handoff link');
      link = answer;
      now = Date.now();
      deadline = Date.parse(answer.expires_at);
      status = t.waiting;
    } catch (error) {
      if (signal.aborted) return;
      failed = true;
      link = undefined;
      status = t.failed;
      if (!reported && error instanceof FlowError) {
        reported = true;
        const detail: FlowErrorDetail = { code: error.code, message: error.message, retryable: true };
        if (error.status !== undefined) detail.status = error.status;
        emit(element, 'flow-error', detail);
      }
    } finally {
      busy = false;
    }
    draw();
  }

  // What `draw` renders, after the box's own style (./view-style.ts).
  const content = document.createElement('div');
  content.style.display = 'contents';
  box.append(content);
  draw();

  return () => {
    // The countdown, once there is a link to count down.
    const timer = setInterval(() => {
      if (opened) return;
      now = Date.now();
      if (link && now >= deadline && status !== t.expired) status = t.expired;
      // Every 3 s while a link can be opened: has the phone gone on with it?
      else if (link && now < deadline && ++ticks % 3 === 0) void check();
      draw();
    }, 1000);
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    void ask();
  };
}
