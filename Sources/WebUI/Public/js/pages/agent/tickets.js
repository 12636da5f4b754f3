// The ticket list: a view (built-in or saved) or a search, filters, sort and columns in the URL, paging,
// multi-select with bulk actions (merge among them), j/k/x/Enter keyboard, and live updates from realtime events.
// A saved view (?view=<id>) shows its own filters, sort and columns; changing any of them turns the page into a
// plain list that remembers the view it came from (?base=<id>), so the change can be saved into it or as a new view.
import { h, icon, replace, debounce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import * as router from '../../core/router.js';
import { onEvent } from '../../core/realtime.js';
import { loading, empty, failure, toast, errorMessage, menu } from '../../core/ui.js';
import { builtin, savedViews, viewsChanged, normalizeColumns, isDefaultColumns, VIEW_FILTER_KEYS, shareableTeams, canChange,
  scopeLabel } from './components/views.js';
import { viewDialog, deleteView } from './components/view-editor.js';
import { filterBar } from './components/list-filters.js';
import { bulkBar } from './components/bulk-bar.js';
import { ticketRow, ticketHead } from './components/ticket-row.js';
import { rememberSLA, tickSLABadges } from './components/sla-badge.js';
import { columnChooser } from './components/column-chooser.js';
import { hydrateNames, staff, teams } from './components/people.js';
import { relative as relativeTime } from '../../core/format.js';

const PAGE = 50;

export async function render(ctx) {
  let query = new URLSearchParams(ctx.query);
  let rows = [];
  let cursor = null;
  let total = null; // a saved view's count of matches
  let activeId = null;
  let loadSeq = 0;
  const selected = new Set();
  let savedView = null; // the saved view on screen (?view=<id>)
  let baseView = null; // the saved view this list was changed from (?base=<id>)
  let myTeams = [];
  let teamList = [];

  const viewKey = () => query.get('view') || '';
  const q = () => query.get('q') || '';
  const isSaved = () => Boolean(viewKey()) && !builtin(viewKey());

  /** Finds the saved view on screen and the one the list came from (null when gone or not visible). */
  async function findViews(refresh = false) {
    if (!isSaved() && !query.get('base')) { savedView = baseView = null; return; }
    let views = [];
    try { views = await savedViews(refresh); } catch { views = []; }
    savedView = isSaved() ? views.find((v) => v.id === viewKey()) || null : null;
    baseView = query.get('base') ? views.find((v) => v.id === query.get('base')) || null : null;
  }
  await Promise.all([findViews(), teams().catch(() => []).then((list) => { teamList = list; }),
    shareableTeams().then((list) => { myTeams = list; })]);
  // A view created since the list was cached (another tab, a teammate's share): ask once more.
  if ((isSaved() && !savedView) || (query.get('base') && !baseView)) await findViews(true);
  staff().catch(() => {}); // warms the name cache for assignees

  /** What the table shows: {filters, sort, columns}, from the saved view or the URL. */
  function effective() {
    if (isSaved() && savedView) {
      const filters = { ...savedView.filters };
      return { filters, sort: savedView.sort || (filters.q ? '' : '-created_at'), columns: normalizeColumns(savedView.columns) };
    }
    const filters = { ...(builtin(viewKey())?.query || {}) };
    for (const k of VIEW_FILTER_KEYS) if (query.get(k)) filters[k] = query.get(k);
    return { filters, sort: query.get('sort') || (filters.q ? '' : '-updated_at'), columns: normalizeColumns(query.get('columns')) };
  }

  const title = h('h1.tk-list-title#list-title');
  const subtitle = h('p.tk-list-sub.muted.small', { dataset: { testid: 'list-subtitle' } });
  const filtersSlot = h('div.tk-filters-slot#tk-filters');
  const filtersToggle = h('button.btn.btn-sm.tk-filters-toggle', { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'tk-filters',
    dataset: { testid: 'filters-toggle' }, onclick: () => {
      const open = !root.classList.contains('tk-filters-open');
      root.classList.toggle('tk-filters-open', open);
      filtersToggle.setAttribute('aria-expanded', String(open));
    } }, icon('list'), t('agent.filters'));
  const chooser = columnChooser({ onChange: (cols) => setParams({ columns: isDefaultColumns(cols) ? '' : cols.join(',') }) });
  const viewActions = h('div.tk-view-actions');
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
    getTickets: () => rows.filter((r) => selected.has(r.id)),
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
    onMerged: () => { selected.clear(); drawRows(); refreshFirstPage(); },
  });

  const root = h('div.tk-list-page', { dataset: { testid: 'tickets-page' } },
    h('header.tk-list-header',
      h('div.tk-list-heading', title, subtitle),
      h('div.tk-list-actions', filtersToggle, chooser.el, viewActions)),
    filtersSlot, bulk.el, body, more);

  function heading() {
    const vk = viewKey();
    if (savedView) title.textContent = savedView.title;
    else if (baseView) title.textContent = t('agent.view_edited_title', { title: baseView.title });
    else if (q()) title.textContent = t('agent.search_title');
    else if (builtin(vk)) title.textContent = t(`agent.view_${vk}`);
    else title.textContent = t('agent.view_all');
    document.title = `${title.textContent} · ${t('common.app_name')}`;
    if (savedView) {
      replace(subtitle, h('span', { dataset: { testid: 'view-scope' } }, scopeLabel(savedView, teamList)),
        total != null && [' · ', h('span', { dataset: { testid: 'view-total' } }, t('agent.list_count', { count: total }))]);
    } else if (baseView) {
      replace(subtitle, t('agent.view_edited_hint'));
    } else {
      replace(subtitle, q()
        ? [t('agent.search_results_for'), ' ', h('q.tk-query', { dataset: { testid: 'search-query' } }, q()), ' ',
          h('a.tk-clear-search', { href: urlWithout(['q']), dataset: { testid: 'search-clear' } }, t('agent.search_clear'))]
        : '');
    }
    // Show the query in the top bar's search box (the shell may mount it just after this page renders).
    const fill = () => {
      const search = document.getElementById('global-search');
      if (search && document.activeElement !== search) search.value = savedView ? '' : q();
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

  /** The buttons that save the list as a view, or change and delete the saved view on screen. */
  let menuAbort = null;
  function drawActions() {
    menuAbort?.abort();
    menuAbort = new AbortController();
    chooser.set(effective().columns);
    if (isSaved()) {
      if (!savedView || !canChange(savedView, myTeams)) { replace(viewActions); return; }
      const button = h('button.btn.btn-sm', { type: 'button', dataset: { testid: 'view-menu' }, 'aria-label': t('agent.view_actions') },
        icon('more'), h('span.tk-btn-label', t('agent.view_actions_short')));
      replace(viewActions, menu(button, [
        { label: t('agent.view_edit'), icon: 'edit', onSelect: async () => {
          const updated = await viewDialog({ view: savedView });
          if (updated) { savedView = updated; heading(); drawActions(); }
        } },
        '-',
        { label: t('agent.view_delete'), icon: 'trash', danger: true, onSelect: async () => {
          if (await deleteView(savedView)) router.navigate('/tickets');
        } },
      ], { signal: menuAbort.signal }));
      return;
    }
    const saveAs = h('button.btn.btn-sm', { type: 'button', dataset: { testid: 'view-save' }, onclick: async () => {
      const created = await viewDialog({ state: effective() });
      if (created) router.navigate(`/tickets?view=${encodeURIComponent(created.id)}`);
    } }, icon('save'), h('span.tk-btn-label', baseView ? t('agent.view_save_new') : t('agent.view_save_button')));
    const update = baseView && canChange(baseView, myTeams) && h('button.btn.btn-sm.btn-primary', { type: 'button',
      dataset: { testid: 'view-update' }, onclick: async (e) => {
        const button = e.currentTarget;
        const { filters, sort, columns } = effective();
        button.disabled = true;
        try {
          const saved = await api.patch(`views/${baseView.id}`, { filters, sort: sort || null, columns: isDefaultColumns(columns) ? [] : columns });
          toast(t('agent.view_updated', { title: saved.title }), 'success');
          viewsChanged();
          router.navigate(`/tickets?view=${encodeURIComponent(saved.id)}`);
        } catch (error) { toast(errorMessage(error), 'error'); button.disabled = false; }
      } }, icon('check'), h('span.tk-btn-label', t('agent.view_update')));
    replace(viewActions, update, saveAs);
  }

  /** The filter bar's values: the URL, or the saved view's filters and sort. */
  function filterQuery() {
    if (!isSaved() || !savedView) return query;
    const { filters, sort } = effective();
    const params = new URLSearchParams(filters);
    if (sort) params.set('sort', sort);
    return params;
  }

  function drawFilters() {
    const fq = filterQuery();
    replace(filtersSlot, filterBar(fq, { searching: Boolean(fq.get('q')), onChange: setParams }));
  }

  function setParams(params) {
    if (isSaved() && savedView) {
      // Leave the saved view for a list of the same tickets with the change, which remembers the view.
      const { filters, sort, columns } = effective();
      const next = new URLSearchParams({ base: savedView.id, ...filters });
      if (sort) next.set('sort', sort);
      if (!isDefaultColumns(columns)) next.set('columns', columns.join(','));
      for (const [k, v] of Object.entries(params)) { if (v == null || v === '') next.delete(k); else next.set(k, v); }
      history.pushState({}, '', `/tickets?${next}`);
      baseView = savedView;
      savedView = null;
      total = null;
    } else {
      router.setQuery(params);
    }
    query = new URL(location.href).searchParams;
    window.dispatchEvent(new Event('tk:navigated'));
    selected.clear();
    drawFilters();
    drawActions();
    heading();
    load();
  }

  /** The request for the current URL: path and query. */
  function request(extra = {}) {
    if (isSaved()) return [`views/${viewKey()}/tickets`, { limit: PAGE, ...extra }];
    const { filters, sort } = effective();
    return ['tickets', { limit: PAGE, ...filters, sort: sort || undefined, ...extra }];
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
      setTotal(page.count);
      drawRows();
    } catch (error) {
      if (seq !== loadSeq || leftDeletedView(error)) return;
      rows = [];
      replace(body, failure(error, load));
    }
  }

  /** A saved view deleted meanwhile (by its owner elsewhere, or an admin): say so and go back to all tickets. */
  function leftDeletedView(error) {
    if (!isSaved() || error?.status !== 404) return false;
    toast(t('agent.view_gone'), 'info');
    router.navigate('/tickets');
    return true;
  }

  /** A saved view's count of matches (its page says it), shown under the title. */
  function setTotal(count) {
    const next = isSaved() && typeof count === 'number' ? count : null;
    if (next !== total) { total = next; heading(); }
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
      setTotal(page.count);
      drawRows(new Set(page.items.filter((r) => !before.has(r.id)).map((r) => r.id)));
    } catch (error) {
      if (seq === loadSeq) leftDeletedView(error); // otherwise the next event or a reload catches up
    }
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
    const { sort, columns } = effective();
    const names = new Map(teamList.map((x) => [x.id, x.name]));
    const teamName = (id) => names.get(id) || t('agent.unknown_team');
    replace(tbody, rows.map((ticket) => {
      const tr = ticketRow(ticket, { selected: selected.has(ticket.id), onToggle, columns, teamName });
      if (ticket.id === activeId) tr.classList.add('tk-active');
      if (fresh.has(ticket.id)) tr.classList.add('tk-row-new');
      return tr;
    }));
    replace(table, ticketHead({ sort, onSort: (s) => setParams({ sort: s }), selectAll, columns }), tbody);
    table.dataset.columns = columns.join(',');
    if (!body.contains(table)) replace(body, h('div.tk-table-wrap', table));
    // More columns than the default may not fit: the table then scrolls sideways inside its frame.
    table.parentElement.classList.toggle('tk-table-wide', columns.length > 7);
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
  const offEvent = onEvent((e) => {
    // An SLA frame carries the new snapshot: badges change at once, the list (its filters, its order) follows.
    if (rememberSLA(e) && rows.some((r) => r.id === e.ticket_id)) drawRows();
    refresh();
  });
  const tick = setInterval(() => {
    tickSLABadges(tbody);
    for (const el of tbody.querySelectorAll('td.tk-c-updated time, td.tk-c-created time')) {
      const row = rows.find((r) => r.id === el.closest('tr').dataset.id);
      if (row) el.textContent = relativeTime(el.closest('td').dataset.col === 'created' ? row.created_at : row.updated_at);
    }
  }, 60_000);

  // Views renamed, re-shared or deleted elsewhere (the rail's manager, another tab's save): follow them.
  let disposed = false;
  const onViewsChanged = async () => {
    if (!isSaved() && !query.get('base')) return;
    const before = savedView;
    await findViews(true);
    if (disposed) return;
    if (isSaved() && !savedView) { router.navigate('/tickets', { replace: true }); return; }
    if (before && savedView && JSON.stringify([before.filters, before.sort, before.columns])
      !== JSON.stringify([savedView.filters, savedView.sort, savedView.columns])) { drawFilters(); load(); }
    heading();
    drawActions();
  };
  window.addEventListener('tk:views-changed', onViewsChanged);

  heading();
  drawFilters();
  drawActions();
  window.dispatchEvent(new Event('tk:navigated'));
  load();

  return {
    el: root,
    dispose() {
      disposed = true;
      document.removeEventListener('keydown', onKey);
      window.removeEventListener('tk:views-changed', onViewsChanged);
      offEvent();
      clearInterval(tick);
      chooser.dispose();
      menuAbort?.abort();
    },
  };
}

