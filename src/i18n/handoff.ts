// The text of biometric-flow-handoff.js (src/handoff/handoff.ts) in ru, kk and en: its "Continue on my
// phone" button; the view's texts are in ./handoff-view.ts.
import type { Locale } from '../locales.js';

export const OFFER: Record<Locale, string> = {
  ru: 'Продолжить на телефоне',
  kk: 'Телефонда жалғастыру',
  en: 'Continue on my phone',
};
