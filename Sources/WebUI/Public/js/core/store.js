// A tiny observable store: state shared between the shell and pages (unread count, view counts, me).

export function createStore(initial = {}) {
  let state = { ...initial };
  const listeners = new Set();
  return {
    get: () => state,
    /** Merges `patch` (or the result of `patch(state)`) and notifies subscribers. */
    set(patch) {
      const next = typeof patch === 'function' ? patch(state) : patch;
      state = { ...state, ...next };
      for (const fn of listeners) fn(state);
    },
    /** Calls `fn(state)` now and on every change; returns an unsubscribe function. */
    subscribe(fn) { listeners.add(fn); fn(state); return () => listeners.delete(fn); },
  };
}

/** The application store. `unread`: unread notifications; `counts`: {viewKey: n}; `presence`: per ticket. */
export const store = createStore({ unread: 0, counts: {}, connected: false });
