// What no start needs before its flow shows or it ends, loaded then (a dynamic import; the CDN build
// keeps it in a file of its own, so that the first download stays small): the progress, verdict and error
// views with their texts in ru, kk and en, the reading of a host's error answer; the modal and popup
// presenters, loaded as soon as an element in those modes is shown; and what `resume` keeps.
import { html, nothing, type TemplateResult } from 'lit';
import type { FlowError } from './errors.js';
import type { FinishedOutcome } from './events.js';
import type { Locale } from './locales.js';
import { VENDOR_REASON_CODES } from './vendor-reason-codes.js';

export { modalPresenter } from './presenters/modal.js';
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
 * Technologies by the vendor's product names, which its own flow shows in every language; an unknown code
 * is shown as it is.
 */
const TECHNOLOGY_NAMES: Record<string, string> = {
  LD: 'Liveness',
  LDHP: 'Liveness',
  LDD: 'Liveness',
  ED: 'E-Document',
  DR: 'Document Recognition',
  F2F: 'Face2Face',
};

/** One of the short texts the element shows beside the flow: "Checking your result…", a button's label. */
export function text(locale: Locale, key: 'inProgress' | 'inPopup' | 'showPopup' | 'confirming' | 'cancel' | 'close' | 'retry'): string {
  return TEXTS[locale][key];
}

/** Says that the start was cancelled, beside the start button. */
export function cancelledView(locale: Locale): TemplateResult {
  return html`<p class="message" role="status">${TEXTS[locale].cancelled}</p>`;
}

/** "Step 2 of 3: Face2Face" for the technology at `index` (0-based). */
export function stepText(locale: Locale, technologies: readonly string[], index: number): string {
  const code = technologies[index] ?? '';
  return TEXTS[locale].step
    .replace('{step}', String(index + 1))
    .replace('{total}', String(technologies.length))
    .replace('{name}', TECHNOLOGY_NAMES[code] ?? code);
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
  retry: () => void,
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
    <button part="trigger" class="trigger" type="button" @click=${retry}>${texts.retry}</button>`;
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
