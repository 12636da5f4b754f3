// Building blocks shared by the admin pages: page header, responsive tables, form dialogs, switches,
// chips input, row action buttons, "load more" paging and a few extra icons.
import { h, replace } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { dialog, showFieldErrors, errorMessage, loading, empty, failure } from '../../../core/ui.js';

const EXTRA_ICONS = {
  trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
  refresh: 'M20 11a8 8 0 0 0-14.9-3M4 4v4h4M4 13a8 8 0 0 0 14.9 3M20 20v-4h-4',
  download: 'M12 4v11M7 10l5 5 5-5M5 20h14',
  plug: 'M9 3v5M15 3v5M7 8h10v4a5 5 0 0 1-10 0zM12 17v4',
  alert: 'M12 3 2 20h20zM12 10v4M12 17h.01',
  pause: 'M9 5v14M15 5v14',
  play: 'M7 4l13 8-13 8z',
  key: 'M15 8a4 4 0 1 1-3.5 6L5 20H3v-3l6.5-6.5A4 4 0 0 1 15 8zM16 7h.01',
  code: 'M8 8l-4 4 4 4M16 8l4 4-4 4',
  up: 'M6 15l6-6 6 6',
  down: 'M6 9l6 6 6-6',
  grip: 'M9 6h.01M15 6h.01M9 12h.01M15 12h.01M9 18h.01M15 18h.01',
  building: 'M4 21V5l8-2v18M12 9h8v12M8 8h.01M8 12h.01M8 16h.01M16 13h.01M16 17h.01M2 21h20',
  sliders: 'M4 6h10M18 6h2M4 12h4M12 12h8M4 18h12M20 18h0M14 4v4M8 10v4M16 16v4',
  activity: 'M3 12h4l3-8 4 16 3-8h4',
  at: 'M16 12a4 4 0 1 1-8 0 4 4 0 0 1 8 0zM16 12v1.5a2.5 2.5 0 0 0 5 0V12a9 9 0 1 0-3.5 7.1',
  more: 'M5 12h.01M12 12h.01M19 12h.01',
  ban: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM5.6 5.6l12.8 12.8',
  undo: 'M9 14 4 9l5-5M4 9h10a6 6 0 0 1 0 12h-3',
  clock: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 7v5l3 2',
};

/** An icon from dom.js's set, or one of the admin extras. */
export function adIcon(name, label) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon');
  if (label) { svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', label); } else svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', EXTRA_ICONS[name]);
  svg.append(path);
  return svg;
}

/** The header of an admin page: title, one-line description, actions on the right. */
export function pageHeader(title, description, ...actions) {
  return h('header.page-header.ad-header',
    h('div.ad-header-text', h('h1', title), description && h('p.muted.ad-header-desc', description)),
    actions.length ? h('div.ad-header-actions', actions) : null);
}

/** A table that becomes a stack of cards under 640 px: `columns` = [{label, className}]. */
export function table(columns, tbody, { caption } = {}) {
  return h('div.table-wrap.ad-table-wrap',
    h('table.table.ad-table',
      caption && h('caption.visually-hidden', caption),
      h('thead', h('tr', columns.map((c) => h('th', { scope: 'col', class: c.className }, c.label)))),
      tbody));
}

/** A cell carrying its column label (shown in the card layout). */
export function cell(label, ...children) {
  const attrs = typeof label === 'object' && label !== null && !(label instanceof Node) ? label : { label };
  return h('td', { 'data-label': attrs.label || null, class: attrs.className }, children);
}

/** An icon-only button with a tooltip and an accessible name. */
export function iconButton(iconEl, label, onclick, attrs = {}) {
  return h('button.icon-btn.ad-icon-btn', { type: 'button', 'aria-label': label, title: label, onclick, ...attrs }, iconEl);
}

/** A toggle switch bound to a checkbox named `name`. */
export function switchField(name, label, checked, { hint, id, onchange } = {}) {
  const input = h('input.ad-switch-input', { type: 'checkbox', name, id: id || `f-${name.replace(/\W/g, '-')}`, checked, role: 'switch', onchange });
  return h('div.ad-switch-field',
    h('label.ad-switch', { for: input.id }, input, h('span.ad-switch-track', { 'aria-hidden': 'true' }, h('span.ad-switch-thumb')),
      h('span.ad-switch-text', h('span.ad-switch-label', label), hint && h('span.ad-switch-hint', hint))),
    h('p.field-error', { id: `${input.id}-error`, hidden: true }));
}

/** A small status dot + label. kind: 'on' | 'off' | 'warn'. */
export function statusDot(kind, label) {
  return h(`span.ad-dot.ad-dot-${kind}`, h('span.ad-dot-mark', { 'aria-hidden': 'true' }), label);
}

/**
 * A dialog holding a form: `build(form)` returns the fields; `submit(values, form)` saves (throw an
 * ApiError to show its messages); resolves with what submit returned, or undefined when dismissed.
 */
