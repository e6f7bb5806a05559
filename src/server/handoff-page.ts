/**
 * The pages a phone sees when it opens a handoff link (see `createHandoffHandler`): the confirmation
 * page (whose site, which code, a confirm button) and the pages of a used, expired or unknown link. Plain
 * HTML strings in ru, kk and en, one language per page; no script, one inline style allowed by a hash-free
 * nonce in the page's Content-Security-Policy.
 *
 * Internal: nothing here is exported from `biometric-flow/server`.
 *
 * @module
 */
import { LOCALES } from '../i18n/locale.js';
import type { Locale } from '../i18n/locale.js';

/** What a confirmation page shows. */
export interface ConfirmPageInput {
  locale: Locale;
  /** The site's name as the host set it (`siteName`), if it did. */
  siteName: string | undefined;
  /** The origin of the page that asked for the link (`https://shop.example`). */
  siteOrigin: string;
  /** The short code the computer shows. */
  code: string;
  /** Where the confirm button posts (this page's own URL). */
  action: string;
  /** The page's URL without `lang`, for the language links. */
  self: string;
  nonce: string;
}

/** The pages other than the confirmation: `finished` is a used link whose session has ended. */
export type HandoffMessageKind = 'used' | 'finished' | 'expired' | 'invalid';

interface PageTexts {
  title: string;
  /** `{site}` is replaced. */
  asks: string;
  compare: string;
  codeLabel: string;
  warning: string;
  confirm: string;
  languages: string;
  /** What the page of an expired or unknown link ends with: how to get a new link. */
  again: string;
  /** A used link: go on where it was opened ("New code" is no longer shown on the computer). */
  used: [title: string, text: string];
  finished: [title: string, text: string];
  expired: [title: string, text?: string];
  invalid: [title: string, text?: string];
}

const TEXTS: Record<Locale, PageTexts> = {
  ru: {
    title: 'Продолжить проверку личности на телефоне',
    asks: 'Сайт {site} просит пройти проверку личности на этом телефоне.',
    compare: 'Убедитесь, что код ниже совпадает с кодом на экране компьютера.',
    codeLabel: 'Код',
    warning: 'Если вы не начинали проверку на этом сайте или коды не совпадают, закройте эту страницу.',
    confirm: 'Коды совпадают, продолжить',
    languages: 'Язык',
    again: 'На компьютере нажмите «Новый код» и отсканируйте его снова.',
    used: [
      'Ссылка уже использована',
      'По этой ссылке уже перешли. Продолжите проверку там, где её открыли; если ту страницу закрыли, начните заново на компьютере.',
    ],
    finished: ['Проверка завершена', 'Эту страницу можно закрыть: результат появится на сайте на компьютере.'],
    expired: ['Срок действия ссылки истёк'],
    invalid: ['Ссылка недействительна', 'Эта ссылка неверна или устарела.'],
  },
  kk: {
    title: 'Жеке басты тексеруді телефонда жалғастыру',
    asks: '{site} сайты осы телефонда жеке басты тексеруден өтуді сұрайды.',
    compare: 'Төмендегі код компьютер экранындағы кодпен сәйкес келетінін тексеріңіз.',
    codeLabel: 'Код',
    warning: 'Егер сіз бұл сайтта тексеруді бастамаған болсаңыз немесе кодтар сәйкес келмесе, бұл бетті жабыңыз.',
    confirm: 'Кодтар сәйкес, жалғастыру',
    languages: 'Тіл',
    again: 'Компьютерде «Жаңа код» түймесін басып, оны қайта сканерлеңіз.',
    used: [
      'Сілтеме пайдаланылған',
      'Бұл сілтеме бұрын ашылған. Тексеруді ашылған жерінде жалғастырыңыз; ол бет жабылып қалса, компьютерде қайтадан бастаңыз.',
    ],
    finished: ['Тексеру аяқталды', 'Бұл бетті жабуға болады: нәтиже компьютердегі сайтта көрсетіледі.'],
    expired: ['Сілтеменің мерзімі өтті'],
    invalid: ['Сілтеме жарамсыз', 'Бұл сілтеме қате немесе ескірген.'],
  },
  en: {
    title: 'Continue identity verification on this phone',
    asks: 'The site {site} asks you to verify your identity on this phone.',
    compare: 'Check that the code below is the same as the code on the computer screen.',
    codeLabel: 'Code',
    warning: 'If you did not start a verification on this site, or the codes differ, close this page.',
    confirm: 'The codes match, continue',
    languages: 'Language',
    again: 'On the computer, press “New code” and scan it again.',
    used: [
      'This link was already used',
      'This link has been opened already. Go on with the verification where it was opened; if that page was closed, start again on the computer.',
    ],
    finished: ['The verification is finished', 'You can close this page: the site shows the result on the computer.'],
    expired: ['This link has expired'],
    invalid: ['This link is not valid', 'This link is wrong or out of date.'],
  },
};

