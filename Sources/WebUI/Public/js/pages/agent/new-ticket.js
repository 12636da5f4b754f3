// New ticket on behalf of a requester: customer search, subject, description, attachments, properties,
// tags, custom fields. Opens the ticket once created.
import { h, icon, replace } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { field, showFieldErrors, toast, errorMessage } from '../../core/ui.js';
import { staff, teams, displayName } from './components/people.js';
import { requesterPicker } from './components/requester-picker.js';
import { createUploader } from './components/uploader.js';
import { customFieldControl, showCustomFieldError } from './components/custom-field.js';
import { PRIORITIES, TYPES } from './components/list-filters.js';

export async function render(ctx) {
  document.title = `${t('common.new_ticket')} · ${t('common.app_name')}`;
  window.dispatchEvent(new Event('tk:navigated'));
  const picker = requesterPicker({ id: 'new-requester-search' });
  const subject = h('input#new-subject', { type: 'text', name: 'subject', required: true, maxlength: 250, autocomplete: 'off', dataset: { testid: 'new-subject' } });
  const description = h('textarea#new-description', { name: 'description', rows: 8, required: true, dataset: { testid: 'new-description' },
    placeholder: t('agent.description_placeholder') });
  const priority = h('select#new-priority', { name: 'priority', dataset: { testid: 'new-priority' } },
    PRIORITIES.map((p) => h('option', { value: p, selected: p === 'normal' }, t(`common.priority_${p}`))));
  const type = h('select#new-type', { name: 'type', dataset: { testid: 'new-type' } },
    h('option', { value: '' }, t('common.none')), TYPES.map((x) => h('option', { value: x }, t(`agent.type_${x}`))));
  const assignee = h('select#new-assignee', { name: 'assignee_id', dataset: { testid: 'new-assignee' } }, h('option', { value: '' }, t('common.unassigned')));
  const team = h('select#new-team', { name: 'team_id', dataset: { testid: 'new-team' } }, h('option', { value: '' }, t('common.none')));
  const tags = h('input#new-tags', { type: 'text', name: 'tags', autocomplete: 'off', placeholder: t('agent.tags_placeholder'), dataset: { testid: 'new-tags' } });
  const formError = h('div.form-error#new-error', { role: 'alert', hidden: true });
  const submit = h('button.btn.btn-primary#new-submit', { type: 'submit', dataset: { testid: 'new-submit' } }, t('agent.create_ticket'));
  const fieldsSlot = h('div.tk-new-fields', { dataset: { testid: 'new-custom-fields' } });
  let customControls = [];

  const descriptionBox = h('div.tk-new-description', field(t('agent.description'), description));
  const uploader = createUploader({ dropTarget: descriptionBox, testid: 'new-attach', onChange: () => { submit.disabled = uploader.busy(); } });
  descriptionBox.append(h('div.tk-drop-hint', { 'aria-hidden': 'true' }, icon('paperclip'), t('agent.drop_files')),
    h('div.tk-new-attach', uploader.button, uploader.chips));

  const requesterField = h('div.field', { dataset: { testid: 'new-requester-field' } },
    h('label', { for: 'new-requester-search' }, t('agent.requester')), picker.el,
    h('p.field-hint', t('agent.requester_hint')), h('p.field-error#new-requester-error', { hidden: true }));
  picker.el.querySelector('input[type=hidden]').id = 'new-requester'; // showFieldErrors finds #new-requester-error

  const form = h('form.tk-new-form', { novalidate: true, dataset: { testid: 'new-ticket-form' }, onsubmit: create },
    h('div.tk-new-main.card',
      formError,
      requesterField,
      field(t('agent.col_subject'), subject),
      descriptionBox),
    h('aside.tk-new-side.card',
      h('h2.tk-side-title', t('agent.properties')),
      field(t('agent.col_priority'), priority),
      field(t('agent.type'), type),
      field(t('agent.col_assignee'), assignee),
      field(t('agent.team'), team),
      field(t('agent.tags'), tags, t('agent.tags_hint')),
      fieldsSlot),
    h('div.tk-new-actions.form-actions',
      h('a.btn', { href: '/tickets', dataset: { testid: 'new-cancel' } }, t('common.cancel')), submit));

  staff().then((list) => { for (const u of list) assignee.append(h('option', { value: u.id }, displayName(u))); }).catch(() => {});
  teams().then((list) => { for (const x of list) team.append(h('option', { value: x.id }, x.name)); }).catch(() => {});
  api.all('ticket-fields').then((list) => {
    const active = list.filter((f) => f.active !== false);
    customControls = active.map((f) => ({ field: f, ...customFieldControl(f, null, { idPrefix: 'new-cf' }) }));
    if (customControls.length) replace(fieldsSlot, h('h2.tk-side-title', t('agent.custom_fields')), customControls.map((c) => c.el));
  }).catch(() => {});

  async function create(e) {
    e.preventDefault();
    formError.hidden = true;
    const body = {
      subject: subject.value.trim(),
      description: description.value.trim(),
      priority: priority.value,
      type: type.value || undefined,
      requester_id: picker.value() || undefined,
      assignee_id: assignee.value || undefined,
      team_id: team.value || undefined,
      tags: tags.value.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean),
      attachment_ids: uploader.ids(),
    };
    const custom = {};
    for (const c of customControls) {
      const v = c.value();
      if (v != null && v !== '' && !(Array.isArray(v) && !v.length) && !(c.field.type === 'checkbox' && v === false)) custom[c.field.key] = v;
    }
    if (Object.keys(custom).length) body.custom_fields = custom;
    // Client-side checks for the obvious, server errors for the rest.
    const missing = [];
    if (!body.subject) missing.push({ field: 'subject', message: t('agent.required') });
    if (!body.description) missing.push({ field: 'description', message: t('agent.required') });
    if (missing.length) { showFieldErrors(form, { errors: missing }); form.querySelector('[aria-invalid]')?.focus(); return; }
    if (uploader.busy()) { formError.textContent = t('agent.upload_wait'); formError.hidden = false; return; }
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const ticket = await api.post('tickets', body, { headers: { 'Idempotency-Key': `new-${Date.now()}-${Math.random().toString(36).slice(2)}` } });
      toast(t('agent.ticket_created', { number: ticket.number }), 'success');
      ctx.navigate(`/tickets/${ticket.number}`);
    } catch (error) {
      const matched = showFieldErrors(form, error) | showCustomFieldError(form, error);
      if (!matched) { formError.textContent = errorMessage(error); formError.hidden = false; }
      submit.disabled = false;
    } finally {
      form.removeAttribute('aria-busy');
    }
  }

  return h('div.page.tk-new-page', { dataset: { testid: 'new-ticket-page' } },
    h('header.page-header', h('div', h('a.tk-back', { href: '/tickets' }, icon('back'), t('agent.back_to_list')), h('h1', t('common.new_ticket')))),
    form);
}
