// Admin › Ticket fields: custom fields on tickets (key, type, options, pattern, flags).
import { h, icon, replace } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { toast, errorMessage, field, confirm, loadInto } from '../../core/ui.js';
import { pageHeader, table, cell, iconButton, adIcon, formDialog, emptyWith, switchField, statusDot } from './components/common.js';

const TYPES = ['text', 'textarea', 'number', 'decimal', 'checkbox', 'date', 'dropdown', 'multiselect', 'regex'];
const withOptions = (type) => type === 'dropdown' || type === 'multiselect';

export function render() {
  const listEl = h('div.ad-list', { 'aria-live': 'polite' });
  const showInactive = h('input#fields-show-inactive', { type: 'checkbox', checked: true, onchange: () => reload() });
  const newButton = h('button.btn.btn-primary#field-new', { type: 'button', onclick: () => edit(null) }, icon('plus'), t('admin.field_new'));
  const columns = [
    { label: t('admin.col_field') }, { label: t('admin.col_type') }, { label: t('admin.col_rules') },
    { label: t('admin.col_status') }, { label: t('admin.col_actions'), className: 'ad-col-actions' },
  ];

  function row(f) {
    const rules = [
      f.required_on_solve && h('span.tag.ad-flag', t('admin.flag_required_on_solve')),
      f.customer_editable && h('span.tag.ad-flag.ad-flag-accent', t('admin.flag_customer_editable')),
      withOptions(f.type) && h('span.tag', t('admin.option_count', { count: f.options?.length || 0 })),
      f.type === 'regex' && f.pattern && h('code.ad-pattern', { title: f.pattern }, f.pattern),
    ].filter(Boolean);
    return h(`tr${f.active ? '' : '.ad-inactive'}`, { 'data-testid': 'field-row', dataset: { key: f.key, id: f.id } },
      cell({ className: 'ad-cell-primary' }, h('div.ad-person-text', h('span.ad-person-name', f.title), h('code.ad-key', f.key))),
      cell(t('admin.col_type'), h('span.ad-type', typeIcon(f.type), t(`admin.type_${f.type}`))),
      cell(t('admin.col_rules'), rules.length ? h('div.chip-list', rules) : h('span.faint', '—')),
      cell(t('admin.col_status'), f.active ? statusDot('on', t('admin.status_active')) : statusDot('off', t('admin.status_inactive'))),
      cell({ className: 'ad-col-actions ad-actions-compact' }, h('div.ad-row-actions',
        iconButton(icon('edit'), t('admin.edit_item', { name: f.title }), () => edit(f), { 'data-testid': 'field-edit' }),
        f.active
          ? iconButton(adIcon('ban'), t('admin.deactivate_item', { name: f.title }), () => deactivate(f), { 'data-testid': 'field-deactivate', class: 'ad-danger-hover' })
          : iconButton(adIcon('undo'), t('admin.activate_item', { name: f.title }), () => activate(f), { 'data-testid': 'field-activate' }))));
  }

  const reload = () => loadInto(listEl, () => api.get('ticket-fields'), (page) => {
    const items = page.items.filter((f) => showInactive.checked || f.active);
    if (!page.items.length) return emptyWith(t('admin.fields_empty'), t('admin.fields_empty_hint'), t('admin.field_new'), () => edit(null));
    if (!items.length) return emptyWith(t('admin.fields_all_inactive'));
    return table(columns, h('tbody', items.map(row)), { caption: t('admin.nav_fields') });
  });

  async function edit(f) {
    const creating = !f;
    // Existing values are kept as they are (tickets store them); new options get a value from their label.
    let options = (f?.options || []).map((o) => ({ ...o, touched: true }));
    let optionsBox; let patternBox; let typeSelect;
    const syncType = () => {
      const type = typeSelect.value;
      optionsBox.hidden = !withOptions(type);
      patternBox.hidden = type !== 'regex';
      if (withOptions(type) && !options.length) { options.push({ value: '', label: '' }); drawOptions(); }
    };
    const optionRows = h('div.ad-options');
    function drawOptions() {
      replace(optionRows, options.map((o, i) => h('div.ad-option-row', { 'data-testid': 'field-option' },
        h('input', { type: 'text', name: `options[${i}].label`, value: o.label, placeholder: t('admin.option_label'),
          'aria-label': t('admin.option_label_n', { n: i + 1 }), oninput: (e) => {
            o.label = e.target.value;
            if (!o.touched) { o.value = slug(o.label).replace(/-/g, '_'); e.target.parentElement.querySelector('.ad-option-value').value = o.value; }
          } }),
        h('input.ad-option-value', { type: 'text', name: `options[${i}].value`, value: o.value, placeholder: t('admin.option_value'),
          'aria-label': t('admin.option_value_n', { n: i + 1 }), oninput: (e) => { o.value = e.target.value; o.touched = true; } }),
        h('div.ad-option-tools',
          iconButton(adIcon('up'), t('admin.move_up'), () => { if (i) { [options[i - 1], options[i]] = [options[i], options[i - 1]]; drawOptions(); } }, { disabled: i === 0 }),
          iconButton(adIcon('down'), t('admin.move_down'), () => { if (i < options.length - 1) { [options[i + 1], options[i]] = [options[i], options[i + 1]]; drawOptions(); } }, { disabled: i === options.length - 1 }),
          iconButton(icon('x'), t('admin.remove_option', { n: i + 1 }), () => { options.splice(i, 1); drawOptions(); }, { class: 'ad-danger-hover' })))));
    }
    drawOptions();

    const saved = await formDialog(creating ? t('admin.field_new') : t('admin.field_edit_title'), {
      submitId: 'field-submit', submitLabel: creating ? t('common.create') : t('common.save'), wide: true,
      build: () => {
        typeSelect = h('select#field-type', { name: 'type', disabled: !creating, onchange: () => syncType() },
          TYPES.map((type) => h('option', { value: type, selected: type === (f?.type || 'text') }, t(`admin.type_${type}`))));
        const title = h('input#field-title', { type: 'text', name: 'title', value: f?.title || '', required: true });
        const key = h('input#field-key', { type: 'text', name: 'key', value: f?.key || '', required: true, readonly: !creating,
          autocomplete: 'off', spellcheck: 'false', class: 'ad-mono' });
        if (creating) {
          title.addEventListener('input', () => { if (!key.dataset.touched) key.value = slug(title.value).replace(/-/g, '_').replace(/^[^a-z]+/, '').slice(0, 64); });
          key.addEventListener('input', () => { key.dataset.touched = '1'; });
        }
        optionsBox = h('fieldset.ad-fieldset#field-options', { hidden: !withOptions(f?.type) },
          h('legend', t('admin.field_options')),
          h('p.field-hint', t('admin.options_hint')),
          h('div.ad-option-head', { 'aria-hidden': 'true' }, h('span', t('admin.option_label')), h('span', t('admin.option_value'))),
          optionRows,
          h('p.field-error', { hidden: true, 'data-error-for': 'options', role: 'alert' }),
          h('button.btn.btn-sm.ad-add-option#field-option-add', { type: 'button', onclick: () => {
            options.push({ value: '', label: '' }); drawOptions(); optionRows.querySelector('.ad-option-row:last-child input')?.focus();
          } }, icon('plus'), t('admin.add_option')));
        patternBox = h('div', { hidden: f?.type !== 'regex' },
          field(t('admin.field_pattern'), h('input#field-pattern', { type: 'text', name: 'pattern', value: f?.pattern || '', class: 'ad-mono',
            spellcheck: 'false', placeholder: '[A-Z]{3}-\\d{4}' }), t('admin.pattern_hint')));
        return [
          h('div.ad-grid-2',
            field(t('admin.field_title'), title),
            field(t('admin.field_key'), key, creating ? t('admin.key_hint') : t('admin.key_locked'))),
          field(t('admin.col_type'), typeSelect, creating ? null : t('admin.type_locked')),
          optionsBox, patternBox,
          h('div.ad-switches',
            switchField('required_on_solve', t('admin.flag_required_on_solve'), Boolean(f?.required_on_solve),
              { id: 'field-required', hint: t('admin.required_on_solve_hint') }),
            switchField('customer_editable', t('admin.flag_customer_editable'), Boolean(f?.customer_editable),
              { id: 'field-customer-editable', hint: t('admin.customer_editable_hint') }),
            switchField('active', t('admin.status_active'), f ? f.active : true, { id: 'field-active', hint: t('admin.active_hint') })),
        ];
      },
      submit: async (form) => {
        const el = form.elements;
        const type = typeSelect.value;
        const body = {
          title: el.title.value.trim(),
          required_on_solve: el.required_on_solve.checked,
          customer_editable: el.customer_editable.checked,
          active: el.active.checked,
        };
        if (creating) { body.key = el.key.value.trim(); body.type = type; }
        if (withOptions(type)) body.options = options.map((o) => ({ value: o.value.trim(), label: o.label.trim() }));
        if (type === 'regex') body.pattern = el.pattern.value;
        return creating ? api.post('ticket-fields', body) : api.patch(`ticket-fields/${f.id}`, body);
      },
    });
    if (!saved) return;
    toast(creating ? t('admin.field_created', { name: saved.title }) : t('common.saved'), 'success');
    reload();
  }

  async function deactivate(f) {
    if (!await confirm(t('admin.field_deactivate_confirm', { name: f.title }), { danger: true, confirmLabel: t('admin.deactivate') })) return;
    try { await api.del(`ticket-fields/${f.id}`); toast(t('admin.field_deactivated', { name: f.title }), 'success'); reload(); } catch (error) {
      toast(errorMessage(error), 'error');
    }
  }

  async function activate(f) {
    try { await api.patch(`ticket-fields/${f.id}`, { active: true }); toast(t('admin.field_activated', { name: f.title }), 'success'); reload(); } catch (error) {
      toast(errorMessage(error), 'error');
    }
  }

  reload();
  return h('div.page.ad-page#admin-fields',
    pageHeader(t('admin.nav_fields'), t('admin.fields_desc'), newButton),
    h('div.ad-toolbar', h('label.check', showInactive, t('admin.show_inactive'))),
    listEl);
}

function slug(text) {
  return String(text || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
}

function typeIcon(type) {
  if (type === 'checkbox') return icon('check');
  if (type === 'dropdown' || type === 'multiselect') return icon('list');
  if (type === 'textarea') return icon('file');
  return adIcon({ number: 'sliders', decimal: 'sliders', date: 'activity', regex: 'key' }[type] || 'code');
}