const LANGUAGE_NAMES: Record<Locale, string> = { ru: 'Русский', kk: 'Қазақша', en: 'English' };

/** @returns `text` safe inside HTML text and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.45}
body{margin:0;background:Canvas;color:CanvasText}main{max-width:30rem;margin:0 auto;padding:1.25rem}
h1{font-size:1.3rem;margin:0 0 .75rem}.site{font-weight:700;overflow-wrap:anywhere}
.code-line{margin:.25rem 0 1rem}.code{font:700 2.2rem/1.2 ui-monospace,monospace;letter-spacing:.15em;white-space:nowrap}
.warning{border-left:4px solid #b26a00;padding:.25rem .75rem}
button{font:inherit;width:100%;padding:.8rem 1rem;border:0;border-radius:8px;background:#1f5fd6;color:#fff;cursor:pointer}
button:focus-visible,a:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
nav{margin-top:1.5rem;display:flex;flex-wrap:wrap;gap:.5rem}
nav a{display:inline-flex;align-items:center;min-height:44px;min-width:44px;padding:0 .75rem;color:LinkText}`;

function shell(locale: Locale, title: string, nonce: string, body: string): string {
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

/** The site as a person reads it: "Name (https://origin)" when the host named it, else its origin. */
export function siteLabel(siteName: string | undefined, siteOrigin: string): string {
  return siteName ? `${siteName} (${siteOrigin})` : siteOrigin;
}

function languageLinks(locale: Locale, self: string): string {
  const links = LOCALES.filter((other) => other !== locale)
    .map((other) => {
      const url = new URL(self);
      url.searchParams.set('lang', other);
      return `<a href="${escapeHtml(url.pathname + url.search)}" hreflang="${other}" lang="${other}">${LANGUAGE_NAMES[other]}</a>`;
    })
    .join('');
  return `<nav aria-label="${TEXTS[locale].languages}">${links}</nav>`;
}

/** The page that asks the person to compare the code and confirm. */
export function renderConfirmPage(input: ConfirmPageInput): string {
  const t = TEXTS[input.locale];
  const site = `<span class="site">${escapeHtml(siteLabel(input.siteName, input.siteOrigin))}</span>`;
  const [before, after] = t.asks.split('{site}') as [string, string];
  const body = `<h1>${t.title}</h1>
<p id="handoff-site">${escapeHtml(before)}${site}${escapeHtml(after)}</p>
<p>${t.compare}</p>
<p class="code-line" id="handoff-code-line">${t.codeLabel}: <span class="code" id="handoff-code">${escapeHtml(input.code)}</span></p>
<p class="warning">${t.warning}</p>
<form method="post" action="${escapeHtml(input.action)}"><button type="submit" id="handoff-confirm">${t.confirm}</button></form>
${languageLinks(input.locale, input.self)}`;
  return shell(input.locale, t.title, input.nonce, body);
}

/** A used, expired or unknown link's page. */
export function renderMessagePage(locale: Locale, kind: HandoffMessageKind, nonce: string): string {
  const texts = TEXTS[locale];
  const [title, text] = texts[kind];
  const paragraph = kind === 'used' || kind === 'finished' ? text : text ? `${text} ${texts.again}` : texts.again;
  return shell(locale, title, nonce, `<h1 id="handoff-message" data-kind="${kind}">${title}</h1><p>${paragraph}</p>`);
}
