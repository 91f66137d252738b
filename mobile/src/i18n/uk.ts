/**
 * Ukrainian — the app's language. Keys and words follow the web screen's dictionary
 * (src/foryou_crm/web/static/js/i18n/uk.js) wherever the concept is the same, so the two can be
 * merged into one glossary; keys the web screen does not have are marked "app only".
 */
export const uk = {
  signOut: 'Вийти',
  'common.retry': 'Спробувати ще раз',
  'common.cancel': 'Скасувати',

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
  // app only
  'callback.wait': 'Завершуємо підключення, зачекайте.',

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

  "err.NETWORK_ERROR": "Немає з'єднання з сервером. Перевірте мережу і спробуйте ще раз.",
} as const;

export type MessageKey = keyof typeof uk;
