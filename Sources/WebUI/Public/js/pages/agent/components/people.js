// Small caches of the directory the agent pages need: users by id, staff (assignees), teams.
import { api } from '../../../core/api.js';
import { t } from '../../../core/i18n.js';

const users = new Map(); // id → user
const pending = new Map(); // id → Promise<user|null>
let staffPromise = null;
let staffAt = 0;
let teamsPromise = null;
let teamsAt = 0;
const TTL = 60_000;

/** Remembers users the page already has (lists, search results). */
export function remember(list) { for (const u of list || []) if (u?.id) users.set(u.id, u); }

export function cachedUser(id) { return id ? users.get(id) ?? null : null; }

/** One user by id (deduplicated; null when it cannot be read). */
export function getUser(id) {
  if (!id) return Promise.resolve(null);
  if (users.has(id)) return Promise.resolve(users.get(id));
  if (!pending.has(id)) {
    pending.set(id, api.get(`users/${id}`).then((u) => { users.set(id, u); return u; })
      .catch(() => null).finally(() => pending.delete(id)));
  }
  return pending.get(id);
}

/** Loads every unknown user of `ids` (at most 6 requests at a time). */
export async function loadUsers(ids) {
  const missing = [...new Set(ids.filter((id) => id && !users.has(id)))];
  for (let i = 0; i < missing.length; i += 6) await Promise.all(missing.slice(i, i + 6).map(getUser));
}

/** Agents and admins, sorted by name (cached for a minute). */
export function staff() {
  if (!staffPromise || Date.now() - staffAt > TTL) {
    staffAt = Date.now();
    staffPromise = Promise.all([api.all('users', { role: 'agent' }), api.all('users', { role: 'admin' })])
      .then(([a, b]) => {
        const list = [...a, ...b].filter((u) => u.active !== false);
        remember(list);
        return list.sort((x, y) => displayName(x).localeCompare(displayName(y)));
      })
      .catch((e) => { staffPromise = null; throw e; });
  }
  return staffPromise;
}

export function teams() {
  if (!teamsPromise || Date.now() - teamsAt > TTL) {
    teamsAt = Date.now();
    teamsPromise = api.all('teams').then((list) => list.sort((a, b) => a.name.localeCompare(b.name)))
      .catch((e) => { teamsPromise = null; throw e; });
  }
  return teamsPromise;
}

export function displayName(user) {
  if (!user) return t('agent.unknown_user');
  return user.name || user.email || t('agent.unknown_user');
}

/** The name of a user id, or a placeholder while it loads. */
export function nameOf(id) { return id ? (users.has(id) ? displayName(users.get(id)) : '…') : ''; }

/**
 * Fills every `[data-user-name]` element under `root` with the name of its user id (after loading the
 * unknown ones). Elements with `data-user-email` get the email as a title.
 */
export async function hydrateNames(root) {
  const els = [...root.querySelectorAll('[data-user-name]')];
  await loadUsers(els.map((el) => el.dataset.userName));
  for (const el of els) {
    const u = users.get(el.dataset.userName);
    el.textContent = displayName(u);
    if (u?.email) el.title = u.email;
  }
}
