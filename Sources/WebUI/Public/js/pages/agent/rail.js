// The agent rail: built-in views and saved views (in the user's order, with "Manage views") with live counts.
// The shell keeps it across navigations, so it follows the location itself (popstate, clicks) to mark the
// current view. Counts come from /tickets/counts, which also names every saved view the user sees: a view
// shared since (by an admin or a teammate) makes the rail reload its list.
import { h, icon, replace, debounce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api, ApiError } from '../../core/api.js';
import { store } from '../../core/store.js';
import { onEvent } from '../../core/realtime.js';
import { BUILTIN_VIEWS, savedViews, formatCount, scopeLabel, scopeIcon } from './components/views.js';
import { manageViews } from './components/view-editor.js';
import { teams } from './components/people.js';

export async function renderRail() {
  const countEls = new Map(); // view key → span
  let countsAvailable = true;
  let lastCounts = null;
  let savedIds = new Set();

  const link = (key, label, iconName, extra = {}) => {
    const count = h('span.rail-count', { dataset: { testid: `rail-count-${key}` } });
    countEls.set(key, count);
    return h('a.rail-link.tk-rail-link', { href: `/tickets?view=${encodeURIComponent(key)}`, dataset: { view: key, testid: `rail-${key}` }, ...extra },
      icon(iconName), h('span.tk-rail-label', label), count);
  };

  const builtins = h('div.rail-section',
    h('h2.rail-heading', t('agent.rail_views')),
    BUILTIN_VIEWS.map((v) => link(v.key, t(`agent.view_${v.key}`), v.icon)));
  const savedSection = h('div.rail-section', { hidden: true, dataset: { testid: 'rail-saved-views' } });
  const el = h('div.tk-rail', { dataset: { testid: 'agent-rail' } }, builtins, savedSection,
    h('div.rail-section',
      h('a.rail-link.tk-rail-link', { href: '/tickets', dataset: { view: '', testid: 'rail-all' } }, icon('inbox'),
        h('span.tk-rail-label', t('agent.view_all')))));

  const manage = h('button.icon-btn.tk-rail-manage', { type: 'button', dataset: { testid: 'rail-manage-views' },
    'aria-label': t('agent.views_manage'), title: t('agent.views_manage'), onclick: () => manageViews() }, icon('settings'));

  // One load at a time; a change during a load loads again after it (so the rail never ends on stale views).
  let loadingSaved = null;
  let again = false;
  function loadSaved() {
    if (loadingSaved) { again = true; return loadingSaved; }
    loadingSaved = (async () => {
      try {
        const [views, teamList] = await Promise.all([savedViews(true), teams().catch(() => [])]);
        savedIds = new Set(views.map((v) => v.id));
        for (const key of [...countEls.keys()]) if (!BUILTIN_VIEWS.some((b) => b.key === key)) countEls.delete(key);
        if (!views.length) { replace(savedSection); savedSection.hidden = true; return; }
        replace(savedSection, h('div.tk-rail-headrow', h('h2.rail-heading', t('agent.rail_saved_views')), manage),
          views.map((v) => link(v.id, v.title, scopeIcon(v), { title: scopeLabel(v, teamList) })));
        savedSection.hidden = false;
        showCounts();
        markCurrent();
      } catch { savedSection.hidden = true; } finally {
        loadingSaved = null;
        if (again) { again = false; loadSaved(); }
      }
    })();
    return loadingSaved;
  }

  function showCounts() {
    for (const [key, span] of countEls) {
      const n = lastCounts?.[key];
      span.textContent = typeof n === 'number' ? formatCount(n) : '';
    }
  }

  async function loadCounts() {
    if (!countsAvailable) return;
    try {
      const counts = await api.get('tickets/counts');
      store.set({ counts });
      lastCounts = counts;
      showCounts();
      // Saved views appear in the counts by id: one the rail does not list (or lists but is gone) was shared or removed.
      const ids = Object.keys(counts || {}).filter((k) => !BUILTIN_VIEWS.some((b) => b.key === k));
      if (!loadingSaved && (ids.length !== savedIds.size || ids.some((id) => !savedIds.has(id)))) loadSaved();
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
  const onViewsChanged = () => { loadSaved(); loadCounts(); };
  window.addEventListener('tk:views-changed', onViewsChanged);
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
      window.removeEventListener('tk:views-changed', onViewsChanged);
      clearInterval(timer);
    },
  };
}
