// Merging tickets (POST /tickets/{id}/merge): pick the target (among the selected tickets, or by number or
// subject), see what happens to each merged ticket, confirm. What it says follows the server: the merged ticket
// closes and links to the target; its messages (and their attachments) show in the target's conversation; its
// followers also follow the target; its requester stays on it; both tickets get a note, public on the target only when both tickets have
// the same requester.
import { h, icon, replace, debounce } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { api } from '../../../core/api.js';
import { dialog, statusBadge, toast, errorMessage, loading } from '../../../core/ui.js';
import { getUser, displayName } from './people.js';

const OPEN = 'new,open,pending,on_hold,solved'; // a closed ticket cannot receive a merge

/** A combobox finding a ticket by number ("12", "#12") or by subject words. ticketPicker({exclude(), onChoose}) → {el, clear()}. */
export function ticketPicker({ exclude = () => new Set(), onChoose }) {
  let results = [];
  let active = -1;
  let seq = 0;
  const listId = 'merge-target-list';
  const input = h('input#merge-target-search', { type: 'search', autocomplete: 'off', role: 'combobox', 'aria-expanded': 'false',
    'aria-controls': listId, 'aria-autocomplete': 'list', placeholder: t('agent.merge_search_placeholder'),
    'aria-label': t('agent.merge_search'), dataset: { testid: 'merge-target-search' } });
  const list = h('ul.tk-combo-list', { id: listId, role: 'listbox', hidden: true, 'aria-label': t('agent.merge_results') });
  const el = h('div.tk-combo', input, list);

  const search = debounce(async () => {
    const term = input.value.trim();
    const mine = seq;
    if (!term.replace(/^#/, '')) { el.removeAttribute('aria-busy'); close(); return; }
    const number = /^#?(\d+)$/.exec(term)?.[1];
    const text = term.replace(/^#/, '').trim();
    const [byNumber, byText] = await Promise.all([
      number ? api.get(`tickets/${number}`).catch(() => null) : null,
      api.get('tickets', { q: text, status: OPEN, limit: 8 }).then((p) => p.items).catch(() => []),
    ]);
    if (mine !== seq) return;
    const skip = exclude();
    const seen = new Set();
    results = [byNumber, ...byText].filter((tk) => tk && tk.status !== 'closed' && !skip.has(tk.id) && !seen.has(tk.id) && seen.add(tk.id));
    el.removeAttribute('aria-busy');
    draw();
  }, 250);

  function draw() {
    active = results.length ? 0 : -1;
    replace(list, results.length
      ? results.map((tk, i) => h('li.tk-combo-option', { role: 'option', id: `${listId}-${i}`, 'aria-selected': String(i === active),
        dataset: { testid: 'merge-target-option', number: String(tk.number) },
        onmousedown: (e) => { e.preventDefault(); choose(tk); } },
      h('span.tk-number', `#${tk.number}`), h('span.tk-combo-text', h('span', tk.subject)), statusBadge(tk.status)))
      : h('li.tk-combo-empty.muted.small', { dataset: { testid: 'merge-target-none' } }, t('agent.merge_none')));
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
  function choose(tk) { close(); input.value = `#${tk.number}`; onChoose(tk); }

  // Busy from a keystroke until its results are drawn: what the list shows may belong to the text before.
  // A keystroke also discards the answers of searches still on their way.
  input.addEventListener('input', () => { seq += 1; el.setAttribute('aria-busy', 'true'); search(); });
  input.addEventListener('blur', () => setTimeout(close, 100));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); if (list.hidden) search(); else move(1); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); move(-1); }
    else if (e.key === 'Enter') { e.preventDefault(); if (!list.hidden && active >= 0 && !el.hasAttribute('aria-busy')) choose(results[active]); }
    else if (e.key === 'Escape' && !list.hidden) { e.preventDefault(); e.stopPropagation(); close(); }
  });
  return { el, input, clear() { input.value = ''; close(); } };
}

