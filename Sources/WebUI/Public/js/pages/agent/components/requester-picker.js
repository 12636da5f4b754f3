// A combobox to find a customer (GET /users?role=customer&q=) and pick them as the requester.
import { h, icon, replace, debounce } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { api } from '../../../core/api.js';
import { avatar } from '../../../core/ui.js';
import { remember, displayName } from './people.js';

/** requesterPicker({id}) → {el, input (the search box), value(), clear()}. */
export function requesterPicker({ id = 'new-requester' } = {}) {
  let chosen = null;
  let results = [];
  let active = -1;
  let seq = 0;
  const listId = `${id}-list`;
  const hidden = h('input', { type: 'hidden', name: 'requester_id', value: '' });
  const input = h('input', { id, type: 'search', autocomplete: 'off', role: 'combobox', 'aria-expanded': 'false', 'aria-controls': listId,
    'aria-autocomplete': 'list', placeholder: t('agent.requester_search'), dataset: { testid: 'requester-search' } });
  const list = h('ul.tk-combo-list', { id: listId, role: 'listbox', hidden: true, 'aria-label': t('agent.requester_results') });
  const selectedEl = h('div.tk-combo-chosen', { hidden: true, dataset: { testid: 'requester-chosen' } });
  const el = h('div.tk-combo', input, list, selectedEl, hidden);

  const search = debounce(async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) { close(); return; }
    try {
      const page = await api.get('users', { role: 'customer', q, limit: 8 });
      if (mine !== seq) return;
      results = page.items;
      remember(results);
      draw();
    } catch { if (mine === seq) { results = []; draw(); } }
  }, 250);

  function draw() {
    active = results.length ? 0 : -1;
    replace(list, results.length
      ? results.map((u, i) => h('li.tk-combo-option', { role: 'option', id: `${listId}-${i}`, 'aria-selected': String(i === active),
        dataset: { testid: 'requester-option', userId: u.id },
        onmousedown: (e) => { e.preventDefault(); choose(u); } },
      avatar(displayName(u), 'sm'), h('span.tk-combo-text', h('span', displayName(u)), h('span.faint.small', u.email))))
      : h('li.tk-combo-empty.muted.small', t('agent.requester_none')));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    input.setAttribute('aria-activedescendant', active >= 0 ? `${listId}-${active}` : '');
  }
  function move(delta) {
    if (!results.length) return;
    active = (active + delta + results.length) % results.length;
    list.querySelectorAll('[role=option]').forEach((o, i) => o.setAttribute('aria-selected', String(i === active)));
    input.setAttribute('aria-activedescendant', `${listId}-${active}`);
  }
  function close() { list.hidden = true; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); }
  function choose(u) {
    chosen = u;
    hidden.value = u.id;
    close();
    input.hidden = true;
    replace(selectedEl, avatar(displayName(u), 'sm'), h('span.tk-combo-text', h('strong', displayName(u)), h('span.faint.small', u.email)),
      h('button.icon-btn', { type: 'button', 'aria-label': t('agent.requester_change'), dataset: { testid: 'requester-clear' },
        onclick: () => { clear(); input.focus(); } }, icon('x')));
    selectedEl.hidden = false;
  }
  function clear() { chosen = null; hidden.value = ''; input.hidden = false; input.value = ''; selectedEl.hidden = true; }

  input.addEventListener('input', search);
  input.addEventListener('blur', () => setTimeout(close, 100));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); if (list.hidden) search(); else move(1); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); move(-1); }
    else if (e.key === 'Enter' && !list.hidden && active >= 0) { e.preventDefault(); choose(results[active]); }
    else if (e.key === 'Escape') close();
  });
  return { el, input, value: () => chosen?.id || null, clear };
}
