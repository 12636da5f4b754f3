// Admin › Audit log: the tamper-evident record of every change; filters, chain verification, export.
import { h, icon, replace } from '../../core/dom.js';
import { t, has } from '../../core/i18n.js';
import { api, download } from '../../core/api.js';
import { setQuery } from '../../core/router.js';
import { toast, errorMessage, field, avatar } from '../../core/ui.js';
import { dateTime, relative, number } from '../../core/format.js';
import { pageHeader, table, cell, iconButton, adIcon, pagedList, emptyWith, shortId } from './components/common.js';

const FILTERS = ['actor_id', 'action', 'subject_type', 'subject_id', 'from', 'to'];
const SUBJECT_TYPES = ['ticket', 'comment', 'user', 'organization', 'team', 'ticket_field', 'view', 'mailbox', 'notification_template', 'file', 'session'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function render(ctx) {
  const filters = Object.fromEntries(FILTERS.map((k) => [k, ctx.query.get(k) || '']));
  const names = new Map(); // user id → user (or null when unknown)
  const seenActions = new Set();
  const listEl = h('div.ad-list', { 'aria-live': 'polite' });
  const banner = h('div#audit-verify-result', { 'aria-live': 'polite' });
  const actionList = h('datalist#audit-actions');

  // ---- filters -------------------------------------------------------------------------------
  const staffSelect = h('select#audit-actor', { name: 'actor_id' }, h('option', { value: '' }, t('admin.any_actor')));
  if (filters.actor_id) staffSelect.append(h('option', { value: filters.actor_id, selected: true }, filters.actor_id));
  Promise.all([api.all('users', { role: 'admin' }), api.all('users', { role: 'agent' })]).then(([admins, agents]) => {
    for (const u of [...admins, ...agents].sort((a, b) => (a.name || '').localeCompare(b.name || ''))) {
      names.set(u.id, u);
      const existing = [...staffSelect.options].find((o) => o.value === u.id);
      if (existing) existing.textContent = u.name; else staffSelect.append(h('option', { value: u.id }, `${u.name} · ${t(`common.role_${u.role}`)}`));
    }
  }).catch(() => {});

  const toLocalInput = (iso) => { if (!iso) return ''; const d = new Date(iso); if (Number.isNaN(d.getTime())) return '';
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16); };
  const form = h('form.ad-filters#audit-filters', { role: 'search', 'aria-label': t('admin.filters') },
    field(t('admin.filter_actor'), staffSelect),
    field(t('admin.filter_action'), h('input#audit-action', { type: 'text', name: 'action', value: filters.action, list: 'audit-actions',
      placeholder: 'ticket.updated', autocomplete: 'off', spellcheck: 'false' })),
    field(t('admin.filter_subject_type'), h('select#audit-subject-type', { name: 'subject_type' },
      h('option', { value: '' }, t('admin.any')),
      [...new Set([...SUBJECT_TYPES, filters.subject_type].filter(Boolean))].map((s) => h('option', { value: s, selected: s === filters.subject_type }, s)))),
    field(t('admin.filter_subject_id'), h('input#audit-subject-id', { type: 'text', name: 'subject_id', value: filters.subject_id,
      placeholder: 'UUID', autocomplete: 'off', spellcheck: 'false', class: 'ad-mono' })),
    field(t('admin.filter_from'), h('input#audit-from', { type: 'datetime-local', name: 'from', value: toLocalInput(filters.from) })),
    field(t('admin.filter_to'), h('input#audit-to', { type: 'datetime-local', name: 'to', value: toLocalInput(filters.to) })),
    h('div.ad-filter-actions',
      h('button.btn.btn-primary#audit-apply', { type: 'submit' }, icon('search'), t('admin.apply_filters')),
      h('button.btn.btn-ghost#audit-clear', { type: 'button', onclick: () => { form.reset(); for (const el of form.elements) if (el.name) el.value = ''; apply(); } },
        t('admin.clear_filters'))),
    actionList);
  form.addEventListener('submit', (e) => { e.preventDefault(); apply(); });

  function apply() {
    const el = form.elements;
    const subjectId = el.subject_id.value.trim();
    if (subjectId && !UUID.test(subjectId)) {
      el.subject_id.setAttribute('aria-invalid', 'true');
      const slot = form.querySelector('#audit-subject-id-error');
      slot.textContent = t('admin.must_be_uuid'); slot.hidden = false;
      el.subject_id.focus();
      return;
    }
    el.subject_id.removeAttribute('aria-invalid');
    form.querySelector('#audit-subject-id-error').hidden = true;
    const iso = (v) => (v ? new Date(v).toISOString() : '');
    Object.assign(filters, { actor_id: el.actor_id.value, action: el.action.value.trim(), subject_type: el.subject_type.value,
      subject_id: subjectId, from: iso(el.from.value), to: iso(el.to.value) });
    setQuery(filters);
    reload();
  }
  const query = () => Object.fromEntries(Object.entries(filters).filter(([, v]) => v));

  // ---- rows ----------------------------------------------------------------------------------
  const columns = [{ label: t('admin.col_time') }, { label: t('admin.col_actor') }, { label: t('admin.col_action') },
    { label: t('admin.col_subject') }, { label: t('admin.col_via') }, { label: t('admin.col_ip') }, { label: '', className: 'ad-col-actions' }];

  function actorCell(actor) {
    const slot = h('span.ad-actor');
    const draw = () => {
      const user = actor?.id ? names.get(actor.id) : null;
      if (user) replace(slot, avatar(user.name || user.email, 'sm'), h('span', user.name || user.email));
      else if (actor?.id) replace(slot, h('span.ad-actor-type', has(`admin.actor_${actor.type}`) ? t(`admin.actor_${actor.type}`) : actor.type), shortId(actor.id));
      else replace(slot, h('span.ad-system', adIcon('activity'), has(`admin.actor_${actor?.type}`) ? t(`admin.actor_${actor.type}`) : (actor?.type || t('admin.actor_system'))));
    };
    draw();
    slot.redraw = draw;
    return slot;
  }

  function rows(items) {
    const out = [];
    for (const r of items) {
      seenActions.add(r.action);
      const detail = h('tr.ad-detail-row', { hidden: true },
        h('td', { colspan: columns.length }, h('pre.ad-json', { 'data-testid': 'audit-json' })));
      const toggle = iconButton(icon('chevron'), t('admin.show_details'), () => {
        const open = detail.hidden;
        detail.hidden = !open;
        toggle.setAttribute('aria-expanded', String(open));
        if (open && !detail.querySelector('pre').textContent) detail.querySelector('pre').textContent = JSON.stringify(r, null, 2);
      }, { 'aria-expanded': 'false', 'data-testid': 'audit-expand', class: 'ad-expand' });
      const actor = actorCell(r.actor);
      out.push(h('tr', { 'data-testid': 'audit-row', dataset: { id: r.id, action: r.action } },
        cell({ label: t('admin.col_time'), className: 'ad-cell-primary' }, h('time.ad-time', { datetime: r.occurred_at, title: r.occurred_at }, h('span', dateTime(r.occurred_at)),
          h('span.faint.small', relative(r.occurred_at)))),
        cell(t('admin.col_actor'), actor),
        cell(t('admin.col_action'), h('code.ad-action', { class: `ad-action-${actionTone(r.action)}` }, r.action)),
        cell(t('admin.col_subject'), r.subject?.type ? h('span.ad-subject', h('span', r.subject.type), r.subject.id && shortId(r.subject.id)) : h('span.faint', '—')),
        cell({ label: t('admin.col_via'), className: 'ad-hide-sm' }, r.via ? h('span.tag', r.via) : h('span.faint', '—')),
        cell(t('admin.col_ip'), r.ip ? h('code.ad-ip', r.ip) : h('span.faint', '—')),
        cell({ className: 'ad-col-actions ad-actions-compact' }, toggle)), detail);
      resolveActor(r.actor, actor);
    }
    actionList.replaceChildren(...[...seenActions].sort().map((a) => h('option', { value: a })));
    return out;
  }

  const pending = new Map();
  function resolveActor(actor, slot) {
    if (!actor?.id || names.has(actor.id)) return;
    if (!pending.has(actor.id)) {
      pending.set(actor.id, api.get(`users/${actor.id}`).then((u) => names.set(u.id, u), () => names.set(actor.id, null)));
    }
    pending.get(actor.id).then(() => slot.redraw());
  }

  const reload = () => pagedList(listEl, {
    fetchPage: (cursor) => api.get('audit/events', { ...query(), cursor, limit: 50 }),
    renderRows: rows,
    shell: (tbody) => table(columns, tbody, { caption: t('admin.nav_audit') }),
    emptyState: () => emptyWith(Object.keys(query()).length ? t('admin.audit_empty_filtered') : t('admin.audit_empty'), t('admin.audit_empty_hint')),
  });

  // ---- verify & export -----------------------------------------------------------------------
  const verifyBtn = h('button.btn#audit-verify', { type: 'button', onclick: async () => {
    verifyBtn.disabled = true;
    replace(banner, h('div.ad-banner', h('span.spinner', { 'aria-hidden': 'true' }), t('admin.verifying')));
    try {
      const v = await api.get('audit/verify');
      replace(banner, v.ok
        ? h('div.ad-banner.ad-banner-success', { role: 'status', 'data-testid': 'audit-verify-ok' }, icon('check'),
          h('div', h('strong', t('admin.chain_ok')), h('p', t('admin.chain_ok_detail', { count: v.checked, n: number(v.checked) }))))
        : h('div.ad-banner.ad-banner-danger', { role: 'alert', 'data-testid': 'audit-verify-bad' }, adIcon('alert'),
          h('div', h('strong', t('admin.chain_bad')), h('p', t('admin.chain_bad_detail', { count: v.checked, n: number(v.checked) })),
            v.first_bad_id && h('p', t('admin.first_bad'), ' ', h('code', v.first_bad_id)),
            v.problem && h('p', h('span.muted', t('admin.problem')), ' ', v.problem))));
    } catch (error) {
      replace(banner, h('div.ad-banner.ad-banner-danger', { role: 'alert' }, adIcon('alert'), errorMessage(error)));
    } finally { verifyBtn.disabled = false; }
  } }, icon('shield'), t('admin.verify_chain'));

  const exportBtn = (format) => {
    const b = h(`button.btn#audit-export-${format}`, { type: 'button', onclick: async () => {
      b.disabled = true;
      try {
        const qs = new URLSearchParams({ format, ...query() });
        await download(`audit/export?${qs}`, `audit-${new Date().toISOString().slice(0, 10)}.${format}`);
      } catch (error) { toast(errorMessage(error), 'error'); } finally { b.disabled = false; }
    } }, adIcon('download'), format === 'csv' ? t('admin.export_csv') : t('admin.export_jsonl'));
    return b;
  };

  reload();
  return h('div.page.ad-page.ad-page-wide#admin-audit',
    pageHeader(t('admin.nav_audit'), t('admin.audit_desc'), verifyBtn, exportBtn('csv'), exportBtn('jsonl')),
    banner,
    h('details.ad-filter-panel', { open: Object.values(filters).some(Boolean) || window.innerWidth >= 900 },
      h('summary', adIcon('sliders'), t('admin.filters'), Object.values(filters).some(Boolean) && h('span.ad-filter-count', String(Object.values(filters).filter(Boolean).length))),
      form),
    listEl);
}

function actionTone(action) {
  if (/delete|deactivat|remove|revoke|fail/.test(action)) return 'danger';
  if (/creat|add|invite|register/.test(action)) return 'success';
  if (/login|logout|session|password|auth/.test(action)) return 'auth';
  return 'neutral';
}
