/**
 * HTML of the hosted flow (`/flow/:id`) and of the emulator's simple pages (`/finished`, "already used",
 * "expired", "not found", "in progress"). Everything is a string: no build step, no assets.
 *
 * DOM hooks of the flow page, stable for end-to-end tests (see also `flow-page-script.ts`):
 * - `main#flow[data-state]`: `intro` → `busy` ⇄ `step` → `finished` (then navigation) | `failed` | `error`.
 * - `#step-indicator` ("Шаг 1 из 3"), `section#step[data-technology="LD"]` with `h2#step-title`.
 * - Intro: `#start-button`, `ol#technology-list`.
 * - LD/LDHP/LDD: `video#camera-preview`, `#camera-status`, `#capture-button` (enabled once the camera plays).
 * - ED: `#iin-input`, `#phone-input` (readonly and masked when `changeable: false`), `#edocument-submit`;
 *   then `#otp-input`, `#otp-submit`. Code `000000` fails. Beside the code, `a#egov-mobile-link` to the
 *   eGov Mobile app: a non-http link ({@link EGOV_MOBILE_URL}) that a native web view hands to the system.
 * - DR: `#document-camera-button` → `video#document-preview` + `#document-capture-button`; or
 *   `input#document-file`.
 * - F2F: `img#f2f-face`, `img#f2f-reference`, `#compare-button`. The reference is `photo1`, else the
 *   DR document photo, else the (placeholder) eGov photo of a passed ED step; with none of them a
 *   document photo is asked first (the DR controls), and without an earlier face capture a face
 *   capture (`#capture-button`).
 * - Other codes: `#continue-button`. Every step: `#simulate-failure-button`, `#step-error`, and
 *   `select#simulate-vendor-error` (values: the names of `VENDOR_ERRORS`) with
 *   `#simulate-vendor-error-button`, which fails the step with that vendor error.
 * - Failure: `#flow-failure-reason`, `#finish-button`. Refused session: `#flow-error`.
 *
 * @module
 */
import type { SessionMetadata } from '../server/metadata.js';
import { FLOW_PAGE_SCRIPT } from './flow-page-script.js';
import { htmlLang, textsFor, type FlowLocale, type FlowTexts } from './i18n.js';
import { VENDOR_ERRORS } from './vendor-errors.js';

const STYLES = `
:root { color-scheme: light dark; --accent: #1f6feb; --error: #c62828; --muted: #5f6b7a; --radius: 12px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.45; }
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: flex; justify-content: center; align-items: flex-start;
  background: Canvas; color: CanvasText; }
main { width: 100%; max-width: 34rem; padding: 1.25rem; }
.badge { display: inline-block; margin: 0 0 .75rem; padding: .2rem .6rem; border-radius: 999px;
  background: #fff4d6; color: #6b4e00; font-size: .8rem; }
h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1rem 0 .5rem; }
h2:focus { outline: none; }
.indicator, .hint { color: var(--muted); font-size: .9rem; margin: 0; }
.error { color: var(--error); min-height: 1.2em; margin: .25rem 0; }
video, .photos img { display: block; width: 100%; max-height: 50vh; object-fit: cover; border-radius: var(--radius);
  background: #000; }
.photos img { aspect-ratio: 3 / 4; }
.photos { display: grid; grid-template-columns: 1fr 1fr; gap: .75rem; }
figure { margin: 0; } figcaption { font-size: .85rem; color: var(--muted); text-align: center; }
.field { display: flex; flex-direction: column; gap: .25rem; margin: .75rem 0; }
label { font-weight: 600; }
input[type=text], select { font: inherit; padding: .65rem .75rem; border: 1px solid #8a94a3; border-radius: 8px;
  background: Field; color: FieldText; max-width: 100%; }
input[readonly] { background: #eef1f5; color: #333; }
input[aria-invalid=true] { border-color: var(--error); }
button { font: inherit; display: block; width: 100%; margin: .75rem 0 0; padding: .75rem 1rem; border: 0;
  border-radius: 8px; background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: transparent; color: var(--muted); text-decoration: underline; padding: .5rem; }
button:disabled { opacity: .55; cursor: not-allowed; }
button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
.message { text-align: center; padding-top: 3rem; }
a { color: var(--accent); }
.hint a { display: inline-block; padding: .5rem 0; }
`;

/**
 * The E-Document step's link to the eGov Mobile app. The vendor's real link is not published
 * (docs/vendor.md §9 says only that the flow may open the app): this scheme is the emulator's own,
 * plainly named so, and stands for any link that is not `http(s)`, which a native client must hand to
 * the system rather than load in its web view. Opened in a browser, it goes nowhere and the page stays
 * as it was.
 */
export const EGOV_MOBILE_URL = 'egov-mobile-emulated://open';

/** What the flow page needs to know about its session. */
export interface FlowPageInput {
  nonce: string;
  locale: FlowLocale;
  sessionId: string;
  technologies: readonly string[];
  /** Identifies this opening of the page; the session belongs to the first attempt that starts it. */
  attempt: string;
  finishedUrl: string;
  eventsUrl: string;
  /**
   * The claiming window opened again (its attempt came back in {@link FLOW_ATTEMPT_COOKIE}): where the
   * session is, and what the running step needs (`edocument`, `photo1`, as `technology.start` answers).
   */
  resume?: { index: number; running: boolean; edocument?: unknown; photo1?: unknown };
}

