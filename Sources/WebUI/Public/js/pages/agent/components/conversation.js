// The conversation of a ticket: description and comments, public replies vs internal notes, attachments,
// collapsed quoted text, paged loading and live reloads. Messages of tickets merged into this one are marked
// with a link to the ticket they came from.
import { h, icon, replace } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { api, download } from '../../../core/api.js';
import { dateTime, relative, bytes } from '../../../core/format.js';
import { avatar, loading, failure, empty, toast, errorMessage } from '../../../core/ui.js';
import { loadUsers, cachedUser, displayName } from './people.js';

const PAGE = 50;
const RULE_CHANNELS = new Set(['trigger', 'automation']);

/** One message of the conversation. */
export function messageEl(comment, { first = false, requesterId, origin = null } = {}) {
  const channel = comment.channel || 'web';
  // A rule's note has no user behind it: its channel names the rule's kind.
  const name = RULE_CHANNELS.has(channel) ? t(`common.channel_${channel}`) : displayName(cachedUser(comment.author_id));
  const isNote = !comment.public;
  const fromCustomer = comment.author_id === requesterId;
  const quoted = comment.quoted_text && quotedBlock(comment.quoted_text);
  return h(`article.tk-msg${isNote ? '.tk-msg-note' : ''}${fromCustomer ? '.tk-msg-customer' : ''}`, {
    id: `comment-${comment.id}`, dataset: { testid: isNote ? 'comment-note' : 'comment-public', commentId: comment.id },
    'aria-label': isNote ? t('agent.note_by', { name }) : t('agent.reply_by', { name }) },
  h('div.tk-msg-avatar', avatar(name, 'md')),
  h('div.tk-msg-main',
    h('header.tk-msg-head',
      h('span.tk-msg-author', name),
      isNote && h('span.tk-note-label', { dataset: { testid: 'note-label' } }, icon('lock'), t('agent.internal_note')),
      first && h('span.tk-msg-kind', t('agent.description')),
      origin && h('a.tk-msg-origin', { href: `/tickets/${origin.number}`, dataset: { testid: 'comment-origin' } },
        icon('merge'), t('agent.from_ticket', { number: origin.number })),
      h(`span.tk-channel.tk-channel-${channel}`, { dataset: { testid: 'comment-channel' } },
        icon(channel === 'email' ? 'mail' : channel === 'api' || RULE_CHANNELS.has(channel) ? 'settings' : 'inbox'), t(`common.channel_${channel}`)),
      comment.email?.from && h('span.tk-msg-from.small.muted', { dataset: { testid: 'comment-from' } }, comment.email.from),
      // Mail that claimed a staff address the trusted mail server did not verify: it spoke as a customer.
      comment.unverified_sender && h('span.tk-unverified', { dataset: { testid: 'comment-unverified' },
        title: t('agent.unverified_sender_hint') }, icon('shield'), t('agent.unverified_sender')),
      h('time.tk-msg-time.small.faint', { datetime: comment.created_at, title: dateTime(comment.created_at) }, relative(comment.created_at))),
    h('div.tk-msg-body', comment.body),
    quoted,
    comment.attachments?.length ? attachmentList(comment.attachments) : null));
}

function quotedBlock(text) {
  const pre = h('pre.tk-quoted', { hidden: true, id: `q-${Math.random().toString(36).slice(2)}` }, text);
  const toggle = h('button.link-btn.tk-quoted-toggle', { type: 'button', 'aria-expanded': 'false', 'aria-controls': pre.id,
    dataset: { testid: 'quoted-toggle' }, onclick: () => {
      pre.hidden = !pre.hidden;
      toggle.setAttribute('aria-expanded', String(!pre.hidden));
      toggle.textContent = pre.hidden ? t('agent.show_quoted') : t('agent.hide_quoted');
    } }, t('agent.show_quoted'));
  return h('div.tk-quoted-wrap', toggle, pre);
}

export function attachmentList(files) {
  return h('ul.tk-attachments', { 'aria-label': t('agent.attachments') }, files.map((f) => h('li',
    h('button.tk-attachment', { type: 'button', dataset: { testid: 'attachment-download', fileId: f.id },
      title: t('agent.download_file', { name: f.filename }), onclick: async () => {
        try { await download(`files/${f.id}/content`, f.filename); } catch (error) { toast(errorMessage(error), 'error'); }
      } },
    icon('paperclip'), h('span.tk-attachment-name', f.filename), h('span.faint.small', bytes(f.size))))));
}

/** createConversation(ticket) → {el, reload(), setTicket(ticket)}. */
export function createConversation(ticket) {
  let comments = [];
  let cursor = null;
  const list = h('div.tk-thread', { dataset: { testid: 'conversation' } });
  const more = h('div.tk-thread-more');
  const el = h('section.tk-conversation', { 'aria-label': t('agent.conversation') }, list, more);
  const path = () => `tickets/${ticket.id}/comments`;
  const origins = new Map(); // ticket id → Promise<ticket|null>, for messages of merged tickets

  async function draw(newIds = new Set()) {
    await loadUsers(comments.filter((c) => !RULE_CHANNELS.has(c.channel)).map((c) => c.author_id));
    if (!comments.length) { replace(list, empty(t('agent.no_comments'))); replace(more); return; }
    const foreign = [...new Set(comments.map((c) => c.ticket_id).filter((id) => id && id !== ticket.id))];
    for (const id of foreign) if (!origins.has(id)) origins.set(id, api.get(`tickets/${id}`).catch(() => null));
    const from = new Map(await Promise.all(foreign.map(async (id) => [id, await origins.get(id)])));
    const firstOwn = comments.find((c) => !c.ticket_id || c.ticket_id === ticket.id)?.id;
    replace(list, comments.map((c) => {
      const origin = c.ticket_id && c.ticket_id !== ticket.id ? from.get(c.ticket_id) : null;
      const m = messageEl(c, { first: c.id === firstOwn, requesterId: ticket.requester_id, origin });
      if (newIds.has(c.id)) m.classList.add('tk-msg-new');
      return m;
    }));
    replace(more, cursor && h('button.btn.btn-sm#comments-more', { type: 'button', onclick: showMore }, t('agent.show_more_comments')));
  }

  async function first() {
    replace(list, loading(t('agent.loading_conversation')));
    try {
      const page = await api.get(path(), { limit: PAGE });
      comments = page.items;
      cursor = page.next_cursor;
      await draw();
    } catch (error) {
      replace(list, failure(error, first));
    }
  }

  async function showMore(e) {
    e.currentTarget.disabled = true;
    try {
      const page = await api.get(path(), { limit: PAGE, cursor });
      const known = new Set(comments.map((c) => c.id));
      comments.push(...page.items.filter((c) => !known.has(c.id)));
      cursor = page.next_cursor;
      await draw();
    } catch (error) { toast(errorMessage(error), 'error'); e.currentTarget.disabled = false; }
  }

  /** Reloads what is on screen (and anything new), highlighting new messages. */
  async function reload() {
    try {
      const before = new Set(comments.map((c) => c.id));
      const items = [];
      let next;
      do {
        const page = await api.get(path(), { limit: 100, cursor: next });
        items.push(...page.items);
        next = page.next_cursor;
      } while (next && items.length < Math.max(comments.length, PAGE));
      comments = items;
      cursor = next;
      await draw(new Set(items.filter((c) => !before.has(c.id)).map((c) => c.id)));
    } catch { /* keep what is shown */ }
  }

  first();
  return { el, reload, setTicket(next) { ticket = next; } };
}
