// What no start needs before its flow shows or it ends, loaded then (a dynamic import; the CDN build
// keeps it in a file of its own, so that the first download stays small): the progress, verdict and error
// views with their texts in ru, kk and en, the reading of a host's error answer; the modal and popup
// presenters, loaded as soon as an element in those modes is shown; and what `resume` keeps.
import { html, nothing, type TemplateResult } from 'lit';
import type { FlowError } from './errors.js';
import type { FinishedOutcome, FlowState } from './events.js';
import type { Locale } from './locales.js';
import { VENDOR_REASON_CODES } from './vendor-reason-codes.js';

export { modalPresenter } from './presenters/modal.js';
// The flow's box (a core module): for the handoff presenter, which must not import the core's modules of its own.
export { flowBox } from './presenters/frame.js';
export { popupPresenter } from './presenters/popup.js';
export { isKept, resumed } from './resume.js';

/**
 * The codes with a sentence of their own, in the order of each locale's `codes`: the vendor's stable
 * reason codes first (as `failure_reasons[].code` and as the host's `error.code`), then the host's own.
 */
const CODES = [
  ...VENDOR_REASON_CODES,
  'vendor-timeout',
  'vendor-unreachable',
  'forbidden',
  'forbidden-origin',
  'rate-limited',
  'server-busy',
  'status-token-invalid',
] as const;

interface LaterTexts {
  /** `{step}`, `{total}` and `{name}` are replaced. */
  step: string;
  /** The technologies' names in this language, in the order of {@link TECHNOLOGY_NAMES}'s indexes. */
  names: readonly string[];
  /** Beside the dialog of modal mode, and beside the popup of popup mode. */
  inProgress: string;
  inPopup: string;
  showPopup: string;
  /** The dialog's close button (its accessible name). */
  close: string;
  /** Starts again after an error or a verification that did not pass. */
  retry: string;
  /** Said while the element asks the status endpoint for the verdict. */
  confirming: string;
  /** Stops a start whose popup the page can no longer see (see `popup-severed`). */
  cancel: string;
  cancelled: string;
  passed: string;
  failed: string;
  unconfirmed: string;
  /** A failure reason without a sentence of its own. */
  reason: string;
  /** Errors say what a person can act on: try again (network), allow popups (popup); the rest is the site's to fix. */
  error: string;
  networkError: string;
  popupError: string;
  severedError: string;
  /** `session-expired`: the session kept from before a reload (`resume`) is over. */
  expiredError: string;
  /** One sentence per entry of {@link CODES}, in that order. */
  codes: readonly string[];
}

