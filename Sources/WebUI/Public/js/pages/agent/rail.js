// The agent rail: built-in views and saved views with live counts. The shell keeps it across navigations,
// so it follows the location itself (popstate, clicks) to mark the current view.
import { h, icon, replace, debounce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, ApiError } from '../../core/api.js';
import { store } from '../../core/store.js';
import { onEvent } from '../../core/realtime.js';
import { BUILTIN_VIEWS, savedViews, formatCount } from './components/views.js';

export async function renderRail() {
  const countEls = new Map(); // view key → span
  let countsAvailable = true;

  const link = (key, label, iconName, extra = {}) => {
    const count = h('span.rail-count', { dataset: { testid: `rail-count-${key}` } });
    countEls.set(key, count);
    return h('a.rail-link.tk-rail-link', { href: `/tickets?view=${encodeURIComponent(key)}`, dataset: { view: key, testid: `rail-${key}` }, ...extra },
      icon(iconName), h('span.tk-rail-label', label), count);
  };

  const builtins = h('div.rail-section',
    h('h2.rail-heading', t('agent.rail_views')),
    BUILTIN_VIEWS.map((v) => link(v.key, t(`agent.view_${v.key}`), v.icon)));
  const savedSection = h('div.rail-section', { hidden: true });
  const el = h('div.tk-rail', { dataset: { testid: 'agent-rail' } }, builtins, savedSection,
    h('div.rail-section',
      h('a.rail-link.tk-rail-link', { href: '/tickets', dataset: { view: '', testid: 'rail-all' } }, icon('inbox'),
        h('span.tk-rail-label', t('agent.view_all')))));

  async function loadSaved() {
    try {
      const views = await savedViews(true);
      if (!views.length) { savedSection.hidden = true; return; }
      replace(savedSection, h('h2.rail-heading', t('agent.rail_saved_views')),
        views.map((v) => link(v.id, v.title, v.shared ? 'users' : 'tag', { title: v.shared ? t('agent.view_shared') : t('agent.view_personal') })));
      savedSection.hidden = false;
      markCurrent();
    } catch { savedSection.hidden = true; }
  }

  async function loadCounts() {
    if (!countsAvailable) return;
    try {
      const counts = await api.get('tickets/counts');
      store.set({ counts });
      for (const [key, span] of countEls) {
        const n = counts?.[key];
        span.textContent = typeof n === 'number' ? formatCount(n) : '';
      }
    } catch (error) {
      // The counts route is optional: without it the rail simply shows no numbers.
      if (error instanceof ApiError && (error.status === 404 || error.status === 405)) countsAvailable = false;
      for (const span of countEls.values()) span.textContent = '';
    }
  }

  function markCurrent() {
    const url = new URL(location.href);
    const onList = url.pathname === '/tickets';
    const view = url.searchParams.get('view') || '';
    const filtered = ['q', 'status', 'priority', 'assignee_id', 'team_id', 'tag'].some((k) => url.searchParams.has(k));
    for (const a of el.querySelectorAll('a[data-view]')) {
      const current = onList && a.dataset.view === view && (view !== '' || !filtered);
      if (current) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
  }

  const refresh = debounce(loadCounts, 1500);
  const offEvent = onEvent((e) => {
    refresh();
    if (e.type === 'view.changed') loadSaved();
  });
  const onPop = () => markCurrent();
  // Re-check after any click: the router navigates with pushState, which fires no event.
  const onClick = () => setTimeout(markCurrent, 0);
  const onNavigated = () => markCurrent();
  window.addEventListener('popstate', onPop);
  document.addEventListener('click', onClick);
  window.addEventListener('tk:navigated', onNavigated);
  window.addEventListener('tk:views-changed', loadSaved);
  const timer = setInterval(() => { if (document.visibilityState === 'visible') loadCounts(); }, 60_000);

  markCurrent();
  loadCounts();
  loadSaved();

  return {
    el,
    dispose() {
      offEvent();
      window.removeEventListener('popstate', onPop);
      document.removeEventListener('click', onClick);
      window.removeEventListener('tk:navigated', onNavigated);
      window.removeEventListener('tk:views-changed', loadSaved);
      clearInterval(timer);
    },
  };
}
