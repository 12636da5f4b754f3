// Saving, renaming, sharing, ordering and deleting saved views: the "Save view" dialog and "Manage views".
import { h, icon, replace } from '../../../core/dom.js';
import { t, has } from '../../../core/i18n.js';
import { api } from '../../../core/api.js';
import { session } from '../../../core/session.js';
import { dialog, confirm, field, showFieldErrors, toast, errorMessage, loading, failure, empty } from '../../../core/ui.js';
import { teams, staff, displayName } from './people.js';
import { savedViews, viewsChanged, shareableTeams, canChange, scopeLabel, scopeIcon, viewScope, isDefaultColumns } from './views.js';

/** The sentence parts describing a list state {filters, sort, columns}, for the save dialog. */
async function describe({ filters, sort, columns }) {
  const [people, teamList] = await Promise.all([staff().catch(() => []), teams().catch(() => [])]);
  const list = (raw, fn) => String(raw).split(',').filter(Boolean).map(fn).join(', ');
  const parts = [];
  for (const [key, value] of Object.entries(filters)) {
    if (!value) continue;
    let text;
    if (key === 'status') text = `${t('agent.filter_status')}: ${list(value, (s) => t(`common.status_${s}`))}`;
    else if (key === 'priority') text = `${t('agent.filter_priority')}: ${list(value, (p) => t(`common.priority_${p}`))}`;
    else if (key === 'assignee_id') {
      const who = value === 'me' ? t('agent.assignee_me') : value === 'none' ? t('common.unassigned')
        : displayName(people.find((u) => u.id === value));
      text = `${t('agent.filter_assignee')}: ${who}`;
    } else if (key === 'team_id') text = `${t('agent.filter_team')}: ${teamList.find((x) => x.id === value)?.name || t('agent.unknown_team')}`;
    else if (key === 'tag') text = `${t('agent.filter_tag')}: ${value}`;
    else if (key === 'q') text = `${t('agent.search_title')}: ${value}`;
    else if (key === 'sla' && has(`agent.filter_sla_${value}`)) text = t(`agent.filter_sla_${value}`);
    else text = `${key}: ${value}`;
    parts.push(text);
  }
  if (!parts.length) parts.push(t('agent.view_no_filters'));
  const sortKey = sort ? `agent.sort_${sort.replace('-', 'desc_')}` : 'agent.sort_relevance';
  parts.push(`${t('agent.sort_label')}: ${has(sortKey) ? t(sortKey) : sort}`);
  parts.push(t('agent.view_columns_count', { count: columns.length }));
  return parts;
}

/** The share <select>: only me, one of my teams (any team for admins), the whole workspace (admins). */
async function shareSelect(view) {
  const mine = await shareableTeams();
  const me = session.user?.id;
  const current = !view ? 'personal' : viewScope(view) === 'team' ? `team:${view.team_id}` : viewScope(view);
  const options = [];
  // A view someone else owns cannot become personal: it would stay theirs and leave the caller's hands.
  if (!view || view.owner_id === me) options.push(['personal', t('agent.share_personal')]);
  for (const tm of mine) options.push([`team:${tm.id}`, t('agent.share_team', { team: tm.name })]);
  if (view?.team_id && !mine.some((tm) => tm.id === view.team_id)) options.push([current, scopeLabel(view, await teams().catch(() => []))]);
  if (session.isAdmin || current === 'workspace') options.push(['workspace', t('agent.share_workspace')]);
  return h('select#view-share', { name: 'team_id', dataset: { testid: 'view-share' } },
    options.map(([value, text]) => h('option', { value, selected: value === current }, text)));
}

function shareBody(value) {
  if (value === 'personal') return { shared: false, team_id: null };
  if (value === 'workspace') return { shared: true, team_id: null };
  return { shared: true, team_id: value.slice('team:'.length) };
}

/**
 * The save dialog. Without `view`: saves `state` {filters, sort, columns} as a new view. With `view`: renames and
 * re-shares it. Resolves with the saved view, or undefined when dismissed.
 */
export async function viewDialog({ view = null, state = null } = {}) {
  const share = await shareSelect(view);
  const summary = state ? await describe(state) : null;
  return dialog(view ? t('agent.view_edit_title') : t('agent.view_save_title'), (close) => {
    const title = h('input#view-title', { type: 'text', name: 'title', required: true, maxlength: 200, autocomplete: 'off',
      value: view?.title || '', dataset: { testid: 'view-title' } });
    const formError = h('div.form-error', { role: 'alert', hidden: true });
    const submit = h('button.btn.btn-primary', { type: 'submit', dataset: { testid: 'view-save-submit' } }, view ? t('common.save') : t('agent.view_save'));
    const form = h('form.tk-view-form', { novalidate: true, dataset: { testid: 'view-form' }, onsubmit: async (e) => {
      e.preventDefault();
      formError.hidden = true;
      const name = title.value.trim();
      if (!name) { showFieldErrors(form, { errors: [{ field: 'title', message: t('agent.required') }] }); title.focus(); return; }
      const body = { title: name, ...shareBody(share.value) };
      if (state) {
        body.filters = state.filters;
        body.sort = state.sort || null;
        body.columns = isDefaultColumns(state.columns) ? [] : state.columns;
      }
      submit.disabled = true;
      try {
        const saved = view ? await api.patch(`views/${view.id}`, body) : await api.post('views', body);
        toast(view ? t('agent.view_updated', { title: saved.title }) : t('agent.view_created', { title: saved.title }), 'success');
        viewsChanged();
        close(saved);
      } catch (error) {
        if (!showFieldErrors(form, error)) { formError.textContent = errorMessage(error); formError.hidden = false; }
        submit.disabled = false;
      }
    } },
    formError,
    field(t('agent.view_name'), title),
    field(t('agent.view_share'), share, t('agent.view_share_hint')),
    summary && h('div.tk-view-summary', h('p.tk-prop-label', t('agent.view_saves')),
      h('ul.tk-view-summary-list', { dataset: { testid: 'view-summary' } }, summary.map((s) => h('li', s)))),
    h('div.dialog-actions',
      h('button.btn', { type: 'button', onclick: () => close(undefined) }, t('common.cancel')), submit));
    setTimeout(() => title.focus(), 0);
    return form;
  });
}

