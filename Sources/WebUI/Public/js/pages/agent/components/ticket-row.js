// One row of the ticket table (a card under 640 px, through CSS) and the table head with sortable columns.
import { h } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { relative, dateTime } from '../../../core/format.js';
import { statusBadge, priorityBadge } from '../../../core/ui.js';
import { nameOf } from './people.js';

/** ticketRow(ticket, {selected, onToggle}) → <tr>. Names are filled later by hydrateNames. */
export function ticketRow(ticket, { selected, onToggle }) {
  const href = `/tickets/${ticket.number}`;
  const check = h('input', { type: 'checkbox', checked: selected, dataset: { testid: 'row-select' },
    'aria-label': t('agent.select_ticket', { number: ticket.number }), onchange: (e) => onToggle(ticket.id, e.target.checked) });
  const user = (id, cls) => id
    ? h(`span.${cls}`, { dataset: { userName: id } }, nameOf(id))
    : h(`span.${cls}.faint`, t('common.unassigned'));
  return h(`tr.tk-row${selected ? '.tk-selected' : ''}`, { dataset: { id: ticket.id, number: String(ticket.number), testid: 'ticket-row', status: ticket.status } },
    h('td.tk-c-check', h('label.tk-check-hit', check)),
    h('td.tk-c-number', h('span.tk-number', `#${ticket.number}`)),
    h('td.tk-c-subject',
      h('a.tk-subject', { href, dataset: { testid: 'ticket-link' } }, ticket.subject),
      ticket.tags?.length ? h('span.tk-row-tags', ticket.tags.slice(0, 3).map((tag) => h('span.tag', tag)),
        ticket.tags.length > 3 && h('span.faint.small', `+${ticket.tags.length - 3}`)) : null),
    h('td.tk-c-requester', user(ticket.requester_id, 'tk-requester')),
    h('td.tk-c-status', statusBadge(ticket.status)),
    h('td.tk-c-priority', h('span.tk-prio', { dataset: { priority: ticket.priority } }, h('span.tk-prio-dot', { 'aria-hidden': 'true' }),
      t(`common.priority_${ticket.priority}`))),
    h('td.tk-c-assignee', ticket.assignee_id ? user(ticket.assignee_id, 'tk-assignee') : h('span.faint', '—', h('span.visually-hidden', t('common.unassigned')))),
    h('td.tk-c-updated', h('time', { datetime: ticket.updated_at, title: dateTime(ticket.updated_at) }, relative(ticket.updated_at))));
}

const SORTABLE = { number: 'number', status: 'status', priority: 'priority', updated: 'updated_at' };

/** The <thead>; `sort` is the current sort string, `onSort(next)` sets it. */
export function ticketHead({ sort, onSort, selectAll }) {
  const col = (key, label, cls) => {
    const field = SORTABLE[key];
    if (!field || !onSort) return h(`th.${cls}`, { scope: 'col' }, label);
    const dir = sort === field ? 'ascending' : sort === `-${field}` ? 'descending' : null;
    const next = dir === 'descending' ? field : `-${field}`;
    return h(`th.${cls}`, { scope: 'col', 'aria-sort': dir || 'none' },
      h('button.tk-sort', { type: 'button', dataset: { testid: `sort-${key}` }, onclick: () => onSort(next) }, label,
        dir && h('span.tk-sort-dir', { 'aria-hidden': 'true' }, dir === 'ascending' ? '↑' : '↓')));
  };
  return h('thead', h('tr',
    h('th.tk-c-check', { scope: 'col' }, h('label.tk-check-hit', selectAll)),
    col('number', '#', 'tk-c-number'),
    col('subject', t('agent.col_subject'), 'tk-c-subject'),
    col('requester', t('agent.col_requester'), 'tk-c-requester'),
    col('status', t('agent.col_status'), 'tk-c-status'),
    col('priority', t('agent.col_priority'), 'tk-c-priority'),
    col('assignee', t('agent.col_assignee'), 'tk-c-assignee'),
    col('updated', t('agent.col_updated'), 'tk-c-updated')));
}