const TEXTS: Record<Locale, LaterTexts> = {
  ru: {
    inProgress: 'Идёт проверка…',
    inPopup: 'Проверка открыта в отдельном окне.',
    showPopup: 'Показать окно',
    close: 'Закрыть',
    retry: 'Попробовать снова',
    confirming: 'Проверяем результат…',
    cancelled: 'Проверка отменена',
    cancel: 'Отменить',
    step: 'Шаг {step} из {total}: {name}',
    names: ['Проверка живости', 'Электронный документ', 'Распознавание документа', 'Сравнение лица'],
    passed: 'Проверка пройдена',
    failed: 'Проверка не пройдена',
    unconfirmed: 'Проверяем результат. Сайт сообщит вам о нём.',
    reason: 'Один из шагов проверки не удался.',
    error: 'Не удалось начать проверку.',
    networkError: 'Нет связи с сервером. Проверьте подключение и попробуйте снова.',
    popupError: 'Браузер заблокировал окно проверки.',
    severedError: 'Страница потеряла связь с окном проверки. Это должен исправить сайт.',
    expiredError: 'Время начатой проверки истекло. Начните заново.',
    codes: [
      'Ваши данные не найдены в государственной базе.',
      'Сервис электронных документов сейчас недоступен. Попробуйте позже.',
      'Сервис электронных документов не ответил вовремя. Попробуйте снова.',
      'Ошибка государственного сервиса. Попробуйте позже.',
      'Профиль не найден.',
      'Неверный ИИН.',
      'Эта проверка уже использована. Начните новую.',
      'Электронный документ не был запрошен. Начните заново.',
      'Сайт сейчас не может провести проверку. Дело не в вас: это должен исправить сайт.',
      'Сервис проверки сообщил об ошибке. Попробуйте снова.',
      'Сервис проверки не ответил вовремя. Попробуйте снова.',
      'Сервис проверки недоступен. Попробуйте позже.',
      'Сайт не разрешил начать проверку.',
      'Сайт не разрешил начать проверку.',
      'Слишком много попыток. Подождите минуту и попробуйте снова.',
      'Сервер занят. Попробуйте чуть позже.',
      'Страница больше не может узнать результат. Начните заново.',
    ],
  },
  kk: {
    inProgress: 'Тексеру жүріп жатыр…',
    inPopup: 'Тексеру бөлек терезеде ашылды.',
    showPopup: 'Терезені көрсету',
    close: 'Жабу',
    retry: 'Қайталап көру',
    confirming: 'Нәтиже тексерілуде…',
    cancelled: 'Тексеру тоқтатылды',
    cancel: 'Болдырмау',
    step: 'Қадам {step}/{total}: {name}',
    names: ['Тірілікті тексеру', 'Электрондық құжат', 'Құжатты тану', 'Бетті салыстыру'],
    passed: 'Тексеруден өттіңіз',
    failed: 'Тексеруден өтпедіңіз',
    unconfirmed: 'Нәтижеңіз тексерілуде. Сайт сізге хабарлайды.',
    reason: 'Тексерудің бір қадамы сәтсіз аяқталды.',
    error: 'Тексеруді бастау мүмкін болмады.',
    networkError: 'Серверге қосылу мүмкін болмады. Байланысты тексеріп, қайталап көріңіз.',
    popupError: 'Браузер тексеру терезесін бұғаттады.',
    severedError: 'Бет тексеру терезесімен байланысын жоғалтты. Оны сайт түзетуі керек.',
    expiredError: 'Басталған тексерудің уақыты өтіп кетті. Қайтадан бастаңыз.',
    codes: [
      'Деректеріңіз мемлекеттік базадан табылмады.',
      'Электрондық құжаттар сервисі қазір қолжетімсіз. Кейінірек қайталап көріңіз.',
      'Электрондық құжаттар сервисі уақытында жауап бермеді. Қайталап көріңіз.',
      'Мемлекеттік сервисте қате шықты. Кейінірек қайталап көріңіз.',
      'Профиль табылмады.',
      'ЖСН дұрыс емес.',
      'Бұл тексеру бұрын пайдаланылған. Жаңасын бастаңыз.',
      'Электрондық құжат сұралмады. Қайтадан бастаңыз.',
      'Сайт қазір тексеру жүргізе алмайды. Бұл сіздің қатеңіз емес: оны сайт түзетуі керек.',
      'Тексеру сервисі қате туралы хабарлады. Қайталап көріңіз.',
      'Тексеру сервисі уақытында жауап бермеді. Қайталап көріңіз.',
      'Тексеру сервисіне қосылу мүмкін болмады. Кейінірек қайталап көріңіз.',
      'Сайт тексеруді бастауға рұқсат бермеді.',
      'Сайт тексеруді бастауға рұқсат бермеді.',
      'Әрекет тым көп. Бір минут күтіп, қайталап көріңіз.',
      'Сервер бос емес. Сәлден кейін қайталап көріңіз.',
      'Бұл бет нәтижені енді біле алмайды. Қайтадан бастаңыз.',
    ],
  },
  en: {
    inProgress: 'Verification in progress…',
    inPopup: 'The verification is open in a separate window.',
    showPopup: 'Show the window',
    close: 'Close',
    retry: 'Try again',
    confirming: 'Checking your result…',
    cancelled: 'Verification cancelled',
    cancel: 'Cancel',
    step: 'Step {step} of {total}: {name}',
    names: ['Liveness check', 'E-Document', 'Document recognition', 'Face comparison'],
    passed: 'Verification passed',
    failed: 'Verification did not pass',
    unconfirmed: 'We are checking your result. The site will let you know.',
    reason: 'One of the verification steps did not succeed.',
    error: 'Could not start the verification.',
    networkError: 'Could not reach the server. Check your connection and try again.',
    popupError: 'The browser blocked the verification window.',
    severedError: 'This page lost contact with the verification window. The site has to fix this.',
    expiredError: 'The verification you started has expired. Start again.',
    codes: [
      'Your details were not found in the government database.',
      'The e-document service is not available right now. Try again later.',
      'The e-document service did not answer in time. Try again.',
      'A government service failed. Try again later.',
      'Your profile was not found.',
      'The IIN is not valid.',
      'This verification was already used. Start a new one.',
      'The e-document was not requested. Start again.',
      'This site cannot run the verification right now. It is not your fault: the site has to fix it.',
      'The verification service reported an error. Try again.',
      'The verification service did not answer in time. Try again.',
      'The verification service cannot be reached. Try again later.',
      'The site did not allow the verification to start.',
      'The site did not allow the verification to start.',
      'Too many attempts. Wait a minute and try again.',
      'The server is busy. Try again in a moment.',
      'This page can no longer get the result. Start again.',
    ],
  },
};

