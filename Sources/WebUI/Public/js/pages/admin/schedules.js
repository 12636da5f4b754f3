// Admin › Business hours: the workspace's schedules (weekly openings in a time zone, holidays), which one is the
// default, and a tool that says when N business minutes after a moment fall on a schedule.
import { h, icon, replace } from '../../core/dom.js';
import { t, locale } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { toast, errorMessage, confirm, dialog, field, showFieldErrors } from '../../core/ui.js';
import { pageHeader, table, cell, iconButton, adIcon, pagedList, emptyWith } from './components/common.js';
import { scheduleDialog, weekSummary, browserZone, wallClock, wallString, zonedInstant, rfc3339 } from './components/schedule-form.js';

export function render() {
  const listEl = h('div.ad-list', { 'aria-live': 'polite' });
  let count = 0;
  const newButton = h('button.btn.btn-primary#schedule-new', { type: 'button', onclick: () => edit(null) }, icon('plus'), t('admin.schedule_new'));
  const columns = [
    { label: t('admin.col_schedule') }, { label: t('admin.schedule_time_zone') }, { label: t('admin.col_hours') },
    { label: t('admin.schedule_holidays') }, { label: t('admin.col_actions'), className: 'ad-col-actions' },
  ];

  function row(s) {
    return h('tr', { 'data-testid': 'schedule-row', dataset: { id: s.id, name: s.name, default: String(s.default) } },
      cell({ className: 'ad-cell-primary' }, h('div.ad-entity', h('span.ad-entity-icon', adIcon('clock')),
        h('div.ad-person-text', h('span.ad-person-name.sch-name', h('span.sch-name-text', s.name),
          s.default ? h('span.badge.ad-badge-accent.sch-default', { 'data-testid': 'schedule-default' }, t('admin.default')) : null)))),
      cell(t('admin.schedule_time_zone'), h('span.ad-mono', s.time_zone)),
      cell(t('admin.col_hours'), h('span.sch-summary', { 'data-testid': 'schedule-summary' },
        weekSummary(s.intervals).split(' · ').flatMap((part, i) => [i ? ' · ' : null, h('span.sch-summary-part', part)]))),
      cell(t('admin.schedule_holidays'), h('span.muted', { 'data-testid': 'schedule-holidays' }, t('admin.schedule_holidays_count', { count: s.holidays.length }))),
      cell({ className: 'ad-col-actions' }, h('div.ad-row-actions',
        h('button.btn.btn-sm', { type: 'button', 'data-testid': 'schedule-due', onclick: () => due(s) }, adIcon('clock'), t('admin.schedule_due_check')),
        s.default ? null : h('button.btn.btn-sm', { type: 'button', 'data-testid': 'schedule-make-default', onclick: () => makeDefault(s) },
          icon('check'), t('admin.schedule_make_default')),
        iconButton(icon('edit'), t('admin.edit_item', { name: s.name }), () => edit(s), { 'data-testid': 'schedule-edit' }),
        iconButton(adIcon('trash'), t('admin.delete_item', { name: s.name }), () => remove(s), { 'data-testid': 'schedule-delete', class: 'ad-danger-hover' }))));
  }

  const reload = () => pagedList(listEl, {
    fetchPage: async (cursor) => {
      const page = await api.get('schedules', { cursor, limit: 50 });
      count = cursor ? count + page.items.length : page.items.length;
      return page;
    },
    renderRows: (items) => items.map(row),
    shell: (tbody) => table(columns, tbody, { caption: t('admin.nav_schedules') }),
    emptyState: () => emptyWith(t('admin.schedules_empty'), t('admin.schedules_empty_hint'), t('admin.schedule_new'), () => edit(null)),
  });

  async function edit(s) {
    let current = s;
    if (s) { try { current = await api.get(`schedules/${s.id}`); } catch (error) { toast(errorMessage(error), 'error'); return; } }
    const saved = await scheduleDialog(current, { count });
    if (!saved) return;
    toast(s ? t('common.saved') : t('admin.schedule_created', { name: saved.name }), 'success');
    reload();
  }

  async function makeDefault(s) {
    try {
      await api.patch(`schedules/${s.id}`, { default: true });
      toast(t('admin.schedule_now_default', { name: s.name }), 'success');
      reload();
    } catch (error) { toast(errorMessage(error), 'error'); }
  }

  async function remove(s) {
    const message = s.default && count > 1 ? t('admin.schedule_delete_default_confirm', { name: s.name }) : t('admin.schedule_delete_confirm', { name: s.name });
    if (!await confirm(message, { danger: true, confirmLabel: t('common.delete') })) return;
    try { await api.del(`schedules/${s.id}`); toast(t('admin.deleted', { name: s.name }), 'success'); reload(); } catch (error) {
      toast(errorMessage(error), 'error');
    }
  }

  reload();
  return h('div.page.ad-page#admin-schedules', pageHeader(t('admin.nav_schedules'), t('admin.schedules_desc'), newButton), listEl);
}

