// Theme: 'system' (default, follows prefers-color-scheme), 'light' or 'dark'. One set of tokens in
// tokens.css; the document gets data-theme="light|dark" so every component reads the same variables.

const KEY = 'helpdesk.theme';
const media = window.matchMedia('(prefers-color-scheme: dark)');
const listeners = new Set();

export function themePreference() {
  const stored = localStorage.getItem(KEY);
  return ['light', 'dark', 'system'].includes(stored) ? stored : 'system';
}

/** The theme in effect: 'light' or 'dark'. */
export function effectiveTheme() {
  const pref = themePreference();
  return pref === 'system' ? (media.matches ? 'dark' : 'light') : pref;
}

export function applyTheme() {
  document.documentElement.dataset.theme = effectiveTheme();
  for (const fn of listeners) fn(effectiveTheme());
}

export function setTheme(pref) {
  localStorage.setItem(KEY, pref);
  applyTheme();
}

export function onThemeChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

media.addEventListener('change', () => themePreference() === 'system' && applyTheme());
