// /forgot — asks for a reset link; the answer never says whether the account exists.
import { h, icon, replace } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { authCard, input, submit, messageBox, clearErrors, validate, rules, showError, busy,
  publicPost } from './components/form.js';

export function render() {
  const box = messageBox();
  const form = h('form.au-form#forgot-form', { novalidate: true, onsubmit: onSubmit },
    box,
    input(t('auth.email'), { id: 'forgot-email', name: 'email', type: 'email', autocomplete: 'email',
      placeholder: t('auth.email_placeholder'), autofocus: true }),
    submit('forgot-submit', t('auth.send_link')));
  const body = h('div.au-body', form);

  async function onSubmit(event) {
    event.preventDefault();
    clearErrors(form, box);
    if (!validate(form, { email: [rules.required(t('auth.email')), rules.email()] })) return;
    const email = form.elements.email.value.trim();
    await busy(form, async () => {
      try {
        await publicPost('auth/password/forgot', { email });
      } catch (error) {
        if (error.status === 422 || error.status === 400 || error.status === 429 || error.status === 0) {
          showError(form, box, error);
          return;
        }
        // Any other answer: say the same thing, so nothing is learned about accounts.
      }
      replace(body, h('div.au-success#forgot-sent', { role: 'status' },
        h('div.au-success-icon', icon('mail')),
        h('p.au-success-title', t('auth.forgot_sent_title')),
        h('p.muted', t('auth.forgot_sent', { email }))));
    });
  }

  return authCard({
    mark: 'mail',
    testid: 'forgot',
    title: t('auth.forgot_title'),
    subtitle: t('auth.forgot_subtitle'),
    body,
    footer: h('p', h('a#forgot-login', { href: '/login' }, t('auth.back_to_login'))),
  });
}