export function formDialog(title, { build, submit, submitLabel, submitId, wide = false, danger = null }) {
  return dialog(title, (close) => {
    const errorBox = h('div.form-error', { role: 'alert', hidden: true });
    const button = h('button.btn.btn-primary', { type: 'submit', id: submitId }, submitLabel || t('common.save'));
    const form = h('form.ad-form', { novalidate: true });
    form.append(errorBox, ...[build(form, close)].flat().filter(Boolean),
      h('div.dialog-actions', danger,
        h('button.btn', { type: 'button', onclick: () => close(undefined) }, t('common.cancel')), button));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      errorBox.hidden = true;
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      try {
        close(await submit(form));
      } catch (error) {
        showErrors(form, errorBox, error);
      } finally {
        button.disabled = false;
        button.removeAttribute('aria-busy');
      }
    });
    if (wide) queueMicrotask(() => form.closest('dialog')?.classList.add('ad-dialog-wide'));
    queueMicrotask(() => form.querySelector('input:not([type=hidden]):not([disabled]):not([readonly]), select, textarea')?.focus());
    return form;
  });
}

/** Server field errors next to their controls; the ones no control owns go to the form's error box. */
export function showErrors(form, errorBox, error) {
  showFieldErrors(form, error);
  const unmatched = (error?.errors || []).filter(({ field }) => {
    const control = form.querySelector(`[name="${CSS.escape(field)}"]`);
    if (control) return false;
    // Grouped controls (options[3].value …) may have a slot for the group.
    const name = field.replace(/[[.].*$/, '');
    const group = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    if (group) {
      const message = error.fieldMessage(field);
      // A list item (domains[2]) names the item itself when a chip shows it.
      const index = /^[^[]+\[(\d+)\]/.exec(field)?.[1];
      const chip = index != null && form.querySelector(`[data-chip-for="${CSS.escape(name)}"][data-index="${index}"]`);
      if (chip) chip.classList.add('ad-chip-invalid');
      const label = chip ? `“${chip.dataset.value}”` : field;
      group.textContent = [group.hidden ? '' : group.textContent, field === name ? message : `${label}: ${message}`].filter(Boolean).join(' · ');
      group.hidden = false;
      return false;
    }
    return true;
  });
  const lines = unmatched.map((e) => `${e.field}: ${e.message}`);
  if (!error?.errors?.length || unmatched.length) {
    replace(errorBox, errorMessage(error), lines.length ? h('ul.ad-error-list', lines.map((l) => h('li', l))) : null);
    errorBox.hidden = false;
  }
  form.querySelector('[aria-invalid="true"]')?.focus();
}

/** A chips input for a list of strings (domains …): Enter, comma or blur adds; Backspace removes. */
export function chipsInput({ name, id, values = [], placeholder, label, normalize = (v) => v.trim().toLowerCase() }) {
  let items = [...values];
  const list = h('span.ad-chips-list');
  // The text box carries the API name so server errors about the list land under it.
  const input = h('input.ad-chips-input', { type: 'text', id, name, placeholder, autocomplete: 'off', 'aria-label': label });
  const wrap = h('div.ad-chips', { onclick: (e) => { if (e.target === wrap || e.target === list) input.focus(); } }, list, input);
  const draw = () => {
    replace(list, items.map((v, i) => h('span.ad-chip', { dataset: { chipFor: name, index: String(i), value: v } }, v,
      h('button.ad-chip-x', { type: 'button', 'aria-label': t('admin.remove_item', { item: v }),
        onclick: () => { items.splice(i, 1); draw(); input.focus(); } }, '×'))));
  };
  const commit = () => {
    for (const raw of input.value.split(/[,\s;]+/)) {
      const v = normalize(raw);
      if (v && !items.includes(v)) items.push(v);
    }
    input.value = '';
    draw();
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ',') { e.preventDefault(); commit(); }
    else if (e.key === 'Backspace' && !input.value && items.length) { items.pop(); draw(); }
  });
  input.addEventListener('blur', commit);
  input.addEventListener('paste', () => setTimeout(commit));
  draw();
  return { el: wrap, input, values: () => { commit(); return [...items]; } };
}

/**
 * A paged list: `fetchPage(cursor)` → {items, next_cursor}; `renderRows(items)` → rows appended to
 * `tbody`; `shell(tbody)` wraps the table. Shows loading, empty and error states and a "Load more" button.
 */
export function pagedList(container, { fetchPage, renderRows, shell, emptyState }) {
  let cursor = null;
  let tbody;
  const more = h('button.btn.ad-load-more', { type: 'button', hidden: true, 'data-testid': 'load-more' }, t('common.load_more'));
  const footer = h('div.ad-list-footer', more);
  async function loadMore() {
    more.disabled = true;
    try {
      const page = await fetchPage(cursor);
      tbody.append(...renderRows(page.items));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      footer.prepend(h('p.field-error', { role: 'alert' }, errorMessage(error)));
    } finally { more.disabled = false; }
  }
  more.addEventListener('click', loadMore);
  async function reload() {
    replace(container, loading());
    try {
      const page = await fetchPage(null);
      cursor = page.next_cursor;
      if (!page.items.length) { replace(container, emptyState()); return; }
      tbody = h('tbody');
      tbody.append(...renderRows(page.items));
      more.hidden = !cursor;
      replace(container, shell(tbody), footer);
    } catch (error) {
      console.error(error);
      replace(container, failure(error, reload));
    }
  }
  reload();
  return reload;
}

/** An empty state with a call to action button. */
export function emptyWith(title, hint, label, onclick, id) {
  return empty(title, hint, label && h('button.btn.btn-primary', { type: 'button', onclick, id }, label));
}

/** "3f2a…9c1e" for a UUID in narrow places (the full value is in the title). */
export function shortId(id) {
  if (!id) return '';
  return h('code.ad-id', { title: id }, id.length > 12 ? `${id.slice(0, 8)}…` : id);
}
