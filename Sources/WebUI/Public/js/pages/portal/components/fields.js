// The custom ticket fields a customer may fill in (the API sends customers only active, customer-editable ones).
import { h } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { field } from '../../../core/ui.js';

/** Controls for `fields`; `values()` gives custom_fields {key: value} with empty ones left out. */
export function customFields(fields) {
  const usable = fields.filter((f) => f.active !== false && f.customer_editable !== false);
  const readers = [];
  const els = usable.map((f) => {
    const name = `custom_fields.${f.key}`;
    const id = `request-field-${f.key}`;
    const required = Boolean(f.required || f.required_on_solve);
    const label = [f.title, required ? h('span.pt-required', { 'aria-hidden': 'true' }, ' *') : null];
    let control;
    switch (f.type) {
      case 'textarea':
        control = h('textarea', { id, name, rows: 3 });
        readers.push([f.key, () => control.value.trim() || null]);
        break;
      case 'number': case 'decimal':
        control = h('input', { id, name, type: 'number', step: f.type === 'number' ? '1' : 'any', inputmode: f.type === 'number' ? 'numeric' : 'decimal' });
        readers.push([f.key, () => (control.value === '' ? null : Number(control.value))]);
        break;
      case 'date':
        control = h('input', { id, name, type: 'date' });
        readers.push([f.key, () => control.value || null]);
        break;
      case 'checkbox': {
        control = h('input', { id, name, type: 'checkbox' });
        readers.push([f.key, () => (control.checked ? true : null)]);
        const error = h('p.field-error', { id: `${id}-error`, hidden: true });
        control.setAttribute('aria-describedby', `${id}-error`);
        return h('div.field.pt-check-field', h('label.check', { for: id }, control, h('span', label)), error);
      }
      case 'dropdown':
        control = h('select', { id, name },
          h('option', { value: '' }, t('portal.choose')),
          (f.options || []).map((o) => h('option', { value: o.value }, o.label || o.value)));
        readers.push([f.key, () => control.value || null]);
        break;
      case 'multiselect': {
        const boxes = (f.options || []).map((o, i) => h('label.check.pt-option', h('input', { type: 'checkbox', value: o.value,
          name: i === 0 ? name : null, id: i === 0 ? id : `${id}-${i}` }), h('span', o.label || o.value)));
        readers.push([f.key, () => {
          const chosen = boxes.map((b) => b.querySelector('input')).filter((c) => c.checked).map((c) => c.value);
          return chosen.length ? chosen : null;
        }]);
        return h('fieldset.field.pt-fieldset', { 'aria-describedby': `${id}-error` }, h('legend', label),
          h('div.pt-options', boxes), h('p.field-error', { id: `${id}-error`, hidden: true }));
      }
      default: // text, regex
        control = h('input', { id, name, type: 'text', pattern: f.type === 'regex' && f.pattern ? f.pattern : null });
        readers.push([f.key, () => control.value.trim() || null]);
    }
    if (required) control.setAttribute('aria-required', 'true');
    const el = field('', control, f.type === 'regex' && f.pattern ? t('portal.pattern_hint', { pattern: f.pattern }) : null);
    el.querySelector('label').replaceChildren(...label.filter(Boolean));
    return el;
  });
  return {
    el: els.length ? h('div.pt-custom-fields', els) : null,
    values() {
      const out = {};
      for (const [key, read] of readers) { const v = read(); if (v != null) out[key] = v; }
      return out;
    },
  };
}

/** Server messages about custom fields, in the user's language (others pass through). */
export function translateFieldErrors(error) {
  if (!error?.errors?.length) return error;
  const rules = [
    [/does not match the pattern/, 'portal.error_pattern'],
    [/must (be one of|contain only)/, 'portal.error_option'],
    [/must be an integer|must be a number/, 'portal.error_number'],
    [/must be a date/, 'portal.error_date'],
    [/at most \d+ characters/, 'portal.error_too_long'],
  ];
  return { ...error, status: error.status, code: error.code, errors: error.errors.map((e) => {
    const rule = rules.find(([re]) => re.test(e.message || ''));
    return rule ? { ...e, message: t(rule[1]) } : e;
  }) };
}
