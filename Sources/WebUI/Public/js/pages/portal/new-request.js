// /requests/new — subject, description, the custom fields customers may fill, attachments; then the new request.
import { h, icon } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { field, showFieldErrors, errorMessage, toast } from '../../core/ui.js';
import { attachmentPicker } from './components/attachments.js';
import { customFields, translateFieldErrors } from './components/fields.js';

export async function render(ctx) {
  // Customers receive only the active fields they may fill; a failure leaves just the basic form.
  let fieldDefs = [];
  try { fieldDefs = (await api.get('ticket-fields')).items || []; } catch { fieldDefs = []; }
  const extra = customFields(fieldDefs);
  const files = attachmentPicker({ inputId: 'request-files' });
  const box = h('div.form-error#request-error', { role: 'alert', hidden: true });
  const idempotencyKey = crypto.randomUUID();

  const subject = h('input#request-subject', { name: 'subject', type: 'text', maxlength: 250, autocomplete: 'off',
    placeholder: t('portal.subject_placeholder'), 'aria-required': 'true' });
  const description = h('textarea#request-description', { name: 'description', rows: 8,
    placeholder: t('portal.description_placeholder'), 'aria-required': 'true' });
  files.bindPaste(description);
  const submit = h('button.btn.btn-primary.pt-submit#request-submit', { type: 'submit' }, t('portal.submit_request'));

  const form = h('form.pt-form.card#request-form', { novalidate: true, onsubmit: onSubmit },
    box,
    field([t('portal.subject'), h('span.pt-required', { 'aria-hidden': 'true' }, ' *')], subject),
    field([t('portal.description'), h('span.pt-required', { 'aria-hidden': 'true' }, ' *')], description, t('portal.description_hint')),
    extra.el,
    h('div.field', h('span.pt-label', t('portal.attachments')), files.el),
    h('div.pt-form-actions',
      h('a.btn.btn-ghost#request-cancel', { href: '/requests' }, t('common.cancel')),
      submit));
  files.bindDrop(form);

  function localCheck() {
    const problems = [];
    if (!subject.value.trim()) problems.push({ field: 'subject', message: t('portal.error_subject') });
    if (!description.value.trim()) problems.push({ field: 'description', message: t('portal.error_description') });
    showFieldErrors(form, { errors: problems });
    if (problems.length) form.querySelector(`[name="${problems[0].field}"]`).focus();
    return !problems.length;
  }

  async function onSubmit(event) {
    event.preventDefault();
    box.hidden = true;
    if (submit.disabled || !localCheck()) return;
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    const label = submit.textContent;
    try {
      if (files.busy()) { submit.textContent = t('portal.uploading'); await files.settled(); }
      submit.textContent = t('portal.submitting');
      const body = { subject: subject.value.trim(), description: description.value.trim() };
      const custom = extra.values();
      if (Object.keys(custom).length) body.custom_fields = custom;
      const ids = files.ids();
      if (ids.length) body.attachment_ids = ids;
      const ticket = await api.post('tickets', body, { headers: { 'Idempotency-Key': idempotencyKey, 'X-Helpdesk-Client': 'web' } });
      toast(t('portal.request_created', { number: ticket.number }), 'success');
      ctx.navigate(`/requests/${ticket.number}`);
    } catch (error) {
      if (!showFieldErrors(form, translateFieldErrors(error))) { box.textContent = errorMessage(error); box.hidden = false; box.focus?.(); }
      else form.querySelector('[aria-invalid="true"]')?.focus();
    } finally {
      submit.disabled = false;
      submit.removeAttribute('aria-busy');
      submit.textContent = label;
    }
  }

  return h('div.page.pt-page.pt-narrow',
    h('a.pt-back#request-back', { href: '/requests' }, icon('back'), t('portal.back_to_requests')),
    h('header.pt-page-head', h('h1', t('portal.new_request_title')), h('p.muted', t('portal.new_request_intro'))),
    h('div.pt-new-layout',
      form,
      h('aside.pt-tips', { 'aria-label': t('portal.tips_title') },
        h('h2', icon('check'), t('portal.tips_title')),
        h('ul', h('li', t('portal.tip_1')), h('li', t('portal.tip_2')), h('li', t('portal.tip_3'))))));
}
