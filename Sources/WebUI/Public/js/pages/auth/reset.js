// /reset?token=… — chooses a new password from the emailed link.
import { h, icon, replace } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { authCard, password, submit, messageBox, clearErrors, validate, rules, showError, busy,
  publicPost } from './components/form.js';

export function render(ctx) {
  const token = ctx.query.get('token') || '';
  const box = messageBox();
  const form = h('form.au-form#reset-form', { novalidate: true, onsubmit: onSubmit },
    box,
    password(t('auth.new_password'), { id: 'reset-password', name: 'new_password', autocomplete: 'new-password',
      hint: t('auth.password_hint') }),
    password(t('auth.confirm_password'), { id: 'reset-password-confirm', name: 'confirm', autocomplete: 'new-password' }),
    submit('reset-submit', t('auth.reset_submit')));
  const body = h('div.au-body', token ? form : invalid());

  function invalid() {
    return h('div.au-success.au-failed#reset-invalid', { role: 'alert' },
      h('div.au-success-icon', icon('x')),
      h('p.au-success-title', t('auth.reset_invalid_title')),
      h('p.muted', t('auth.reset_invalid')),
      h('a.btn.btn-primary.btn-block.au-submit', { href: '/forgot' }, t('auth.request_new_link')));
  }

  async function onSubmit(event) {
    event.preventDefault();
    clearErrors(form, box);
    const ok = validate(form, {
      new_password: [rules.password()],
      confirm: [rules.same(form, 'new_password')],
    });
    if (!ok) return;
    await busy(form, async () => {
      try {
        await publicPost('auth/password/reset', { token, new_password: form.elements.new_password.value });
      } catch (error) {
        if (error.code === 'invalid_reset_token') { replace(body, invalid()); return; }
        if (error.errors?.some((e) => e.field === 'token')) { replace(body, invalid()); return; }
        showError(form, box, error);
        return;
      }
      replace(body, h('div.au-success#reset-done', { role: 'status' },
        h('div.au-success-icon', icon('check')),
        h('p.au-success-title', t('auth.reset_done_title')),
        h('p.muted', t('auth.reset_done')),
        h('a.btn.btn-primary.btn-block.au-submit#reset-login', { href: '/login' }, t('auth.sign_in'))));
    });
  }
  return authCard({
    mark: 'shield',
    testid: 'reset',
    title: t('auth.reset_title'),
    subtitle: t('auth.reset_subtitle'),
    body,
    footer: h('p', h('a', { href: '/login' }, t('auth.back_to_login'))),
  });
}
