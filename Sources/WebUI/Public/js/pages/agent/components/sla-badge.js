// SLA badges: a ticket's most pressing open target (breached, at risk, or due) for the ticket table, and every
// target for the ticket page. Realtime frames carry the newest snapshot (`event.sla`); a list loaded just before
// may hold an older one, so the higher `version` wins. Badges count down: `tickSLABadges` redraws them.
import { h } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { relative, dateTime } from '../../../core/format.js';

const live = new Map(); // ticket id → the newest snapshot heard in realtime

/** Keeps the snapshot of an `sla.*` realtime event; returns true when it is newer than what was known. */
export function rememberSLA(event) {
  if (!event?.sla || !event.ticket_id || !String(event.type || '').startsWith('sla.')) return false;
  const known = live.get(event.ticket_id);
  if (known && known.version > event.sla.version) return false;
  live.set(event.ticket_id, event.sla);
  return true;
}

/** The newest snapshot of the ticket's SLA: its own or one heard since it was loaded. */
export function slaOf(ticket) {
  const heard = live.get(ticket.id);
  const own = ticket.sla || null;
  if (!heard) return own;
  return !own || heard.version > own.version ? heard : own;
}

/** `breached` | `at_risk` | `due` for an open target; `achieved` | `achieved_late` | `paused` otherwise. */
export function slaState(target, now = Date.now()) {
  if (target.achieved_at) return target.breached_at ? 'achieved_late' : 'achieved';
  if (target.paused || !target.due_at) return 'paused';
  if (Date.parse(target.due_at) <= now) return 'breached';
  if (target.at_risk_at && Date.parse(target.at_risk_at) <= now) return 'at_risk';
  return 'due';
}

/** The open target due first, or null. */
export function nextTarget(sla) {
  const open = (sla?.targets || []).filter((x) => !x.achieved_at && !x.paused && x.due_at);
  return open.sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at))[0] || null;
}

function draw(el) {
  const { due, atRisk, metric, achieved, breached, paused } = el.dataset;
  const state = slaState({ due_at: due || null, at_risk_at: atRisk || null, achieved_at: achieved || null,
    breached_at: breached || null, paused: paused === 'true' });
  el.className = `badge sla-badge sla-${state}`;
  el.dataset.state = state;
  const when = state.startsWith('achieved') ? relative(achieved) : relative(due);
  const text = t(`agent.sla_${state}`, { when });
  el.textContent = el.dataset.withMetric ? `${t(`agent.sla_metric_${metric}`)} · ${text}` : text;
  el.title = `${t(`agent.sla_metric_${metric}`)}${due ? ` · ${t('agent.sla_due_at', { at: dateTime(due) })}` : ''}`;
}

/** One target as a badge; `withMetric` names the metric in the text (the ticket page). */
export function targetBadge(target, { withMetric = false } = {}) {
  const el = h('span.badge.sla-badge', { dataset: { testid: 'sla-badge', metric: target.metric, due: target.due_at || '',
    atRisk: target.at_risk_at || '', achieved: target.achieved_at || '', breached: target.breached_at || '',
    paused: String(!!target.paused), ...(withMetric ? { withMetric: '1' } : {}) } });
  draw(el);
  return el;
}

/** The ticket table's badge: the most pressing open target, or nothing. */
export function slaBadge(ticket) {
  const target = nextTarget(slaOf(ticket));
  return target ? targetBadge(target) : null;
}

/** The ticket page's badges: every target, metric named. */
export function slaTargets(ticket) {
  const targets = slaOf(ticket)?.targets || [];
  if (!targets.length) return null;
  return h('span.tk-sla', { dataset: { testid: 'ticket-sla' }, 'aria-label': t('agent.sla') },
    targets.map((x) => targetBadge(x, { withMetric: true })));
}

/** Redraws the badges under `root` as time passes (due → at risk → breached). */
export function tickSLABadges(root) {
  for (const el of root.querySelectorAll('.sla-badge')) draw(el);
}
