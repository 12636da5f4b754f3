// Change password: the current one, a new one typed twice (checked here before the server sees it).
import { h } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { api } from '../../../core/api.js';
import { session } from '../../../core/session.js';
import { publicPost } from '../../auth/components/form.js';
import { field, showFieldErrors, toast, errorMessage } from '../../../core/ui.js';

/** `onChanged()` runs after a change (every session was revoked; this device signs in again). */
export function passwordForm({ onChanged } = {}) {
  const current = h('input#password-current', { name: 'current_password', type: 'password', autocomplete: 'current-password' });
  const next = h('input#password-new', { name: 'new_password', type: 'password', autocomplete: 'new-password' });
  const again = h('input#password-confirm', { name: 'confirm', type: 'password', autocomplete: 'new-password' });
  const submit = h('button.btn.btn-primary#password-submit', { type: 'submit' }, t('profile.password_submit'));
  const form = h('form.pf-form#password-form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    const errors = [];
    if (!current.value) errors.push({ field: 'current_password', message: t('profile.error_current_required') });
    if (next.value.length < 8) errors.push({ field: 'new_password', message: t('profile.error_password_short') });
    else if (next.value === current.value) errors.push({ field: 'new_password', message: t('profile.error_password_same') });
    if (again.value !== next.value) errors.push({ field: 'confirm', message: t('profile.error_password_mismatch') });
    showFieldErrors(form, { errors });
    if (errors.length) { form.querySelector(`[name="${errors[0].field}"]`).focus(); return; }
    submit.disabled = true;
    try {
      await api.post('auth/password/change', { current_password: current.value, new_password: next.value });
      // The server ends every session on a password change: keep this device signed in with the new password.
      try {
        session.signIn(await publicPost('auth/login', { email: session.user.email, password: next.value }));
      } catch { /* the next request will send the user to the login page */ }
      form.reset();
      toast(t('profile.password_changed'), 'success');
      onChanged?.();
    } catch (error) {
      if (error.code === 'invalid_credentials') {
        showFieldErrors(form, { errors: [{ field: 'current_password', message: t('profile.error_current_wrong') }] });
        current.focus();
      } else if (!showFieldErrors(form, translate(error))) toast(errorMessage(error), 'error');
    } finally { submit.disabled = false; }
  } },
  field(t('profile.current_password'), current),
  h('div.pf-grid',
    field(t('profile.new_password'), next, t('profile.password_rule')),
    field(t('profile.confirm_password'), again)),
  h('div.pf-actions', submit));
  return form;
}

function translate(error) {
  if (!error?.errors?.length) return error;
  return { errors: error.errors.map((e) => ({ ...e,
    message: /at least \d+ characters/.test(e.message) ? t('profile.error_password_short')
      : /email/.test(e.message) ? t('profile.error_password_email')
        : /incorrect|wrong|match/.test(e.message) && e.field === 'current_password' ? t('profile.error_current_wrong') : e.message })) };
}
