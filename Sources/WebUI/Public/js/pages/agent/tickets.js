// The ticket list: a view (built-in or saved) or a search, filters and sort in the URL, paging, multi-select
// with bulk actions, j/k/x/Enter keyboard, and live updates from realtime events.
import { h, icon, replace, debounce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import * as router from '../../core/router.js';
import { onEvent } from '../../core/realtime.js';
import { loading, empty, failure, toast, errorMessage } from '../../core/ui.js';
import { builtin, savedViews } from './components/views.js';
import { filterBar, FILTER_KEYS } from './components/list-filters.js';
import { bulkBar } from './components/bulk-bar.js';
import { ticketRow, ticketHead } from './components/ticket-row.js';
import { hydrateNames, staff } from './components/people.js';
import { relative as relativeTime } from '../../core/format.js';

const PAGE = 50;

export async function render(ctx) {
  let query = new URLSearchParams(ctx.query);
  let rows = [];
  let cursor = null;
  let activeId = null;
  let loadSeq = 0;
  const selected = new Set();
  let savedView = null;

  const viewKey = () => query.get('view') || '';
  const q = () => query.get('q') || '';
  const isSaved = () => Boolean(viewKey()) && !builtin(viewKey());

  if (isSaved()) {
    try { savedView = (await savedViews()).find((v) => v.id === viewKey()) || null; } catch { savedView = null; }
  }
  staff().catch(() => {}); // warms the name cache for assignees

  const title = h('h1.tk-list-title#list-title');
  const subtitle = h('p.tk-list-sub.muted.small', { dataset: { testid: 'list-subtitle' } });
  const filtersSlot = h('div.tk-filters-slot#tk-filters');
  const filtersToggle = h('button.btn.btn-sm.tk-filters-toggle', { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'tk-filters',
    dataset: { testid: 'filters-toggle' }, onclick: () => {
      const open = !root.classList.contains('tk-filters-open');
      root.classList.toggle('tk-filters-open', open);
      filtersToggle.setAttribute('aria-expanded', String(open));
    } }, icon('list'), t('agent.filters'));
  const selectAll = h('input#select-all', { type: 'checkbox', 'aria-label': t('agent.select_all'), onchange: (e) => {
    if (e.target.checked) rows.forEach((r) => selected.add(r.id)); else selected.clear();
    drawRows();
  } });
  const tbody = h('tbody');
  const table = h('table.table.tk-table', { dataset: { testid: 'ticket-table' }, 'aria-labelledby': 'list-title' });
  const body = h('div.tk-list-body', { 'aria-live': 'polite' });
  const more = h('div.tk-more');
  const bulk = bulkBar({
    getIds: () => [...selected],
    onClear: () => { selected.clear(); drawRows(); },
    onDone: (results) => {
      for (const r of results) {
        if (!r.ticket) continue;
        const i = rows.findIndex((x) => x.id === r.ticket.id);
        if (i >= 0) rows[i] = r.ticket;
      }
      selected.clear();
      drawRows();
      refreshFirstPage();
    },
  });

  const root = h('div.tk-list-page', { dataset: { testid: 'tickets-page' } },
    h('header.tk-list-header',
      h('div.tk-list-heading', title, subtitle),
      h('div.tk-list-actions', filtersToggle)),
    filtersSlot, bulk.el, body, more);

  function heading() {
    const vk = viewKey();
    if (q()) title.textContent = t('agent.search_title');
    else if (savedView) title.textContent = savedView.title;
    else if (builtin(vk)) title.textContent = t(`agent.view_${vk}`);
    else title.textContent = t('agent.view_all');
    document.title = `${title.textContent} · ${t('common.app_name')}`;
    replace(subtitle, q()
      ? [t('agent.search_results_for'), ' ', h('q.tk-query', { dataset: { testid: 'search-query' } }, q()), ' ',
        h('a.tk-clear-search', { href: urlWithout(['q']), dataset: { testid: 'search-clear' } }, t('agent.search_clear'))]
      : (savedView?.shared ? t('agent.view_shared') : ''));
    // Show the query in the top bar's search box (the shell may mount it just after this page renders).
    const fill = () => {
      const search = document.getElementById('global-search');
      if (search && document.activeElement !== search) search.value = q();
    };
    fill();
    setTimeout(fill, 50);
    setTimeout(fill, 400);
  }

  function urlWithout(keys) {
    const u = new URLSearchParams(query);
    keys.forEach((k) => u.delete(k));
    const s = u.toString();
    return `/tickets${s ? `?${s}` : ''}`;
  }

  function drawFilters() {
    if (isSaved()) { replace(filtersSlot); filtersToggle.hidden = true; return; }
    filtersToggle.hidden = false;
    replace(filtersSlot, filterBar(query, { searching: Boolean(q()), onChange: setParams }));
  }

  function setParams(params) {
    router.setQuery(params);
    query = new URL(location.href).searchParams;
    window.dispatchEvent(new Event('tk:navigated'));
    selected.clear();
    drawFilters();
    heading();
    load();
  }

  /** The request for the current URL: path and query. */
  function request(extra = {}) {
    if (isSaved()) return [`views/${viewKey()}/tickets`, { limit: PAGE, ...extra }];
    const params = { ...(builtin(viewKey())?.query || {}) };
    for (const k of FILTER_KEYS) if (query.get(k)) params[k] = query.get(k);
    if (q()) params.q = q();
    params.sort = query.get('sort') || (q() ? undefined : '-updated_at');
    return ['tickets', { limit: PAGE, ...params, ...extra }];
  }

  async function load() {
    const seq = ++loadSeq;
    replace(body, loading(t('agent.loading_tickets')));
    replace(more);
    try {
      const [path, params] = request();
      const page = await api.get(path, params);
      if (seq !== loadSeq) return;
      rows = page.items;
      cursor = page.next_cursor;
      drawRows();
    } catch (error) {
      if (seq !== loadSeq) return;
      rows = [];
      replace(body, failure(error, load));
    }
  }

  async function loadMore(button) {
    button.disabled = true;
    replace(button, h('span.spinner', { 'aria-hidden': 'true' }), t('common.loading'));
    try {
      const [path, params] = request({ cursor });
      const page = await api.get(path, params);
      const known = new Set(rows.map((r) => r.id));
      rows.push(...page.items.filter((r) => !known.has(r.id)));
      cursor = page.next_cursor;
      drawRows();
    } catch (error) {
      toast(errorMessage(error), 'error');
      button.disabled = false;
      replace(button, t('common.load_more'));
    }
  }

  /** Refetches the first page and merges it: updated rows change in place, new ones flash. */
  async function refreshFirstPage() {
    const seq = loadSeq;
    try {
      const [path, params] = request();
      const page = await api.get(path, params);
      if (seq !== loadSeq) return;
      const before = new Set(rows.map((r) => r.id));
      const firstIds = new Set(page.items.map((r) => r.id));
      const oldFirst = new Set(rows.slice(0, PAGE).map((r) => r.id));
      const rest = rows.slice(PAGE).filter((r) => !firstIds.has(r.id) && !oldFirst.has(r.id));
      rows = [...page.items, ...rest];
      if (rows.length <= PAGE) cursor = page.next_cursor;
      for (const id of [...selected]) if (!rows.some((r) => r.id === id)) selected.delete(id);
      drawRows(new Set(page.items.filter((r) => !before.has(r.id)).map((r) => r.id)));
    } catch { /* the next event or a reload will catch up */ }
  }

  function drawRows(fresh = new Set()) {
    bulk.update(selected.size);
    selectAll.checked = rows.length > 0 && selected.size === rows.length;
    selectAll.indeterminate = selected.size > 0 && selected.size < rows.length;
    if (!rows.length) {
      replace(body, q()
        ? empty(t('agent.search_empty'), t('agent.search_empty_hint'))
        : empty(t('agent.list_empty'), t('agent.list_empty_hint')));
      replace(more);
      return;
    }
    replace(tbody, rows.map((ticket) => {
      const tr = ticketRow(ticket, { selected: selected.has(ticket.id), onToggle });
      if (ticket.id === activeId) tr.classList.add('tk-active');
      if (fresh.has(ticket.id)) tr.classList.add('tk-row-new');
      return tr;
    }));
    replace(table, ticketHead({ sort: request()[1].sort || '', onSort: isSaved() ? null : (s) => setParams({ sort: s }), selectAll }), tbody);
    if (!body.contains(table)) replace(body, h('div.tk-table-wrap', table));
    replace(more, cursor ? h('button.btn.tk-load-more#load-more', { type: 'button', onclick: (e) => loadMore(e.currentTarget) }, t('common.load_more'))
      : h('p.faint.small.tk-end', t('agent.list_count', { count: rows.length })));
    hydrateNames(tbody).catch(() => {});
  }

  function onToggle(id, on) {
    if (on) selected.add(id); else selected.delete(id);
    const tr = tbody.querySelector(`tr[data-id="${CSS.escape(id)}"]`);
    tr?.classList.toggle('tk-selected', on);
    bulk.update(selected.size);
    selectAll.checked = selected.size === rows.length;
    selectAll.indeterminate = selected.size > 0 && selected.size < rows.length;
  }

  // A click on a row (outside its controls) opens the ticket, like the subject link.
  tbody.addEventListener('click', (e) => {
    if (e.target.closest('a, button, input, label')) return;
    const tr = e.target.closest('tr[data-number]');
    if (tr) router.navigate(`/tickets/${tr.dataset.number}`);
  });

  function moveActive(delta) {
    if (!rows.length) return;
    const i = rows.findIndex((r) => r.id === activeId);
    const next = Math.max(0, Math.min(rows.length - 1, i < 0 ? 0 : i + delta));
    activeId = rows[next].id;
    for (const tr of tbody.querySelectorAll('tr.tk-active')) tr.classList.remove('tk-active');
    const tr = tbody.querySelector(`tr[data-id="${CSS.escape(activeId)}"]`);
    tr?.classList.add('tk-active');
    tr?.scrollIntoView({ block: 'nearest' });
  }

  function onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (e.target.closest?.('input, textarea, select, [contenteditable], dialog')) return;
    const active = rows.find((r) => r.id === activeId);
    if (e.key === 'j') { e.preventDefault(); moveActive(1); }
    else if (e.key === 'k') { e.preventDefault(); moveActive(-1); }
    else if (e.key === 'Enter' && active && !e.target.closest('a, button')) { e.preventDefault(); router.navigate(`/tickets/${active.number}`); }
    else if (e.key === 'x' && active) {
      e.preventDefault();
      onToggle(active.id, !selected.has(active.id));
      const box = tbody.querySelector(`tr[data-id="${CSS.escape(active.id)}"] input[type=checkbox]`);
      if (box) box.checked = selected.has(active.id);
    }
  }
  document.addEventListener('keydown', onKey);

  const refresh = debounce(refreshFirstPage, 700);
  const offEvent = onEvent(() => refresh());
  const tick = setInterval(() => {
    for (const el of tbody.querySelectorAll('td.tk-c-updated time')) {
      const row = rows.find((r) => r.id === el.closest('tr').dataset.id);
      if (row) el.textContent = relativeTime(row.updated_at);
    }
  }, 60_000);

  heading();
  drawFilters();
  window.dispatchEvent(new Event('tk:navigated'));
  load();

  return {
    el: root,
    dispose() { document.removeEventListener('keydown', onKey); offEvent(); clearInterval(tick); },
  };
}

