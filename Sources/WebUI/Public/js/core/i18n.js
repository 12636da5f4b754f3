// Translations: every visible string comes from /i18n/<locale>/<area>.json, never from a component.
// Keys are "<area>.<key>"; a missing key renders as the key itself and is reported once in the console.

export const LOCALES = ['en', 'fr'];
export const AREAS = ['common', 'auth', 'agent', 'portal', 'admin', 'profile'];

let current = 'en';
let messages = {};
const reported = new Set();
const listeners = new Set();

/** The locale the browser prefers, among the ones we have. */
export function preferredLocale() {
  const stored = localStorage.getItem('helpdesk.locale');
  if (LOCALES.includes(stored)) return stored;
  for (const lang of navigator.languages || [navigator.language]) {
    const base = String(lang).slice(0, 2).toLowerCase();
    if (LOCALES.includes(base)) return base;
  }
  return 'en';
}

/** Loads every area of `locale` and makes it current. */
export async function setLocale(locale) {
  if (!LOCALES.includes(locale)) locale = 'en';
  const parts = await Promise.all(AREAS.map(async (area) => {
    const res = await fetch(`/i18n/${locale}/${area}.json`);
    if (!res.ok) throw new Error(`i18n ${locale}/${area}: ${res.status}`);
    return [area, await res.json()];
  }));
  const next = {};
  for (const [area, dict] of parts) {
    for (const [key, value] of Object.entries(dict)) next[`${area}.${key}`] = value;
  }
  messages = next;
  current = locale;
  localStorage.setItem('helpdesk.locale', locale);
  document.documentElement.lang = locale;
  for (const fn of listeners) fn(locale);
}

export function locale() { return current; }

/** Runs `fn` after every locale change. Returns an unsubscribe function. */
export function onLocaleChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

/**
 * t('common.notifications_unread', {count: 3}) — `{name}` placeholders are replaced; a value that is an
 * object `{one, other}` is chosen by `params.count` (plural rules of the current locale).
 */
export function t(key, params = {}) {
  let value = messages[key];
  if (value == null) {
    if (!reported.has(key)) { reported.add(key); console.warn(`missing translation: ${key}`); }
    return key;
  }
  if (typeof value === 'object') {
    const rule = new Intl.PluralRules(current).select(Number(params.count ?? 0));
    value = value[rule] ?? value.other;
  }
  return String(value).replace(/\{(\w+)\}/g, (m, name) => (params[name] ?? m));
}

/** True when a key exists (for optional labels such as a server error code). */
export function has(key) { return messages[key] != null; }
