// The signed-in devices: each session with its browser, address and last activity; others can be revoked.
import { h, icon } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { api } from '../../../core/api.js';
import { relative, dateTime } from '../../../core/format.js';
import { loadInto, empty, confirm, toast, errorMessage } from '../../../core/ui.js';
import { logout } from '../../../shell.js';

export function activeSessions() {
  const body = h('div.pf-sessions-body');
  const reload = loadInto(body, () => api.all('auth/sessions'), draw);

  function draw(sessions) {
    if (!sessions.length) return empty(t('profile.sessions_none'));
    // The current device first, then the most recently used.
    const sorted = [...sessions].sort((a, b) => (b.current - a.current) || (Date.parse(b.last_used_at) - Date.parse(a.last_used_at)));
    const others = sorted.filter((s) => !s.current);
    return h('div',
      h('ul.pf-sessions#sessions-list', sorted.map((s) => item(s))),
      others.length > 1 && h('div.pf-sessions-actions',
        h('button.btn.btn-sm#sessions-revoke-others', { type: 'button', onclick: async (e) => {
          if (!await confirm(t('profile.revoke_others_confirm', { count: others.length }), { danger: true, confirmLabel: t('profile.revoke_others') })) return;
          e.target.disabled = true;
          const results = await Promise.allSettled(others.map((s) => api.del(`auth/sessions/${s.id}`)));
          const failed = results.filter((r) => r.status === 'rejected').length;
          toast(failed ? t('profile.revoke_partial', { count: failed }) : t('profile.revoked_others'), failed ? 'error' : 'success');
          reload();
        } }, t('profile.revoke_others'))));
  }

  function item(s) {
    const device = describe(s.user_agent);
    const action = s.current
      ? h('button.btn.btn-sm.btn-ghost', { type: 'button', dataset: { testid: 'session-signout' }, onclick: () => logout() },
        icon('logout'), t('profile.sign_out_here'))
      : h('button.btn.btn-sm', { type: 'button', dataset: { testid: 'session-revoke' }, 'aria-label': t('profile.revoke_label', { device: device.name }),
        onclick: async (e) => {
          if (!await confirm(t('profile.revoke_confirm', { device: device.name }), { danger: true, confirmLabel: t('profile.revoke') })) return;
          e.currentTarget?.setAttribute('disabled', '');
          try {
            await api.del(`auth/sessions/${s.id}`);
            toast(t('profile.revoked'), 'success');
            reload();
          } catch (error) { toast(errorMessage(error), 'error'); reload(); }
        } }, t('profile.revoke'));
    return h(`li.pf-session${s.current ? '.current' : ''}`, { dataset: { testid: 'session', sessionId: s.id, current: String(Boolean(s.current)) } },
      h('span.pf-session-icon', { 'aria-hidden': 'true' }, icon(device.mobile ? 'user' : 'shield')),
      h('div.pf-session-main',
        h('div.pf-session-name', device.name, s.current && h('span.pf-badge', t('profile.this_device'))),
        h('div.pf-session-meta',
          [s.ip, t('profile.last_active', { time: relative(s.last_used_at) })].filter(Boolean).join(' · ')),
        h('div.pf-session-meta.faint', { title: s.user_agent || '' }, t('profile.signed_in_at', { time: dateTime(s.created_at) }))),
      action);
  }
  body.reload = reload;
  return body;
}

/** "Firefox on macOS" from a User-Agent string (enough to recognise one's devices). */
function describe(ua) {
  if (!ua) return { name: t('profile.unknown_device'), mobile: false };
  const browser = /Edg\//.test(ua) ? 'Edge' : /OPR\//.test(ua) ? 'Opera' : /Firefox\//.test(ua) ? 'Firefox'
    : /Chrome\//.test(ua) || /Chromium\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari'
      : /curl\//i.test(ua) ? 'curl' : null;
  const os = /iPhone|iPad/.test(ua) ? 'iOS' : /Android/.test(ua) ? 'Android' : /Mac OS X/.test(ua) ? 'macOS'
    : /Windows/.test(ua) ? 'Windows' : /CrOS/.test(ua) ? 'ChromeOS' : /Linux/.test(ua) ? 'Linux' : null;
  const mobile = /Mobile|iPhone|Android/.test(ua);
  if (browser && os) return { name: t('profile.browser_on_os', { browser, os }), mobile };
  return { name: browser || os || ua.split(/[\s/]/)[0] || t('profile.unknown_device'), mobile };
}
