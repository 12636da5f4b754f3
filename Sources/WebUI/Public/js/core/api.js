// The public REST API (/api/v1), with bearer tokens, one silent refresh on 401, and problem+json errors.
import { session } from './session.js';

/** An API error: `status`, `code` (stable machine string), `detail`, and `errors` [{field, message}]. */
export class ApiError extends Error {
  constructor(status, problem = {}, retryAfter = null) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || (status === 0 ? 'network_error' : 'http_error');
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    /** Seconds to wait before retrying (429), from the Retry-After header. */
    this.retryAfter = retryAfter;
  }
  /** The message for one field, if the server named it. */
  fieldMessage(field) { return this.errors.find((e) => e.field === field)?.message; }
}

let refreshing = null;
const expiryListeners = new Set();
/** Called when the session cannot be refreshed any more (the UI sends the user to login). */
export function onSessionExpired(fn) { expiryListeners.add(fn); }

/** Runs `fn` while holding a lock shared by every tab of this origin (so only one tab rotates the token). */
function withTabLock(fn) {
  return navigator.locks?.request ? navigator.locks.request('helpdesk-refresh', fn) : fn();
}

async function refresh() {
  if (!session.refreshToken) return false;
  const seen = session.refreshToken;
  refreshing ??= withTabLock(async () => {
    // Another tab may have rotated the token while this one waited for the lock: use its pair.
    const stored = session.reload();
    if (!stored?.refresh_token) return false;
    if (stored.refresh_token !== seen && stored.expires_at - Date.now() > 30_000) return true;
    try {
      const res = await fetch('/api/v1/auth/refresh', {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Helpdesk-Client': 'web' },
        body: JSON.stringify({ refresh_token: stored.refresh_token }),
      });
      if (!res.ok) {
        // Only a refused token ends the session; a proxy error or a restart is worth another try later.
        if (res.status === 400 || res.status === 401) {
          session.clear();
          for (const fn of expiryListeners) fn();
        }
        return false;
      }
      session.signIn(await res.json());
      return true;
    } catch { return false; }
  }).finally(() => { refreshing = null; });
  return refreshing;
}

/** A fresh access token (refreshing first when it expires within 30 s), or null when signed out. */
export async function accessToken() {
  if (!session.current) return null;
  if (session.current.expires_at - Date.now() < 30_000) await refresh();
  return session.accessToken;
}

function buildURL(path, query) {
  const url = new URL(path.startsWith('/') ? path : `/api/v1/${path}`, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v == null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => url.searchParams.append(k, x));
    else url.searchParams.set(k, v);
  }
  return url;
}

/**
 * request('GET', 'tickets', {query, body, headers, raw}) → parsed JSON (or null for 204; the Response if raw).
 * `path` without a leading slash is relative to /api/v1/.
 */
export async function request(method, path, options = {}) {
  // anonymous: no bearer token and no refresh (sign-in pages, and a login right after the sessions ended).
  const { query, body, headers = {}, raw = false, retry = true, anonymous = false } = options;
  // The channel header marks what the UI writes as `web` (scripts and integrations are `api`).
  const init = { method, headers: { Accept: 'application/json', 'X-Helpdesk-Client': 'web', ...headers } };
  const token = anonymous ? null : await accessToken();
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body instanceof Blob || body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try { res = await fetch(buildURL(path, query), init); } catch { throw new ApiError(0, {}); }
  if (res.status === 401 && retry && !anonymous && session.refreshToken && await refresh()) {
    return request(method, path, { ...options, retry: false });
  }
  if (!res.ok) {
    let problem = {};
    try { problem = await res.json(); } catch { /* not JSON */ }
    const retryAfter = Number(res.headers.get('Retry-After')) || null;
    throw new ApiError(res.status, problem, retryAfter);
  }
  if (raw) return res;
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  if (!type.includes('json')) return res.text();
  const data = await res.json();
  const etag = res.headers.get('ETag');
  if (etag && data && typeof data === 'object') Object.defineProperty(data, '$etag', { value: etag });
  return data;
}

export const api = {
  get: (path, query, options = {}) => request('GET', path, { ...options, query }),
  post: (path, body, options = {}) => request('POST', path, { ...options, body }),
  put: (path, body, options = {}) => request('PUT', path, { ...options, body }),
  /** PATCH with optimistic concurrency: pass the resource's `version` to send `If-Match`. */
  patch: (path, body, { version, ...options } = {}) => request('PATCH', path, {
    ...options, body, headers: { ...(options.headers || {}), ...(version != null ? { 'If-Match': `"${version}"` } : {}) },
  }),
  del: (path, options = {}) => request('DELETE', path, options),
  /** Uploads one File; resolves to the file resource. `onProgress(fraction)` is optional. */
  upload(file, onProgress) {
    return new Promise(async (resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', buildURL('files', { filename: file.name }));
      const token = await accessToken();
      if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.setRequestHeader('X-Helpdesk-Client', 'web');
      xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(e.loaded / e.total);
      xhr.onerror = () => reject(new ApiError(0, {}));
      xhr.onload = () => {
        let data = {};
        try { data = JSON.parse(xhr.responseText); } catch { /* empty */ }
        if (xhr.status >= 200 && xhr.status < 300) resolve(data); else reject(new ApiError(xhr.status, data));
      };
      xhr.send(file);
    });
  },
  /** Every page of a list endpoint (bounded by `max` items). */
  async all(path, query = {}, max = 1000) {
    const items = [];
    let cursor;
    do {
      const page = await request('GET', path, { query: { ...query, limit: 100, cursor } });
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor && items.length < max);
    return items;
  },
};

/** Downloads a protected file (attachments need the bearer token, so a plain link cannot work). */
export async function download(path, filename) {
  const res = await request('GET', path, { raw: true, headers: { Accept: '*/*' } });
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url; a.download = filename || '';
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