/** Deletes a view after asking; resolves true when deleted. */
export async function deleteView(view) {
  const ok = await confirm(t('agent.view_delete_confirm', { title: view.title }), { danger: true, confirmLabel: t('agent.view_delete') });
  if (!ok) return false;
  try {
    await api.del(`views/${view.id}`);
    toast(t('agent.view_deleted', { title: view.title }), 'success');
    viewsChanged();
    return true;
  } catch (error) {
    toast(errorMessage(error), 'error');
    return false;
  }
}

/** "Manage views": every view the user sees in their order, with up/down, rename and delete. */
export function manageViews() {
  return dialog(t('agent.views_manage_title'), () => {
    const body = h('div.tk-vm', { dataset: { testid: 'views-manager' } }, loading());
    let views = [];
    let teamList = [];
    let mine = [];
    let busy = false;

    async function load() {
      replace(body, loading());
      try {
        [views, teamList, mine] = await Promise.all([savedViews(true), teams().catch(() => []), shareableTeams()]);
        draw();
      } catch (error) { replace(body, failure(error, load)); }
    }

    function draw(focus) {
      if (!views.length) { replace(body, empty(t('agent.views_none'), t('agent.views_none_hint'))); return; }
      replace(body, h('p.muted.small', t('agent.views_manage_hint')),
        h('ol.tk-vm-list', views.map((v, i) => row(v, i))));
      if (focus) body.querySelector(focus)?.focus();
    }

    function row(v, i) {
      const editable = canChange(v, mine);
      const label = h('span.tk-vm-title', { dataset: { testid: 'view-manage-title' } }, v.title);
      const btn = (testid, iconName, text, onclick, disabled = false) => h('button.icon-btn.tk-vm-btn', { type: 'button',
        dataset: { testid }, 'aria-label': text, title: text, disabled: disabled || busy, onclick }, icon(iconName));
      return h('li.tk-vm-row', { dataset: { testid: 'view-manage-row', viewId: v.id } },
        h('span.tk-vm-icon', icon(scopeIcon(v))),
        h('span.tk-vm-text', label, h('span.faint.small', scopeLabel(v, teamList))),
        h('span.tk-vm-actions',
          btn('view-up', 'up', t('agent.view_move_up', { title: v.title }), () => move(i, -1), i === 0),
          btn('view-down', 'down', t('agent.view_move_down', { title: v.title }), () => move(i, 1), i === views.length - 1),
          editable && btn('view-rename', 'edit', t('agent.view_rename', { title: v.title }), (e) => rename(v, e.currentTarget.closest('li'))),
          editable && btn('view-delete', 'trash', t('agent.view_delete_named', { title: v.title }), () => remove(v))));
    }

    async function move(i, delta) {
      const j = i + delta;
      if (busy || j < 0 || j >= views.length) return;
      const ids = views.map((v) => v.id);
      [ids[i], ids[j]] = [ids[j], ids[i]];
      busy = true;
      try {
        const page = await api.put('views/order', { ids });
        views = page.items;
        busy = false;
        viewsChanged();
        draw(`li[data-view-id="${CSS.escape(ids[j])}"] [data-testid=${delta < 0 ? 'view-up' : 'view-down'}]:not([disabled])`);
      } catch (error) {
        busy = false;
        toast(errorMessage(error), 'error');
        draw();
      }
    }

    function rename(v, li) {
      const input = h('input', { type: 'text', name: 'title', value: v.title, maxlength: 200, required: true, autocomplete: 'off',
        'aria-label': t('agent.view_name'), dataset: { testid: 'view-rename-input' },
        onkeydown: (e) => { if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); draw(); } } });
      const error = h('p.field-error', { hidden: true });
      const form = h('form.tk-vm-rename', { onsubmit: async (e) => {
        e.preventDefault();
        const title = input.value.trim();
        if (!title) { error.textContent = t('agent.required'); error.hidden = false; return; }
        try {
          const updated = await api.patch(`views/${v.id}`, { title });
          views = views.map((x) => (x.id === v.id ? updated : x));
          toast(t('agent.view_updated', { title: updated.title }), 'success');
          viewsChanged();
          draw();
        } catch (err) { error.textContent = err.fieldMessage?.('title') || errorMessage(err); error.hidden = false; }
      } }, input,
      h('button.btn.btn-primary.btn-sm', { type: 'submit', dataset: { testid: 'view-rename-save' } }, t('common.save')),
      h('button.btn.btn-ghost.btn-sm', { type: 'button', onclick: () => draw() }, t('common.cancel')), error);
      replace(li.querySelector('.tk-vm-text'), form);
      li.querySelector('.tk-vm-actions').hidden = true;
      input.focus();
      input.select();
    }

    async function remove(v) {
      if (!(await deleteView(v))) return;
      views = views.filter((x) => x.id !== v.id);
      draw();
    }

    load();
    return body;
  });
}
