// Admin › Organizations: customer companies, their email domains and whether members share tickets.
import { h, icon } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { toast, errorMessage, field, confirm } from '../../core/ui.js';
import { date } from '../../core/format.js';
import { pageHeader, table, cell, iconButton, adIcon, formDialog, pagedList, emptyWith, switchField, chipsInput, statusDot } from './components/common.js';

export function render() {
  const listEl = h('div.ad-list', { 'aria-live': 'polite' });
  const newButton = h('button.btn.btn-primary#org-new', { type: 'button', onclick: () => edit(null) }, icon('plus'), t('admin.org_new'));
  const columns = [
    { label: t('admin.col_organization') }, { label: t('admin.col_domains') }, { label: t('admin.col_sharing') },
    { label: t('admin.col_created') }, { label: t('admin.col_actions'), className: 'ad-col-actions' },
  ];

  function row(org) {
    return h('tr', { 'data-testid': 'org-row', dataset: { name: org.name, id: org.id } },
      cell({ className: 'ad-cell-primary' }, h('div.ad-entity', h('span.ad-entity-icon', adIcon('building')),
        h('span.ad-person-name', org.name))),
      cell(t('admin.col_domains'), org.domains?.length
        ? h('div.chip-list', org.domains.map((d) => h('span.tag.ad-domain', adIcon('at'), d)))
        : h('span.faint', '—')),
      cell(t('admin.col_sharing'), org.shared_tickets ? statusDot('on', t('admin.shared')) : statusDot('off', t('admin.private'))),
      cell({ label: t('admin.col_created'), className: 'ad-hide-sm' }, h('span.muted', date(org.created_at))),
      cell({ className: 'ad-col-actions ad-actions-compact' }, h('div.ad-row-actions',
        iconButton(icon('edit'), t('admin.edit_item', { name: org.name }), () => edit(org), { 'data-testid': 'org-edit' }),
        iconButton(adIcon('trash'), t('admin.delete_item', { name: org.name }), () => remove(org), { 'data-testid': 'org-delete', class: 'ad-danger-hover' }))));
  }

  const reload = () => pagedList(listEl, {
    fetchPage: (cursor) => api.get('organizations', { cursor, limit: 50 }),
    renderRows: (items) => items.map(row),
    shell: (tbody) => table(columns, tbody, { caption: t('admin.nav_organizations') }),
    emptyState: () => emptyWith(t('admin.orgs_empty'), t('admin.orgs_empty_hint'), t('admin.org_new'), () => edit(null)),
  });

  async function edit(org) {
    let domains;
    const saved = await formDialog(org ? t('admin.org_edit_title') : t('admin.org_new'), {
      submitId: 'org-submit', submitLabel: org ? t('common.save') : t('common.create'),
      build: () => {
        domains = chipsInput({ name: 'domains', id: 'org-domains', values: org?.domains || [], placeholder: t('admin.domains_placeholder'),
          label: t('admin.field_domains') });
        const error = h('p.field-error', { id: 'org-domains-error', hidden: true, 'data-error-for': 'domains' });
        return [
          field(t('admin.field_name'), h('input#org-name', { type: 'text', name: 'name', value: org?.name || '', required: true })),
          h('div.field', h('label', { for: 'org-domains' }, t('admin.field_domains')), domains.el,
            h('p.field-hint', t('admin.domains_hint')), error),
          switchField('shared_tickets', t('admin.field_shared'), Boolean(org?.shared_tickets), { id: 'org-shared', hint: t('admin.shared_hint') }),
        ];
      },
      submit: async (form) => {
        const body = { name: form.elements.name.value.trim(), domains: domains.values(), shared_tickets: form.elements.shared_tickets.checked };
        return org ? api.patch(`organizations/${org.id}`, body) : api.post('organizations', body);
      },
    });
    if (!saved) return;
    toast(org ? t('common.saved') : t('admin.org_created', { name: saved.name }), 'success');
    reload();
  }

  async function remove(org) {
    if (!await confirm(t('admin.org_delete_confirm', { name: org.name }), { danger: true, confirmLabel: t('common.delete') })) return;
    try { await api.del(`organizations/${org.id}`); toast(t('admin.deleted', { name: org.name }), 'success'); reload(); } catch (error) {
      toast(errorMessage(error), 'error');
    }
  }

  reload();
  return h('div.page.ad-page#admin-organizations', pageHeader(t('admin.nav_organizations'), t('admin.orgs_desc'), newButton), listEl);
}
