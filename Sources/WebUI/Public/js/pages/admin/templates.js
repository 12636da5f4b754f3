// Admin › Notification templates: one template per event × locale; the editor lives in components/template-editor.js.
import { h, icon } from '../../core/dom.js';
import { t, has } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { loadInto } from '../../core/ui.js';
import { pageHeader, table, cell, emptyWith } from './components/common.js';
import { templateEditor, EVENTS, LOCALES } from './components/template-editor.js';

export function render(ctx) {
  const event = ctx.query.get('event');
  const locale = ctx.query.get('locale');
  if (event && locale) return templateEditor({ event, locale, navigate: ctx.navigate });

  const listEl = h('div.ad-list', { 'aria-live': 'polite' });
  const columns = [{ label: t('admin.col_event') }, ...LOCALES.map((l) => ({ label: t(`admin.locale_${l}`), className: 'ad-col-locale' }))];

  loadInto(listEl, () => api.get('notification-templates'), (page) => {
    if (!page.items.length) return emptyWith(t('admin.templates_empty'));
    const byKey = new Map(page.items.map((tpl) => [`${tpl.event}|${tpl.locale}`, tpl]));
    const events = [...new Set([...EVENTS.filter((e) => page.items.some((x) => x.event === e)), ...page.items.map((x) => x.event)])];
    const locales = [...new Set([...LOCALES, ...page.items.map((x) => x.locale)])];
    const rows = events.map((ev) => h('tr', { 'data-testid': 'template-row', dataset: { event: ev } },
      cell({ className: 'ad-cell-primary' }, h('div.ad-entity', h('span.ad-entity-icon', icon('mail')),
        h('div.ad-person-text', h('span.ad-person-name', eventName(ev)), h('span.ad-person-sub', eventAudience(ev))))),
      locales.map((l) => {
        const tpl = byKey.get(`${ev}|${l}`);
        return cell(t(`admin.locale_${l}`), tpl ? h('a.ad-tpl-cell', {
          href: `/admin/templates?event=${encodeURIComponent(ev)}&locale=${encodeURIComponent(l)}`,
          'data-testid': 'template-cell', dataset: { event: ev, locale: l },
          'aria-label': t('admin.edit_template', { event: eventName(ev), locale: t(`admin.locale_${l}`) }),
        }, h('span.ad-tpl-subject', tpl.subject),
        h('span.ad-tpl-meta', tpl.customized ? h('span.badge.ad-badge-accent', t('admin.customized')) : h('span.badge.ad-badge-muted', t('admin.default')),
          h('span.ad-tpl-edit', icon('edit'), t('common.edit')))) : h('span.faint', '—'));
      })));
    return table(columns.slice(0, 1 + locales.length), h('tbody', rows), { caption: t('admin.nav_templates') });
  });

  return h('div.page.ad-page#admin-templates', pageHeader(t('admin.nav_templates'), t('admin.templates_desc')), listEl);
}

export function eventName(ev) { return has(`admin.event_${ev}`) ? t(`admin.event_${ev}`) : ev; }
function eventAudience(ev) { return has(`admin.event_${ev}_desc`) ? t(`admin.event_${ev}_desc`) : ''; }
