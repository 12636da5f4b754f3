// /login?next=&expired=1 — email and password (and a one-time code when the account asks for one).
import { h, icon } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { session } from '../../core/session.js';
import { authCard, input, password, submit, messageBox, showMessage, clearErrors, validate, rules, showError, busy,
  publicPost, safeNext } from './components/form.js';

const TOTP_CODES = ['totp_required', 'mfa_required', 'two_factor_required', 'totp_code_required', 'invalid_totp_code'];

export function render(ctx) {
  const box = messageBox();
  const totpSlot = h('div.au-totp', { hidden: true });
  const form = h('form.au-form#login-form', { novalidate: true, onsubmit: onSubmit },
    box,
    input(t('auth.email'), { id: 'login-email', name: 'email', type: 'email', autocomplete: 'username email',
      placeholder: t('auth.email_placeholder'), autofocus: true }),
    password(t('auth.password'), { id: 'login-password', name: 'password', autocomplete: 'current-password',
      extra: h('a.au-aside-link#login-forgot', { href: '/forgot' }, t('auth.forgot_link')) }),
    totpSlot,
    submit('login-submit', t('auth.sign_in')));

  const notice = ctx.query.get('expired') === '1'
    ? h('div.au-notice#login-expired', { role: 'status' }, icon('lock'), h('span', t('auth.session_expired'))) : null;

  async function onSubmit(event) {
    event.preventDefault();
    clearErrors(form, box);
    const ok = validate(form, {
      email: [rules.required(t('auth.email')), rules.email()],
      password: [rules.required(t('auth.password'))],
    });
    if (!ok) return;
    const body = { email: form.elements.email.value.trim(), password: form.elements.password.value };
    const code = form.elements.totp_code?.value.trim();
    if (code) body.totp_code = code;
    await busy(form, async () => {
      try {
        const pair = await publicPost('auth/login', body);
        session.signIn(pair);
        const staff = ['agent', 'admin'].includes(pair.user?.role);
        location.assign(safeNext(ctx.query.get('next')) || (staff ? '/tickets' : '/requests'));
      } catch (error) {
        if (error.status === 401 && (TOTP_CODES.includes(error.code) || /totp/i.test(error.code || ''))) {
          showTotp(error.code === 'invalid_totp_code');
          return;
        }
        if (error.status === 401 && error.code === 'invalid_credentials') {
          showMessage(box, t('auth.error_invalid_credentials'));
          form.elements.password.select();
          return;
        }
        showError(form, box, error);
      }
    });
  }

  function showTotp(invalid) {
    if (totpSlot.hidden) {
      totpSlot.hidden = false;
      totpSlot.append(input(t('auth.totp_code'), { id: 'login-totp', name: 'totp_code', autocomplete: 'one-time-code',
        hint: t('auth.totp_hint') }));
      const control = totpSlot.querySelector('input');
      control.inputMode = 'numeric';
    }
    showMessage(box, invalid ? t('auth.error_totp_invalid') : t('auth.totp_needed'), invalid ? 'error' : 'info');
    totpSlot.querySelector('input').focus();
  }

  return authCard({
    mark: 'lock',
    testid: 'login',
    title: t('auth.login_title'),
    subtitle: t('auth.login_subtitle'),
    body: [notice, form],
    footer: h('p', t('auth.no_account'), ' ', h('a#login-register', { href: '/register' }, t('auth.create_account'))),
  });
}
