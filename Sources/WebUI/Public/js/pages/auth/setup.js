// /setup — first run: the workspace has no administrator yet.
import { h, icon } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { session } from '../../core/session.js';
import { authCard, input, password, submit, messageBox, showMessage, clearErrors, validate, rules, showError, busy,
  publicPost } from './components/form.js';

export function render() {
  const box = messageBox();
  const form = h('form.au-form#setup-form', { novalidate: true, onsubmit: onSubmit },
    box,
    input(t('auth.name'), { id: 'setup-name', name: 'name', autocomplete: 'name', placeholder: t('auth.name_placeholder'),
      autofocus: true }),
    input(t('auth.work_email'), { id: 'setup-email', name: 'email', type: 'email', autocomplete: 'email',
      placeholder: t('auth.email_placeholder') }),
    password(t('auth.password'), { id: 'setup-password', name: 'password', autocomplete: 'new-password',
      hint: t('auth.password_hint') }),
    password(t('auth.confirm_password'), { id: 'setup-password-confirm', name: 'confirm', autocomplete: 'new-password' }),
    submit('setup-submit', t('auth.setup_submit')));

  async function onSubmit(event) {
    event.preventDefault();
    clearErrors(form, box);
    const ok = validate(form, {
      name: [rules.required(t('auth.name'))],
      email: [rules.required(t('auth.email')), rules.email()],
      password: [rules.password()],
      confirm: [rules.same(form, 'password')],
    });
    if (!ok) return;
    await busy(form, async () => {
      try {
        const pair = await publicPost('setup', { name: form.elements.name.value.trim(),
          email: form.elements.email.value.trim(), password: form.elements.password.value });
        session.signIn(pair);
        // app.js caches "needs setup": a full load starts afresh.
        location.assign('/tickets');
      } catch (error) {
        if (error.code === 'setup_complete') {
          showMessage(box, t('auth.setup_complete'));
          box.append(' ', h('a', { href: '/login' }, t('auth.sign_in')));
          return;
        }
        showError(form, box, error);
      }
    });
  }

  return authCard({
    mark: 'shield',
    testid: 'setup',
    title: t('auth.setup_title'),
    subtitle: t('auth.setup_subtitle'),
    body: form,
    footer: h('p.au-fineprint', icon('shield'), h('span', t('auth.setup_note'))),
  });
}
