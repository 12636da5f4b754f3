// A segmented control that is an ARIA radio group: arrow keys move the choice, each option has its own id.
import { h, icon } from '../../../core/dom.js';

/** options: [{value, label, id, icon?}]; onChange(value) runs when the choice changes. */
export function choice({ label, labelledBy, options, value, onChange }) {
  const group = h('div.pf-seg', { role: 'radiogroup', 'aria-label': label || null, 'aria-labelledby': labelledBy || null });
  const buttons = options.map((o) => h('button.pf-seg-btn', {
    type: 'button', role: 'radio', id: o.id, dataset: { value: o.value }, lang: o.lang || null,
    'aria-checked': String(o.value === value), tabindex: o.value === value ? '0' : '-1',
    onclick: () => select(o.value, true),
  }, o.icon && icon(o.icon), h('span', o.label)));
  group.append(...buttons);

  function select(next, notify) {
    for (const b of buttons) {
      const on = b.dataset.value === next;
      b.setAttribute('aria-checked', String(on));
      b.tabIndex = on ? 0 : -1;
    }
    if (notify && next !== value) { value = next; onChange(next); }
  }
  group.addEventListener('keydown', (e) => {
    const keys = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    if (!(e.key in keys)) return;
    e.preventDefault();
    const i = buttons.findIndex((b) => b.dataset.value === value);
    const next = buttons[(i + keys[e.key] + buttons.length) % buttons.length];
    next.focus();
    select(next.dataset.value, true);
  });
  return group;
}

/** An on/off switch (a checkbox with role=switch, so forms and tests see a plain checkbox). */
export function toggle({ id, label, checked, onChange }) {
  const input = h('input.pf-switch-input', { type: 'checkbox', role: 'switch', id, checked, 'aria-label': label,
    onchange: () => onChange(input.checked, input) });
  return h('span.pf-switch', input, h('span.pf-switch-track', { 'aria-hidden': 'true' }, h('span.pf-switch-thumb')));
}
