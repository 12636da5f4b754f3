// The bulk action bar shown while tickets are selected: status, priority, assignee for all of them at once, and
// merging them (into one of them or into another ticket).
import { h, icon } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { api } from '../../../core/api.js';
import { toast, errorMessage } from '../../../core/ui.js';
import { staff, displayName } from './people.js';
import { STATUSES, PRIORITIES } from './list-filters.js';
import { mergeDialog } from './merge-dialog.js';

/** bulkBar({getIds, getTickets, onDone(results), onMerged(target), onClear}) → {el, update(count)}. */
export function bulkBar({ getIds, getTickets = () => [], onDone, onMerged = () => {}, onClear }) {
  const count = h('span.tk-bulk-count', { dataset: { testid: 'bulk-count' }, 'aria-live': 'polite' });
  const picker = (testid, label, options, toChanges) => {
    const sel = h('select', { dataset: { testid }, 'aria-label': label, onchange: async () => {
      if (!sel.value) return;
      const changes = toChanges(sel.value);
      sel.value = '';
      await apply(changes);
    } }, h('option', { value: '' }, label), options.map(([v, text]) => h('option', { value: v }, text)));
    return sel;
  };
  const status = picker('bulk-status', t('agent.bulk_set_status'), STATUSES.map((s) => [s, t(`common.status_${s}`)]), (v) => ({ status: v }));
  const priority = picker('bulk-priority', t('agent.bulk_set_priority'), PRIORITIES.map((p) => [p, t(`common.priority_${p}`)]), (v) => ({ priority: v }));
  const assignee = picker('bulk-assignee', t('agent.bulk_set_assignee'), [['none', t('common.unassigned')]],
    (v) => ({ assignee_id: v === 'none' ? null : v }));
  staff().then((list) => { for (const u of list) assignee.append(h('option', { value: u.id }, displayName(u))); }).catch(() => {});

  async function apply(changes) {
    const ids = getIds();
    if (!ids.length) return;
    el.setAttribute('aria-busy', 'true');
    for (const s of el.querySelectorAll('select,button')) s.disabled = true;
    try {
      const res = await api.post('tickets/bulk', { ids, changes });
      const results = res.items || [];
      const failed = results.filter((r) => r.status >= 300 || r.error);
      const ok = results.length - failed.length;
      if (!failed.length) toast(t('agent.bulk_done', { count: ok }), 'success');
      else {
        const reason = failed[0].error?.errors?.[0]?.message || failed[0].error?.detail || failed[0].error?.code || '';
        toast(t('agent.bulk_partial', { count: ok, failed: failed.length, reason }), 'error');
      }
      onDone(results);
    } catch (error) {
      toast(errorMessage(error), 'error');
    } finally {
      el.removeAttribute('aria-busy');
      for (const s of el.querySelectorAll('select,button')) s.disabled = false;
    }
  }

  const el = h('div.tk-bulk', { role: 'toolbar', 'aria-label': t('agent.bulk_actions'), dataset: { testid: 'bulk-bar' }, hidden: true },
    count, status, priority, assignee,
    h('button.btn.btn-sm', { type: 'button', dataset: { testid: 'bulk-merge' }, onclick: async () => {
      const tickets = getTickets();
      if (!tickets.length) return;
      const target = await mergeDialog({ sources: tickets, candidates: tickets });
      if (target) onMerged(target);
    } }, icon('merge'), t('agent.bulk_merge')),
    h('button.btn.btn-ghost.btn-sm', { type: 'button', dataset: { testid: 'bulk-clear' }, onclick: onClear }, icon('x'), t('agent.bulk_clear')));
  return {
    el,
    update(n) {
      el.hidden = n === 0;
      count.textContent = t('agent.selected_count', { count: n });
    },
  };
}
