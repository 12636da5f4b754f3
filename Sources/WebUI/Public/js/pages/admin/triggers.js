// Admin › Triggers and Admin › Automations: rules that run on every ticket event (or, automations, hourly over
// tickets as they are), in list order; each row reads as a sentence ("When event is created and comment contains
// refund: add tags billing, set priority High"). Broken rules are marked.
import { h, icon } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { toast, errorMessage, confirm } from '../../core/ui.js';
import { pageHeader, table, cell, iconButton, adIcon, pagedList, emptyWith, switchField } from './components/common.js';
import { triggerDialog, triggerConditionParts, triggerActionParts, loadTriggerDirectory } from './components/trigger-form.js';

export function render() { return rulesPage('trigger'); }

/** The page for one kind of rule: `trigger` or `automation` (its API path, i18n keys and page id follow). */
export function rulesPage(kind) {
  const path = `${kind}s`;
  const k = (key) => t(`admin.${kind}_${key}`);
  const listEl = h('div.ad-list', { 'aria-live': 'polite' });
  let triggers = [];
  let directory = { teams: new Map(), organizations: new Map(), agents: new Map() };
  const ready = loadTriggerDirectory().then((d) => { directory = d; });
  const newButton = h('button.btn.btn-primary#trigger-new', { type: 'button', onclick: () => edit(null) }, icon('plus'), k('new'));
  const columns = [
    { label: t('admin.sla_col_order'), className: 'sla-col-order' }, { label: k('col_trigger') },
    { label: t('admin.sla_conditions') }, { label: t('admin.trigger_actions') }, { label: t('admin.trigger_active') },
    { label: t('admin.col_actions'), className: 'ad-col-actions' },
  ];

  function conditionsText(c) {
    const all = triggerConditionParts(c.all, directory, kind);
    const any = triggerConditionParts(c.any, directory, kind);
    return [all.join(t('admin.trigger_and')), any.length ? t('admin.trigger_one_of', { list: any.join(t('admin.trigger_or')) }) : null]
      .filter(Boolean).join(t('admin.trigger_and')) || t('admin.trigger_always');
  }

  function row(tr, i) {
    const broken = tr.problems?.length > 0;
    return h('tr', { 'data-testid': 'trigger-row', dataset: { id: tr.id, name: tr.name, broken: String(broken) } },
      cell({ label: t('admin.sla_col_order'), className: 'sla-col-order' }, h('span.sla-order', String(i + 1))),
      cell({ className: 'ad-cell-primary' }, h('div.ad-entity', h('span.ad-entity-icon', adIcon('activity')),
        h('div.ad-person-text', h('span.ad-person-name.trigger-name', tr.name),
          broken && h('span.badge.ad-badge-danger', { 'data-testid': 'trigger-broken', title: tr.problems.join('; ') }, t('admin.trigger_broken_badge'))))),
      cell(t('admin.sla_conditions'), h('span.sla-summary', { 'data-testid': 'trigger-conditions-summary' }, conditionsText(tr.conditions))),
      cell(t('admin.trigger_actions'), h('ul.sla-targets-summary', { 'data-testid': 'trigger-actions-summary' },
        triggerActionParts(tr.actions, directory).map((line) => h('li', line)))),
      cell(t('admin.trigger_active'), switchField(`active-${tr.id}`, t('admin.trigger_active_named', { name: tr.name }), tr.active,
        { onchange: (e) => toggle(tr, e.target.checked) })),
      cell({ className: 'ad-col-actions' }, h('div.ad-row-actions',
        iconButton(adIcon('up'), t('admin.sla_move_up', { name: tr.name }), () => move(i, -1), { 'data-testid': 'trigger-move-up', disabled: i === 0 }),
        iconButton(adIcon('down'), t('admin.sla_move_down', { name: tr.name }), () => move(i, 1),
          { 'data-testid': 'trigger-move-down', disabled: i === triggers.length - 1 }),
        iconButton(icon('edit'), t('admin.edit_item', { name: tr.name }), () => edit(tr), { 'data-testid': 'trigger-edit' }),
        iconButton(adIcon('trash'), t('admin.delete_item', { name: tr.name }), () => remove(tr), { 'data-testid': 'trigger-delete', class: 'ad-danger-hover' }))));
  }

  const reload = () => pagedList(listEl, {
    fetchPage: async () => {
      await ready;
      const page = await api.get(path);
      triggers = page.items;
      return { items: page.items, next_cursor: null };
    },
    renderRows: (items) => items.map(row),
    shell: (tbody) => table(columns, tbody, { caption: t(`admin.nav_${path}`) }),
    emptyState: () => emptyWith(k('empty'), k('empty_hint'), k('new'), () => edit(null)),
  });

  async function edit(tr) {
    let current = tr;
    if (tr) { try { current = await api.get(`${path}/${tr.id}`); } catch (error) { toast(errorMessage(error), 'error'); return; } }
    await ready;
    const saved = await triggerDialog(current, directory, kind);
    if (!saved) return;
    toast(tr ? t('common.saved') : t(`admin.${kind}_created`, { name: saved.name }), 'success');
    reload();
  }

  async function toggle(tr, on) {
    try { await api.patch(`${path}/${tr.id}`, { active: on }); toast(t('common.saved'), 'success'); } catch (error) {
      toast(errorMessage(error), 'error');
      reload();
    }
  }

  /** Swaps a trigger with its neighbour, renumbering 0…n and saving the ones that moved. */
  async function move(i, by) {
    const order = [...triggers];
    [order[i], order[i + by]] = [order[i + by], order[i]];
    try {
      for (const [position, tr] of order.entries()) {
        if (tr.position !== position) await api.patch(`${path}/${tr.id}`, { position });
      }
      toast(t('admin.sla_moved', { name: triggers[i].name }), 'success');
    } catch (error) { toast(errorMessage(error), 'error'); }
    reload();
  }

  async function remove(tr) {
    if (!await confirm(t(`admin.${kind}_delete_confirm`, { name: tr.name }), { danger: true, confirmLabel: t('common.delete') })) return;
    try { await api.del(`${path}/${tr.id}`); toast(t('admin.deleted', { name: tr.name }), 'success'); reload(); } catch (error) {
      toast(errorMessage(error), 'error');
    }
  }

  reload();
  return h(`div.page.ad-page#admin-${path}`, pageHeader(t(`admin.nav_${path}`), k('desc'), newButton), listEl);
}