/** When N business minutes after a moment (read in the schedule's zone) fall: shown in its zone and the browser's. */
function due(s) {
  return dialog(t('admin.schedule_due_title', { name: s.name }), (close) => {
    let zoneOk = true;
    try { wallClock(Date.now(), s.time_zone); } catch { zoneOk = false; }
    const zone = zoneOk ? s.time_zone : 'UTC';
    const mine = browserZone();
    const from = h('input#schedule-due-from', { type: 'datetime-local', name: 'from', required: true, value: wallString(wallClock(Date.now(), zone)) });
    const mins = h('input#schedule-due-minutes', { type: 'number', name: 'minutes', min: 0, max: 527040, step: 1, value: 60, inputmode: 'numeric', required: true });
    const out = h('div.sch-due-result', { 'data-testid': 'schedule-due-result', 'aria-live': 'polite' });
    const errorBox = h('div.form-error', { role: 'alert', hidden: true });
    const button = h('button.btn.btn-primary#schedule-due-submit', { type: 'submit' }, t('admin.schedule_due_run'));
    const format = (ms, z) => new Intl.DateTimeFormat(locale(), {
      timeZone: z, weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).format(new Date(ms));
    const form = h('form.ad-form', { novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      errorBox.hidden = true;
      replace(out);
      delete out.dataset.local;
      const at = zonedInstant(from.value, zone);
      const invalid = { errors: [] };
      if (at == null) invalid.errors.push({ field: 'from', message: t('admin.schedule_due_from_required') });
      if (!/^\d+$/.test(mins.value)) invalid.errors.push({ field: 'minutes', message: t('admin.schedule_due_minutes_invalid') });
      if (invalid.errors.length) { showFieldErrors(form, invalid); return; }
      showFieldErrors(form, null);
      button.disabled = true;
      try {
        const r = await api.get(`schedules/${s.id}/due`, { from: rfc3339(at), minutes: mins.value });
        const dueMs = Date.parse(r.due_at);
        out.dataset.local = wallString(wallClock(dueMs, zone));
        out.dataset.dueAt = r.due_at;
        replace(out, h('div.ad-banner.ad-banner-success', { role: 'status' }, adIcon('clock'), h('div',
          h('strong', t('admin.schedule_due_answer', { count: Number(mins.value) })),
          h('p.sch-due-line', { 'data-testid': 'schedule-due-zone' }, h('span.sch-due-when', format(dueMs, zone)), ' ', h('span.muted', `(${zone})`)),
          mine !== zone ? h('p.sch-due-line', { 'data-testid': 'schedule-due-browser' }, h('span.sch-due-when', format(dueMs, mine)), ' ',
            h('span.muted', t('admin.schedule_due_your_time', { zone: mine }))) : null)));
      } catch (error) {
        if (!showFieldErrors(form, error)) { replace(errorBox, errorMessage(error)); errorBox.hidden = false; }
      } finally { button.disabled = false; }
    } },
    errorBox,
    h('p.muted.small.ad-dialog-lead', t('admin.schedule_due_lead')),
    h('div.ad-grid-2',
      field(t('admin.schedule_due_from', { zone }), from),
      field(t('admin.schedule_due_minutes'), mins)),
    out,
    h('div.dialog-actions',
      h('button.btn', { type: 'button', onclick: () => close() }, t('common.close')), button));
    return form;
  });
}