/**
 * The cookie the flow page keeps its attempt in once it claimed the session (path `/flow/<id>`): a reload of
 * the host page opens the same window's flow again, which goes on where it was (no new SMS) rather than
 * being refused as another window.
 */
export const FLOW_ATTEMPT_COOKIE = 'flow_attempt';

/** The pages other than the flow itself. */
export type MessagePageKind = keyof FlowTexts['pages'];

/** @returns `text` safe inside HTML text and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A prefilled E-Document field as the page gets it: an editable value, or a fixed one masked. */
export type EdocumentFieldView = { value: string } | { masked: string };

/** What the flow page learns of the E-Document metadata. */
export interface EdocumentView {
  iin: EdocumentFieldView | null;
  phone: EdocumentFieldView | null;
  skip_input: boolean;
}

/**
 * The E-Document metadata the flow page may see, once its window has claimed the session (the answer
 * to its E-Document `technology.start`). A value the person cannot change is sent only masked (they
 * need to recognise it, not read it): the page reports nothing for it and the session's own value is
 * recorded. An editable value is sent whole: the person has to see what they may correct.
 */
export function edocumentView(edocument: SessionMetadata['edocument'] | null): EdocumentView | null {
  if (!edocument) return null;
  const field = (
    source: { value?: string | undefined; changeable?: boolean | undefined } | undefined,
    mask: (value: string) => string,
  ): EdocumentFieldView | null => {
    if (!source?.value) return null;
    return source.changeable === false ? { masked: mask(source.value) } : { value: source.value };
  };
  return {
    iin: field(edocument.iin, maskIin),
    phone: field(edocument.phone, maskPhone),
    skip_input: edocument.skip_input === true,
  };
}

/** `900101300017` → `********0017`: the birth date and sex the IIN begins with stay hidden. */
export function maskIin(iin: string): string {
  return '*'.repeat(iin.length - 4) + iin.slice(-4);
}

/** `77011234567` → `7701*****67`: the operator code and the last two digits, as an SMS service shows them. */
export function maskPhone(phone: string): string {
  return phone.slice(0, 4) + '*'.repeat(phone.length - 6) + phone.slice(-2);
}

/** JSON that cannot close the `<script>` element it sits in. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function shell(locale: FlowLocale, nonce: string, title: string, body: string, mainAttributes = ''): string {
  const texts = textsFor(locale);
  return `<!doctype html>
<html lang="${htmlLang(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${STYLES}</style>
</head>
<body>
<main id="flow"${mainAttributes} aria-labelledby="flow-title">
<p class="badge">${escapeHtml(texts.emulatorBadge)}</p>
${body}
</main>
</body>
</html>
`;
}

/**
 * The flow page. Test hooks are documented in the page source too, so that whoever reads it in a
 * browser finds them.
 */
export function renderFlowPage(input: FlowPageInput): string {
  const texts = textsFor(input.locale);
  const config = {
    sessionId: input.sessionId,
    technologies: input.technologies,
    attempt: input.attempt,
    attemptCookie: FLOW_ATTEMPT_COOKIE,
    resume: input.resume ?? null,
    eventsUrl: input.eventsUrl,
    finishedUrl: input.finishedUrl,
    egovMobileUrl: EGOV_MOBILE_URL,
    vendorErrors: Object.entries(VENDOR_ERRORS).map(([name, { status, text }]) => ({ name, status, text })),
    texts,
  };
  const body = `<!--
  Biometric.Vision flow emulator. Documented failing inputs for tests:
  - E-Document: the SMS code 000000 fails the step; any other 6 digits pass. The eGov Mobile link
    (#egov-mobile-link) uses the emulator's own scheme, egov-mobile-emulated:, and goes nowhere.
  - Every step has a button #simulate-failure-button that fails it, and select#simulate-vendor-error with
    #simulate-vendor-error-button that fails it with a vendor error text (docs/vendor.md section 6).
  - A camera step fails when getUserMedia is refused or unavailable.
  Messages to the host window (parent when framed, else opener), targetOrigin '*':
  {event:'technology.start',technology_code}, {event:'technology.end',technology_code,success},
  {event:'flow.end',session_id,status:'FINISHED'|'FAILED'}; then location.replace('/finished').
-->
<h1 id="flow-title">${escapeHtml(texts.documentTitle)}</h1>
<p id="step-indicator" class="indicator" aria-live="polite"></p>
<div id="step-root" aria-live="polite"></div>
<noscript><p class="error">${escapeHtml(texts.noscript)}</p></noscript>
<script type="application/json" id="flow-config">${scriptJson(config)}</script>
<script nonce="${input.nonce}">${FLOW_PAGE_SCRIPT}</script>`;
  const mainAttributes = ` data-state="loading" data-session-id="${escapeHtml(input.sessionId)}"`;
  return shell(input.locale, input.nonce, texts.documentTitle, body, mainAttributes);
}

/** @returns a simple localized page: finished, already used, expired, not found, in progress. */
export function renderMessagePage(kind: MessagePageKind, locale: FlowLocale, nonce: string): string {
  const page = textsFor(locale).pages[kind];
  const body = `<div class="message" id="message" data-page="${kind}">
<h1 id="flow-title">${escapeHtml(page.title)}</h1>
<p>${escapeHtml(page.text)}</p>
</div>`;
  return shell(locale, nonce, page.title, body);
}

/**
 * The Content-Security-Policy of the emulator's pages: only this response's inline script and style
 * run. No `frame-ancestors`: the flow must be framable from any origin, like the vendor's.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}
