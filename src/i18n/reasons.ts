/**
 * What a person is told for each failure reason (`failure_reasons[].code`), in ru, kk and en: one or two
 * sentences that say what to do on the next try, or, where a new try cannot help (see `REASON_ADVICE`),
 * the next step instead. Spoof-like reasons share `check-failed`, which says nothing about what the check
 * saw. Proper names stay as they are written (eGov); everything else is in the locale's own script.
 *
 * @module
 */
import { isReasonCode, type ReasonCode } from '../reason-codes.js';
import type { Locale } from './locale.js';

/** The sentences of each reason code, per locale. */
export const REASON_TEXTS: Readonly<Record<Locale, Readonly<Record<ReasonCode, string>>>> = {
  ru: {
    'subject-not-found':
      'Ваш номер телефона не зарегистрирован в базе мобильных граждан. Зарегистрируйте его на портале eGov или в ЦОНе, затем пройдите проверку снова.',
    'edocument-unavailable': 'Сервис электронных документов eGov сейчас недоступен. Пройдите проверку позже.',
    'edocument-timeout': 'Сервис электронных документов eGov не ответил вовремя. Пройдите проверку позже.',
    'government-service-error': 'Произошёл сбой на стороне государственного сервиса. Пройдите проверку позже.',
    'profile-not-found': 'У вас пока нет профиля на eGov. Зарегистрируйтесь на портале eGov и вернитесь к проверке.',
    'invalid-iin': 'ИИН указан неверно. Проверьте свои данные на этом сайте или обратитесь в его поддержку.',
    'session-already-used': 'Эта проверка уже была использована. Начните новую.',
    'edocument-not-requested': 'Шаг с кодом из СМС был пропущен. Начните заново и введите код из СМС.',
    'subscription-inactive': 'Сайт сейчас не может провести проверку. Дело не в вас: обратитесь в поддержку сайта.',
    'flow-aborted': 'Проверка была прервана. Не закрывайте её до последнего шага.',
    'flow-timeout': 'Время на проверку истекло. Начните заново и проходите шаги без долгих пауз.',
    'camera-unavailable':
      'Не удалось включить камеру. Разрешите сайту доступ к камере в настройках браузера или воспользуйтесь устройством с камерой.',
    'eyes-closed': 'Похоже, глаза были закрыты. Держите глаза открытыми и смотрите в камеру.',
    'poor-lighting': 'Было слишком темно. Встаньте там, где светлее, чтобы свет падал на лицо, а не из-за спины.',
    'mask-on': 'Лицо было закрыто маской. Снимите маску и всё, что закрывает лицо.',
    'liveness-low-score':
      'Камера не смогла как следует рассмотреть ваше лицо. Найдите место с хорошим освещением; лицо должно целиком помещаться в кадре и ничем не закрываться.',
    'sms-code-wrong': 'Код из СМС введён неверно. Начните заново и внимательно введите код из нового СМС.',
    'service-error': 'У сервиса проверки сбой. Пройдите проверку позже.',
    'request-error': 'Сервис проверки не смог обработать запрос сайта. Дело не в вас: обратитесь в поддержку сайта.',
    'check-failed': 'Одна из проверок не пройдена.',
    'vendor-error': 'Во время проверки что-то пошло не так. Попробуйте ещё раз.',
  },
  kk: {
    'subject-not-found':
      'Телефон нөміріңіз мобильдік азаматтар базасында тіркелмеген. Нөміріңізді eGov порталында немесе ХҚКО-да тіркеп, тексеруден қайта өтіңіз.',
    'edocument-unavailable': 'eGov электрондық құжаттар сервисі қазір қолжетімсіз. Тексеруден кейінірек өтіңіз.',
    'edocument-timeout': 'eGov электрондық құжаттар сервисі уақытында жауап бермеді. Тексеруден кейінірек өтіңіз.',
    'government-service-error': 'Мемлекеттік сервисте ақау шықты. Тексеруден кейінірек өтіңіз.',
    'profile-not-found': 'Сізде әлі eGov профилі жоқ. eGov порталында тіркеліп, тексеруге қайта оралыңыз.',
    'invalid-iin': 'ЖСН дұрыс емес. Осы сайттағы деректеріңізді тексеріңіз немесе сайттың қолдау қызметіне хабарласыңыз.',
    'session-already-used': 'Бұл тексеру бұрын пайдаланылған. Жаңасын бастаңыз.',
    'edocument-not-requested': 'СМС-код енгізілмей қалды. Қайтадан бастап, СМС-тегі кодты енгізіңіз.',
    'subscription-inactive': 'Сайт қазір тексеру жүргізе алмайды. Бұл сіздің қатеңіз емес: сайттың қолдау қызметіне хабарласыңыз.',
    'flow-aborted': 'Тексеру аяғына дейін жетпей үзілді. Соңғы қадамға дейін тексеруді жаппаңыз.',
    'flow-timeout': 'Тексеруге берілген уақыт бітті. Қайтадан бастап, қадамдардан ұзақ кідірмей өтіңіз.',
    'camera-unavailable':
      'Камераны қосу мүмкін болмады. Браузер баптауларында сайтқа камераны қолдануға рұқсат беріңіз немесе камерасы бар құрылғыны пайдаланыңыз.',
    'eyes-closed': 'Көзіңіз жұмулы болған сияқты. Көзіңізді ашық ұстап, камераға қараңыз.',
    'poor-lighting': 'Жарық жетпеді. Жарығырақ жерге барыңыз: жарық арқаңыздан емес, бетіңізге түссін.',
    'mask-on': 'Бетіңіз маскамен жабық болды. Масканы шешіп, бетіңізді жауып тұрған нәрсенің бәрін алыңыз.',
    'liveness-low-score':
      'Камера бетіңізді анық көре алмады. Жарық жерде тұрыңыз: бетіңіз кадрға толық сыйып, ештеңемен жабылмасын.',
    'sms-code-wrong': 'СМС-тегі код қате енгізілді. Қайтадан бастап, жаңа СМС-тегі кодты мұқият теріңіз.',
    'service-error': 'Тексеру сервисінде ақау шықты. Тексеруден кейінірек өтіңіз.',
    'request-error': 'Тексеру сервисі сайттың сұрауын өңдей алмады. Бұл сіздің қатеңіз емес: сайттың қолдау қызметіне хабарласыңыз.',
    'check-failed': 'Тексерулердің бірінен өте алмадыңыз.',
    'vendor-error': 'Тексеру кезінде қате шықты. Қайталап көріңіз.',
  },
  en: {
    'subject-not-found':
      'Your phone number is not registered in the mobile citizens database. Register it on eGov or at a Public Service Center, then go through the verification again.',
    'edocument-unavailable': 'The eGov e-document service is not available right now. Come back to the verification later.',
    'edocument-timeout': 'The eGov e-document service did not answer in time. Come back to the verification later.',
    'government-service-error': 'A government service failed. Come back to the verification later.',
    'profile-not-found': 'You do not have an eGov profile yet. Sign up on eGov, then come back to the verification.',
    'invalid-iin': 'The IIN is not valid. Check your details on this site, or contact the site.',
    'session-already-used': 'This verification has already been used. Start a new one.',
    'edocument-not-requested': 'The SMS code step was skipped. Start again and enter the code from the SMS.',
    'subscription-inactive': 'This site cannot run the verification right now. It is not your fault: contact the site.',
    'flow-aborted': 'The verification was closed before the end. Keep it open until the last step.',
    'flow-timeout': 'The time for the verification ran out. Start again and go through the steps without long pauses.',
    'camera-unavailable':
      "The camera could not be turned on. Allow this site to use the camera in your browser's settings, or use a device with a camera.",
    'eyes-closed': 'Your eyes seemed to be closed. Keep your eyes open and look at the camera.',
    'poor-lighting': 'There was not enough light. Move somewhere brighter, with the light on your face rather than behind you.',
    'mask-on': 'A mask covered your face. Take off the mask and anything else that covers your face.',
    'liveness-low-score':
      'The camera could not see your face well enough. Stand in good light, with your whole face in the frame and nothing covering it.',
    'sms-code-wrong': 'The code from the SMS was entered incorrectly. Start again and type the code from the new SMS carefully.',
    'service-error': 'The verification service has a problem. Come back to the verification later.',
    'request-error': "The verification service could not process this site's request. It is not your fault: contact the site.",
    'check-failed': 'One of the checks did not pass.',
    'vendor-error': 'Something went wrong during the verification. Try again.',
  },
};

/** @returns the sentence for a reason code in `locale`; a code that is not known gets `vendor-error`'s. */
export function reasonText(locale: Locale, code: unknown): string {
  return REASON_TEXTS[locale][isReasonCode(code) ? code : 'vendor-error'];
}
