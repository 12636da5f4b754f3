// One ticket: header (with Merge…), conversation + reply editor, history tab, properties side panel, presence,
// live updates. A ticket merged into another says so at the top and links to it.
import { h, icon, replace, debounce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, ApiError } from '../../core/api.js';
import { onEvent, onMessage, presence } from '../../core/realtime.js';
import { relative, dateTime } from '../../core/format.js';
import { statusBadge, priorityBadge, failure, loading, toast, errorMessage } from '../../core/ui.js';
import { getUser, displayName } from './components/people.js';
import { createConversation } from './components/conversation.js';
import { createReplyEditor } from './components/reply-editor.js';
import { createSidePanel } from './components/side-panel.js';
import { createHistory } from './components/history.js';
import { mergeDialog } from './components/merge-dialog.js';
import { rememberSLA, slaTargets, tickSLABadges } from './components/sla-badge.js';

export async function render(ctx) {
  const root = h('div.tk-ticket-page', { dataset: { testid: 'ticket-page' } }, loading(t('agent.loading_ticket')));
  let ticket;
  try {
    ticket = await api.get(`tickets/${encodeURIComponent(ctx.params.number)}`);
  } catch (error) {
    replace(root, h('div.page', h('a.tk-back', { href: '/tickets' }, icon('back'), t('agent.back_to_list')),
      failure(error, () => ctx.navigate(location.pathname + location.search, { replace: true }))));
    return root;
  }
  window.dispatchEvent(new Event('tk:navigated'));
  let disposed = false;

  // Header.
  const header = h('header.tk-ticket-header');
  function drawHeader() {
    document.title = `#${ticket.number} ${ticket.subject} · ${t('common.app_name')}`;
    const requester = h('span', { dataset: { testid: 'ticket-requester' } }, '…');
    getUser(ticket.requester_id).then((u) => { requester.textContent = displayName(u); });
    replace(header,
      h('a.tk-back', { href: '/tickets', 'aria-label': t('agent.back_to_list') }, icon('back'), h('span.tk-back-label', t('agent.back_to_list'))),
      h('div.tk-ticket-titlerow',
        h('span.tk-number.tk-ticket-number', { dataset: { testid: 'ticket-number' } }, `#${ticket.number}`),
        h('h1.tk-ticket-subject#ticket-subject', ticket.subject),
        ticket.status !== 'closed' && h('div.tk-ticket-actions',
          h('button.btn.btn-sm', { type: 'button', dataset: { testid: 'ticket-merge' }, onclick: merge }, icon('merge'), t('agent.merge_button')))),
      h('div.tk-ticket-badges',
        h('span', { dataset: { testid: 'ticket-status' } }, statusBadge(ticket.status)),
        h('span', { dataset: { testid: 'ticket-priority' } }, priorityBadge(ticket.priority)),
        slaTargets(ticket),
        h(`span.tk-channel.tk-channel-${ticket.channel || 'web'}`, { dataset: { testid: 'ticket-channel' } },
          icon(ticket.channel === 'email' ? 'mail' : ticket.channel === 'api' ? 'settings' : 'inbox'), t(`common.channel_${ticket.channel || 'web'}`)),
        h('span.tk-ticket-meta.small.muted', t('agent.opened_by'), ' ', requester, ' · ',
          h('time', { datetime: ticket.created_at, title: dateTime(ticket.created_at) }, relative(ticket.created_at)))));
  }

  async function merge() {
    const target = await mergeDialog({ sources: [ticket] });
    if (target && !disposed) ctx.navigate(`/tickets/${target.number}`);
  }

  // "Merged into #N": a merged ticket is closed, and its history names the target.
  const mergedBanner = h('div.tk-merged', { role: 'status', hidden: true, dataset: { testid: 'merged-banner' } });
  let mergedChecked = null;
  async function showMerged() {
    if (ticket.status !== 'closed') { mergedBanner.hidden = true; return; }
    if (mergedChecked === ticket.version) return;
    mergedChecked = ticket.version;
    try {
      const events = await api.all(`tickets/${ticket.id}/events`, {}, 1000);
      const merged = events.filter((e) => e.type === 'ticket.merged' && e.data?.into_number).pop();
      if (!merged || disposed) return;
      const number = merged.data.into_number;
      const into = await api.get(`tickets/${encodeURIComponent(merged.data.into_ticket_id || number)}`).catch(() => null);
      replace(mergedBanner, icon('merge'), h('span', t('agent.merged_into_banner')), ' ',
        h('a.tk-merged-link', { href: `/tickets/${number}`, dataset: { testid: 'merged-into-link' } },
          `#${number}`, into ? ` ${into.subject}` : ''));
      mergedBanner.hidden = false;
    } catch { /* the history tab still tells it */ }
  }

  // Presence banner.
  const banner = h('div.tk-presence#presence-banner', { role: 'status', 'aria-live': 'polite', hidden: true, dataset: { testid: 'presence-banner' } });
  function drawPresence(users) {
    const others = users || [];
    if (!others.length) { banner.hidden = true; banner.replaceChildren(); return; }
    const replying = others.filter((u) => u.state === 'replying');
    const viewing = others.filter((u) => u.state !== 'replying');
    const names = (list) => new Intl.ListFormat(document.documentElement.lang || 'en', { type: 'conjunction' }).format(list.map((u) => u.name));
    banner.hidden = false;
    banner.classList.toggle('tk-presence-replying', replying.length > 0);
    replace(banner, icon(replying.length ? 'edit' : 'eye'),
      h('span', [replying.length && t('agent.presence_replying', { names: names(replying), count: replying.length }),
        viewing.length && t('agent.presence_viewing', { names: names(viewing), count: viewing.length })].filter(Boolean).join(' · ')));
  }

  // Patching with If-Match.
  async function patch(changes) {
    try {
      ticket = await api.patch(`tickets/${ticket.id}`, changes, { version: ticket.version });
      toast(t('common.saved'), 'success');
      redraw();
    } catch (error) {
      if (error instanceof ApiError && (error.status === 412 || error.code === 'version_conflict')) {
        toast(t('agent.conflict_reloaded'), 'error');
        await reloadTicket(true);
      } else {
        if (!panel.showError(error)) toast(errorMessage(error), 'error');
        panel.update(ticket, { force: !(error instanceof ApiError && error.errors.length) });
      }
    }
  }

  async function reloadTicket(force = false) {
    try {
      ticket = await api.get(`tickets/${ticket.id}`);
      redraw(force);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) { toast(errorMessage(error), 'error'); ctx.navigate('/tickets'); }
    }
  }

  function redraw(force = true) {
    if (disposed) return;
    drawHeader();
    showMerged();
    panel.update(ticket, { force });
    editor.setTicket();
    conversation.setTicket(ticket);
  }

  const conversation = createConversation(ticket);
  const history = createHistory(ticket);
  const panel = createSidePanel({ patch });
  let replying = false;
  const editor = createReplyEditor({
    getTicket: () => ticket,
    onSent: async () => { await Promise.all([conversation.reload(), reloadTicket()]); if (!historyPanel.hidden) history.load(); },
    onConflict: () => reloadTicket(true),
    onPresence: (on) => {
      // The editor's timer may fire after the page was left: never announce presence on a ticket we left.
      if (disposed || on === replying) return;
      replying = on;
      presence(ticket.id, on ? 'replying' : 'viewing');
    },
  });

  // Tabs: Conversation | History.
  const convPanel = h('div.tk-tabpanel#tab-panel-conversation', { role: 'tabpanel', 'aria-labelledby': 'tab-conversation' },
    conversation.el, editor.el);
  const historyPanel = h('div.tk-tabpanel#tab-panel-history', { role: 'tabpanel', 'aria-labelledby': 'tab-history', hidden: true }, history.el);
  const tab = (id, label, panelEl) => h('button.tab', { type: 'button', role: 'tab', id, 'aria-controls': panelEl.id, dataset: { testid: id },
    'aria-selected': String(id === 'tab-conversation'), tabindex: id === 'tab-conversation' ? '0' : '-1', onclick: () => select(id) }, label);
  const tabs = [tab('tab-conversation', t('agent.conversation'), convPanel), tab('tab-history', t('agent.history'), historyPanel)];
  function select(id) {
    for (const b of tabs) {
      const on = b.id === id;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    }
    convPanel.hidden = id !== 'tab-conversation';
    historyPanel.hidden = id !== 'tab-history';
    if (id === 'tab-history') history.load();
  }
  const tablist = h('div.tabs.tk-tabs', { role: 'tablist', 'aria-label': t('agent.ticket_sections'), onkeydown: (e) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = tabs.findIndex((b) => b.getAttribute('aria-selected') === 'true');
    const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    select(next.id); next.focus();
  } }, tabs);

  replace(root,
    header, mergedBanner, banner,
    h('div.tk-ticket-grid',
      h('section.tk-ticket-main', tablist, convPanel, historyPanel),
      panel.el));
  drawHeader();
  showMerged();
  panel.update(ticket, { force: true });
  editor.setTicket();

  // Realtime: reload on events for this ticket; presence of the other agents.
  const refresh = debounce(async () => {
    await Promise.all([conversation.reload(), reloadTicket()]);
    if (!historyPanel.hidden) history.load();
  }, 400);
  const offEvent = onEvent((e) => {
    if (e.ticket_id !== ticket.id && e.ticket_number !== ticket.number) return;
    // SLA frames carry the snapshot: redraw the badges from it rather than reloading the ticket.
    if (e.type?.startsWith('sla.')) { if (rememberSLA(e)) drawHeader(); return; }
    refresh();
  });
  const slaTick = setInterval(() => tickSLABadges(header), 30_000);
  const offMessage = onMessage((m) => { if (m.type === 'presence' && m.ticket_id === ticket.id) drawPresence(m.users); });
  presence(ticket.id, 'viewing');

  function onKey(e) {
    if (e.key !== 'r' || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target.closest?.('input, textarea, select, [contenteditable], dialog')) return;
    e.preventDefault();
    select('tab-conversation');
    editor.focus();
  }
  document.addEventListener('keydown', onKey);

  return {
    el: root,
    dispose() {
      disposed = true;
      offEvent(); offMessage();
      clearInterval(slaTick);
      document.removeEventListener('keydown', onKey);
      presence(ticket.id, 'left');
    },
  };
}
