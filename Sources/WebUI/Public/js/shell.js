// The application frame: top bar (search, new, notifications bell, user menu), an optional left rail
// (agent views or admin sections) that becomes a drawer on narrow screens, and the page outlet.
import { h, icon, replace } from './core/dom.js';
import { t, setLocale, locale, onLocaleChange } from './core/i18n.js';
import { session } from './core/session.js';
import { api } from './core/api.js';
import { store } from './core/store.js';
import { setTheme, themePreference, effectiveTheme } from './core/theme.js';
import * as router from './core/router.js';
import * as realtime from './core/realtime.js';
import { menu, avatar, errorMessage, toast } from './core/ui.js';
import { relative } from './core/format.js';

const app = () => document.getElementById('app');
let frame = null; // {root, rail, main, bar, railKind, railDispose, abort}
let lastMeta = null;

/** Puts a page on screen in the layout its route asks for. */
export async function mount(el, meta) {
  lastMeta = meta;
  document.title = meta.title || t('common.app_name');
  if (meta.layout === 'auth' || !session.current) {
    dropFrame();
    replace(app(), h('main.auth-layout#main', { tabindex: '-1' },
      h('div.auth-brand', h('img', { src: '/img/logo.svg', alt: '', width: 32, height: 32 }), h('span', t('common.app_name'))),
      el,
      h('div.auth-footer', localeSwitch(), themeSwitch())));
    return;
  }
  if (!frame) buildFrame();
  frame.root.dataset.section = meta.section || '';
  await setRail(meta);
  replace(frame.main, el);
  frame.root.classList.remove('rail-open');
  // The search box shows the query of the list being looked at.
  const search = document.getElementById('global-search');
  if (search) search.value = location.pathname === '/tickets' ? (new URLSearchParams(location.search).get('q') || '') : '';
  for (const a of frame.bar.querySelectorAll('[data-section]')) {
    a.toggleAttribute('aria-current', a.dataset.section === meta.section);
  }
}

async function setRail(meta) {
  const kind = meta.rail || null;
  frame.root.classList.toggle('has-rail', Boolean(kind));
  if (kind === frame.railKind && kind !== 'admin') return; // the agent rail updates itself
  frame.railKind = kind;
  if (!kind) { replace(frame.rail); return; }
  const module = kind === 'agent' ? await import('./pages/agent/rail.js') : await import('./pages/admin/nav.js');
  frame.railDispose?.();
  const result = await module.renderRail(meta);
  frame.railDispose = result.dispose;
  replace(frame.rail, result.el || result);
}

/** Forgets the frame and everything it listens to (document listeners, the rail's timers and subscriptions). */
function dropFrame() {
  if (!frame) return;
  frame.railDispose?.();
  frame.abort.abort();
  frame = null;
}

function buildFrame() {
  const abort = new AbortController();
  const { signal } = abort;
  const user = session.user;
  const isStaff = session.isStaff;
  const rail = h('nav.rail#rail', { 'aria-label': t('common.navigation') });
  const main = h('main.main#main', { tabindex: '-1' });
  const railToggle = h('button.icon-btn.rail-toggle', {
    type: 'button', 'aria-label': t('common.open_menu'), 'aria-controls': 'rail',
    onclick: () => root.classList.toggle('rail-open'),
  }, icon('menu'));

  const search = isStaff && h('form.topbar-search', { role: 'search', onsubmit: (e) => {
    e.preventDefault();
    const q = e.target.elements.q.value.trim();
    router.navigate(q ? `/tickets?q=${encodeURIComponent(q)}` : '/tickets');
  } }, icon('search'), h('input', { type: 'search', name: 'q', id: 'global-search', autocomplete: 'off',
    placeholder: t('common.search_placeholder'), 'aria-label': t('common.search') }), h('kbd.hint', '/'));

  const sections = isStaff
    ? [h('a.topnav-link', { href: '/tickets', dataset: { section: 'tickets' } }, t('common.nav_tickets')),
      session.isAdmin && h('a.topnav-link', { href: '/admin/users', dataset: { section: 'admin' } }, t('common.nav_admin'))]
    : [h('a.topnav-link', { href: '/requests', dataset: { section: 'requests' } }, t('common.nav_requests'))];

  const bar = h('header.topbar',
    h('a.skip-link', { href: '#main' }, t('common.skip_to_content')),
    railToggle,
    h('a.brand', { href: '/', 'aria-label': t('common.app_name') },
      h('img', { src: '/img/logo.svg', alt: '', width: 28, height: 28 }), h('span.brand-name', t('common.app_name'))),
    h('nav.topnav', { 'aria-label': t('common.sections') }, sections),
    search,
    h('div.topbar-actions',
      h('a.btn.btn-primary.btn-new', { href: isStaff ? '/tickets/new' : '/requests/new' },
        icon('plus'), h('span.btn-label', isStaff ? t('common.new_ticket') : t('common.new_request'))),
      bell(signal),
      userMenu(user, signal)));

  const root = h('div.app-frame', bar, h('div.app-body', rail, h('div.rail-scrim', { onclick: () => root.classList.remove('rail-open') }), main));
  replace(app(), root);
  frame = { root, rail, main, bar, railKind: undefined, abort };
}

