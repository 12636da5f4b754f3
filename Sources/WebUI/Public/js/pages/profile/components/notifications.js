// Notification preferences: a matrix of notification type × channel with switches, saved as they change,
// and the language of notification emails.
import { h } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { api } from '../../../core/api.js';
import { session } from '../../../core/session.js';
import { loadInto, toast, errorMessage } from '../../../core/ui.js';
import { toggle } from './choice.js';

// What each kind of notification means to whom; customers never receive the staff-only ones.
const ORDER = ['ticket_created', 'public_reply', 'customer_reply', 'ticket_assigned', 'internal_note', 'ticket_solved', 'ticket_updated', 'unverified_sender'];
const STAFF_ONLY = ['ticket_assigned', 'customer_reply', 'internal_note', 'unverified_sender'];
const CHANNELS = ['in_app', 'email'];

export function notificationPreferences() {
  const body = h('div.pf-notif-body');
  loadInto(body, () => api.get('notifications/preferences'), draw);

  function draw(settings) {
    const events = settings.events || {};
    const kinds = Object.keys(events)
      .filter((k) => session.isStaff || !STAFF_ONLY.includes(k))
      .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
    const channels = CHANNELS.filter((c) => kinds.some((k) => c in events[k]))
      .concat([...new Set(kinds.flatMap((k) => Object.keys(events[k])))].filter((c) => !CHANNELS.includes(c)));

    async function save(kind, channel, on, input) {
      input.disabled = true;
      try {
        const next = await api.put('notifications/preferences', { events: { [kind]: { [channel]: on } } });
        Object.assign(events, next.events || {});
        toast(t('profile.notifications_saved'), 'success');
      } catch (error) {
        input.checked = !on;
        toast(errorMessage(error), 'error');
      } finally { input.disabled = false; }
    }

    const table = h('div.table-wrap.pf-matrix-wrap', h('table.table.pf-matrix#notification-matrix',
      h('caption.visually-hidden', t('profile.notifications_title')),
      h('thead', h('tr', h('th', { scope: 'col' }, t('profile.notification_type')),
        channels.map((c) => h('th.pf-matrix-channel', { scope: 'col' }, label('channel', c))))),
      h('tbody', kinds.map((kind) => h('tr', { dataset: { kind } },
        h('th', { scope: 'row' }, h('span.pf-kind', label('kind', kind)), h('span.pf-kind-hint', label('kind_hint', kind))),
        channels.map((channel) => h('td.pf-matrix-cell', channel in events[kind]
          ? toggle({ id: `pref-${kind}-${channel}`, checked: Boolean(events[kind][channel]),
            label: t('profile.toggle_label', { kind: label('kind', kind), channel: label('channel', channel) }),
            onChange: (on, input) => save(kind, channel, on, input) })
          : h('span.faint', '—'))))))));

    const locale = h('select#notification-locale', { 'aria-describedby': 'notification-locale-hint',
      onchange: async () => {
        locale.disabled = true;
        try {
          await api.put('notifications/preferences', { locale: locale.value || null });
          toast(t('profile.notifications_saved'), 'success');
        } catch (error) { toast(errorMessage(error), 'error'); } finally { locale.disabled = false; }
      } },
    h('option', { value: '', selected: !settings.locale }, t('profile.email_language_account')),
    h('option', { value: 'en', selected: settings.locale === 'en', lang: 'en' }, 'English'),
    h('option', { value: 'fr', selected: settings.locale === 'fr', lang: 'fr' }, 'Français'));

    return h('div',
      kinds.length ? table : h('p.muted', t('profile.notifications_none')),
      h('div.pf-row.pf-row-inline',
        h('div.pf-row-text', h('label.pf-row-title', { for: 'notification-locale' }, t('profile.email_language')),
          h('p.pf-row-hint#notification-locale-hint', t('profile.email_language_hint'))),
        locale));
  }
  return body;
}

/** A translated label for a notification kind/channel, falling back to a readable form of the code. */
function label(prefix, code) {
  const key = `profile.${prefix}_${code}`;
  const text = t(key);
  if (text !== key) return text;
  return prefix === 'kind_hint' ? '' : code.replace(/_/g, ' ');
}
