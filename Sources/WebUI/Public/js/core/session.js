// The signed-in user and their tokens. Tokens live in localStorage so a reload keeps the session;
// the access token is short-lived and refreshed silently (see api.js).

const KEY = 'helpdesk.session';
const listeners = new Set();
let state = load();

function load() {
  try { return JSON.parse(localStorage.getItem(KEY)) || null; } catch { return null; }
}

function save() {
  if (state) localStorage.setItem(KEY, JSON.stringify(state));
  else localStorage.removeItem(KEY);
  for (const fn of listeners) fn(state);
}

export const session = {
  /** `{access_token, refresh_token, expires_at, user}` or null. */
  get current() { return state; },
  get user() { return state?.user ?? null; },
  get accessToken() { return state?.access_token ?? null; },
  get refreshToken() { return state?.refresh_token ?? null; },
  get isStaff() { return ['agent', 'admin'].includes(state?.user?.role); },
  get isAdmin() { return state?.user?.role === 'admin'; },

  /** Stores a login/refresh answer `{access_token, refresh_token, expires_in, user?}`. */
  signIn(pair) {
    state = {
      access_token: pair.access_token,
      refresh_token: pair.refresh_token,
      expires_at: Date.now() + (pair.expires_in ?? 900) * 1000,
      user: pair.user ?? state?.user ?? null,
    };
    save();
  },
  /** Reads the stored session again (another tab may have refreshed it) and returns it. */
  reload() { state = load(); return state; },
  setUser(user) { if (state) { state = { ...state, user }; save(); } },
  clear() { state = null; save(); },
  onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); },
};

// Another tab signed in or out: follow it.
window.addEventListener('storage', (event) => {
  if (event.key !== KEY) return;
  state = load();
  for (const fn of listeners) fn(state);
});
