/**
 * Known in-app browsers: the web views that messengers and social apps open links in. Most of them give
 * a page no camera (or a broken one), no popups and no way back to the person's own browser, so with
 * `handoff="auto"` the element offers a handoff (or an "open in your browser" link) instead of a camera
 * step that cannot work.
 *
 * Detection reads the user-agent string only: each of these apps adds its own token to it. A page
 * inside one of them that does not say so (Telegram on iOS opens links in Safari's own view, which is a
 * real browser) is not an in-app browser here either.
 *
 * @module
 */

/** The in-app browsers recognised, by app. `android-webview` is any other Android app's web view (`; wv)`). */
export type InAppBrowser =
  | 'instagram'
  | 'messenger'
  | 'facebook'
  | 'telegram'
  | 'tiktok'
  | 'wechat'
  | 'line'
  | 'snapchat'
  | 'linkedin'
  | 'twitter'
  | 'vk'
  | 'android-webview';

/**
 * Each app's user-agent token, in the order they are tried: Messenger before Facebook (both say `FBAV`),
 * and the generic Android web view last (the apps' Android builds are web views too).
 */
const PATTERNS: ReadonlyArray<readonly [InAppBrowser, RegExp]> = [
  ['instagram', /\bInstagram\b/i],
  ['messenger', /FBAN\/Messenger|FB_IAB\/(?:Orca|MESSENGER)|MessengerForiOS|MessengerLite/i],
  ['facebook', /\bFBAN\/|\bFBAV\/|\bFB_IAB\/|\bFBIOS\b|\[FB/],
  ['telegram', /\bTelegram/i],
  ['tiktok', /musical_ly|BytedanceWebview|\bTikTok\b|\btrill_/i],
  ['wechat', /MicroMessenger/i],
  ['line', /\bLine\/\d/i],
  ['snapchat', /\bSnapchat\b/i],
  ['linkedin', /LinkedInApp/i],
  ['twitter', /TwitterAndroid|\bTwitter for iP(?:hone|ad)\b/i],
  ['vk', /VKAndroidApp|com\.vk\.vkclient|\bVKClient\b/i],
  ['android-webview', /; wv\)/],
];

/**
 * Which in-app browser a user-agent string belongs to.
 *
 * @param userAgent - `navigator.userAgent` by default.
 * @returns the app, or `undefined` for a browser of its own (Chrome, Safari, Firefox, Samsung Internet,
 *   Yandex, …) or an unknown string.
 */
export function inAppBrowser(userAgent: string = globalThis.navigator?.userAgent ?? ''): InAppBrowser | undefined {
  return PATTERNS.find(([, pattern]) => pattern.test(userAgent))?.[0];
}
