// Shared UI pieces: toasts, dialogs, loading/empty/error states, form fields that show server errors.
import { h, icon, replace } from './dom.js';
import { t, has } from './i18n.js';
import { ApiError } from './api.js';

/** A short message at the bottom of the screen. kind: 'info' | 'success' | 'error'. */
export function toast(message, kind = 'info') {
  const el = h(`div.toast.toast-${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, message);
  document.getElementById('toasts').append(el);
  setTimeout(() => el.classList.add('leaving'), 3500);
  setTimeout(() => el.remove(), 4000);
}

/** The human message for any error (an ApiError's code is translated when we know it). */
export function errorMessage(error) {
  if (error instanceof ApiError) {
    if (has(`common.error_${error.code}`)) return t(`common.error_${error.code}`);
    return error.detail || error.title || t('common.error_generic');
  }
  return t('common.error_generic');
}

export function loading(label) {
  return h('div.state.state-loading', { role: 'status', 'aria-live': 'polite' },
    h('span.spinner', { 'aria-hidden': 'true' }), h('span', label || t('common.loading')));
}

export function empty(title, hint, action) {
  return h('div.state.state-empty', h('div.state-icon', icon('inbox')), h('p.state-title', title), hint && h('p.muted', hint), action);
}

export function failure(error, retry) {
  return h('div.state.state-error', { role: 'alert' },
    h('p.state-title', t('common.error_title')), h('p.muted', errorMessage(error)),
    retry && h('button.btn', { type: 'button', onclick: retry }, t('common.retry')));
}

/**
 * Runs `load()` into `container` with loading and error states; `render(data)` draws the result.
 * Returns a function that reloads.
 */
export function loadInto(container, load, render) {
  const run = async () => {
    replace(container, loading());
    try { replace(container, await render(await load())); } catch (error) {
      console.error(error);
      replace(container, failure(error, run));
    }
  };
  run();
  return run;
}

/**
 * A labelled form field. `control` is an input/select/textarea element whose `name` is the API field;
 * showFieldErrors(form, apiError) fills the message slot under it.
 */
export function field(label, control, hint) {
  const id = control.id || `f-${control.name || Math.random().toString(36).slice(2)}`;
  control.id = id;
  const error = h('p.field-error', { id: `${id}-error`, hidden: true });
  control.setAttribute('aria-describedby', `${id}-error`);
  return h('div.field', h('label', { for: id }, label), control, hint && h('p.field-hint', hint), error);
}

/** Shows an ApiError's field messages next to the matching controls; returns true if any matched. */
export function showFieldErrors(form, error) {
  let matched = false;
  for (const el of form.querySelectorAll('.field-error')) { el.hidden = true; el.textContent = ''; }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const { field: name, message } of error?.errors || []) {
    const control = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!control) continue;
    control.setAttribute('aria-invalid', 'true');
    const slot = form.querySelector(`#${CSS.escape(control.id)}-error`);
    if (slot) { slot.textContent = message; slot.hidden = false; matched = true; }
  }
  return matched;
}

/** Form values by name (checkboxes as booleans, empty strings dropped unless keepEmpty). */
export function formValues(form, { keepEmpty = false } = {}) {
  const values = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === 'checkbox') values[el.name] = el.checked;
    else if (el.value !== '' || keepEmpty) values[el.name] = el.value;
  }
  return values;
}

/**
 * A modal dialog (native <dialog>: focus trap, Escape closes). `content` is an element; resolves
 * with the value passed to `close(value)` or undefined when dismissed.
 */
export function dialog(title, build) {
  return new Promise((resolve) => {
    const dlg = h('dialog.dialog', { 'aria-labelledby': 'dialog-title' });
    const close = (value) => { dlg.close(); dlg.remove(); resolve(value); };
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); close(undefined); });
    dlg.append(
      h('header.dialog-header', h('h2#dialog-title', title),
        h('button.icon-btn', { type: 'button', 'aria-label': t('common.close'), onclick: () => close(undefined) }, icon('x'))),
      h('div.dialog-body', build(close)));
    document.body.append(dlg);
    dlg.showModal();
  });
}

/** Asks for confirmation; resolves true or false. */
export function confirm(message, { confirmLabel, danger = false } = {}) {
  return dialog(t('common.confirm_title'), (close) => h('div',
    h('p', message),
    h('div.dialog-actions',
      h('button.btn', { type: 'button', onclick: () => close(false) }, t('common.cancel')),
      h(`button.btn.${danger ? 'btn-danger' : 'btn-primary'}`, { type: 'button', onclick: () => close(true) },
        confirmLabel || t('common.confirm'))))).then(Boolean);
}

/** An avatar circle with initials. */
export function avatar(name, size = 'md') {
  const letters = String(name || '?').split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join('');
  let hash = 0;
  for (const c of String(name)) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return h(`span.avatar.avatar-${size}`, { 'aria-hidden': 'true', style: { '--avatar-hue': String(hash % 360) } }, letters || '?');
}

/** A status pill. */
export function statusBadge(status) {
  return h(`span.badge.status-${status}`, t(`common.status_${status}`));
}

export function priorityBadge(priority) {
  return h(`span.badge.priority-${priority}`, t(`common.priority_${priority}`));
}

/** A menu button with a popup of items [{label, onSelect, danger}], keyboard navigable. */
export function menu(button, items, { signal } = {}) {
  const list = h('ul.menu', { role: 'menu', hidden: true });
  const close = () => { list.hidden = true; button.setAttribute('aria-expanded', 'false'); };
  for (const item of items) {
    if (item === '-') { list.append(h('li.menu-sep', { role: 'separator' })); continue; }
    const entry = h(`li.menu-item${item.danger ? '.danger' : ''}`, { role: 'menuitem', tabindex: '-1',
      onclick: () => { close(); item.onSelect(); },
      onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); close(); item.onSelect(); } } },
    item.icon && icon(item.icon), item.label);
    list.append(entry);
  }
  button.setAttribute('aria-haspopup', 'menu');
  button.setAttribute('aria-expanded', 'false');
  button.addEventListener('click', (e) => {
    e.stopPropagation();
    const open = list.hidden;
    list.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) list.querySelector('[role=menuitem]')?.focus();
  });
  list.addEventListener('keydown', (e) => {
    const entries = [...list.querySelectorAll('[role=menuitem]')];
    const i = entries.indexOf(document.activeElement);
    if (e.key === 'ArrowDown') { e.preventDefault(); entries[(i + 1) % entries.length]?.focus(); }
    if (e.key === 'ArrowUp') { e.preventDefault(); entries[(i - 1 + entries.length) % entries.length]?.focus(); }
    if (e.key === 'Escape') { close(); button.focus(); }
  });
  document.addEventListener('click', (e) => { if (!list.contains(e.target)) close(); }, { signal });
  return h('div.menu-wrap', button, list);
}