/**
 * Each technology's index in a locale's `names`: the step line is in one language, technology names
 * included (the three liveness checks are one kind of step to a person); an unknown code is shown as it is.
 */
const TECHNOLOGY_NAMES: Record<string, number> = { LD: 0, LDHP: 0, LDD: 0, ED: 1, DR: 2, F2F: 3 };

/** One of the short texts the element shows beside the flow: "Checking your result…", a button's label. */
export function text(locale: Locale, key: 'inProgress' | 'inPopup' | 'showPopup' | 'confirming' | 'cancel' | 'close' | 'retry'): string {
  return TEXTS[locale][key];
}

/** Says that the start was cancelled, beside the start button. */
export function cancelledView(locale: Locale): TemplateResult {
  return html`<p class="message" role="status">${TEXTS[locale].cancelled}</p>`;
}

/**
 * The step line under the flow: that the result is being checked (`confirming`), else the step the
 * person is on (`index`, 0-based, -1 before the flow said), else nothing.
 */
export function stepLine(state: FlowState, locale: Locale, technologies: readonly string[], index: number): string {
  return state === 'confirming' ? TEXTS[locale].confirming : index >= 0 && technologies.length > 0 ? stepText(locale, technologies, index) : '';
}

/** The "Try again" button after an error a new start may get past (it starts `element` again); nothing after any other. */
export function retryButton(locale: Locale, error: FlowError | undefined, element: { start(): unknown }): TemplateResult | typeof nothing {
  return error?.retryable
    ? html`<button part="trigger" class="trigger" type="button" @click=${() => void element.start()}>${TEXTS[locale].retry}</button>`
    : nothing;
}

/** "Step 2 of 3: Face comparison" for the technology at `index` (0-based). */
export function stepText(locale: Locale, technologies: readonly string[], index: number): string {
  const code = technologies[index] ?? '';
  const texts = TEXTS[locale];
  return texts.step
    .replace('{step}', String(index + 1))
    .replace('{total}', String(technologies.length))
    .replace('{name}', texts.names[TECHNOLOGY_NAMES[code]!] ?? code);
}

/** Most of an error answer's body that is read: `{ error: { code, message } }` is far smaller. */
const ERROR_BODY_BYTES = 16 * 1024;
/** How long an error answer's body may take: the status alone is reported once it has passed. */
const ERROR_BODY_MS = 1_000;
/** What a `serverCode` may look like: a short code, nothing a page could mistake for a message. */
const SERVER_CODE = /^[a-z0-9][\w.-]{0,63}$/i;

/**
 * The host's `error.code` from a JSON error answer, read within {@link ERROR_BODY_BYTES} and
 * {@link ERROR_BODY_MS}; `undefined` for anything else, a body that is too long or too slow included.
 * The body is always consumed or cancelled.
 */
