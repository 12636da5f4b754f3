// The filter and sort bar of the ticket list. Values mirror URL parameters; `onChange(params)` gets the
// parameters that changed (empty string = remove).
import { h, icon, debounce } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { staff, teams, displayName } from './people.js';

export const STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
export const TYPES = ['question', 'incident', 'problem', 'task'];
export const SORTS = ['-updated_at', 'updated_at', '-created_at', 'created_at', '-priority', 'priority', 'status', '-number', 'number', 'sla_due'];
export const FILTER_KEYS = ['status', 'priority', 'sla', 'assignee_id', 'team_id', 'tag'];

/** filterBar(query: URLSearchParams, {searching, onChange}) → element. */
export function filterBar(query, { searching = false, onChange }) {
  const get = (k) => query.get(k) || '';
  const select = (key, label, options, testid) => {
    const current = get(key);
    const known = options.some(([v]) => v === current);
    return h(`label.tk-filter${current ? '.tk-filter-on' : ''}`, h('span.visually-hidden', label),
      h('select', { name: key, dataset: { testid }, onchange: (e) => onChange({ [key]: e.target.value }) },
        options.map(([value, text]) => h('option', { value, selected: value === current }, text)),
        !known && current && h('option', { value: current, selected: true }, current)));
  };

  const status = select('status', t('agent.filter_status'), [
    ['', t('agent.filter_any_status')], ...STATUSES.map((s) => [s, t(`common.status_${s}`)]),
    ['new,open', t('agent.filter_status_open_group')], ['pending,on_hold', t('agent.filter_status_waiting')],
  ], 'filter-status');
  const priority = select('priority', t('agent.filter_priority'), [
    ['', t('agent.filter_any_priority')], ...PRIORITIES.map((p) => [p, t(`common.priority_${p}`)]),
    ['high,urgent', t('agent.filter_priority_high_up')],
  ], 'filter-priority');
  const sla = select('sla', t('agent.filter_sla'), [
    ['', t('agent.filter_any_sla')], ['breached', t('agent.filter_sla_breached')], ['at_risk', t('agent.filter_sla_at_risk')],
  ], 'filter-sla');
  const assignee = select('assignee_id', t('agent.filter_assignee'), [
    ['', t('agent.filter_any_assignee')], ['me', t('agent.assignee_me')], ['none', t('common.unassigned')],
  ], 'filter-assignee');
  const team = select('team_id', t('agent.filter_team'), [['', t('agent.filter_any_team')]], 'filter-team');
  const tagInput = h('input', { type: 'search', name: 'tag', value: get('tag'), placeholder: t('agent.filter_tag_placeholder'),
    autocomplete: 'off', dataset: { testid: 'filter-tag' }, oninput: debounce((e) => onChange({ tag: e.target.value.trim() }), 400) });
  const tag = h(`label.tk-filter.tk-filter-tag${get('tag') ? '.tk-filter-on' : ''}`, h('span.visually-hidden', t('agent.filter_tag')), icon('tag'), tagInput);

  const sortOptions = [...(searching ? [['', t('agent.sort_relevance')]] : []), ...SORTS.map((s) => [s, t(`agent.sort_${s.replace('-', 'desc_')}`)])];
  const sortSelect = h('select', { name: 'sort', dataset: { testid: 'sort' }, onchange: (e) => onChange({ sort: e.target.value }) },
    sortOptions.map(([value, text]) => h('option', { value, selected: value === (get('sort') || (searching ? '' : '-updated_at')) }, text)));
  const sort = h('label.tk-filter.tk-filter-sort', h('span.visually-hidden', t('agent.sort_label')), sortSelect);

  const active = FILTER_KEYS.some((k) => query.get(k));
  const clear = active && h('button.btn.btn-ghost.btn-sm.tk-filter-clear', { type: 'button', dataset: { testid: 'filters-clear' },
    onclick: () => onChange(Object.fromEntries(FILTER_KEYS.map((k) => [k, '']))) }, icon('x'), t('agent.filters_clear'));

  // Assignees and teams arrive asynchronously.
  staff().then((list) => {
    const sel = assignee.querySelector('select');
    const current = get('assignee_id');
    for (const u of list) sel.append(h('option', { value: u.id, selected: u.id === current }, displayName(u)));
    [...sel.options].filter((o) => o.value === current && !o.selected && o.textContent === current).forEach((o) => o.remove());
    sel.value = current;
  }).catch(() => {});
  teams().then((list) => {
    const sel = team.querySelector('select');
    const current = get('team_id');
    for (const tm of list) sel.append(h('option', { value: tm.id }, tm.name));
    [...sel.options].filter((o) => o.value === current && o.textContent === current).forEach((o) => o.remove());
    sel.value = current;
  }).catch(() => {});

  return h('div.tk-filters', { role: 'group', 'aria-label': t('agent.filters') }, status, priority, sla, assignee, team, tag, clear, sort);
}
