/** The element's languages. The flow itself calls Kazakh `kz`; see {@link flowLocale}. */
export type Locale = 'ru' | 'kk' | 'en';

export const LOCALES: readonly Locale[] = ['ru', 'kk', 'en'];

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
