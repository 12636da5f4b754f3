// /profile — any signed-in user: name and time zone, language and theme, password, notification
// preferences, and the devices signed in to the account.
import { h, icon } from '../../core/dom.js';
import { t, locale } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { session } from '../../core/session.js';
import { setTheme, themePreference } from '../../core/theme.js';
import { role } from '../../core/format.js';
import { field, showFieldErrors, avatar, toast, errorMessage } from '../../core/ui.js';
import { switchLocale, rebuild } from '../../shell.js';
import { choice } from './components/choice.js';
import { notificationPreferences } from './components/notifications.js';
import { activeSessions } from './components/sessions.js';
import { passwordForm } from './components/password.js';

export function render() {
  const user = session.user || {};
  const sessions = activeSessions();
  const sections = [
    ['account', 'user', t('profile.account_title'), t('profile.account_hint'), accountForm(user)],
    ['appearance', 'sun', t('profile.appearance_title'), t('profile.appearance_hint'), appearance()],
    ['password', 'lock', t('profile.password_title'), t('profile.password_hint'), passwordForm({ onChanged: () => sessions.reload() })],
    ['notifications', 'bell', t('profile.notifications_title'), t('profile.notifications_hint'), notificationPreferences()],
    ['sessions', 'shield', t('profile.sessions_title'), t('profile.sessions_hint'), sessions],
  ];
  return h('div.page.pf-page',
    h('header.pf-hero',
      avatar(user.name || user.email || '?', 'lg'),
      h('div.pf-hero-text',
        h('h1#profile-title', user.name || user.email),
        h('p.pf-hero-meta', h('span', user.email), user.role && h('span.pf-role', role(user.role))))),
    h('div.pf-layout',
      h('nav.pf-toc', { 'aria-label': t('profile.sections') },
        sections.map(([key, ic, title]) => h('a.pf-toc-link', { href: `#pf-${key}`, onclick: (e) => {
          e.preventDefault();
          document.getElementById(`pf-${key}`)?.scrollIntoView({ behavior: 'smooth', block: 'start' });
        } }, icon(ic), title))),
      h('div.pf-sections', sections.map(([key, , title, hint, body]) => h('section.pf-card', { id: `pf-${key}`, 'aria-labelledby': `pf-${key}-title` },
        h('header.pf-card-head', h('h2', { id: `pf-${key}-title` }, title), hint && h('p.muted', hint)),
        h('div.pf-card-body', body))))));
}

function accountForm(user) {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const current = user.time_zone || '';
  if (current && !zones.includes(current)) zones.unshift(current);
  const name = h('input#profile-name', { name: 'name', type: 'text', value: user.name || '', autocomplete: 'name', required: true });
  const zone = h('select#profile-timezone', { name: 'time_zone' },
    h('option', { value: '', selected: !current }, t('profile.timezone_auto', { zone: Intl.DateTimeFormat().resolvedOptions().timeZone })),
    zones.map((z) => h('option', { value: z, selected: z === current }, z.replace(/_/g, ' '))));
  const save = h('button.btn.btn-primary#profile-save', { type: 'submit' }, t('common.save'));
  const form = h('form.pf-form#profile-form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const changes = {};
    if (name.value.trim() !== (user.name || '')) changes.name = name.value.trim();
    if (zone.value && zone.value !== current) changes.time_zone = zone.value;
    if (!name.value.trim()) { showFieldErrors(form, { errors: [{ field: 'name', message: t('profile.error_name') }] }); name.focus(); return; }
    showFieldErrors(form, null);
    if (!Object.keys(changes).length) { toast(t('profile.nothing_changed')); return; }
    save.disabled = true;
    try {
      const me = await api.patch('users/me', changes);
      session.setUser(me);
      toast(t('profile.saved'), 'success');
      if (changes.name) rebuild(); // the top bar shows the name
    } catch (error) {
      if (!showFieldErrors(form, error)) toast(errorMessage(error), 'error');
    } finally { save.disabled = false; }
  } },
  h('div.pf-grid',
    field(t('profile.name'), name),
    field(t('profile.email'), h('input#profile-email', { type: 'email', value: user.email || '', readonly: true, 'aria-readonly': 'true' }),
      t('profile.email_hint'))),
  field(t('profile.timezone'), zone, t('profile.timezone_hint')),
  h('div.pf-actions', save));
  return form;
}

function appearance() {
  const lang = choice({ labelledBy: 'pf-lang-label', value: locale(), options: [
    { value: 'en', id: 'lang-en', label: 'English', lang: 'en' },
    { value: 'fr', id: 'lang-fr', label: 'Français', lang: 'fr' },
  ], onChange: (next) => { switchLocale(next).catch((error) => toast(errorMessage(error), 'error')); } });
  const theme = choice({ labelledBy: 'pf-theme-label', value: themePreference(), options: [
    { value: 'system', id: 'theme-system', label: t('profile.theme_system'), icon: 'settings' },
    { value: 'light', id: 'theme-light', label: t('profile.theme_light'), icon: 'sun' },
    { value: 'dark', id: 'theme-dark', label: t('profile.theme_dark'), icon: 'moon' },
  ], onChange: (next) => { setTheme(next); rebuild(); } });
  return h('div.pf-rows',
    h('div.pf-row',
      h('div.pf-row-text', h('p.pf-row-title#pf-lang-label', t('profile.language')), h('p.pf-row-hint', t('profile.language_hint'))),
      lang),
    h('div.pf-row',
      h('div.pf-row-text', h('p.pf-row-title#pf-theme-label', t('profile.theme')), h('p.pf-row-hint', t('profile.theme_hint'))),
      theme));
}
