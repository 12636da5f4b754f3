// The built-in ticket views of the rail, and the saved views (GET /views), shared by the rail and the list.
import { api } from '../../../core/api.js';

export const BUILTIN_VIEWS = [
  { key: 'my_open', icon: 'user', query: { assignee_id: 'me', status: 'new,open,pending,on_hold' } },
  { key: 'unassigned', icon: 'inbox', query: { assignee_id: 'none', status: 'new,open' } },
  { key: 'all_open', icon: 'list', query: { status: 'new,open' } },
  { key: 'pending', icon: 'eye', query: { status: 'pending,on_hold' } },
  { key: 'solved', icon: 'check', query: { status: 'solved' } },
];

export const builtin = (key) => BUILTIN_VIEWS.find((v) => v.key === key) || null;

let saved = null;
/** Saved views `{id, title, filters, sort, shared}` (cached; `refresh` asks again). */
export function savedViews(refresh = false) {
  if (!saved || refresh) {
    saved = api.all('views').catch((e) => { saved = null; throw e; });
  }
  return saved;
}

/** Formats a count of the rail: numbers at or over 1000 are shown as "999+". */
export function formatCount(n) {
  if (n == null) return '';
  return n >= 1000 ? '999+' : String(n);
}
