// The "Columns" button of the ticket list: a popup of checkboxes, one per column (the subject always shown).
import { h, icon } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { ALL_COLUMNS, DEFAULT_COLUMNS } from './views.js';
import { columnLabel } from './ticket-row.js';

/** columnChooser({onChange(columns)}) → {el, set(columns), dispose()}. */
export function columnChooser({ onChange }) {
  const abort = new AbortController();
  let current = [...DEFAULT_COLUMNS];
  const boxes = new Map();
  const panel = h('div.tk-colmenu#tk-colmenu', { role: 'group', 'aria-label': t('agent.columns_choose'), hidden: true, dataset: { testid: 'columns-menu' } },
    h('p.tk-prop-label', t('agent.columns_choose')),
    ALL_COLUMNS.map((key) => {
      const box = h('input', { type: 'checkbox', value: key, disabled: key === 'subject', dataset: { testid: `column-${key}` },
        onchange: () => {
          const chosen = ALL_COLUMNS.filter((c) => c === 'subject' || boxes.get(c).checked);
          current = chosen;
          onChange(chosen);
        } });
      boxes.set(key, box);
      return h('label.check.tk-colmenu-item', box, h('span', columnLabel(key)));
    }),
    h('button.link-btn.tk-colmenu-reset', { type: 'button', dataset: { testid: 'columns-reset' }, onclick: () => {
      current = [...DEFAULT_COLUMNS];
      sync();
      onChange(current);
    } }, t('agent.columns_reset')));
  const button = h('button.btn.btn-sm', { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'tk-colmenu',
    dataset: { testid: 'columns-button' }, onclick: (e) => { e.stopPropagation(); toggle(panel.hidden); } }, icon('columns'), h('span.tk-btn-label', t('agent.columns')));
  const el = h('div.tk-colchooser', button, panel);

  function toggle(open) {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) panel.querySelector('input:not([disabled])')?.focus();
  }
  function sync() { for (const [key, box] of boxes) box.checked = current.includes(key); }
  document.addEventListener('click', (e) => { if (!el.contains(e.target)) toggle(false); }, { signal: abort.signal });
  panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); toggle(false); button.focus(); } });

  sync();
  return {
    el,
    set(columns) { current = [...columns]; sync(); },
    dispose() { abort.abort(); },
  };
}
