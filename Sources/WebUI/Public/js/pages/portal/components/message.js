// One message of a request's conversation, chat-like: the customer's own messages on the right, the support
// team's on the left. Only public messages ever reach a customer (the API filters them).
import { h, icon } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { download } from '../../../core/api.js';
import { dateTime, relative, bytes } from '../../../core/format.js';
import { avatar, toast, errorMessage } from '../../../core/ui.js';

export function attachmentList(files) {
  if (!files?.length) return null;
  return h('ul.pt-files', files.map((f) => h('li',
    h('button.pt-file', { type: 'button', dataset: { testid: 'attachment' }, title: t('portal.download_file', { name: f.filename }),
      onclick: async (e) => {
        const button = e.currentTarget;
        button.setAttribute('aria-busy', 'true');
        try { await download(`files/${f.id}/content`, f.filename); } catch (error) { toast(errorMessage(error), 'error'); }
        finally { button.removeAttribute('aria-busy'); }
      } },
    h('span.pt-file-icon', icon('file')),
    h('span.pt-file-meta', h('span.pt-file-name', f.filename), h('span.pt-file-size', bytes(f.size))),
    h('span.pt-file-dl', icon('chevron'))))));
}

/** `mine`: written by the signed-in customer; `me`: their user (for the avatar). */
export function message(comment, { mine, me, first }) {
  const author = mine ? t('portal.you') : t('portal.support_team');
  const who = mine ? avatar(me?.name || me?.email || '?', 'md')
    : h('span.pt-agent-mark', { 'aria-hidden': 'true' }, h('img', { src: '/img/logo.svg', alt: '', width: 20, height: 20 }));
  return h(`article.pt-msg${mine ? '.pt-msg-mine' : '.pt-msg-agent'}`, {
    dataset: { testid: 'message', commentId: comment.id, author: mine ? 'me' : 'agent' },
    'aria-label': t('portal.message_from', { author, time: dateTime(comment.created_at) }),
  },
  h('div.pt-msg-avatar', who),
  h('div.pt-msg-main',
    h('header.pt-msg-head',
      h('span.pt-msg-author', author),
      first && h('span.pt-msg-tag', t('portal.original_request')),
      comment.channel === 'email' && h('span.pt-msg-via', icon('mail'), t('portal.via_email')),
      h('time.pt-msg-time', { datetime: comment.created_at, title: dateTime(comment.created_at) }, relative(comment.created_at))),
    h('div.pt-bubble',
      h('div.pt-msg-body', comment.body),
      comment.quoted_text && h('details.pt-quoted', h('summary', t('portal.show_quoted')), h('div.pt-quoted-text', comment.quoted_text)),
      attachmentList(comment.attachments))));
}
