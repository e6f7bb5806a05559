// The texts of biometric-flow-handoff-view.js (src/handoff/handoff-view.ts) in ru, kk and en.
import type { Locale } from '../locales.js';

export interface HandoffTexts {
  title: string;
  scan: string;
  qr: string;
  code: string;
  link: string;
  copy: string;
  copied: string;
  /** `{time}` is replaced (m:ss). */
  expires: string;
  expired: string;
  newCode: string;
  preparing: string;
  waiting: string;
  /** The phone went on with the link: the computer has nothing more to offer. */
  opened: string;
  failed: string;
  browserTitle: string;
  browserText: string;
}

export const TEXTS: Record<Locale, HandoffTexts> = {
  ru: {
    title: 'Продолжите на телефоне',
    scan: 'Отсканируйте QR-код камерой телефона. Телефон покажет тот же код.',
    qr: 'QR-код ссылки ниже',
    code: 'Код',
    link: 'Ссылка',
    copy: 'Копировать ссылку',
    copied: 'Ссылка скопирована',
    expires: 'Код действует ещё {time}',
    expired: 'Срок действия кода истёк.',
    newCode: 'Новый код',
    preparing: 'Готовим код…',
    waiting: 'Ждём завершения на телефоне…',
    opened: 'Ссылка открыта на телефоне. Продолжайте там.',
    failed: 'Не удалось получить код.',
    browserTitle: 'Откройте в браузере',
    browserText: 'Здесь камера не работает. Откройте эту страницу в Safari или Chrome.',
  },
  kk: {
    title: 'Телефонда жалғастырыңыз',
    scan: 'QR-кодты телефон камерасымен сканерлеңіз. Телефон дәл осы кодты көрсетеді.',
    qr: 'Төмендегі сілтеменің QR-коды',
    code: 'Код',
    link: 'Сілтеме',
    copy: 'Сілтемені көшіру',
    copied: 'Сілтеме көшірілді',
    expires: 'Код тағы {time} жарамды',
    expired: 'Кодтың мерзімі өтті.',
    newCode: 'Жаңа код',
    preparing: 'Код дайындалуда…',
    waiting: 'Телефонда аяқталуын күтудеміз…',
    opened: 'Сілтеме телефонда ашылды. Тексеруді сонда жалғастырыңыз.',
    failed: 'Код алу мүмкін болмады.',
    browserTitle: 'Браузерде ашыңыз',
    browserText: 'Мұнда камера жұмыс істемейді. Бұл бетті Safari немесе Chrome-да ашыңыз.',
  },
  en: {
    title: 'Continue on your phone',
    scan: "Scan the QR code with your phone's camera. Your phone will show the same code.",
    qr: 'QR code of the link below',
    code: 'Code',
    link: 'Link',
    copy: 'Copy link',
    copied: 'Link copied',
    expires: 'The code is valid for {time}',
    expired: 'The code has expired.',
    newCode: 'New code',
    preparing: 'Preparing a code…',
    waiting: 'Waiting for your phone…',
    opened: 'The link is open on your phone. Go on there.',
    failed: 'Could not get a code.',
    browserTitle: 'Open in your browser',
    browserText: 'The camera does not work here. Open this page in Safari or Chrome.',
  },
};
