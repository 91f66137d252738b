/**
 * Ukrainian — the app's language. Keys and words follow the web screen's dictionary
 * (src/foryou_crm/web/static/js/i18n/uk.js) wherever the concept is the same, so the two can be
 * merged into one glossary; keys the web screen does not have are marked "app only".
 */
export const uk = {
  signOut: 'Вийти',
  'common.retry': 'Спробувати ще раз',
  'common.cancel': 'Скасувати',

  'login.email': 'Електронна пошта',
  'login.password': 'Пароль',
  'login.submit': 'Увійти',
  'login.sessionExpired': 'Сеанс завершився. Увійдіть знову.',
  'login.missingFields': 'Введіть електронну пошту та пароль.',
  // app only
  'login.navTitle': 'Вхід',
  'login.intro': 'Увійдіть в обліковий запис ForYou, щоб підключити AMO CRM.',
  'login.checkFields': 'Перевірте електронну пошту та пароль.',
  'login.tooManyAttempts': 'Забагато спроб входу. Спробуйте пізніше.',
  'login.demoServer': 'Демо-сервер: {email} / {password}',
  'login.demoFill': 'Заповнити демо-дані',
  'login.server': 'Сервер: {url}',

  'crm.title': 'CRM',
  'crm.amoTitle': 'AMO CRM',
  'crm.connected': 'Підключено',
  'crm.notConnected': 'Не підключено',
  'crm.domain': 'Домен',
  'crm.accountId': 'ID акаунта',
  'crm.needsReconnect': 'Доступ до AMO CRM втрачено. Підключіть AMO CRM знову.',
  'crm.connect': 'Підключити AMO CRM',
  'crm.disconnect': 'Відключити AMO CRM',
  'crm.statusFailed': 'Не вдалося отримати статус AMO CRM.',
  // app only: the auth session closed without handing a link back
  'crm.connectClosed': 'Підключення не завершено: вікно AMO CRM закрито. Спробуйте ще раз.',
  'crm.connectFailed': 'Не вдалося почати підключення:',

  'disconnect.title': 'Відключити AMO CRM?',
  'disconnect.text': 'Ключі доступу буде видалено, а ліди перестануть оновлюватися. Підключити знову можна будь-коли.',
  'disconnect.confirm': 'Відключити',

  'sync.runningPercent': 'Синхронізація лідів… {percent}%',
  'sync.failed': 'Синхронізація не вдалася.',
  // app only
  'sync.start': 'Оновити з AMO CRM',
  'sync.first': 'Перша синхронізація з AMO CRM…',
  'sync.lastSynced': 'Синхронізовано: {when}',
  'sync.never': 'Ще не синхронізовано',

  'callback.processing': 'Обробляємо відповідь AMO CRM…',
  'callback.errorTitle': 'Не вдалося підключити AMO CRM',
  // app only
  'callback.wait': 'Завершуємо підключення, зачекайте.',
  'callback.handedBack': 'Повертаємось у застосунок…',
  'callback.windowCloses': 'Це вікно закриється автоматично.',

  'leads.search': 'Пошук',
  'leads.searchPlaceholder': 'Назва, контакт, тег…',
  'leads.pipeline': 'Воронка',
  'leads.status': 'Етап',
  'leads.responsible': 'Відповідальний',
  'leads.price': 'Бюджет',
  'leads.priceFrom': 'Бюджет від',
  'leads.priceTo': 'Бюджет до',
  'leads.created': 'Дата створення',
  'leads.createdFrom': 'Створено від',
  'leads.createdTo': 'Створено до',
  'leads.sort': 'Сортування',
  'leads.reset': 'Скинути фільтри',
  'leads.all': 'Усі',
  'leads.createdAt': 'Створено',
  'leads.updatedAt': 'Оновлено',
  'leads.total': 'Знайдено: {total}',
  'leads.empty': 'Лідів не знайдено. Змініть фільтри або скиньте їх.',
  'leads.emptyNone': 'У цьому акаунті ще немає лідів.',
  "leads.emptySyncing": "Ліди ще синхронізуються — вони з'являться тут автоматично.",
  'leads.error': 'Не вдалося завантажити ліди.',
  // app only: the web screen applies each field as it changes and has no tag or updated filter
  'leads.filters': 'Фільтри',
  'leads.filtersCount': 'Фільтри ({count})',
  'leads.hideFilters': 'Сховати фільтри',
  'leads.apply': 'Застосувати',
  'leads.tag': 'Тег',
  'leads.updated': 'Дата оновлення',
  'leads.updatedFrom': 'Оновлено від',
  'leads.updatedTo': 'Оновлено до',
  'leads.contact': 'Контакт',
  'leads.moreContacts': '+{count}',
  'leads.tags': 'Теги',
  'leads.datePlaceholder': 'РРРР-ММ-ДД',

  'sort.-createdAt': 'Спочатку нові',
  'sort.createdAt': 'Спочатку старі',
  'sort.-updatedAt': 'Нещодавно оновлені',
  'sort.updatedAt': 'Давно оновлені',
  'sort.-price': 'Бюджет: більший спочатку',
  'sort.price': 'Бюджет: менший спочатку',

  // app only: filter validation (the web screen's inputs cannot hold such values)
  'filters.wholeNumber': '{field}: лише ціле число.',
  'filters.dateFormat': '{field}: дата у форматі РРРР-ММ-ДД.',
  'filters.reversed': '{field}: «від» більше за «до».',

  'err.access_denied.title': 'Доступ не надано',
  'err.access_denied': 'Ви відмовили в доступі на сторінці AMO CRM. Щоб підключити CRM, спробуйте ще раз і натисніть «РАЗРЕШИТЬ».',
  'err.state_invalid': 'Спроба підключення застаріла або вже використана. Почніть підключення заново.',
  'err.referer_not_allowed': 'Цей акаунт AMO CRM не дозволено підключати до ForYou CRM. Зверніться до адміністратора.',
  'err.exchange_failed': 'AMO CRM не прийняв код авторизації. Спробуйте підключитися ще раз.',
  'err.amocrm_unavailable': 'AMO CRM зараз недоступний. Спробуйте трохи пізніше.',
  'err.server_error': 'На сервері сталася помилка. Спробуйте ще раз.',
  'err.missing_params': 'У посиланні повернення бракує даних. Почніть підключення заново.',
  'err.STATE_USER_MISMATCH': 'Підключення розпочато з іншого облікового запису ForYou CRM. Увійдіть під тим самим користувачем і спробуйте ще раз.',
  'err.INVALID_COMPLETION_CODE': 'Код підключення недійсний або вже використаний. Почніть підключення заново.',
  'err.COMPLETION_CODE_EXPIRED': 'Час на завершення підключення минув. Почніть підключення заново.',
  'err.APP_VERIFIER_MISMATCH': 'Підключення розпочато в іншому вікні чи браузері. Спробуйте ще раз у цьому вікні.',
  'err.AMO_NOT_CONNECTED': 'AMO CRM не підключено.',
  'err.INVALID_CREDENTIALS': 'Невірна електронна пошта або пароль.',
  "err.NETWORK_ERROR": "Немає з'єднання з сервером. Перевірте мережу і спробуйте ще раз.",
  'err.generic': 'Щось пішло не так ({code}). Спробуйте ще раз.',
  // app only: links the app refuses before any request, and a failed exchange-code
  'err.state_mismatch': 'Відповідь AMO CRM не відповідає цій спробі підключення. Почніть підключення заново.',
  'err.no_attempt': 'Немає активної спроби підключення (можливо, застосунок було перезапущено). Почніть підключення заново.',
  'err.bad_link': 'Некоректне посилання повернення з AMO CRM. Почніть підключення заново.',
  'err.completeFailed': 'Не вдалося завершити підключення: {message}',
} as const;

export type MessageKey = keyof typeof uk;
