// One row of the ticket table (a card under 640 px, through CSS) and the table head with sortable columns.
// Both draw the chosen columns (views.js ALL_COLUMNS names), in the table's order.
import { h } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { relative, dateTime } from '../../../core/format.js';
import { statusBadge } from '../../../core/ui.js';
import { nameOf } from './people.js';
import { DEFAULT_COLUMNS } from './views.js';
import { slaBadge } from './sla-badge.js';

const tagList = (tags, max) => h('span.tk-row-tags', tags.slice(0, max).map((tag) => h('span.tag', tag)),
  tags.length > max && h('span.faint.small', `+${tags.length - max}`));

/** ticketRow(ticket, {selected, onToggle, columns, teamName(id)}) → <tr>. Names are filled later by hydrateNames. */
export function ticketRow(ticket, { selected, onToggle, columns = DEFAULT_COLUMNS, teamName = () => '' }) {
  const href = `/tickets/${ticket.number}`;
  const check = h('input', { type: 'checkbox', checked: selected, dataset: { testid: 'row-select' },
    'aria-label': t('agent.select_ticket', { number: ticket.number }), onchange: (e) => onToggle(ticket.id, e.target.checked) });
  const user = (id, cls) => id
    ? h(`span.${cls}`, { dataset: { userName: id } }, nameOf(id))
    : h(`span.${cls}.faint`, t('common.unassigned'));
  const time = (iso) => h('time', { datetime: iso, title: dateTime(iso) }, relative(iso));
  const none = () => h('span.faint', '—');
  const cell = {
    number: () => h('span.tk-number', `#${ticket.number}`),
    subject: () => [h('a.tk-subject', { href, dataset: { testid: 'ticket-link' } }, ticket.subject),
      !columns.includes('tags') && ticket.tags?.length ? tagList(ticket.tags, 3) : null,
      // Without the SLA column the most pressing target still shows, beside the subject.
      !columns.includes('sla') ? slaBadge(ticket) : null],
    requester: () => user(ticket.requester_id, 'tk-requester'),
    status: () => statusBadge(ticket.status),
    priority: () => h('span.tk-prio', { dataset: { priority: ticket.priority } }, h('span.tk-prio-dot', { 'aria-hidden': 'true' }),
      t(`common.priority_${ticket.priority}`)),
    sla: () => slaBadge(ticket) || none(),
    type: () => (ticket.type ? t(`agent.type_${ticket.type}`) : none()),
    assignee: () => (ticket.assignee_id ? user(ticket.assignee_id, 'tk-assignee') : h('span.faint', '—', h('span.visually-hidden', t('common.unassigned')))),
    team: () => (ticket.team_id ? h('span.tk-team', teamName(ticket.team_id) || '…') : none()),
    tags: () => (ticket.tags?.length ? tagList(ticket.tags, 5) : none()),
    created: () => time(ticket.created_at),
    updated: () => time(ticket.updated_at),
  };
  return h(`tr.tk-row${selected ? '.tk-selected' : ''}`, { dataset: { id: ticket.id, number: String(ticket.number), testid: 'ticket-row', status: ticket.status } },
    h('td.tk-c-check', h('label.tk-check-hit', check)),
    columns.map((c) => h(`td.tk-c-${c}`, { dataset: { col: c } }, cell[c]())));
}

const SORTABLE = { number: 'number', status: 'status', priority: 'priority', sla: 'sla_due', created: 'created_at', updated: 'updated_at' };
const LABELS = { number: null, subject: 'agent.col_subject', requester: 'agent.col_requester', status: 'agent.col_status',
  priority: 'agent.col_priority', sla: 'agent.col_sla', type: 'agent.type', assignee: 'agent.col_assignee', team: 'agent.team', tags: 'agent.tags',
  created: 'agent.col_created', updated: 'agent.col_updated' };

/** The translated name of a column ("#" for the number). */
export const columnLabel = (key) => (LABELS[key] ? t(LABELS[key]) : t('agent.col_number'));

/** The <thead>; `sort` is the current sort string, `onSort(next)` sets it. */
export function ticketHead({ sort, onSort, selectAll, columns = DEFAULT_COLUMNS }) {
  const col = (key) => {
    const label = key === 'number' ? '#' : columnLabel(key);
    const cls = `tk-c-${key}`;
    const field = SORTABLE[key];
    if (!field || !onSort) return h(`th.${cls}`, { scope: 'col', dataset: { col: key } }, label);
    const dir = sort === field ? 'ascending' : sort === `-${field}` ? 'descending' : null;
    const next = dir === 'descending' ? field : `-${field}`;
    return h(`th.${cls}`, { scope: 'col', 'aria-sort': dir || 'none', dataset: { col: key } },
      h('button.tk-sort', { type: 'button', dataset: { testid: `sort-${key}` }, onclick: () => onSort(next) }, label,
        dir && h('span.tk-sort-dir', { 'aria-hidden': 'true' }, dir === 'ascending' ? '↑' : '↓')));
  };
  return h('thead', h('tr',
    h('th.tk-c-check', { scope: 'col' }, h('label.tk-check-hit', selectAll)),
    columns.map(col)));
}
