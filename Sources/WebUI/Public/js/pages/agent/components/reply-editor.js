// The reply box: Public reply / Internal note, attachments (button and drag and drop), "submit as" status,
// Ctrl/Cmd+Enter to send, presence while typing.
import { h, icon } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { api, ApiError } from '../../../core/api.js';
import { toast, errorMessage } from '../../../core/ui.js';
import { createUploader } from './uploader.js';

/**
 * createReplyEditor({getTicket, onSent, onPresence, onConflict}) → {el, focus()}.
 * `onPresence(replying: boolean)`; `onSent()` after the comment (and the status change) went through.
 */
export function createReplyEditor({ getTicket, onSent, onPresence, onConflict }) {
  let isPublic = true;
  let idempotencyKey = null; // kept across retries of the same text, so a lost answer never posts twice
  const draftKey = () => `helpdesk.draft.${getTicket().id}`;

  const pub = h('button.tk-mode#reply-public', { type: 'button', role: 'tab', 'aria-selected': 'true', dataset: { testid: 'reply-public' },
    onclick: () => setMode(true) }, icon('mail'), t('agent.public_reply'));
  const note = h('button.tk-mode#reply-internal', { type: 'button', role: 'tab', 'aria-selected': 'false', dataset: { testid: 'reply-internal' },
    onclick: () => setMode(false) }, icon('lock'), t('agent.internal_note'));
  const textarea = h('textarea#reply-body', { name: 'body', rows: 4, 'aria-label': t('agent.reply_label'),
    placeholder: t('agent.reply_placeholder'), dataset: { testid: 'reply-body' } });
  const error = h('p.field-error#reply-error', { hidden: true, role: 'alert' });
  const statusSelect = h('select#reply-status', { 'aria-label': t('agent.submit_as'), dataset: { testid: 'reply-status' } });
  const submit = h('button.btn.btn-primary#reply-submit', { type: 'submit', dataset: { testid: 'reply-submit' } }, t('agent.send_reply'));
  const hint = h('span.tk-reply-hint.faint.small', h('kbd', navigator.platform?.includes('Mac') ? '⌘' : 'Ctrl'), '+', h('kbd', '↵'));

  const form = h('form.tk-reply', { dataset: { testid: 'reply-form', mode: 'public' }, 'aria-label': t('agent.reply_label'), onsubmit: send });
  const uploader = createUploader({ dropTarget: form, testid: 'reply-attach', onChange: () => { idempotencyKey = null; updateSubmit(); } });
  form.append(
    h('div.tk-reply-tabs', { role: 'tablist', 'aria-label': t('agent.reply_mode') }, pub, note,
      h('span.tk-reply-audience.small.faint', { dataset: { testid: 'reply-audience' } })),
    textarea,
    h('div.tk-drop-hint', { 'aria-hidden': 'true' }, icon('paperclip'), t('agent.drop_files')),
    uploader.chips,
    error,
    h('div.tk-reply-bar', uploader.button, hint, h('span.tk-spacer'),
      h('label.tk-submit-as', h('span.small.muted', t('agent.submit_as')), statusSelect), submit));

  function fillStatuses() {
    const ticket = getTicket();
    const next = { new: ['open', 'pending', 'on_hold', 'solved'], open: ['pending', 'on_hold', 'solved'], pending: ['open', 'on_hold', 'solved'],
      on_hold: ['open', 'pending', 'solved'], solved: ['open'], closed: [] }[ticket.status] || [];
    const keep = statusSelect.value;
    statusSelect.replaceChildren(h('option', { value: '' }, t('agent.submit_as_current', { status: t(`common.status_${ticket.status}`) })),
      ...next.map((s) => h('option', { value: s }, t(`common.status_${s}`))));
    statusSelect.value = next.includes(keep) ? keep : '';
  }

  function setMode(toPublic) {
    isPublic = toPublic;
    pub.setAttribute('aria-selected', String(toPublic));
    note.setAttribute('aria-selected', String(!toPublic));
    form.dataset.mode = toPublic ? 'public' : 'internal';
    form.classList.toggle('tk-reply-note', !toPublic);
    textarea.placeholder = toPublic ? t('agent.reply_placeholder') : t('agent.note_placeholder');
    form.querySelector('.tk-reply-audience').textContent = toPublic ? t('agent.audience_public') : t('agent.audience_internal');
    submit.textContent = toPublic ? t('agent.send_reply') : t('agent.add_note');
    if (textarea.value) saveDraft();
  }

  function updateSubmit() { submit.disabled = uploader.busy(); }

  let presenceTimer = null;
  function presenceNow() {
    clearTimeout(presenceTimer);
    presenceTimer = setTimeout(() => onPresence?.(document.activeElement === textarea || textarea.value.trim() !== ''), 150);
  }
  textarea.addEventListener('focus', presenceNow);
  textarea.addEventListener('blur', presenceNow);
  textarea.addEventListener('input', () => {
    presenceNow();
    idempotencyKey = null;
    error.hidden = true;
    saveDraft();
  });
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
  });

  async function send(e) {
    e.preventDefault();
    const body = textarea.value.trim();
    if (!body) { error.textContent = t('agent.reply_empty'); error.hidden = false; textarea.focus(); return; }
    if (uploader.busy()) { error.textContent = t('agent.upload_wait'); error.hidden = false; return; }
    error.hidden = true;
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    const ticket = getTicket();
    const nextStatus = statusSelect.value;
    idempotencyKey ??= `reply-${ticket.id}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    try {
      await api.post(`tickets/${ticket.id}/comments`, { body, public: isPublic, attachment_ids: uploader.ids() },
        { headers: { 'Idempotency-Key': idempotencyKey } });
      idempotencyKey = null;
      textarea.value = '';
      uploader.clear();
      try { sessionStorage.removeItem(draftKey()); } catch { /* ignore */ }
      statusSelect.value = '';
      let statusError = null;
      if (nextStatus) {
        // The comment moved the ticket's version: read it again so the status change is not refused as stale.
        try {
          const fresh = await api.get(`tickets/${ticket.id}`);
          if (fresh.status !== nextStatus) await api.patch(`tickets/${ticket.id}`, { status: nextStatus }, { version: fresh.version });
        } catch (err) { statusError = err; }
      }
      toast(isPublic ? t('agent.reply_sent') : t('agent.note_added'), 'success');
      if (statusError) {
        if (statusError instanceof ApiError && statusError.code === 'version_conflict') onConflict?.();
        toast(t('agent.status_not_changed', { reason: errorMessage(statusError) }), 'error');
      }
      presenceNow();
      await onSent?.();
    } catch (err) {
      const message = err instanceof ApiError ? (err.fieldMessage('body') || errorMessage(err)) : errorMessage(err);
      error.textContent = message;
      error.hidden = false;
    } finally {
      form.removeAttribute('aria-busy');
      updateSubmit();
    }
  }

  // A draft keeps its mode: a note restored as a public reply would go to the customer.
  function saveDraft() {
    try {
      if (textarea.value) sessionStorage.setItem(draftKey(), JSON.stringify({ body: textarea.value, public: isPublic }));
      else sessionStorage.removeItem(draftKey());
    } catch { /* private mode */ }
  }
  let draft = null;
  try { draft = JSON.parse(sessionStorage.getItem(draftKey()) || 'null'); } catch { /* ignore */ }
  textarea.value = typeof draft?.body === 'string' ? draft.body : '';
  setMode(draft ? draft.public !== false : true);
  fillStatuses();
  return {
    el: form,
    focus() { textarea.focus(); },
    setTicket() { fillStatuses(); const closed = getTicket().status === 'closed'; textarea.disabled = closed; submit.disabled = closed || uploader.busy(); },
    hasText: () => textarea.value.trim() !== '',
  };
}
