/**
 * The element's languages, and how a language tag maps to one of them. The one place `Locale` is
 * defined: the element and the server (the session and handoff handlers, the handoff's phone pages)
 * import it from here. Browser-safe, no imports.
 *
 * @module
 */

/** The element's languages, in the order they are offered. */
export const LOCALES = ['ru', 'kk', 'en'] as const;

/** The element's languages. The flow itself calls Kazakh `kz`; see {@link flowLocale}. */
export type Locale = (typeof LOCALES)[number];

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

/**
 * The first of the element's locales an `Accept-Language` header asks for, by `q` (ties in the order
 * written); `q=0` means "not this one".
 *
 * @returns the locale, or `undefined` when the header names none of them.
 */
export function acceptLanguageLocale(header: string | null | undefined): Locale | undefined {
  if (!header) return undefined;
  const tags = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag, q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of tags) {
    const locale = matchLocale(tag);
    if (locale) return locale;
  }
  return undefined;
}
