import type { Locale } from './i18n/locale.js';

// The language itself lives in i18n/locale.ts (the server imports it too); re-exported for this module's importers.
export { matchLocale } from './i18n/locale.js';
export type { Locale } from './i18n/locale.js';

export interface Texts {
  start: string;
  requesting: string;
  loading: string;
  frameTitle: string;
}

const TEXTS: Record<Locale, Texts> = {
  ru: {
    start: 'Пройти проверку личности',
    requesting: 'Готовим проверку…',
    loading: 'Загружаем…',
    frameTitle: 'Проверка личности',
  },
  kk: {
    start: 'Жеке басты тексеруден өту',
    requesting: 'Тексеру дайындалуда…',
    loading: 'Жүктелуде…',
    frameTitle: 'Жеке басты тексеру',
  },
  en: {
    start: 'Verify your identity',
    requesting: 'Preparing verification…',
    loading: 'Loading…',
    frameTitle: 'Identity verification',
  },
};

/** The texts of a locale. */
export function textsFor(locale: Locale): Texts {
  return TEXTS[locale];
}
