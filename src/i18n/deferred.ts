// The texts of biometric-flow-deferred.js in ru, kk and en: one record per locale, read through
// ./sentences.ts. (The core's own few texts are in ../locales.ts; the handoff's in ./handoff*.ts.)
import type { Locale } from '../locales.js';

/**
 * The host's own error codes (its `error.code`) with a sentence of their own, in the order of each locale's
 * `codes`. A reason code as `error.code` (the vendor's errors) gets its reason's sentence (./reasons.ts).
 */
export const CODES = [
  'vendor-timeout',
  'vendor-unreachable',
  'forbidden',
  'forbidden-origin',
  'rate-limited',
  'server-busy',
  'status-token-invalid',
] as const;

/** The short texts the element and its presenters show beside the flow: "Checking your result…", a button's label. */
export type TextKey = 'inProgress' | 'inPopup' | 'showPopup' | 'confirming' | 'cancel' | 'close' | 'retry';

export interface LaterTexts {
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
  /** Errors say what a person can act on: try again (network), allow popups (popup); the rest is the site's to fix. */
  error: string;
  /** The next step after an error a new start cannot get past, when its sentence names none. */
  contactSite: string;
  networkError: string;
  popupError: string;
  severedError: string;
  /** `session-expired`: the session kept from before a reload (`resume`) is over. */
  expiredError: string;
  /** One sentence per entry of {@link CODES}, in that order. */
  codes: readonly string[];
}

export const TEXTS: Record<Locale, LaterTexts> = {
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
    error: 'Не удалось начать проверку.',
    contactSite: 'Обратитесь в поддержку сайта.',
    networkError: 'Нет связи с сервером. Проверьте подключение и попробуйте снова.',
    popupError: 'Браузер заблокировал окно проверки.',
    severedError: 'Страница потеряла связь с окном проверки. Это должен исправить сайт.',
    expiredError: 'Время начатой проверки истекло. Начните заново.',
    codes: [
      'Сервис проверки не ответил вовремя. Попробуйте снова.',
      'Сервис проверки недоступен. Попробуйте через несколько минут.',
      'Сайт не разрешил начать проверку. Обратитесь в поддержку сайта.',
      'Сайт не разрешил начать проверку. Обратитесь в поддержку сайта.',
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
    error: 'Тексеруді бастау мүмкін болмады.',
    contactSite: 'Сайттың қолдау қызметіне хабарласыңыз.',
    networkError: 'Серверге қосылу мүмкін болмады. Байланысты тексеріп, қайталап көріңіз.',
    popupError: 'Браузер тексеру терезесін бұғаттады.',
    severedError: 'Бет тексеру терезесімен байланысын жоғалтты. Оны сайт түзетуі керек.',
    expiredError: 'Басталған тексерудің уақыты өтіп кетті. Қайтадан бастаңыз.',
    codes: [
      'Тексеру сервисі уақытында жауап бермеді. Қайталап көріңіз.',
      'Тексеру сервисіне қосылу мүмкін болмады. Бірнеше минуттан кейін қайталап көріңіз.',
      'Сайт тексеруді бастауға рұқсат бермеді. Сайттың қолдау қызметіне хабарласыңыз.',
      'Сайт тексеруді бастауға рұқсат бермеді. Сайттың қолдау қызметіне хабарласыңыз.',
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
    error: 'Could not start the verification.',
    contactSite: 'Contact the site.',
    networkError: 'Could not reach the server. Check your connection and try again.',
    popupError: 'The browser blocked the verification window.',
    severedError: 'This page lost contact with the verification window. The site has to fix this.',
    expiredError: 'The verification you started has expired. Start again.',
    codes: [
      'The verification service did not answer in time. Try again.',
      'The verification service cannot be reached. Try again in a few minutes.',
      'The site did not allow the verification to start. Contact the site.',
      'The site did not allow the verification to start. Contact the site.',
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
export const TECHNOLOGY_NAMES: Record<string, number> = { LD: 0, LDHP: 0, LDD: 0, ED: 1, DR: 2, F2F: 3 };
