// Building blocks shared by the sign-in pages: the card, fields with client-side checks, the password
// input with a show/hide toggle, the busy submit button, and error handling (field errors, rate limits).
import { h, icon } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { ApiError, request } from '../../../core/api.js';
import { field, showFieldErrors, errorMessage } from '../../../core/ui.js';

/** The centered card every auth page renders. */
export function authCard({ mark = 'lock', title, subtitle, testid, body, footer }) {
  return h('section.au-card', { 'aria-labelledby': 'au-title', dataset: testid ? { testid } : undefined },
    h('header.au-head',
      h('div.au-mark', icon(mark)),
      h('h1.au-title#au-title', title),
      subtitle && h('p.au-subtitle', subtitle)),
    body,
    footer && h('footer.au-foot', footer));
}

/** A labelled text/email input. */
export function input(label, { id, name, type = 'text', autocomplete, placeholder, value, hint, autofocus }) {
  const control = h('input', { id, name, type, autocomplete, placeholder, value, autofocus: autofocus || null,
    spellcheck: type === 'email' ? 'false' : null, autocapitalize: type === 'email' ? 'off' : null });
  return field(label, control, hint);
}

/** A password field whose text can be revealed; the <input> keeps `id` and `name`. */
export function password(label, { id, name, autocomplete = 'current-password', hint, extra }) {
  const control = h('input', { id, name, type: 'password', autocomplete });
  const wrapper = field(label, control, hint);
  const toggle = h('button.au-reveal', { type: 'button', 'aria-label': t('auth.show_password'), 'aria-pressed': 'false',
    'aria-controls': id, onclick: () => {
      const shown = control.type === 'password';
      control.type = shown ? 'text' : 'password';
      toggle.setAttribute('aria-pressed', String(shown));
      toggle.setAttribute('aria-label', shown ? t('auth.hide_password') : t('auth.show_password'));
      toggle.classList.toggle('on', shown);
    } }, icon('eye'));
  const box = h('div.au-password');
  control.replaceWith(box);
  box.append(control, toggle);
  if (extra) {
    const label = wrapper.querySelector('label');
    const row = h('div.au-label-row');
    label.replaceWith(row);
    row.append(label, extra);
  }
  return wrapper;
}

/** A full-width primary submit button. */
export function submit(id, label) {
  return h('button.btn.btn-primary.btn-block.au-submit', { id, type: 'submit' }, h('span.au-submit-label', label));
}

/** The form-level message box (errors, or notices when kind = 'info'). */
export function messageBox() {
  return h('div.form-error.au-message', { role: 'alert', hidden: true });
}

export function showMessage(box, text, kind = 'error') {
  box.textContent = text;
  box.classList.toggle('au-info', kind === 'info');
  box.hidden = !text;
}

/** Sets (or clears, with an empty message) the error shown under one field. */
export function setFieldError(form, name, message) {
  const control = form.elements[name];
  if (!control) return;
  const slot = form.querySelector(`#${CSS.escape(control.id)}-error`);
  if (message) control.setAttribute('aria-invalid', 'true'); else control.removeAttribute('aria-invalid');
  if (slot) { slot.textContent = message || ''; slot.hidden = !message; }
}

/** Clears every field error of `form`. */
export function clearErrors(form, box) {
  showFieldErrors(form, null);
  if (box) showMessage(box, '');
}

/**
 * Client-side checks with translated messages: rules is {name: [check, …]} where a check returns a message or
 * nothing. Focuses the first invalid field; returns true when everything passes.
 */
export function validate(form, rules) {
  let first = null;
  for (const [name, checks] of Object.entries(rules)) {
    const value = form.elements[name]?.value ?? '';
    const message = checks.map((check) => check(value)).find(Boolean);
    setFieldError(form, name, message);
    if (message && !first) first = form.elements[name];
  }
  first?.focus();
  return !first;
}

export const rules = {
  required: (label) => (v) => (v.trim() ? null : t('auth.error_required', { field: label })),
  email: () => (v) => (!v.trim() || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim()) ? null : t('auth.error_email')),
  password: () => (v) => (v.length >= 8 ? null : t('auth.error_password_short')),
  same: (form, other) => (v) => (v === form.elements[other].value ? null : t('auth.error_password_mismatch')),
};

/** Server field messages we know, in the user's language. */
function translateField(message) {
  if (/at least \d+ characters/.test(message)) return t('auth.error_password_short');
  if (/not be your email/.test(message)) return t('auth.error_password_email');
  if (/already/.test(message)) return t('auth.error_email_taken');
  if (/valid email|email address/.test(message)) return t('auth.error_email');
  return message;
}

/** Shows any error where it belongs: field messages next to fields, the rest in the box. */
export function showError(form, box, error) {
  if (error instanceof ApiError && error.errors.length) {
    const translated = new ApiError(error.status, {
      code: error.code, detail: error.detail, errors: error.errors.map((e) => ({ ...e, message: translateField(e.message) })) });
    if (showFieldErrors(form, translated)) { form.querySelector('[aria-invalid="true"]')?.focus(); return; }
  }
  if (error instanceof ApiError && error.status === 429) {
    showMessage(box, error.retryAfter ? t('auth.error_rate_limited_wait', { time: waitText(error.retryAfter) })
      : t('common.error_rate_limited'));
    return;
  }
  showMessage(box, errorMessage(error));
}

/** "30 seconds" / "5 minutes". */
export function waitText(seconds) {
  if (seconds < 90) return t('auth.seconds', { count: seconds });
  return t('auth.minutes', { count: Math.ceil(seconds / 60) });
}

/** Disables the form while `work()` runs and shows a spinner in the submit button. */
export async function busy(form, work) {
  const button = form.querySelector('[type=submit]');
  if (button?.disabled) return undefined;
  const spinner = h('span.spinner.au-spinner', { 'aria-hidden': 'true' });
  if (button) { button.disabled = true; button.setAttribute('aria-busy', 'true'); button.prepend(spinner); }
  try { return await work(); } finally {
    if (button) { button.disabled = false; button.removeAttribute('aria-busy'); spinner.remove(); }
  }
}

/** POST to a public auth route: no bearer token, no refresh; a 429's `retryAfter` (seconds) says how long to wait. */
export function publicPost(path, body) {
  return request('POST', path, { body, anonymous: true });
}

/** A same-origin path from `?next=`, or null (no open redirects). */
export function safeNext(value) {
  if (!value || !value.startsWith('/')) return null;
  // Parse as the browser will (it drops tabs and newlines, turns \\ into /): only this origin's paths pass.
  let url;
  try { url = new URL(value, location.origin); } catch { return null; }
  if (url.origin !== location.origin) return null;
  if (/^\/(login|register|setup|forgot|reset)(\/|$)/.test(url.pathname)) return null;
  return url.pathname + url.search + url.hash;
}