export async function errorCode(response: Response): Promise<string | undefined> {
  const body = response.body;
  if (!body) return undefined;
  const reader = body.getReader();
  // Cancelling ends a pending read() with `done`: a body that never ends is given up, not waited for.
  const stop = () => void reader.cancel().catch(() => {});
  if (!/json/i.test(response.headers.get('content-type') ?? '')) {
    stop();
    return undefined;
  }
  // The browser's own timer rather than setTimeout: nothing to clear, and a page's fake timers cannot hold it.
  AbortSignal.timeout(ERROR_BODY_MS).addEventListener('abort', stop);
  try {
    let text = '';
    const decoder = new TextDecoder();
    for (let size = 0; ; ) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > ERROR_BODY_BYTES) {
        stop();
        return undefined;
      }
      text += decoder.decode(value, { stream: true });
    }
    const code = (JSON.parse(text) as { error?: { code?: unknown } } | null)?.error?.code;
    return typeof code === 'string' && SERVER_CODE.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The host's error codes after which trying again cannot help, whatever the HTTP status (the vendor's
 * errors come as 502): the same person's data, the site's configuration.
 */
const NO_RETRY = new Set(
  'forbidden forbidden-origin status-token-invalid configuration-error subscription-inactive invalid-iin subject-not-found profile-not-found'.split(' '),
);

/** `false` when the host's code says a retry cannot help; `undefined` leaves it to the code and status. */
export function retryable(serverCode: string | undefined): false | undefined {
  return NO_RETRY.has(serverCode!) ? false : undefined;
}

/** The sentence for a known code among the first `known` of {@link CODES}, else `undefined`. */
function codeText(texts: LaterTexts, code: unknown, known: number = CODES.length): string | undefined {
  const index = CODES.indexOf(code as (typeof CODES)[number]);
  return index < 0 || index >= known ? undefined : texts.codes[index];
}

/**
 * The codes that name a reason of their own: the vendor's known ones. `vendor-error` (a wrong SMS code,
 * a failed liveness check, ...) says nothing a person can use; as a reason it gets the generic sentence.
 */
const REASON_CODES = CODES.indexOf('vendor-error');

/** Most reasons listed: a result that names more is summed up by the first ones. */
const MAX_REASONS = 10;

/**
 * The sentences for `result.failure_reasons[].code` (the host's default status summary): a known code's
 * own, the generic one for any other, each sentence once.
 */
export function reasonTexts(locale: Locale, result: unknown): string[] {
  const texts = TEXTS[locale];
  const reasons = (result as { failure_reasons?: unknown } | null | undefined)?.failure_reasons;
  if (!Array.isArray(reasons)) return [];
  const sentences = reasons
    .slice(0, MAX_REASONS)
    .map((reason) => codeText(texts, (reason as { code?: unknown } | null)?.code, REASON_CODES) ?? texts.reason);
  return [...new Set(sentences)];
}

/** The default content of the `finished` slot: what is known of the verdict, never more. */
export function finishedView(
  locale: Locale,
  outcome: FinishedOutcome,
  result: unknown,
  /** "Try again" starts it anew. */
  element: { reset(): void; start(): unknown },
): TemplateResult {
  const texts = TEXTS[locale];
  if (outcome !== 'failed') {
    return html`<p class="message" role="status" tabindex="-1" data-focus-after-dialog>
      ${outcome === 'passed' ? texts.passed : texts.unconfirmed}
    </p>`;
  }
  const reasons = reasonTexts(locale, result);
  return html`<p class="message error" role="status" tabindex="-1" data-focus-after-dialog>${texts.failed}</p>
    ${reasons.length > 0 ? html`<ul part="reasons" class="reasons">${reasons.map((reason) => html`<li>${reason}</li>`)}</ul>` : nothing}
    <button
      part="trigger"
      class="trigger"
      type="button"
      @click=${() => {
        element.reset();
        void element.start();
      }}
    >
      ${texts.retry}
    </button>`;
}

/** The default content of the `error` slot: a sentence for the error. */
export function errorView(locale: Locale, error: FlowError | undefined): TemplateResult {
  return html`<p class="message error" role="alert" tabindex="-1" data-focus-after-dialog>${errorText(locale, error)}</p>`;
}

