// Admin › Email channel: mailboxes customers write to, their IMAP connection, test, failed messages.
import { h, icon, replace } from '../../core/dom.js';
import { t, has } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { toast, errorMessage, confirm, dialog, loading, failure } from '../../core/ui.js';
import { dateTime, relative } from '../../core/format.js';
import { pageHeader, table, cell, iconButton, adIcon, pagedList, emptyWith, statusDot } from './components/common.js';
import { mailboxDialog } from './components/mailbox-form.js';

const STAGES = ['connect', 'tls', 'auth', 'folder'];

export function render() {
  const listEl = h('div.ad-list', { 'aria-live': 'polite' });
  let teams = [];
  const teamsReady = api.all('teams').then((list) => { teams = list; }).catch(() => {});
  const newButton = h('button.btn.btn-primary#mailbox-new', { type: 'button', onclick: () => edit(null) }, icon('plus'), t('admin.mailbox_new'));
  const columns = [
    { label: t('admin.col_mailbox') }, { label: t('admin.col_connection') }, { label: t('admin.mailbox_team') },
    { label: t('admin.col_senders') }, { label: t('admin.col_actions'), className: 'ad-col-actions' },
  ];

  function row(m) {
    const team = teams.find((x) => x.id === m.team_id);
    return h('tr', { 'data-testid': 'mailbox-row', dataset: { address: m.address, id: m.id } },
      cell({ className: 'ad-cell-primary' }, h('div.ad-entity', h('span.ad-entity-icon', icon('mail')),
        h('div.ad-person-text', h('span.ad-person-name', m.name || m.address), h('span.ad-person-sub', m.address)))),
      cell(t('admin.col_connection'), m.imap
        ? h('div.ad-person-text', h('span', statusDot('on', t('admin.imap_polling', { seconds: m.imap.poll_seconds }))),
          h('span.ad-person-sub.ad-mono.ad-host', m.imap.security === 'none' ? null : icon('lock', t('admin.encrypted')), `${m.imap.host}:${m.imap.port}`))
        : statusDot('off', t('admin.push_only'))),
      cell(t('admin.mailbox_team'), team ? h('span.tag', team.name) : h('span.faint', t('admin.no_team'))),
      cell(t('admin.col_senders'), m.allow_new_senders ? h('span.muted', t('admin.senders_anyone')) : h('span.muted', t('admin.senders_known'))),
      cell({ className: 'ad-col-actions' }, h('div.ad-row-actions',
        h('button.btn.btn-sm', { type: 'button', 'data-testid': 'mailbox-test', disabled: !m.imap, title: m.imap ? null : t('admin.test_needs_imap'),
          onclick: () => test(m) }, adIcon('plug'), t('admin.test_connection')),
        h('button.btn.btn-sm', { type: 'button', 'data-testid': 'mailbox-failed', onclick: () => failed(m) }, adIcon('alert'), t('admin.failed_messages')),
        iconButton(icon('edit'), t('admin.edit_item', { name: m.address }), () => edit(m), { 'data-testid': 'mailbox-edit' }),
        iconButton(adIcon('trash'), t('admin.delete_item', { name: m.address }), () => remove(m), { 'data-testid': 'mailbox-delete', class: 'ad-danger-hover' }))));
  }

  const reload = () => pagedList(listEl, {
    fetchPage: async (cursor) => { await teamsReady; return api.get('mailboxes', { cursor, limit: 50 }); },
    renderRows: (items) => items.map(row),
    shell: (tbody) => table(columns, tbody, { caption: t('admin.nav_mailboxes') }),
    emptyState: () => emptyWith(t('admin.mailboxes_empty'), t('admin.mailboxes_empty_hint'), t('admin.mailbox_new'), () => edit(null)),
  });

  async function edit(m) {
    await teamsReady;
    let current = m;
    if (m) { try { current = await api.get(`mailboxes/${m.id}`); } catch (error) { toast(errorMessage(error), 'error'); return; } }
    const saved = await mailboxDialog(current, teams);
    if (!saved) return;
    toast(m ? t('common.saved') : t('admin.mailbox_created', { address: saved.address }), 'success');
    reload();
  }

  async function remove(m) {
    if (!await confirm(t('admin.mailbox_delete_confirm', { address: m.address }), { danger: true, confirmLabel: t('common.delete') })) return;
    try { await api.del(`mailboxes/${m.id}`); toast(t('admin.deleted', { name: m.address }), 'success'); reload(); } catch (error) {
      toast(errorMessage(error), 'error');
    }
  }

  function test(m) {
    return dialog(t('admin.test_title', { address: m.address }), (close) => {
      const out = h('div.ad-test', { 'data-testid': 'mailbox-test-result', 'aria-live': 'polite' });
      const run = async () => {
        replace(out, stepper(null), h('div.ad-banner', h('span.spinner', { 'aria-hidden': 'true' }), t('admin.testing', { host: m.imap.host })));
        out.dataset.state = 'running';
        try {
          const r = await api.post(`mailboxes/${m.id}/test`);
          out.dataset.state = r.ok ? 'ok' : 'failed';
          out.dataset.stage = r.stage || '';
          replace(out, stepper(r), r.ok
            ? h('div.ad-banner.ad-banner-success', { role: 'status' }, icon('check'), h('div', h('strong', t('admin.test_ok')),
              h('p', t('admin.test_ok_detail', { count: r.unseen ?? 0 }))))
            : h('div.ad-banner.ad-banner-danger', { role: 'alert' }, adIcon('alert'), h('div',
              h('strong', has(`admin.stage_${r.stage}_failed`) ? t(`admin.stage_${r.stage}_failed`) : t('admin.test_failed')),
              has(`admin.stage_${r.stage}_hint`) && h('p', t(`admin.stage_${r.stage}_hint`)),
              r.error && h('pre.ad-test-error', r.error))));
        } catch (error) {
          out.dataset.state = 'error';
          replace(out, h('div.ad-banner.ad-banner-danger', { role: 'alert' }, adIcon('alert'), errorMessage(error)));
        }
      };
      run();
      return h('div', out, h('div.dialog-actions',
        h('button.btn', { type: 'button', onclick: run, id: 'mailbox-test-again' }, adIcon('refresh'), t('admin.test_again')),
        h('button.btn.btn-primary', { type: 'button', onclick: () => close() }, t('common.close'))));
    });
  }

  function stepper(result) {
    const failedAt = result && !result.ok ? STAGES.indexOf(result.stage) : -1;
    return h('ol.ad-steps', STAGES.map((stage, i) => {
      let state = 'pending';
      if (result?.ok) state = 'done';
      else if (result && failedAt >= 0) state = i < failedAt ? 'done' : i === failedAt ? 'failed' : 'skipped';
      else if (result) state = 'skipped';
      return h(`li.ad-step.ad-step-${state}`, { dataset: { stage } },
        h('span.ad-step-mark', { 'aria-hidden': 'true' }, state === 'done' ? icon('check') : state === 'failed' ? icon('x') : String(i + 1)),
        h('span.ad-step-label', t(`admin.stage_${stage}`)),
        h('span.visually-hidden', t(`admin.step_${state}`)));
    }));
  }

  function failed(m) {
    return dialog(t('admin.failed_title', { address: m.address }), () => {
      const body = h('div.ad-failed', loading());
      let cursor = null;
      const list = h('ul.ad-failed-list');
      const more = h('button.btn.ad-load-more', { type: 'button', hidden: true, onclick: () => load() }, t('common.load_more'));
      const item = (f) => {
        const retry = h('button.btn.btn-sm', { type: 'button', 'data-testid': 'failed-retry', onclick: async () => {
          retry.disabled = true;
          try {
            const r = await api.post(`mailboxes/${m.id}/failed-messages/${f.id}/retry`);
            toast(t(`admin.retry_${r.action}`, { reason: r.reason || '' }), 'success');
            li.remove();
            if (!list.children.length && !cursor) replace(body, emptyWith(t('admin.failed_empty'), t('admin.failed_empty_hint')));
          } catch (error) { toast(errorMessage(error), 'error'); retry.disabled = false; }
        } }, adIcon('refresh'), t('admin.retry'));
        // Refused for its size before it was fetched: nothing is kept to retry.
        if (f.retryable === false) retry.hidden = true;
        const li = h('li.ad-failed-item', { 'data-testid': 'failed-message', dataset: { id: f.id } },
          h('div.ad-failed-main',
            h('strong.ad-failed-subject', f.subject || t('admin.no_subject')),
            h('span.muted.small', f.from || t('admin.unknown_sender'), ' · ', h('time', { datetime: f.received_at, title: dateTime(f.received_at) }, relative(f.received_at)),
              ' · ', t('admin.attempts', { count: f.attempts })),
            h('code.ad-failed-error', f.error)),
          retry);
        return li;
      };
      async function load() {
        more.disabled = true;
        try {
          const page = await api.get(`mailboxes/${m.id}/failed-messages`, { cursor, limit: 25 });
          if (!cursor && !page.items.length) { replace(body, emptyWith(t('admin.failed_empty'), t('admin.failed_empty_hint'))); return; }
          list.append(...page.items.map(item));
          cursor = page.next_cursor;
          more.hidden = !cursor;
          if (!body.contains(list)) replace(body, h('p.muted.small', t('admin.failed_lead')), list, more);
        } catch (error) { replace(body, failure(error, load)); } finally { more.disabled = false; }
      }
      load();
      queueMicrotask(() => body.closest('dialog')?.classList.add('ad-dialog-wide'));
      return body;
    });
  }

  reload();
  return h('div.page.ad-page#admin-mailboxes', pageHeader(t('admin.nav_mailboxes'), t('admin.mailboxes_desc'), newButton), listEl);
}
