/**
 * Texts of the hosted flow and its pages in the three languages the vendor's flow takes
 * (`locale=ru|kz|en`, docs/vendor.md §4). Placeholders are `{name}`.
 *
 * @module
 */

/** A `locale` query value the flow understands. Note `kz`, not `kk`. */
export type FlowLocale = 'ru' | 'kz' | 'en';

/** @returns the locale of a `locale` query value: `kz` (or `kk`), `en`, otherwise `ru`. */
export function parseLocale(value: string | undefined): FlowLocale {
  const lower = value?.toLowerCase();
  if (lower === 'kz' || lower === 'kk') return 'kz';
  if (lower === 'en') return 'en';
  return 'ru';
}

/** @returns the BCP 47 tag for the `lang` attribute (`kz` is the country; the language is `kk`). */
export function htmlLang(locale: FlowLocale): string {
  return locale === 'kz' ? 'kk' : locale;
}

/** Titles and instructions per technology code; unknown codes use `other`. */
export interface TechnologyTexts {
  title: string;
  instructions: string;
}

export interface FlowTexts {
  documentTitle: string;
  emulatorBadge: string;
  stepOf: string;
  noscript: string;
  introTitle: string;
  introText: string;
  start: string;
  sending: string;
  technologies: Record<'LD' | 'LDHP' | 'LDD' | 'ED' | 'DR' | 'F2F' | 'other', TechnologyTexts>;
  cameraPreview: string;
  cameraRequesting: string;
  cameraReady: string;
  capture: string;
  cameraDenied: string;
  cameraUnavailable: string;
  iinLabel: string;
  phoneLabel: string;
  phoneHint: string;
  iinInvalid: string;
  phoneInvalid: string;
  requestCode: string;
  otpTitle: string;
  otpSent: string;
  otpLabel: string;
  otpSubmit: string;
  otpInvalid: string;
  otpWrong: string;
  /** The E-Document step's link to the eGov Mobile app (a non-http link, see `EGOV_MOBILE_URL`). */
  egovMobile: string;
  documentCamera: string;
  documentPreview: string;
  documentCapture: string;
  documentFile: string;
  documentNeeded: string;
  faceNeeded: string;
  faceAlt: string;
  referenceAlt: string;
  compare: string;
  continue: string;
  simulateFailure: string;
  emulatedFailure: string;
  /** Label of the list of vendor error texts (the texts themselves stay as the vendor sends them). */
  simulateVendorError: string;
  simulateVendorErrorButton: string;
  /** The failure message after a vendor error; `{text}` is the vendor's raw text. */
  vendorErrorFailure: string;
  failedTitle: string;
  failedGeneric: string;
  finish: string;
  errorTitle: string;
  errors: Record<'session_expired' | 'session_finished' | 'session_in_progress' | 'out_of_order' | 'network', string>;
  pages: Record<'finished' | 'used' | 'expired' | 'notFound' | 'inProgress', { title: string; text: string }>;
}