/** The sentence for an error: the host's code's own when known, else one for the element's code. */
export function errorText(locale: Locale, error: FlowError | undefined): string {
  const texts = TEXTS[locale];
  switch (error?.code) {
    case undefined:
      return texts.error;
    case 'session-request-failed':
    case 'session-timeout':
    case 'status-request-failed':
      return texts.networkError;
    case 'popup-blocked':
      return texts.popupError;
    case 'popup-severed':
      return texts.severedError;
    case 'session-expired':
      return texts.expiredError;
    default:
      return codeText(texts, error?.serverCode) ?? texts.error;
  }
}

/** The README on npm: each configuration mistake has a section there (checked by test/node/readme.test.ts). */
const README = 'https://www.npmjs.com/package/biometric-flow';

/** What the console is told of an element: its tag, with its `id` when it has one. */
function elementName(element: Element): string {
  return `<${element.localName}${element.id ? ` id="${element.id}"` : ''}>`;
}

/** What {@link explain} reads of the element: its endpoints and whether its session has a status token. */
interface Configured extends Element {
  sessionEndpoint?: string;
  statusEndpoint?: string;
  readonly session?: { statusToken?: string };
}

const LOOPBACK = /^(localhost|127\.0\.0\.1|\[::1\])$/;

/** Why the browser can never fetch `endpoint` from this page, or `undefined` if it can. */
function unfetchable(endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint, document.baseURI);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `uses ${url.protocol}, which fetch cannot send a request to`;
  if (location.protocol === 'https:' && url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) {
    return 'is http: on an https: page: the browser blocks it as mixed content';
  }
  return undefined;
}

/** A configuration mistake: the cause it is told once for, what is wrong, the fix, the README's `#anchor`. */
type Mistake = [cause: string, wrong: string, fix: string, anchor: string];