/** What one merged ticket brings along: its own messages and attachments, its followers, its requester. */
const stats = new Map();
function statsOf(ticket) {
  if (!stats.has(ticket.id)) {
    stats.set(ticket.id, Promise.all([
      api.all(`tickets/${ticket.id}/comments`, {}, 1000),
      getUser(ticket.requester_id),
    ]).then(([comments, requester]) => {
      const own = comments.filter((c) => !c.ticket_id || c.ticket_id === ticket.id);
      return {
        comments: own.length,
        earlier: comments.length - own.length,
        attachments: own.reduce((n, c) => n + (c.attachments?.length || 0), 0),
        followers: ticket.follower_ids?.length || 0,
        requester,
      };
    }).catch((e) => { stats.delete(ticket.id); throw e; }));
  }
  return stats.get(ticket.id);
}

/**
 * mergeDialog({sources, candidates}) merges each of `sources` into the chosen target and resolves with the target
 * (undefined when dismissed or nothing was merged). With two or more `candidates` (a bulk selection) the target is
 * one of them by default, the others merging into it; any ticket can be searched instead.
 */
export function mergeDialog({ sources: given, candidates = [] }) {
  const sources = [...given].sort((a, b) => a.number - b.number);
  for (const s of sources) stats.delete(s.id); // fresh numbers each time the dialog opens
  // The oldest selected ticket is the default target (the first report of the matter keeps it).
  const choosable = candidates.filter((c) => c.status !== 'closed').sort((a, b) => a.number - b.number);
  const title = sources.length === 1
    ? t('agent.merge_title_one', { number: sources[0].number }) : t('agent.merge_title_many');
  return dialog(title, (close) => {
    let target = null;
    let busy = false;
    const summary = h('div.tk-merge-summary', { dataset: { testid: 'merge-summary' }, 'aria-live': 'polite' });
    const formError = h('div.form-error', { role: 'alert', hidden: true, dataset: { testid: 'merge-error' } });
    const submit = h('button.btn.btn-primary', { type: 'submit', disabled: true, dataset: { testid: 'merge-confirm' } }, t('agent.merge_submit'));
    const chosen = h('div.tk-merge-target', { hidden: true, dataset: { testid: 'merge-target' } });
    const picker = ticketPicker({
      exclude: () => new Set(sources.map((s) => s.id)),
      onChoose: (tk) => { for (const r of radios) r.checked = r.value === 'other'; setTarget(tk); },
    });
    const pickerBox = h('div.tk-merge-picker', h('label.tk-prop-label', { for: 'merge-target-search' }, t('agent.merge_search')), picker.el);

    // The selected tickets as targets, and "another ticket" (the search).
    const radios = [];
    const radio = (value, label, checked) => {
      const r = h('input', { type: 'radio', name: 'merge-into', value, checked, dataset: { testid: `merge-into-${value}` },
        onchange: () => {
          pickerBox.hidden = value !== 'other';
          if (value === 'other') { setTarget(null); picker.input.focus(); } else setTarget(choosable.find((c) => c.id === value));
        } });
      radios.push(r);
      return h('label.check.tk-merge-choice', r, label);
    };
    const choices = choosable.length >= 2 && h('fieldset.tk-merge-choices', h('legend.tk-prop-label', t('agent.merge_into')),
      choosable.map((c, i) => radio(c.id, [h('span.tk-number', `#${c.number}`), ' ', h('span', c.subject)], i === 0)),
      radio('other', t('agent.merge_into_other'), false));
    if (choices) pickerBox.hidden = true;

    function setTarget(tk) {
      target = tk || null;
      if (target) {
        replace(chosen, icon('merge'), h('span', t('agent.merge_into_label')), ' ',
          h('strong', { dataset: { testid: 'merge-target-number' } }, `#${target.number}`), ' ', h('span.tk-merge-target-subject', target.subject), ' ',
          statusBadge(target.status));
      }
      chosen.hidden = !target || Boolean(choices && radios.find((r) => r.checked)?.value !== 'other');
      drawSummary();
    }

    let summarySeq = 0;
    async function drawSummary() {
      const mine = ++summarySeq;
      const merging = sources.filter((s) => s.id !== target?.id && s.status !== 'closed');
      const skipped = sources.filter((s) => s.id !== target?.id && s.status === 'closed');
      submit.disabled = !target || !merging.length;
      replace(submit, target ? t('agent.merge_submit_into', { count: merging.length, number: target.number }) : t('agent.merge_submit'));
      if (!target) { replace(summary, h('p.muted.small', t('agent.merge_pick_first'))); return; }
      replace(summary, loading());
      try {
        const [all, targetRequester] = await Promise.all([Promise.all(merging.map(statsOf)), getUser(target.requester_id)]);
        if (mine !== summarySeq) return;
        const n = target.number;
        replace(summary,
          h('h3.tk-side-title', t('agent.merge_what_happens')),
          h('ul.tk-merge-list', merging.map((s, i) => {
            const st = all[i];
            const same = s.requester_id === target.requester_id;
            return h('li.tk-merge-source', { dataset: { testid: 'merge-source', number: String(s.number) } },
              h('p.tk-merge-source-title', h('span.tk-number', `#${s.number}`), ' ', h('strong', s.subject)),
              h('ul.tk-merge-facts',
                h('li', { dataset: { testid: 'merge-moves-comments' } }, t('agent.merge_comments', { count: st.comments, target: n })),
                h('li', { dataset: { testid: 'merge-moves-attachments' } }, st.attachments
                  ? t('agent.merge_attachments', { count: st.attachments, target: n }) : t('agent.merge_no_attachments')),
                st.earlier > 0 && h('li', t('agent.merge_earlier', { count: st.earlier, number: s.number })),
                h('li', { dataset: { testid: 'merge-moves-followers' } }, st.followers
                  ? t('agent.merge_followers', { count: st.followers, number: s.number, target: n }) : t('agent.merge_no_followers')),
                h('li', { dataset: { testid: 'merge-moves-requester' } }, same
                  ? t('agent.merge_requester_same', { name: displayName(st.requester), target: n })
                  : t('agent.merge_requester_other', { name: displayName(st.requester), number: s.number, target: n,
                    target_name: displayName(targetRequester) })),
                h('li', t('agent.merge_closes', { number: s.number, target: n }))));
          })),
          skipped.length > 0 && h('p.small.muted', { dataset: { testid: 'merge-skipped' } },
            t('agent.merge_skipped', { count: skipped.length, numbers: skipped.map((s) => `#${s.number}`).join(', ') })),
          h('p.small.tk-merge-final', icon('lock'), t('agent.merge_final')));
      } catch (error) {
        if (mine === summarySeq) replace(summary, h('p.form-error', errorMessage(error)));
      }
    }

    const form = h('form.tk-merge-form', { novalidate: true, dataset: { testid: 'merge-dialog' }, onsubmit: async (e) => {
      e.preventDefault();
      if (!target || busy) return;
      const merging = sources.filter((s) => s.id !== target.id && s.status !== 'closed');
      busy = true;
      submit.disabled = true;
      formError.hidden = true;
      form.setAttribute('aria-busy', 'true');
      const failed = [];
      let merged = 0;
      let into = target;
      for (const s of merging) {
        try {
          into = await api.post(`tickets/${s.id}/merge`, { into_ticket_id: target.id });
          merged += 1;
        } catch (error) { failed.push([s, error]); }
      }
      form.removeAttribute('aria-busy');
      busy = false;
      if (!failed.length) {
        toast(merging.length === 1 ? t('agent.merged_one', { number: merging[0].number, target: target.number })
          : t('agent.merged_many', { count: merged, target: target.number }), 'success');
        close(into);
        return;
      }
      const reason = failed.map(([s, error]) => `#${s.number}: ${error.fieldMessage?.('into_ticket_id') || errorMessage(error)}`).join(' · ');
      if (merged) {
        toast(t('agent.merged_partial', { count: merged, failed: failed.length, target: target.number, reason }), 'error');
        close(into);
        return;
      }
      formError.textContent = reason;
      formError.hidden = false;
      submit.disabled = false;
    } },
    formError,
    choices,
    pickerBox,
    chosen,
    summary,
    h('div.dialog-actions',
      h('button.btn', { type: 'button', onclick: () => close(undefined) }, t('common.cancel')), submit));

    if (choices) setTarget(choosable[0]); else { drawSummary(); setTimeout(() => picker.input.focus(), 0); }
    return form;
  });
}
