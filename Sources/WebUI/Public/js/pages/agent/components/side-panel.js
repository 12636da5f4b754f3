// The ticket's properties: status, priority, type, assignee, team, tags, custom fields, requester.
// Every change calls `patch(changes)` (the page sends it with If-Match and redraws).
import { h, icon, replace } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { api } from '../../../core/api.js';
import { dateTime } from '../../../core/format.js';
import { avatar } from '../../../core/ui.js';
import { staff, teams, getUser, displayName } from './people.js';
import { customFieldControl, showCustomFieldError } from './custom-field.js';
import { STATUSES, PRIORITIES, TYPES } from './list-filters.js';
import { session } from '../../../core/session.js';

const NEXT = { new: ['open', 'pending', 'on_hold', 'solved'], open: ['pending', 'on_hold', 'solved'], pending: ['open', 'on_hold', 'solved'],
  on_hold: ['open', 'pending', 'solved'], solved: ['open', 'closed'], closed: [] };

let fieldsPromise = null;
function ticketFields() {
  fieldsPromise ??= api.all('ticket-fields').then((list) => list.filter((f) => f.active !== false))
    .catch((e) => { fieldsPromise = null; throw e; });
  return fieldsPromise;
}

/** createSidePanel({patch}) → {el, update(ticket), showError(apiError)}. `patch(changes)` returns a promise. */
export function createSidePanel({ patch }) {
  const el = h('aside.tk-side', { 'aria-label': t('agent.properties'), dataset: { testid: 'ticket-properties' } });
  let ticket = null;
  let directory = { staff: [], teams: [], fields: [] };
  Promise.all([staff().catch(() => []), teams().catch(() => []), ticketFields().catch(() => [])]).then(([s, tm, f]) => {
    directory = { staff: s, teams: tm, fields: f };
    if (ticket && !el.contains(document.activeElement)) draw();
  });

  const row = (label, control, id) => h('div.tk-prop', h('label.tk-prop-label', { for: id }, label), control);
  const select = (id, name, options, value, toChange) => h('select', { id, name, dataset: { testid: id },
    disabled: ticket.status === 'closed',
    onchange: (e) => patch(toChange(e.target.value)) },
  options.map(([v, text]) => h('option', { value: v, selected: v === (value ?? '') }, text)));

  function draw() {
    const tk = ticket;
    const statusOptions = [tk.status, ...(NEXT[tk.status] || [])].filter((s, i, a) => STATUSES.includes(s) && a.indexOf(s) === i);
    const me = session.user?.id;
    const assignees = [['', t('common.unassigned')], ...directory.staff.map((u) => [u.id, displayName(u)])];
    if (tk.assignee_id && !directory.staff.some((u) => u.id === tk.assignee_id)) assignees.push([tk.assignee_id, t('agent.unknown_user')]);
    const teamOptions = [['', t('common.none')], ...directory.teams.map((x) => [x.id, x.name])];

    const fields = directory.fields.map((f) => customFieldControl(f, tk.custom_fields?.[f.key], { idPrefix: 'prop-cf',
      onCommit: (value) => patch({ custom_fields: { [f.key]: value } }) }).el);
    for (const f of fields) for (const c of f.querySelectorAll('input,select,textarea')) c.disabled = tk.status === 'closed';

    const requester = h('div.tk-requester', { dataset: { testid: 'requester-card' } }, h('span.spinner', { 'aria-hidden': 'true' }));
    getUser(tk.requester_id).then((u) => replace(requester,
      avatar(displayName(u), 'md'),
      h('div.tk-requester-text',
        h('strong', displayName(u)),
        u?.email && h('a.small', { href: `mailto:${u.email}` }, u.email),
        u?.role && h('span.faint.small', t(`common.role_${u.role}`)))));

    replace(el,
      h('section.tk-side-section',
        h('h2.tk-side-title', t('agent.properties')),
        row(t('agent.col_status'), select('prop-status', 'status', statusOptions.map((s) => [s, t(`common.status_${s}`)]), tk.status, (v) => ({ status: v })), 'prop-status'),
        row(t('agent.col_priority'), select('prop-priority', 'priority', PRIORITIES.map((p) => [p, t(`common.priority_${p}`)]), tk.priority, (v) => ({ priority: v })), 'prop-priority'),
        row(t('agent.type'), select('prop-type', 'type', [['', t('common.none')], ...TYPES.map((x) => [x, t(`agent.type_${x}`)])], tk.type, (v) => ({ type: v || null })), 'prop-type'),
        h('div.tk-prop',
          h('div.tk-prop-labelrow', h('label.tk-prop-label', { for: 'prop-assignee' }, t('agent.col_assignee')),
            me && tk.assignee_id !== me && tk.status !== 'closed' && h('button.link-btn', { type: 'button', dataset: { testid: 'assign-me' },
              onclick: () => patch({ assignee_id: me }) }, t('agent.assign_to_me'))),
          select('prop-assignee', 'assignee_id', assignees, tk.assignee_id, (v) => ({ assignee_id: v || null }))),
        row(t('agent.team'), select('prop-team', 'team_id', teamOptions, tk.team_id, (v) => ({ team_id: v || null })), 'prop-team'),
        tagEditor(tk)),
      fields.length ? h('section.tk-side-section.tk-custom-fields', { dataset: { testid: 'custom-fields' } },
        h('h2.tk-side-title', t('agent.custom_fields')), fields) : null,
      h('section.tk-side-section', h('h2.tk-side-title', t('agent.requester')), requester),
      h('section.tk-side-section.tk-meta',
        h('dl',
          h('dt', t('agent.created')), h('dd', dateTime(tk.created_at)),
          h('dt', t('agent.updated')), h('dd', dateTime(tk.updated_at)),
          tk.solved_at && [h('dt', t('agent.solved')), h('dd', dateTime(tk.solved_at))],
          h('dt', t('agent.channel')), h('dd', t(`common.channel_${tk.channel || 'web'}`)))));
  }

  function tagEditor(tk) {
    const tags = tk.tags || [];
    const list = h('datalist#tag-suggestions');
    const input = h('input#prop-tag-input', { type: 'text', list: 'tag-suggestions', autocomplete: 'off', placeholder: t('agent.add_tag'),
      'aria-label': t('agent.add_tag'), dataset: { testid: 'tag-input' }, disabled: tk.status === 'closed',
      oninput: async () => {
        const prefix = input.value.trim();
        if (!prefix) return;
        try {
          const res = await api.get('tags', { q: prefix, limit: 10 });
          replace(list, (res.items || []).map((x) => h('option', { value: typeof x === 'string' ? x : x.name || x.tag })));
        } catch { /* suggestions are optional */ }
      },
      onkeydown: (e) => {
        if (e.key !== 'Enter' && e.key !== ',') return;
        e.preventDefault();
        const add = input.value.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean).filter((x) => !tags.includes(x));
        if (add.length) patch({ tags: [...tags, ...add] }).then(() => document.getElementById('prop-tag-input')?.focus());
        input.value = '';
      } });
    return h('div.tk-prop',
      h('label.tk-prop-label', { for: 'prop-tag-input' }, t('agent.tags')),
      h('div.tk-tags', { dataset: { testid: 'ticket-tags' } },
        tags.map((tag) => h('span.tag.tk-tag', { dataset: { tag } }, tag,
          tk.status !== 'closed' && h('button.tk-tag-remove', { type: 'button', 'aria-label': t('agent.remove_tag', { tag }),
            dataset: { testid: 'tag-remove' }, onclick: () => patch({ tags: tags.filter((x) => x !== tag) }) }, icon('x')))),
        input, list));
  }

  return {
    el,
    update(next, { force = false } = {}) {
      const changed = !ticket || ticket.version !== next.version || force;
      ticket = next;
      if (changed && (force || !el.contains(document.activeElement) || document.activeElement?.tagName === 'SELECT')) draw();
    },
    showError(error) { return showCustomFieldError(el, error); },
  };
}
