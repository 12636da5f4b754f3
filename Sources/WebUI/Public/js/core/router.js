// History-API router. Pages are ES modules loaded on demand; each exports
// `render(ctx)` returning an Element (or a Promise of one) and may return `{el, dispose}`.

const routes = [];
let outlet = null;
let current = null;
let guard = null;

/** add('/tickets/:id', () => import('../pages/agent/ticket.js'), {layout: 'agent'}) */
export function add(pattern, load, meta = {}) {
  const keys = [];
  const regex = new RegExp('^' + pattern.replace(/\/:(\w+)/g, (_, k) => { keys.push(k); return '/([^/]+)'; }) + '/?$');
  routes.push({ pattern, regex, keys, load, meta });
}

/** `fn(route, path)` may return a path to redirect to (e.g. login), or nothing to continue. */
export function setGuard(fn) { guard = fn; }

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState({}, '', path); else history.pushState({}, '', path);
  return resolve();
}

function match(pathname) {
  for (const route of routes) {
    const m = route.regex.exec(pathname);
    if (m) {
      const params = {};
      try {
        route.keys.forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1]); });
      } catch { return null; } // a malformed escape: no such page
      return { route, params };
    }
  }
  return null;
}

/** Renders the page for the current location into the outlet given to `start`. */
export async function resolve() {
  const url = new URL(location.href);
  const found = match(url.pathname) || match('/404');
  if (!found) return;
  if (guard) {
    const redirect = await guard(found.route, url.pathname);
    if (redirect && redirect !== url.pathname) return navigate(redirect, { replace: true });
  }
  current?.dispose?.();
  current = null;
  const token = Symbol('render');
  resolve.token = token;
  const module = await found.route.load();
  if (resolve.token !== token) return; // a newer navigation won
  const ctx = { params: found.params, query: url.searchParams, meta: found.route.meta, navigate };
  const result = await module.render(ctx);
  if (resolve.token !== token) { result?.dispose?.(); return; }
  const el = result instanceof Node ? result : result.el;
  current = result instanceof Node ? null : result;
  await outlet(el, found.route.meta, ctx);
  window.scrollTo(0, 0);
  // Screen readers start at the new page, not where the old one was.
  if (resolve.started) document.getElementById('main')?.focus({ preventScroll: true });
  resolve.started = true;
  // Rails and other long-lived parts follow navigation through this event.
  window.dispatchEvent(new CustomEvent('routechange', { detail: { path: url.pathname, query: url.search } }));
}

/** Starts routing: `render(el, meta)` puts a page on screen (the shell decides the layout). */
export function start(render) {
  outlet = render;
  window.addEventListener('popstate', resolve);
  // Same-origin links navigate without a reload; modified clicks keep browser behaviour.
  document.addEventListener('click', (event) => {
    const a = event.target.closest?.('a[href]');
    if (!a || a.target || a.hasAttribute('download') || event.defaultPrevented) return;
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname === '/docs') return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
  return resolve();
}

/** Replaces the query string without re-rendering (filters, sort). */
export function setQuery(params) {
  const url = new URL(location.href);
  for (const [k, v] of Object.entries(params)) {
    if (v == null || v === '') url.searchParams.delete(k); else url.searchParams.set(k, v);
  }
  history.replaceState({}, '', url.pathname + url.search);
}