/** The configuration mistake behind `error`, if it is one; `undefined` for anything a person or network caused. */
function mistakeOf(element: Configured, error: FlowError): Mistake | undefined {
  const { code, serverCode, status } = error;
  const page = location.origin;
  const statusRequest = code === 'status-request-failed';
  const attribute = statusRequest ? 'status-endpoint' : 'session-endpoint';
  const endpoint = statusRequest ? element.statusEndpoint : element.sessionEndpoint;
  const answered = `${attribute} (${endpoint}) answered HTTP ${status} ${serverCode ?? ''}`.trimEnd();
  switch (code) {
    case 'missing-endpoint':
      if (error.message.startsWith('handoff-endpoint')) {
        return [
          'handoff-endpoint',
          'it has handoff-endpoint but no status-endpoint: a flow continued on a phone ends out of this page\'s sight, and only the status endpoint can tell. No start asks for a session until then.',
          "set status-endpoint to your server's status route (createStatusHandler), with the same tokenSecret as the handoff handler; or remove handoff-endpoint.",
          '#continue-on-a-phone',
        ];
      }
      return [
        code,
        'it has neither session-endpoint nor session-id, so it cannot get a session.',
        "set session-endpoint to your server's session route (createSessionHandler from biometric-flow/server), or session-id to a session your server created.",
        '#missing-endpoint',
      ];
    case 'api-key-exposed':
      return [
        code,
        'it was given an API key (an api-key attribute, an apiKey property or a key in context): anyone who opens the page can read it. Nothing was sent.',
        'remove the key from the page and rotate it; create sessions on your server with biometric-flow/server, which keeps the key there.',
        '#api-key-exposed',
      ];
    case 'insecure-context':
      return [
        code,
        `the page (${page}) is not a secure context, and browsers give the camera only to secure ones.`,
        'serve the page over https: (while developing, http://localhost or http://127.0.0.1 also count as secure).',
        '#insecure-context',
      ];
    case 'camera-blocked-by-policy':
      return [
        code,
        "the page's Permissions-Policy does not allow the camera, so the flow's frame cannot use it" +
          (element.getAttribute('state') === 'error' ? '.' : ' (this start goes on in a popup).'),
        'send Permissions-Policy: camera=(self "<flow origin>") with the page (securityHeaders() from biometric-flow/server does), or use mode="popup".',
        '#camera-blocked-by-policy',
      ];
    case 'flow-url-invalid':
      return [
        error.message.startsWith('finished-url') ? 'finished-url' : 'flow-base-url',
        `${error.message}.`,
        'give a URL with https: (http: only on localhost, 127.0.0.1 or [::1]), or leave flow-base-url unset for the default.',
        '#flow-url-invalid',
      ];
    case 'popup-severed':
      return [
        code,
        "the page lost the popup the flow runs in, most likely to the page's Cross-Origin-Opener-Policy, and has no status-endpoint to learn the end from.",
        'send Cross-Origin-Opener-Policy: same-origin-allow-popups (securityHeaders() does) instead of same-origin, or set status-endpoint.',
        '#popup-severed',
      ];
    case 'session-invalid-response':
      return [
        code,
        `session-endpoint (${endpoint}) did not answer a session: ${error.message}.`,
        'point session-endpoint at the route that runs createSessionHandler; a page route or a dev server that does not forward the request to your backend answers like this.',
        '#session-invalid-response',
      ];
  }
  switch (serverCode) {
    case 'forbidden-origin':
      return [
        `${serverCode} ${attribute}`,
        `${answered}: the server's origin check refused this page's origin, ${page}.`,
        `add ${page} to the handler's allowedOrigins (or BIOMETRIC_ALLOWED_ORIGINS); behind a proxy or dev server that changes Host, set trustProxy or allowedOrigins. The server's log names the origin it got and the ones it allows.`,
        '#forbidden-origin',
      ];
    case 'configuration-error':
      return [
        `${serverCode} ${attribute}`,
        `${answered}: the server-side handler is not configured (BIOMETRIC_API_KEY not set, for example).`,
        "the server's log names what is missing: set it and restart the server.",
        '#configuration-error',
      ];
    case 'subscription-inactive':
      return [
        serverCode,
        `${answered}: the Biometric.Vision subscription behind the server's API key is not active.`,
        'renew the subscription, or use the API key of an active one.',
        '#subscription-inactive',
      ];
    case 'status-token-invalid':
      // Only a token never sent is a mistake of the page: one that was sent may just have expired.
      if (element.session?.statusToken) return undefined;
      return [
        serverCode,
        `${answered}: the session has no status token to send.`,
        'give status-token along with session-id (the status_token your server got with the session), or let the element create the session through session-endpoint.',
        '#status-token-invalid',
      ];
  }
  if (status === 404 || status === 405) {
    return [
      `not-found ${attribute}`,
      `${answered}: there is no such route for this request (${statusRequest ? 'GET' : 'POST'}).`,
      `point ${attribute} at the route that runs ${statusRequest ? 'createStatusHandler' : 'createSessionHandler'}, and let that route take ${statusRequest ? 'GET' : 'POST'} requests.`,
      '#endpoint-not-found',
    ];
  }
  const why = status === undefined && endpoint ? unfetchable(endpoint) : undefined;
  if (why && (statusRequest || code === 'session-request-failed')) {
    return [
      `url ${attribute}`,
      `${attribute} (${endpoint}) ${why}.`,
      `give ${attribute} an https: URL, or a path on this page's origin.`,
      '#endpoint-url-invalid',
    ];
  }
  return undefined;
}

/** The causes each element has told of already. */
const told = new WeakMap<Element, Set<string>>();

/**
 * Tells the developer in the console of a configuration mistake behind `error`: what is wrong, the fix and
 * the README's section on it. Once per element and cause, and nothing for what a person or the network
 * did (a cancel, a closed popup, a failed verification, a lost connection).
 */
export function explain(element: Element, error: FlowError): void {
  const mistake = mistakeOf(element as Configured, error);
  if (!mistake) return;
  const [cause, wrong, fix, anchor] = mistake;
  const causes = told.get(element) ?? new Set<string>();
  told.set(element, causes);
  if (causes.has(cause)) return;
  causes.add(cause);
  console.error(`${elementName(element)}: ${wrong}\nFix: ${fix}\nSee ${README}${anchor}`, element);
}