const ru: FlowTexts = {
  documentTitle: 'Верификация личности',
  emulatorBadge: 'Эмулятор Biometric.Vision — это не настоящая проверка',
  stepOf: 'Шаг {i} из {n}',
  noscript: 'Для прохождения проверки включите JavaScript.',
  introTitle: 'Подтвердите свою личность',
  introText: 'Проверка займёт пару минут. Понадобятся камера и телефон. Этапы:',
  start: 'Начать',
  sending: 'Отправка…',
  technologies: {
    LD: { title: 'Проверка живости', instructions: 'Посмотрите прямо в камеру и сделайте снимок.' },
    LDHP: {
      title: 'Проверка живости: поворот головы',
      instructions: 'Медленно поверните голову влево, затем вправо и сделайте снимок.',
    },
    LDD: {
      title: 'Проверка живости: расстояние',
      instructions: 'Приблизьте лицо к камере, затем отодвиньтесь и сделайте снимок.',
    },
    ED: { title: 'Электронный документ', instructions: 'Введите ИИН и номер телефона — мы отправим код в SMS.' },
    DR: {
      title: 'Фото документа',
      instructions: 'Сфотографируйте лицевую сторону удостоверения личности или загрузите его фото.',
    },
    F2F: { title: 'Сравнение лица', instructions: 'Сравним ваше лицо с фотографией.' },
    other: { title: 'Этап {code}', instructions: 'Нажмите «Продолжить», чтобы пройти этот этап.' },
  },
  cameraPreview: 'Изображение с камеры',
  cameraRequesting: 'Запрашиваем доступ к камере…',
  cameraReady: 'Камера готова.',
  capture: 'Сделать снимок',
  cameraDenied: 'Доступ к камере запрещён. Разрешите доступ к камере в настройках браузера и начните проверку заново.',
  cameraUnavailable: 'Камера недоступна на этом устройстве.',
  iinLabel: 'ИИН',
  phoneLabel: 'Номер телефона',
  phoneHint: 'Формат: 77XXXXXXXXX',
  iinInvalid: 'ИИН — это 12 цифр с верной контрольной цифрой.',
  phoneInvalid: 'Номер должен начинаться с 77 и состоять из 11 цифр.',
  requestCode: 'Получить код',
  otpTitle: 'Код из SMS',
  otpSent: 'Мы отправили 6-значный код от 1414 на номер +{phone}.',
  otpLabel: 'Код из SMS от 1414',
  otpSubmit: 'Подтвердить',
  otpInvalid: 'Введите 6 цифр.',
  otpWrong: 'Неверный код из SMS.',
  egovMobile: 'Подтвердить в приложении eGov Mobile',
  documentCamera: 'Сфотографировать камерой',
  documentPreview: 'Изображение документа с камеры',
  documentCapture: 'Сделать снимок документа',
  documentFile: 'Загрузить фото документа',
  documentNeeded: 'Для сравнения нужна фотография документа.',
  faceNeeded: 'Сначала сделайте снимок лица.',
  faceAlt: 'Ваш снимок',
  referenceAlt: 'Фото для сравнения',
  compare: 'Сравнить',
  continue: 'Продолжить',
  simulateFailure: 'Эмулятор: провалить этап',
  emulatedFailure: 'Этап провален (эмуляция).',
  simulateVendorError: 'Эмулятор: провалить с ошибкой сервиса',
  simulateVendorErrorButton: 'Провалить с этой ошибкой',
  vendorErrorFailure: 'Сервис ответил ошибкой: {text}',
  failedTitle: 'Проверка не пройдена',
  failedGeneric: 'Этап не пройден.',
  finish: 'Завершить',
  errorTitle: 'Не удалось продолжить',
  errors: {
    session_expired: 'Срок действия сессии истёк.',
    session_finished: 'Эта сессия уже использована.',
    session_in_progress: 'Эта сессия уже открыта в другом окне.',
    out_of_order: 'Проверка пошла не по порядку. Начните заново.',
    network: 'Не удалось связаться с сервером. Проверьте подключение и начните заново.',
  },
  pages: {
    finished: { title: 'Проверка завершена', text: 'Можно закрыть это окно.' },
    used: {
      title: 'Эта сессия уже использована',
      text: 'Сессию можно пройти только один раз. Попросите сервис, который направил вас сюда, начать проверку заново.',
    },
    expired: {
      title: 'Срок действия сессии истёк',
      text: 'Попросите сервис, который направил вас сюда, начать проверку заново.',
    },
    notFound: { title: 'Сессия не найдена', text: 'Проверьте ссылку или начните проверку заново.' },
    inProgress: {
      title: 'Эта сессия уже проходится',
      text: 'Проверка уже идёт в другом окне. Продолжите там или начните заново.',
    },
  },
};