function bell(signal) {
  const count = h('span.bell-count', { hidden: true });
  const panel = h('div.bell-panel', { hidden: true, role: 'dialog', 'aria-label': t('common.notifications') });
  const button = h('button.icon-btn.bell#bell', { type: 'button', 'aria-label': t('common.notifications'),
    'aria-haspopup': 'dialog', 'aria-expanded': 'false' }, icon('bell'), count);
  const unsubscribe = store.subscribe(({ unread }) => {
    count.hidden = !unread;
    count.textContent = unread > 99 ? '99+' : String(unread);
    button.setAttribute('aria-label', t('common.notifications_unread', { count: unread }));
  });
  signal.addEventListener('abort', unsubscribe);
  api.get('notifications', { limit: 1 }).then((r) => store.set({ unread: r.unread_count ?? 0 })).catch(() => {});

  async function open() {
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    replace(panel, h('p.muted.pad', t('common.loading')));
    try {
      const page = await api.get('notifications', { limit: 15 });
      store.set({ unread: page.unread_count ?? 0 });
      const list = page.items.map((n) => h(`button.bell-item${n.read ? '' : '.unread'}`, { type: 'button', onclick: async () => {
        close();
        if (!n.read) api.post(`notifications/${n.id}/read`).catch(() => {});
        // Ticket pages accept the id as well as the number.
        if (n.ticket_id) router.navigate(session.isStaff ? `/tickets/${n.ticket_id}` : `/requests/${n.ticket_id}`);
      } }, h('span.bell-title', n.title), n.body && h('span.bell-body.small', n.body), h('span.muted.small', relative(n.created_at))));
      replace(panel,
        h('div.bell-head', h('strong', t('common.notifications')),
          h('button.link-btn', { type: 'button', onclick: async () => {
            try { await api.post('notifications/read-all'); store.set({ unread: 0 }); close(); } catch (e) { toast(errorMessage(e), 'error'); }
          } }, t('common.mark_all_read'))),
        list.length ? h('div.bell-list', list) : h('p.muted.pad', t('common.no_notifications')));
    } catch (error) {
      replace(panel, h('p.pad', errorMessage(error)));
    }
  }
  function close() { panel.hidden = true; button.setAttribute('aria-expanded', 'false'); }
  button.addEventListener('click', (e) => { e.stopPropagation(); if (panel.hidden) open(); else close(); });
  document.addEventListener('click', (e) => { if (!panel.contains(e.target)) close(); }, { signal });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !panel.hidden) { close(); button.focus(); } }, { signal });
  return h('div.bell-wrap', button, panel);
}

function userMenu(user, signal) {
  const button = h('button.user-btn#user-menu', { type: 'button', 'aria-label': t('common.account_menu') },
    avatar(user?.name || user?.email || '?', 'sm'), h('span.user-name', user?.name || ''));
  return menu(button, [
    { label: t('common.profile'), icon: 'user', onSelect: () => router.navigate('/profile') },
    { label: effectiveTheme() === 'dark' ? t('common.theme_light') : t('common.theme_dark'),
      icon: effectiveTheme() === 'dark' ? 'sun' : 'moon',
      onSelect: () => { setTheme(effectiveTheme() === 'dark' ? 'light' : 'dark'); rebuild(); } },
    { label: locale() === 'fr' ? 'English' : 'Français', icon: 'list', onSelect: () => switchLocale(locale() === 'fr' ? 'en' : 'fr') },
    '-',
    { label: t('common.logout'), icon: 'logout', danger: true, onSelect: logout },
  ], { signal });
}

/** Changes the language everywhere (and in the user's profile, so emails follow). */
export async function switchLocale(next) {
  await setLocale(next);
  if (session.current) {
    api.patch('users/me', { locale: next }).then((me) => session.setUser(me)).catch(() => {});
  }
}

function localeSwitch() {
  return h('div.seg', { role: 'group', 'aria-label': t('common.language') },
    ['en', 'fr'].map((l) => h('button.seg-btn', { type: 'button', 'aria-pressed': String(locale() === l), lang: l,
      onclick: () => switchLocale(l) }, l === 'en' ? 'English' : 'Français')));
}

function themeSwitch() {
  return h('div.seg', { role: 'group', 'aria-label': t('common.theme') },
    ['system', 'light', 'dark'].map((mode) => h('button.seg-btn', { type: 'button', dataset: { mode },
      'aria-pressed': String(themePreference() === mode), onclick: () => { setTheme(mode); rebuild(); } },
    t(`common.theme_${mode}`))));
}

/** Rebuilds the frame and the page (after a language or theme change). */
export function rebuild() {
  dropFrame();
  return router.resolve();
}

onLocaleChange(() => { if (lastMeta) rebuild(); });

export async function logout() {
  const token = session.refreshToken;
  realtime.disconnect();
  session.clear();
  dropFrame();
  if (token) api.post('auth/logout', { refresh_token: token }).catch(() => {});
  await router.navigate('/login');
}

// Keyboard: "/" focuses the search box anywhere outside a text field.
document.addEventListener('keydown', (e) => {
  if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.target.closest?.('input, textarea, select, [contenteditable]')) return;
  const input = document.getElementById('global-search');
  if (input) { e.preventDefault(); input.focus(); }
});
