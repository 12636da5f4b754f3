// /requests — "My requests": the customer's own tickets (the API scopes the list), open or solved, paged,
// kept fresh by realtime events.
import { h, icon, replace, debounce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { setQuery } from '../../core/router.js';
import { onEvent } from '../../core/realtime.js';
import { session } from '../../core/session.js';
import { relative, dateTime } from '../../core/format.js';
import { loading, empty, failure } from '../../core/ui.js';
import { FILTERS, requestStatus } from './components/status.js';

const PAGE = 20;

export function render(ctx) {
  let filter = FILTERS[ctx.query.get('filter')] ? ctx.query.get('filter') : 'open';
  let q = ctx.query.get('q') || '';
  let cursor = null;
  let generation = 0;
  let alive = true;

  const list = h('ul.pt-list#requests-list', { 'aria-label': t('portal.my_requests'), 'aria-busy': 'true' });
  const status = h('div.pt-list-state');
  const more = h('button.btn.pt-more#requests-more', { type: 'button', hidden: true, onclick: () => load(false) }, t('common.load_more'));

  const filters = h('div.pt-filters', { role: 'group', 'aria-label': t('portal.filter_label') },
    Object.keys(FILTERS).map((key) => h('button.pt-filter', { type: 'button', id: `requests-filter-${key}`,
      'aria-pressed': String(key === filter), dataset: { filter: key },
      onclick: () => {
        if (filter === key) return;
        filter = key;
        for (const b of filters.children) b.setAttribute('aria-pressed', String(b.dataset.filter === filter));
        setQuery({ filter: filter === 'open' ? null : filter });
        load(true);
      } }, t(`portal.filter_${key}`))));

  const search = h('input#requests-search', { type: 'search', value: q, placeholder: t('portal.search_placeholder'),
    'aria-label': t('portal.search_label'), autocomplete: 'off',
    oninput: debounce(() => { q = search.value.trim(); setQuery({ q: q || null }); load(true); }, 300) });

  async function load(reset) {
    if (!alive) return;
    const mine = ++generation;
    if (reset) {
      cursor = null;
      list.setAttribute('aria-busy', 'true');
      if (!list.children.length) replace(status, loading());
    }
    more.disabled = true;
    try {
      const page = await api.get('tickets', { status: FILTERS[filter].join(','), q, sort: '-updated_at', limit: PAGE,
        cursor: reset ? null : cursor });
      if (mine !== generation) return;
      cursor = page.next_cursor;
      const rows = page.items.map(row);
      if (reset) replace(list, rows); else list.append(...rows);
      list.removeAttribute('aria-busy');
      more.hidden = !cursor;
      replace(status, list.children.length ? null : emptyState());
    } catch (error) {
      if (mine !== generation) return;
      list.removeAttribute('aria-busy');
      if (reset) { replace(list); replace(status, failure(error, () => load(true))); }
      else replace(status, failure(error, () => load(false)));
    } finally { more.disabled = false; }
  }

  function emptyState() {
    if (q) return empty(t('portal.no_results'), t('portal.no_results_hint'));
    const cta = h('a.btn.btn-primary#requests-empty-new', { href: '/requests/new' }, icon('plus'), t('portal.new_request'));
    if (filter === 'solved') return empty(t('portal.empty_solved'), t('portal.empty_solved_hint'));
    return empty(filter === 'open' ? t('portal.empty_open') : t('portal.empty_all'), t('portal.empty_hint'), cta);
  }

  const refresh = debounce(() => load(true), 400);
  const unsubscribe = onEvent(() => refresh());
  load(true);

  const first = (session.user?.name || '').split(/\s+/)[0];
  const el = h('div.page.pt-page',
    h('section.pt-hero',
      h('div.pt-hero-text',
        h('h1', t('portal.my_requests')),
        h('p.muted', first ? t('portal.requests_intro_named', { name: first }) : t('portal.requests_intro'))),
      h('a.btn.btn-primary.pt-hero-cta#requests-new', { href: '/requests/new' }, icon('plus'), t('portal.new_request'))),
    h('div.pt-toolbar', filters, h('div.pt-search', icon('search'), search)),
    h('div.pt-list-head', { 'aria-hidden': 'true' },
      h('span', t('portal.col_subject')), h('span', t('portal.col_status')), h('span', t('portal.col_updated'))),
    list, status, h('div.pt-more-wrap', more));
  return { el, dispose: () => { alive = false; unsubscribe(); generation++; } };
}

function row(ticket) {
  return h('li.pt-row-item', h('a.pt-row', { href: `/requests/${ticket.number}`,
    dataset: { testid: 'request-row', number: String(ticket.number), status: ticket.status } },
  h('span.pt-row-main',
    h('span.pt-row-subject', ticket.subject),
    h('span.pt-row-meta', h('span.pt-row-number', `#${ticket.number}`), h('span', '·'),
      h('span', t('portal.opened', { date: relative(ticket.created_at) })))),
  h('span.pt-row-status', requestStatus(ticket.status)),
  h('time.pt-row-updated', { datetime: ticket.updated_at, title: dateTime(ticket.updated_at) }, relative(ticket.updated_at)),
  h('span.pt-row-chevron', icon('chevron'))));
}