const kz: FlowTexts = {
  documentTitle: 'Жеке басты растау',
  emulatorBadge: 'Biometric.Vision эмуляторы — бұл нақты тексеру емес',
  stepOf: '{n} қадамның {i}-қадамы',
  noscript: 'Тексеруден өту үшін JavaScript қосыңыз.',
  introTitle: 'Жеке басыңызды растаңыз',
  introText: 'Тексеру бірнеше минут алады. Камера мен телефон қажет. Кезеңдер:',
  start: 'Бастау',
  sending: 'Жіберілуде…',
  technologies: {
    LD: { title: 'Тірілікті тексеру', instructions: 'Камераға тура қарап, суретке түсіріңіз.' },
    LDHP: {
      title: 'Тірілікті тексеру: басты бұру',
      instructions: 'Басыңызды баяу солға, сосын оңға бұрып, суретке түсіріңіз.',
    },
    LDD: {
      title: 'Тірілікті тексеру: қашықтық',
      instructions: 'Бетіңізді камераға жақындатып, сосын алыстатып, суретке түсіріңіз.',
    },
    ED: { title: 'Электрондық құжат', instructions: 'ЖСН мен телефон нөміріңізді енгізіңіз — SMS-код жібереміз.' },
    DR: {
      title: 'Құжат фотосы',
      instructions: 'Жеке куәлігіңіздің алдыңғы бетін суретке түсіріңіз немесе фотосын жүктеңіз.',
    },
    F2F: { title: 'Бетті салыстыру', instructions: 'Бетіңізді фотосуретпен салыстырамыз.' },
    other: { title: '{code} кезеңі', instructions: 'Бұл кезеңнен өту үшін «Жалғастыру» түймесін басыңыз.' },
  },
  cameraPreview: 'Камерадағы сурет',
  cameraRequesting: 'Камераға рұқсат сұралуда…',
  cameraReady: 'Камера дайын.',
  capture: 'Суретке түсіру',
  cameraDenied: 'Камераға рұқсат берілмеді. Браузер баптауларында камераға рұқсат беріп, тексеруді қайта бастаңыз.',
  cameraUnavailable: 'Бұл құрылғыда камера қолжетімсіз.',
  iinLabel: 'ЖСН',
  phoneLabel: 'Телефон нөмірі',
  phoneHint: 'Пішімі: 77XXXXXXXXX',
  iinInvalid: 'ЖСН — бақылау цифры дұрыс 12 цифр.',
  phoneInvalid: 'Нөмір 77-ден басталып, 11 цифрдан тұруы керек.',
  requestCode: 'Код алу',
  otpTitle: 'SMS-код',
  otpSent: '1414 нөмірінен 6 таңбалы код +{phone} нөміріне жіберілді.',
  otpLabel: '1414 нөмірінен келген SMS-код',
  otpSubmit: 'Растау',
  otpInvalid: '6 цифр енгізіңіз.',
  otpWrong: 'SMS-код қате.',
  egovMobile: 'eGov Mobile қосымшасында растау',
  documentCamera: 'Камерамен түсіру',
  documentPreview: 'Камерадағы құжат суреті',
  documentCapture: 'Құжатты суретке түсіру',
  documentFile: 'Құжат фотосын жүктеу',
  documentNeeded: 'Салыстыру үшін құжат фотосы қажет.',
  faceNeeded: 'Алдымен бетіңізді суретке түсіріңіз.',
  faceAlt: 'Сіздің суретіңіз',
  referenceAlt: 'Салыстыруға арналған фото',
  compare: 'Салыстыру',
  continue: 'Жалғастыру',
  simulateFailure: 'Эмулятор: кезеңді сәтсіз аяқтау',
  emulatedFailure: 'Кезең сәтсіз аяқталды (эмуляция).',
  simulateVendorError: 'Эмулятор: сервис қатесімен сәтсіз аяқтау',
  simulateVendorErrorButton: 'Осы қатемен сәтсіз аяқтау',
  vendorErrorFailure: 'Сервис қатемен жауап берді: {text}',
  failedTitle: 'Тексеруден өтпедіңіз',
  failedGeneric: 'Кезеңнен өтпедіңіз.',
  finish: 'Аяқтау',
  errorTitle: 'Жалғастыру мүмкін емес',
  errors: {
    session_expired: 'Сессияның мерзімі өтті.',
    session_finished: 'Бұл сессия бұрын пайдаланылған.',
    session_in_progress: 'Бұл сессия басқа терезеде ашық.',
    out_of_order: 'Тексеру ретімен жүрмеді. Қайта бастаңыз.',
    network: 'Сервермен байланыс жоқ. Қосылымды тексеріп, қайта бастаңыз.',
  },
  pages: {
    finished: { title: 'Тексеру аяқталды', text: 'Бұл терезені жабуға болады.' },
    used: {
      title: 'Бұл сессия бұрын пайдаланылған',
      text: 'Сессиядан тек бір рет өтуге болады. Сізді осында жіберген қызметтен тексеруді қайта бастауды сұраңыз.',
    },
    expired: {
      title: 'Сессияның мерзімі өтті',
      text: 'Сізді осында жіберген қызметтен тексеруді қайта бастауды сұраңыз.',
    },
    notFound: { title: 'Сессия табылмады', text: 'Сілтемені тексеріңіз немесе тексеруді қайта бастаңыз.' },
    inProgress: {
      title: 'Бұл сессия қазір өтуде',
      text: 'Тексеру басқа терезеде жүріп жатыр. Сонда жалғастырыңыз немесе қайта бастаңыз.',
    },
  },
};

