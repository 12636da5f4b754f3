// Admin › SLA policies: response and resolution targets per priority, for the tickets a policy's conditions match;
// the first matching policy in the list applies, so the list can be reordered.
import { h, icon } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { toast, errorMessage, confirm } from '../../core/ui.js';
import { pageHeader, table, cell, iconButton, adIcon, pagedList, emptyWith } from './components/common.js';
import { slaPolicyDialog, conditionParts, targetParts, loadDirectory } from './components/sla-form.js';

export function render() {
  const listEl = h('div.ad-list', { 'aria-live': 'polite' });
  let policies = [];
  let directory = { teams: new Map(), organizations: new Map() };
  const ready = loadDirectory().then((d) => { directory = d; });
  const newButton = h('button.btn.btn-primary#sla-new', { type: 'button', onclick: () => edit(null) }, icon('plus'), t('admin.sla_new'));
  const columns = [
    { label: t('admin.sla_col_order'), className: 'sla-col-order' }, { label: t('admin.sla_col_policy') },
    { label: t('admin.sla_conditions') }, { label: t('admin.sla_targets') }, { label: t('admin.sla_col_clock') },
    { label: t('admin.col_actions'), className: 'ad-col-actions' },
  ];
  const joined = (parts, className) => parts.flatMap((part, i) => [i ? ' · ' : null, h(`span.${className}`, part)]);

  function row(p, i) {
    const conditions = conditionParts(p.conditions, directory);
    const targets = targetParts(p.targets);
    return h('tr', { 'data-testid': 'sla-row', dataset: { id: p.id, name: p.name, position: String(p.position) } },
      cell({ label: t('admin.sla_col_order'), className: 'sla-col-order' }, h('span.sla-order', String(i + 1))),
      cell({ className: 'ad-cell-primary' }, h('div.ad-entity', h('span.ad-entity-icon', adIcon('activity')),
        h('div.ad-person-text', h('span.ad-person-name.sla-name', p.name)))),
      cell(t('admin.sla_conditions'), h('span.sla-summary', { 'data-testid': 'sla-conditions-summary' },
        conditions.length ? joined(conditions, 'sla-summary-part') : h('span.muted', t('admin.sla_every_ticket')))),
      cell(t('admin.sla_targets'), h('ul.sla-targets-summary', { 'data-testid': 'sla-targets-summary' },
        targets.map((line) => h('li', line)))),
      cell(t('admin.sla_col_clock'), h(`span.badge.${p.business_hours ? 'ad-badge-accent' : 'ad-badge-muted'}.sla-clock`, { 'data-testid': 'sla-clock' },
        p.business_hours ? t('admin.sla_clock_business') : t('admin.sla_clock_calendar'))),
      cell({ className: 'ad-col-actions' }, h('div.ad-row-actions',
        iconButton(adIcon('up'), t('admin.sla_move_up', { name: p.name }), () => move(i, -1),
          { 'data-testid': 'sla-move-up', disabled: i === 0 }),
        iconButton(adIcon('down'), t('admin.sla_move_down', { name: p.name }), () => move(i, 1),
          { 'data-testid': 'sla-move-down', disabled: i === policies.length - 1 }),
        iconButton(icon('edit'), t('admin.edit_item', { name: p.name }), () => edit(p), { 'data-testid': 'sla-edit' }),
        iconButton(adIcon('trash'), t('admin.delete_item', { name: p.name }), () => remove(p), { 'data-testid': 'sla-delete', class: 'ad-danger-hover' }))));
  }

  const reload = () => pagedList(listEl, {
    fetchPage: async () => {
      await ready;
      const page = await api.get('sla-policies');
      policies = page.items;
      return { items: page.items, next_cursor: null };
    },
    renderRows: (items) => items.map(row),
    shell: (tbody) => table(columns, tbody, { caption: t('admin.nav_sla_policies') }),
    emptyState: () => emptyWith(t('admin.sla_empty'), t('admin.sla_empty_hint'), t('admin.sla_new'), () => edit(null)),
  });

  async function edit(p) {
    let current = p;
    if (p) { try { current = await api.get(`sla-policies/${p.id}`); } catch (error) { toast(errorMessage(error), 'error'); return; } }
    await ready;
    const saved = await slaPolicyDialog(current, directory);
    if (!saved) return;
    toast(p ? t('common.saved') : t('admin.sla_created', { name: saved.name }), 'success');
    reload();
  }

  /** Swaps a policy with its neighbour: positions may tie, so the list is renumbered 0…n and the ones that moved saved. */
  async function move(i, by) {
    const order = [...policies];
    [order[i], order[i + by]] = [order[i + by], order[i]];
    try {
      for (const [position, p] of order.entries()) {
        if (p.position !== position) await api.patch(`sla-policies/${p.id}`, { position });
      }
      toast(t('admin.sla_moved', { name: policies[i].name }), 'success');
    } catch (error) { toast(errorMessage(error), 'error'); }
    reload();
  }

  async function remove(p) {
    if (!await confirm(t('admin.sla_delete_confirm', { name: p.name }), { danger: true, confirmLabel: t('common.delete') })) return;
    try { await api.del(`sla-policies/${p.id}`); toast(t('admin.deleted', { name: p.name }), 'success'); reload(); } catch (error) {
      toast(errorMessage(error), 'error');
    }
  }

  reload();
  return h('div.page.ad-page#admin-sla-policies', pageHeader(t('admin.nav_sla_policies'), t('admin.sla_desc'), newButton), listEl);
}
