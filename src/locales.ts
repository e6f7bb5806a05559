import type { FlowErrorCode } from './errors.js';

/** The element's languages. The flow itself calls Kazakh `kz`; see {@link flowLocale}. */
export type Locale = 'ru' | 'kk' | 'en';

export const LOCALES: readonly Locale[] = ['ru', 'kk', 'en'];

export interface Texts {
  start: string;
  requesting: string;
  loading: string;
  frameTitle: string;
  finished: string;
  cancelled: string;
  retry: string;
  close: string;
  inProgress: string;
  inPopup: string;
  showPopup: string;
  /** `{step}`, `{total}` and `{name}` are replaced. */
  step: string;
  /** Errors say what a person can act on: try again (network), allow popups (popup); the rest is the site's to fix. */
  error: string;
  networkError: string;
  popupError: string;
}

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

const TEXTS: Record<Locale, Texts> = {
  ru: {
    start: 'Пройти проверку личности',
    requesting: 'Готовим проверку…',
    loading: 'Загружаем…',
    frameTitle: 'Проверка личности',
    finished: 'Проверка завершена',
    cancelled: 'Проверка отменена',
    retry: 'Попробовать снова',
    close: 'Закрыть',
    inProgress: 'Идёт проверка…',
    inPopup: 'Проверка открыта в отдельном окне.',
    showPopup: 'Показать окно',
    step: 'Шаг {step} из {total}: {name}',
    error: 'Не удалось начать проверку.',
    networkError: 'Нет связи с сервером. Проверьте подключение и попробуйте снова.',
    popupError: 'Браузер заблокировал окно проверки.',
  },
  kk: {
    start: 'Жеке басты тексеруден өту',
    requesting: 'Тексеру дайындалуда…',
    loading: 'Жүктелуде…',
    frameTitle: 'Жеке басты тексеру',
    finished: 'Тексеру аяқталды',
    cancelled: 'Тексеру тоқтатылды',
    retry: 'Қайталап көру',
    close: 'Жабу',
    inProgress: 'Тексеру жүріп жатыр…',
    inPopup: 'Тексеру бөлек терезеде ашылды.',
    showPopup: 'Терезені көрсету',
    step: 'Қадам {step}/{total}: {name}',
    error: 'Тексеруді бастау мүмкін болмады.',
    networkError: 'Серверге қосылу мүмкін болмады. Байланысты тексеріп, қайталап көріңіз.',
    popupError: 'Браузер тексеру терезесін бұғаттады.',
  },
  en: {
    start: 'Verify your identity',
    requesting: 'Preparing verification…',
    loading: 'Loading…',
    frameTitle: 'Identity verification',
    finished: 'Verification complete',
    cancelled: 'Verification cancelled',
    retry: 'Try again',
    close: 'Close',
    inProgress: 'Verification in progress…',
    inPopup: 'The verification is open in a separate window.',
    showPopup: 'Show the window',
    step: 'Step {step} of {total}: {name}',
    error: 'Could not start the verification.',
    networkError: 'Could not reach the server. Check your connection and try again.',
    popupError: 'The browser blocked the verification window.',
  },
};

/** The texts of a locale. */
export function textsFor(locale: Locale): Texts {
  return TEXTS[locale];
}

/**
 * Maps a language tag (`kk-KZ`, `en-US`, `ru`, the flow's `kz`) to one of the element's locales;
 * anything else is `undefined`.
 */
export function matchLocale(tag: string | null | undefined): Locale | undefined {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  if (primary === 'kz') return 'kk';
  return LOCALES.find((locale) => locale === primary);
}

/** The `locale` query value the hosted flow expects. */
export function flowLocale(locale: Locale): 'ru' | 'kz' | 'en' {
  return locale === 'kk' ? 'kz' : locale;
}

/** The user-facing sentence for an error code. */
export function errorText(texts: Texts, code: FlowErrorCode): string {
  switch (code) {
    case 'session-request-failed':
    case 'session-timeout':
    case 'status-request-failed':
      return texts.networkError;
    case 'popup-blocked':
      return texts.popupError;
    default:
      return texts.error;
  }
}

/** "Step 2 of 3: Face2Face" for the technology at `index` (0-based). */
export function stepText(texts: Texts, technologies: readonly string[], index: number): string {
  const code = technologies[index] ?? '';
  return texts.step
    .replace('{step}', String(index + 1))
    .replace('{total}', String(technologies.length))
    .replace('{name}', TECHNOLOGY_NAMES[code] ?? code);
}