const en: FlowTexts = {
  documentTitle: 'Identity verification',
  emulatorBadge: 'Biometric.Vision emulator — not a real verification',
  stepOf: 'Step {i} of {n}',
  noscript: 'Please enable JavaScript to complete the verification.',
  introTitle: 'Confirm your identity',
  introText: 'This takes a couple of minutes. You will need a camera and your phone. Steps:',
  start: 'Start',
  sending: 'Sending…',
  technologies: {
    LD: { title: 'Liveness check', instructions: 'Look straight into the camera and take a photo.' },
    LDHP: {
      title: 'Liveness check: head position',
      instructions: 'Slowly turn your head left, then right, and take a photo.',
    },
    LDD: {
      title: 'Liveness check: distance',
      instructions: 'Move your face closer to the camera, then back, and take a photo.',
    },
    ED: { title: 'E-Document', instructions: 'Enter your IIN and phone number — we will send you an SMS code.' },
    DR: { title: 'Document photo', instructions: 'Take a photo of the front of your ID card, or upload one.' },
    F2F: { title: 'Face comparison', instructions: 'We will compare your face with a photo.' },
    other: { title: 'Step {code}', instructions: 'Press “Continue” to complete this step.' },
  },
  cameraPreview: 'Camera preview',
  cameraRequesting: 'Asking for camera access…',
  cameraReady: 'The camera is ready.',
  capture: 'Take photo',
  cameraDenied: 'Camera access was denied. Allow the camera in your browser settings and start the verification again.',
  cameraUnavailable: 'No camera is available on this device.',
  iinLabel: 'IIN',
  phoneLabel: 'Phone number',
  phoneHint: 'Format: 77XXXXXXXXX',
  iinInvalid: 'An IIN is 12 digits with a valid check digit.',
  phoneInvalid: 'The number must start with 77 and have 11 digits.',
  requestCode: 'Get code',
  otpTitle: 'SMS code',
  otpSent: 'We sent a 6-digit code from 1414 to +{phone}.',
  otpLabel: 'Code from the SMS from 1414',
  otpSubmit: 'Confirm',
  otpInvalid: 'Enter 6 digits.',
  otpWrong: 'Wrong SMS code.',
  egovMobile: 'Confirm in the eGov Mobile app',
  documentCamera: 'Use the camera',
  documentPreview: 'Camera preview of the document',
  documentCapture: 'Take photo of the document',
  documentFile: 'Upload a photo of the document',
  documentNeeded: 'A photo of your document is needed for the comparison.',
  faceNeeded: 'First take a photo of your face.',
  faceAlt: 'Your photo',
  referenceAlt: 'Photo to compare with',
  compare: 'Compare',
  continue: 'Continue',
  simulateFailure: 'Emulator: fail this step',
  emulatedFailure: 'The step failed (emulated).',
  simulateVendorError: 'Emulator: fail with a vendor error',
  simulateVendorErrorButton: 'Fail with this error',
  vendorErrorFailure: 'The service answered with an error: {text}',
  failedTitle: 'Verification failed',
  failedGeneric: 'A step was not passed.',
  finish: 'Finish',
  errorTitle: 'Cannot continue',
  errors: {
    session_expired: 'This session has expired.',
    session_finished: 'This session was already used.',
    session_in_progress: 'This session is already open in another window.',
    out_of_order: 'The verification went out of order. Please start again.',
    network: 'Could not reach the server. Check your connection and start again.',
  },
  pages: {
    finished: { title: 'Verification complete', text: 'You can close this window.' },
    used: {
      title: 'This session was already used',
      text: 'A session can be passed only once. Ask the service that sent you here to start a new verification.',
    },
    expired: { title: 'This session has expired', text: 'Ask the service that sent you here to start a new verification.' },
    notFound: { title: 'Session not found', text: 'Check the link or start a new verification.' },
    inProgress: {
      title: 'This session is already in progress',
      text: 'The verification is running in another window. Continue there or start again.',
    },
  },
};

const TEXTS: Record<FlowLocale, FlowTexts> = { ru, kz, en };

/** @returns the texts of a locale. */
export function textsFor(locale: FlowLocale): FlowTexts {
  return TEXTS[locale];
}
