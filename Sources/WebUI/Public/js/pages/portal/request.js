// /requests/:number (or id) — one request: its public conversation, chat-like, a reply box, live updates.
import { h, icon, replace, debounce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { session } from '../../core/session.js';
import { onEvent } from '../../core/realtime.js';
import { dateTime, date, relative } from '../../core/format.js';
import { loading, failure, errorMessage, showFieldErrors, toast } from '../../core/ui.js';
import { requestStatus } from './components/status.js';
import { message } from './components/message.js';
import { attachmentPicker } from './components/attachments.js';

export function render(ctx) {
  const root = h('div.page.pt-page.pt-request', loading());
  let ticket = null;
  let fields = null;
  let disposed = false;
  const parts = {};

  async function load() {
    if (disposed) return;
    try {
      const [tk, comments] = await Promise.all([
        api.get(`tickets/${encodeURIComponent(ctx.params.number)}`),
        api.all(`tickets/${encodeURIComponent(ctx.params.number)}/comments`),
      ]);
      if (fields === null) fields = await api.get('ticket-fields').then((r) => r.items || []).catch(() => []);
      if (disposed) return;
      const firstRender = !ticket;
      ticket = tk;
      if (firstRender) build();
      update(comments, firstRender);
    } catch (error) {
      if (disposed) return;
      if (!ticket) replace(root, failure(error, () => { replace(root, loading()); load(); }));
      else toast(errorMessage(error), 'error');
    }
  }

  function build() {
    document.title = `#${ticket.number} ${ticket.subject} · ${t('common.app_name')}`;
    parts.status = h('div.pt-req-status');
    parts.meta = h('p.pt-req-meta.muted');
    parts.thread = h('div.pt-thread#request-thread', { role: 'log', 'aria-label': t('portal.conversation'), 'aria-live': 'polite' });
    parts.composer = h('div.pt-composer-slot');
    parts.details = h('dl.pt-details');
    replace(root,
      h('a.pt-back#request-back', { href: '/requests' }, icon('back'), t('portal.back_to_requests')),
      h('header.pt-req-head',
        h('div.pt-req-title', h('span.pt-req-number', `#${ticket.number}`), h('h1#request-subject-title', ticket.subject)),
        parts.status, parts.meta),
      h('div.pt-req-layout',
        h('section.pt-conversation', { 'aria-label': t('portal.conversation') }, parts.thread, parts.composer),
        h('aside.pt-side.card', { 'aria-label': t('portal.details') }, h('h2', t('portal.details')), parts.details)));
  }

  function update(comments, firstRender) {
    replace(parts.status, requestStatus(ticket.status));
    replace(parts.meta, t('portal.request_meta', { created: date(ticket.created_at), updated: relative(ticket.updated_at) }));
    const me = session.user;
    const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 80;
    const known = new Set([...parts.thread.querySelectorAll('[data-comment-id]')].map((m) => m.dataset.commentId));
    replace(parts.thread, comments.length
      ? comments.map((c, i) => message(c, { mine: c.author_id === me?.id, me, first: i === 0 }))
      : h('p.muted.pt-thread-empty', t('portal.no_messages')));
    const fresh = [...parts.thread.querySelectorAll('[data-comment-id]')].filter((m) => !known.has(m.dataset.commentId));
    if (!firstRender) for (const m of fresh) m.classList.add('pt-msg-new');
    if (!firstRender && fresh.length && atBottom) fresh.at(-1).scrollIntoView({ behavior: 'smooth', block: 'nearest' });
    renderDetails();
    renderComposer();
  }

  function renderDetails() {
    const rows = [
      [t('portal.detail_number'), `#${ticket.number}`],
      [t('portal.detail_status'), requestStatus(ticket.status)],
      [t('portal.detail_created'), dateTime(ticket.created_at)],
      [t('portal.detail_updated'), dateTime(ticket.updated_at)],
      ticket.solved_at && [t('portal.detail_solved'), dateTime(ticket.solved_at)],
      [t('portal.detail_channel'), t(`common.channel_${ticket.channel || 'web'}`)],
    ];
    for (const f of fields || []) {
      const value = ticket.custom_fields?.[f.key];
      if (value == null || value === '' || (Array.isArray(value) && !value.length)) continue;
      rows.push([f.title, fieldText(f, value)]);
    }
    replace(parts.details, rows.filter(Boolean).map(([k, v]) => h('div.pt-detail', h('dt', k), h('dd', v))));
  }

  let composer = null; // kept across reloads so a draft survives live updates
  function renderComposer() {
    if (ticket.status === 'closed') {
      composer = null;
      replace(parts.composer, h('div.pt-closed#request-closed', { role: 'note' }, icon('lock'),
        h('div', h('p.pt-closed-title', t('portal.closed_title')), h('p.muted', t('portal.closed_body')),
          h('a.btn.btn-sm', { href: '/requests/new' }, icon('plus'), t('portal.new_request')))));
      return;
    }
    if (!composer) composer = buildComposer();
    composer.notice.hidden = ticket.status !== 'solved';
    if (!parts.composer.contains(composer.el)) replace(parts.composer, composer.el);
  }

  function buildComposer() {
    const files = attachmentPicker({ inputId: 'portal-reply-files', compact: true });
    const body = h('textarea#portal-reply-body', { name: 'body', rows: 4, placeholder: t('portal.reply_placeholder'),
      'aria-label': t('portal.reply_label') });
    const error = h('p.field-error', { id: 'portal-reply-body-error', hidden: true });
    body.setAttribute('aria-describedby', 'portal-reply-body-error');
    const submit = h('button.btn.btn-primary#portal-reply-submit', { type: 'submit' }, icon('mail'), h('span', t('portal.send_reply')));
    const notice = h('p.pt-reopen-note#request-reopen-note', { hidden: true }, icon('check'), h('span', t('portal.solved_notice')));
    files.bindPaste(body);
    body.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) form.requestSubmit(); });
    const form = h('form.pt-composer#portal-reply-form', { novalidate: true, onsubmit: send },
      h('div.pt-composer-head', composerLabel()),
      notice, body, error, files.chips,
      h('div.pt-composer-actions', files.zone, h('span.pt-kbd-hint.faint', t('portal.send_hint')), submit));
    files.bindDrop(form);

    async function send(event) {
      event.preventDefault();
      if (submit.disabled) return;
      const text = body.value.trim();
      if (!text) { showFieldErrors(form, { errors: [{ field: 'body', message: t('portal.error_reply_empty') }] }); body.focus(); return; }
      showFieldErrors(form, null);
      submit.disabled = true;
      submit.setAttribute('aria-busy', 'true');
      try {
        await files.settled();
        const payload = { body: text, public: true };
        const ids = files.ids();
        if (ids.length) payload.attachment_ids = ids;
        await api.post(`tickets/${ticket.id}/comments`, payload, { headers: { 'Idempotency-Key': crypto.randomUUID(), 'X-Helpdesk-Client': 'web' } });
        body.value = '';
        files.reset();
        toast(t('portal.reply_sent'), 'success');
        await load();
        parts.thread.lastElementChild?.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
      } catch (err) {
        if (!showFieldErrors(form, err)) toast(errorMessage(err), 'error');
      } finally {
        submit.disabled = false;
        submit.removeAttribute('aria-busy');
      }
    }
    return { el: form, notice };
  }

  function composerLabel() {
    return h('label.pt-composer-label', { for: 'portal-reply-body' }, t('portal.reply_label'));
  }

  const refresh = debounce(() => load(), 300);
  const unsubscribe = onEvent((event) => {
    if (!ticket) return;
    if (event.ticket_id === ticket.id || event.ticket_number === ticket.number) refresh();
  });
  load();
  return { el: root, dispose: () => { disposed = true; unsubscribe(); } };
}

function fieldText(f, value) {
  const label = (v) => f.options?.find((o) => o.value === v)?.label || v;
  if (f.type === 'checkbox') return value ? t('common.yes') : t('common.no');
  if (f.type === 'multiselect' && Array.isArray(value)) return value.map(label).join(', ');
  if (f.type === 'dropdown') return label(value);
  if (f.type === 'date') return date(`${value}T00:00:00`);
  return String(value);
}
