// The ticket's history (GET /tickets/{id}/events) in readable sentences.
import { h, replace } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { api } from '../../../core/api.js';
import { dateTime, relative } from '../../../core/format.js';
import { loading, failure, empty, avatar } from '../../../core/ui.js';
import { loadUsers, cachedUser, displayName, teams } from './people.js';

const HIDDEN = new Set(['ticket.status_changed', 'ticket.assigned']); // repeated by ticket.updated

/** createHistory(ticket) → {el, load()}. */
const RULES = new Set(['trigger', 'automation']);

export function createHistory(ticket) {
  const el = h('section.tk-history', { dataset: { testid: 'history' }, 'aria-label': t('agent.history') });
  let teamNames = new Map();

  const userName = (id) => (id ? displayName(cachedUser(id)) : t('common.unassigned'));
  const value = (key, v) => {
    if (v == null || v === '' || (Array.isArray(v) && !v.length)) return t('common.none');
    if (key === 'status') return t(`common.status_${v}`);
    if (key === 'priority') return t(`common.priority_${v}`);
    if (key === 'type') return t(`agent.type_${v}`);
    if (key === 'assignee_id' || key === 'requester_id') return userName(v);
    if (key === 'team_id') return teamNames.get(v) || t('agent.unknown_team');
    if (key === 'follower_ids') return v.map(userName).join(', ');
    if (Array.isArray(v)) return v.join(', ');
    if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no');
    return String(v);
  };
  const fieldLabel = (key) => {
    if (key.startsWith('custom_fields.')) return key.slice('custom_fields.'.length);
    const known = { subject: 'agent.col_subject', status: 'agent.col_status', priority: 'agent.col_priority', type: 'agent.type',
      assignee_id: 'agent.col_assignee', team_id: 'agent.team', tags: 'agent.tags', follower_ids: 'agent.followers' };
    return known[key] ? t(known[key]) : key;
  };

  function lines(event) {
    const d = event.data || {};
    switch (event.type) {
      case 'ticket.created': return [t('agent.ev_created')];
      case 'comment.added': return [d.initial ? t('agent.ev_description') : d.public ? t('agent.ev_reply') : t('agent.ev_note')];
      case 'ticket.merged': return [d.into_number ? t('agent.ev_merged_into', { number: d.into_number }) : t('agent.ev_merged_from', { number: d.merged_number })];
      case 'ticket.deleted': return [t('agent.ev_deleted')];
      case 'ticket.updated': return Object.entries(d.changes || {}).map(([key, { from, to } = {}]) => {
        if (key === 'tags') {
          const added = (to || []).filter((x) => !(from || []).includes(x));
          const removed = (from || []).filter((x) => !(to || []).includes(x));
          return [added.length && t('agent.ev_tags_added', { tags: added.join(', ') }),
            removed.length && t('agent.ev_tags_removed', { tags: removed.join(', ') })].filter(Boolean).join(' · ');
        }
        return t('agent.ev_changed', { field: fieldLabel(key), from: value(key, from), to: value(key, to) });
      });
      default: return [event.type];
    }
  }

  // A rule's change says which rules made it ("Trigger: Refunds to Billing, VIP"); the system's says "System".
  function actorName(e) {
    if (RULES.has(e.actor?.type)) {
      const rules = e.data?.rules?.length ? e.data.rules : [e.data?.rule].filter(Boolean);
      return t(`agent.by_${e.actor.type}`, { name: rules.map((r) => r.name).join(', ') });
    }
    return e.actor?.type === 'system' || !e.actor?.id ? t('agent.system') : displayName(cachedUser(e.actor.id));
  }

  async function load() {
    replace(el, loading());
    try {
      const [events, teamList] = await Promise.all([api.all(`tickets/${ticket.id}/events`, {}, 500), teams().catch(() => [])]);
      teamNames = new Map(teamList.map((x) => [x.id, x.name]));
      const ids = new Set();
      for (const e of events) {
        if (e.actor?.id && e.actor.type === 'user') ids.add(e.actor.id);
        for (const [k, c] of Object.entries(e.data?.changes || {})) {
          if (k === 'assignee_id') { ids.add(c.from); ids.add(c.to); }
        }
      }
      await loadUsers([...ids].filter(Boolean));
      const shown = events.filter((e) => !HIDDEN.has(e.type));
      if (!shown.length) { replace(el, empty(t('agent.history_empty'))); return; }
      replace(el, h('ol.tk-timeline', shown.map((e) => {
        const actor = actorName(e);
        return h('li.tk-event', { dataset: { type: e.type, testid: 'history-event' } },
          avatar(actor, 'sm'),
          h('div.tk-event-main',
            h('div.tk-event-head', h('strong', actor), ' ',
              h('time.faint.small', { datetime: e.occurred_at, title: dateTime(e.occurred_at) }, relative(e.occurred_at))),
            lines(e).filter(Boolean).map((line) => h('p.tk-event-line', line))));
      })));
    } catch (error) {
      replace(el, failure(error, load));
    }
  }
  return { el, load };
}
