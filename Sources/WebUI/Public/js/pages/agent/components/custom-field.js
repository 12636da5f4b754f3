// One custom ticket field as a form control, by type:
// text textarea number decimal checkbox date dropdown multiselect regex.
import { h } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';

/**
 * customFieldControl(field, value, {onCommit, idPrefix}) → {el, control, value()}.
 * `el` is a labelled `.field`; `onCommit(value)` fires when the user finishes an edit (change/blur).
 */
export function customFieldControl(field, value, { onCommit, idPrefix = 'cf' } = {}) {
  const id = `${idPrefix}-${field.key}`;
  const name = `custom_fields.${field.key}`;
  const commit = () => onCommit?.(read());
  let control;
  let read;
  const options = field.options || [];

  switch (field.type) {
    case 'textarea':
      control = h('textarea', { id, name, rows: 3, value: value ?? '', onchange: commit });
      read = () => control.value.trim() === '' ? null : control.value;
      break;
    case 'number':
    case 'decimal':
      control = h('input', { id, name, type: 'number', step: field.type === 'number' ? '1' : 'any', inputmode: field.type === 'number' ? 'numeric' : 'decimal',
        value: value ?? '', onchange: commit });
      read = () => {
        if (control.value.trim() === '') return null;
        const n = Number(control.value);
        return Number.isFinite(n) ? (field.type === 'number' ? Math.trunc(n) : n) : control.value;
      };
      break;
    case 'checkbox':
      control = h('input', { id, name, type: 'checkbox', checked: value === true, onchange: commit });
      read = () => control.checked;
      break;
    case 'date':
      control = h('input', { id, name, type: 'date', value: value ?? '', onchange: commit });
      read = () => control.value || null;
      break;
    case 'dropdown':
      control = h('select', { id, name, onchange: commit },
        h('option', { value: '' }, t('agent.field_choose')),
        options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label || o.value)));
      read = () => control.value || null;
      break;
    case 'multiselect': {
      const chosen = new Set(Array.isArray(value) ? value : []);
      control = h('div.tk-multi', { id, role: 'group', 'aria-labelledby': `${id}-label`, dataset: { name } },
        options.map((o) => h('label.check.tk-multi-option',
          h('input', { type: 'checkbox', value: o.value, checked: chosen.has(o.value), onchange: commit }), o.label || o.value)));
      read = () => [...control.querySelectorAll('input:checked')].map((i) => i.value);
      break;
    }
    case 'regex':
      control = h('input', { id, name, type: 'text', value: value ?? '', pattern: field.pattern || null,
        title: field.pattern ? t('agent.field_pattern', { pattern: field.pattern }) : null, onchange: commit });
      read = () => control.value.trim() === '' ? null : control.value;
      break;
    default:
      control = h('input', { id, name, type: 'text', value: value ?? '', onchange: commit });
      read = () => control.value.trim() === '' ? null : control.value;
  }

  const error = h('p.field-error', { id: `${id}-error`, hidden: true });
  if (field.type !== 'multiselect') control.setAttribute('aria-describedby', `${id}-error`);
  const label = field.type === 'checkbox'
    ? null
    : h('label', { for: field.type === 'multiselect' ? null : id, id: `${id}-label` }, field.title,
      field.required_on_solve && h('span.tk-required', { title: t('agent.required_on_solve') }, ' *'));
  const el = field.type === 'checkbox'
    ? h('div.field.tk-field', h('label.check', control, h('span', field.title)), error)
    : h('div.field.tk-field', label, control, field.required_on_solve && h('p.field-hint', t('agent.required_on_solve')), error);
  el.dataset.testid = `custom-field-${field.key}`;
  return { el, control, value: read };
}

/** Shows a field error returned for `custom_fields.<key>` (or `custom_fields`) under the matching control. */
export function showCustomFieldError(container, error) {
  for (const slot of container.querySelectorAll('.tk-field .field-error')) { slot.hidden = true; slot.textContent = ''; }
  let shown = false;
  for (const { field, message } of error?.errors || []) {
    const key = String(field || '').replace(/^(changes\.)?custom_fields\.?/, '');
    if (!String(field || '').includes('custom_fields')) continue;
    const slot = key ? container.querySelector(`[data-testid="custom-field-${CSS.escape(key)}"] .field-error`) : null;
    if (slot) { slot.textContent = message; slot.hidden = false; shown = true; }
  }
  return shown;
}
