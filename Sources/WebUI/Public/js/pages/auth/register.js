// /register — a customer account, then straight into the portal.
import { h } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { session } from '../../core/session.js';
import { authCard, input, password, submit, messageBox, showMessage, clearErrors, validate, rules, showError, busy,
  publicPost } from './components/form.js';

export function render() {
  const box = messageBox();
  const form = h('form.au-form#register-form', { novalidate: true, onsubmit: onSubmit },
    box,
    input(t('auth.name'), { id: 'register-name', name: 'name', autocomplete: 'name', placeholder: t('auth.name_placeholder'),
      autofocus: true }),
    input(t('auth.email'), { id: 'register-email', name: 'email', type: 'email', autocomplete: 'email',
      placeholder: t('auth.email_placeholder') }),
    password(t('auth.password'), { id: 'register-password', name: 'password', autocomplete: 'new-password',
      hint: t('auth.password_hint') }),
    submit('register-submit', t('auth.create_account')));

  async function onSubmit(event) {
    event.preventDefault();
    clearErrors(form, box);
    const ok = validate(form, {
      name: [rules.required(t('auth.name'))],
      email: [rules.required(t('auth.email')), rules.email()],
      password: [rules.password()],
    });
    if (!ok) return;
    const body = { name: form.elements.name.value.trim(), email: form.elements.email.value.trim(),
      password: form.elements.password.value };
    await busy(form, async () => {
      try {
        await publicPost('auth/register', body);
      } catch (error) {
        if (error.code === 'registration_disabled') {
          showMessage(box, t('auth.registration_disabled'));
          return;
        }
        showError(form, box, error);
        return;
      }
      try {
        const pair = await publicPost('auth/login', { email: body.email, password: body.password });
        session.signIn(pair);
        location.assign('/requests');
      } catch {
        // The account exists; let the person sign in by hand.
        location.assign(`/login?next=${encodeURIComponent('/requests')}`);
      }
    });
  }

  return authCard({
    mark: 'user',
    testid: 'register',
    title: t('auth.register_title'),
    subtitle: t('auth.register_subtitle'),
    body: form,
    footer: h('p', t('auth.have_account'), ' ', h('a#register-login', { href: '/login' }, t('auth.sign_in'))),
  });
}
