// The built-in ticket views of the rail, and the saved views (GET /views), shared by the rail and the list:
// who may change a view, how it is shared, the ticket table's columns.
import { api } from '../../../core/api.js';
import { t } from '../../../core/i18n.js';
import { session } from '../../../core/session.js';
import { teams } from './people.js';

export const BUILTIN_VIEWS = [
  { key: 'my_open', icon: 'user', query: { assignee_id: 'me', status: 'new,open,pending,on_hold' } },
  { key: 'unassigned', icon: 'inbox', query: { assignee_id: 'none', status: 'new,open' } },
  { key: 'all_open', icon: 'list', query: { status: 'new,open' } },
  { key: 'pending', icon: 'eye', query: { status: 'pending,on_hold' } },
  { key: 'solved', icon: 'check', query: { status: 'solved' } },
];

export const builtin = (key) => BUILTIN_VIEWS.find((v) => v.key === key) || null;

/** Every column the ticket table can show, in the order it shows them (the API's names). */
export const ALL_COLUMNS = ['number', 'subject', 'requester', 'status', 'priority', 'sla', 'type', 'assignee', 'team', 'tags', 'created', 'updated'];
/** The columns of a list or a view that chose none (a view's `columns: []`). */
export const DEFAULT_COLUMNS = ['number', 'subject', 'requester', 'status', 'priority', 'assignee', 'updated'];

/** Columns from a URL parameter or a view: known names, each once, subject always; the default when empty. */
export function normalizeColumns(list) {
  const chosen = (Array.isArray(list) ? list : String(list || '').split(',')).map((c) => c.trim()).filter((c) => ALL_COLUMNS.includes(c));
  if (!chosen.length) return [...DEFAULT_COLUMNS];
  const set = new Set([...chosen, 'subject']);
  return ALL_COLUMNS.filter((c) => set.has(c));
}

export const isDefaultColumns = (cols) => cols.length === DEFAULT_COLUMNS.length && cols.every((c, i) => c === DEFAULT_COLUMNS[i]);

/** Filter names a view may hold (the ticket list's string parameters). */
export const VIEW_FILTER_KEYS = ['status', 'priority', 'assignee_id', 'team_id', 'tag', 'q', 'requester_id', 'organization_id',
  'created_after', 'updated_after', 'sla'];

let saved = null;
/** Saved views `{id, title, filters, sort, columns, shared, team_id, owner_id}` in the caller's order (cached; `refresh` asks again). */
export function savedViews(refresh = false) {
  if (!saved || refresh) {
    saved = api.all('views').catch((e) => { saved = null; throw e; });
  }
  return saved;
}

/** Tells the rail and the list that the saved views changed (created, renamed, reordered, deleted). */
export function viewsChanged() {
  saved = null;
  window.dispatchEvent(new Event('tk:views-changed'));
}

/** 'personal' | 'team' | 'workspace'. */
export function viewScope(view) {
  if (!view.shared) return 'personal';
  return view.team_id ? 'team' : 'workspace';
}

/** The teams the signed-in user may share a view with: every team for admins, their own for agents. */
export async function shareableTeams() {
  const list = await teams().catch(() => []);
  if (session.isAdmin) return list;
  const me = session.user?.id;
  return list.filter((tm) => (tm.member_ids || []).includes(me));
}

/** Whether the signed-in user may rename, change or delete `view` (the server's rule, for showing the buttons). */
export function canChange(view, myTeams) {
  const me = session.user?.id;
  switch (viewScope(view)) {
    case 'personal': return view.owner_id === me;
    case 'team': return session.isAdmin || myTeams.some((tm) => tm.id === view.team_id);
    default: return session.isAdmin;
  }
}

/** "Personal view", "Shared with Support", "Shared with everyone". */
export function scopeLabel(view, teamList = []) {
  switch (viewScope(view)) {
    case 'personal': return t('agent.view_personal');
    case 'team': return t('agent.view_shared_team', { team: teamList.find((tm) => tm.id === view.team_id)?.name || t('agent.unknown_team') });
    default: return t('agent.view_shared_workspace');
  }
}

export const scopeIcon = (view) => ({ personal: 'tag', team: 'users', workspace: 'globe' })[viewScope(view)];

/** Formats a count of the rail: numbers at or over 1000 are shown as "999+". */
export function formatCount(n) {
  if (n == null) return '';
  return n >= 1000 ? '999+' : String(n);
}
