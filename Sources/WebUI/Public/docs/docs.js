// The interactive API reference at /docs. It reads the OpenAPI document (/api/v1/openapi.json), lists the
// operations by tag with a filter, shows one operation (deep link: #operationId) with its parameters, request
// body and responses as readable schema trees, and sends it for real ("Try it": same origin, with the bearer
// token kept in this tab's sessionStorage). English only. Like the app, it builds the DOM from elements and
// text nodes (h() from dom.js), so nothing from the document or from a response can ever become markup.
import { h, replace, icon } from '/js/core/dom.js';
import { applyTheme } from '/js/core/theme.js';

applyTheme(); // the app's choice if the user made one, else the system's; follows the system live

const SPEC_URL = '/api/v1/openapi.json';
const LOGIN_URL = '/api/v1/auth/login';
const LOGOUT_URL = '/api/v1/auth/logout';
const REFRESH_URL = '/api/v1/auth/refresh';
const AUTH_KEY = 'helpdesk.docs.auth';
const VALUES_KEY = 'helpdesk.docs.values';
const APP_SESSION_KEY = 'helpdesk.session';
const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'trace'];
const MAX_DEPTH = 12;
const MAX_SHOWN_CHARS = 400_000;
/** Response headers worth seeing first, in this order. */
const NOTABLE = ['x-request-id', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after',
  'location', 'etag', 'allow', 'idempotent-replayed', 'content-type', 'content-length'];
const HEADER_CASE = { 'x-request-id': 'X-Request-Id', etag: 'ETag', 'ratelimit-limit': 'RateLimit-Limit',
  'ratelimit-remaining': 'RateLimit-Remaining', 'ratelimit-reset': 'RateLimit-Reset', 'www-authenticate': 'WWW-Authenticate' };
const STATUS_TEXT = {
  100: 'Continue', 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 206: 'Partial Content',
  301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 409: 'Conflict', 410: 'Gone', 412: 'Precondition Failed', 413: 'Content Too Large',
  415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 422: 'Unprocessable Content', 428: 'Precondition Required',
  429: 'Too Many Requests', 500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
};

const state = {
  doc: null,
  ops: [], // {id, method, path, op, item, tags, haystack}
  byId: new Map(),
  drafts: new Map(), // operation id → body text typed in "Try it"
  onAuthChange: null, // the open operation's "Try it" note
  downloadURL: null,
};
const byId = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------------------
// Storage (this tab only) and the token

const memory = new Map(); // when sessionStorage is unavailable, values live as long as the page
const store = {
  read(key) {
    try { return JSON.parse(sessionStorage.getItem(key)); } catch { return memory.get(key) ?? null; }
  },
  write(key, value) {
    memory.set(key, value);
    try {
      if (value == null) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, JSON.stringify(value));
    } catch { /* private mode: memory only */ }
  },
};

/** `{token, refresh_token?, email?, name?, role?, expires_at?, source}` or null. */
let auth = store.read(AUTH_KEY);

function setAuth(value) {
  auth = value && value.token ? value : null;
  store.write(AUTH_KEY, auth);
  renderAuthState();
}

/** The claims of a JWT, without checking it (only to say whose token it is and when it expires). */
function tokenClaims(token) {
  const part = String(token || '').split('.')[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const json = atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, '='));
    const claims = JSON.parse(json);
    return claims && typeof claims === 'object' ? claims : null;
  } catch { return null; }
}

/** The token's expiry in ms since the epoch, if known. */
function tokenExpiry() {
  if (!auth) return null;
  const claims = tokenClaims(auth.token);
  if (claims && typeof claims.exp === 'number') return claims.exp * 1000;
  return auth.expires_at ?? null;
}

function describeAuth() {
  if (!auth) return 'No token: “Try it” sends requests without one.';
  const claims = tokenClaims(auth.token) || {};
  const who = auth.email || auth.name || (claims.sub ? `user ${claims.sub}` : 'an unknown user');
  const role = auth.role || claims.role;
  const expiry = tokenExpiry();
  let when = '';
  if (expiry) {
    const minutes = Math.round((expiry - Date.now()) / 60000);
    when = minutes > 0 ? `, expires in ${minutes} min` : minutes === 0 ? ', expires now' : `, expired ${-minutes} min ago`;
  }
  return `Token for ${who}${role ? ` (${role})` : ''}${when}.`;
}

/** Signed in through this page and the token (nearly) expired: exchanges the refresh token for a new pair. */
async function refreshIfNeeded() {
  const expiry = tokenExpiry();
  if (!auth?.refresh_token || !expiry || expiry - Date.now() > 30_000) return;
  try {
    const res = await fetch(REFRESH_URL, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ refresh_token: auth.refresh_token }),
    });
    const body = await res.json().catch(() => null);
    if (res.ok && body?.access_token) {
      setAuth({ ...auth, token: body.access_token, refresh_token: body.refresh_token,
        expires_at: Date.now() + (body.expires_in ?? 900) * 1000 });
    } else if (res.status === 400 || res.status === 401) {
      setAuth({ ...auth, refresh_token: undefined }); // the session is over: the request will say 401
    }
  } catch { /* sent with the old token; the answer says what happened */ }
}

function tokenExpired() {
  const expiry = tokenExpiry();
  return expiry != null && expiry <= Date.now();
}

// ---------------------------------------------------------------------------------------------------------
// The document: references, operations

function pointer(ref) {
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return undefined;
  let node = state.doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node == null || typeof node !== 'object') return undefined;
    node = node[key];
  }
  return node;
}

const refName = (ref) => String(ref).split('/').pop().replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * Follows a chain of `$ref`s; keywords beside a `$ref` win over the target's (OpenAPI 3.1).
 * Returns `{value, name, refs}`: the first reference's name, and every reference followed.
 */
function resolve(node) {
  let value = node;
  let name = null;
  const refs = [];
  while (value && typeof value === 'object' && typeof value.$ref === 'string') {
    if (refs.includes(value.$ref)) break;
    refs.push(value.$ref);
    name ??= refName(value.$ref);
    const { $ref, ...siblings } = value;
    const target = pointer($ref);
    value = target && typeof target === 'object' ? { ...target, ...siblings } : { ...siblings, unresolved: $ref };
  }
  return { value, name, refs };
}

const deref = (node) => resolve(node).value;

function collectOperations(doc) {
  const ops = [];
  const used = new Set();
  for (const [path, rawItem] of Object.entries(doc.paths || {})) {
    const item = deref(rawItem) || {};
    for (const method of METHODS) {
      const op = item[method];
      if (!op || typeof op !== 'object') continue;
      let id = typeof op.operationId === 'string' && op.operationId ? op.operationId
        : `${method}${path.replace(/[^A-Za-z0-9]+/g, '_')}`;
      while (used.has(id)) id += '_';
      used.add(id);
      const tags = Array.isArray(op.tags) && op.tags.length ? op.tags.map(String) : ['other'];
      const haystack = [method, path, op.summary, op.operationId, id, ...tags].filter(Boolean).join(' ').toLowerCase();
      ops.push({ id, method, path, op, item, tags, haystack });
    }
  }
  return ops;
}

/** Operations by tag: the document's `tags` order first, then tags met along the way. */
function groups() {
  const order = (state.doc.tags || []).map((t) => String(t.name));
  const byTag = new Map(order.map((name) => [name, []]));
  for (const entry of state.ops) {
    for (const tag of entry.tags) {
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push(entry);
    }
  }
  const described = new Map((state.doc.tags || []).map((t) => [String(t.name), t.description]));
  return [...byTag].filter(([, ops]) => ops.length).map(([tag, ops]) => ({ tag, description: described.get(tag), ops }));
}

/** Path-level and operation-level parameters, resolved; the operation's win (same name and place). */
function parametersOf(entry) {
  const all = new Map();
  for (const raw of [...(entry.item.parameters || []), ...(entry.op.parameters || [])]) {
    const p = deref(raw);
    if (!p || !p.name) continue;
    all.set(`${p.in}:${p.name}`, p);
  }
  const rank = { path: 0, query: 1, header: 2, cookie: 3 };
  return [...all.values()].sort((a, b) => (rank[a.in] ?? 9) - (rank[b.in] ?? 9));
}

const paramSchema = (p) => p.schema ?? Object.values(p.content || {})[0]?.schema;

/** `{anonymous, optional, schemes: [label]}` for an operation. */
function securityOf(op) {
  const requirements = Array.isArray(op.security) ? op.security : Array.isArray(state.doc.security) ? state.doc.security : [];
  if (!requirements.length) return { anonymous: true, optional: false, schemes: [] };
  const optional = requirements.some((r) => r && typeof r === 'object' && !Object.keys(r).length);
  const defined = state.doc.components?.securitySchemes || {};
  const schemes = new Set();
  for (const requirement of requirements) {
    for (const name of Object.keys(requirement || {})) {
      const s = deref(defined[name]) || {};
      if (s.type === 'http' && String(s.scheme).toLowerCase() === 'bearer') schemes.add(`bearer token${s.bearerFormat ? ` (${s.bearerFormat})` : ''}`);
      else if (s.type === 'http') schemes.add(`HTTP ${s.scheme}`);
      else if (s.type === 'apiKey') schemes.add(`API key in the ${s.in} “${s.name}”`);
      else schemes.add(name);
    }
  }
  return { anonymous: false, optional, schemes: [...schemes] };
}

/** The path to request: the document's paths may be relative to a same-origin server URL such as /api/v1. */
function requestPath(path) {
  let base = state.doc.servers?.[0]?.url || '';
  try { base = new URL(base, location.origin).origin === location.origin ? new URL(base, location.origin).pathname : ''; } catch { base = ''; }
  base = base.replace(/\/+$/, '');
  return base && !path.startsWith(`${base}/`) && path !== base ? `${base}${path}` : path;
}

// ---------------------------------------------------------------------------------------------------------
// Schemas made readable

function mergeSchemas(a, b) {
  const out = { ...a, ...b };
  if (a.properties || b.properties) out.properties = { ...(a.properties || {}), ...(b.properties || {}) };
  if (a.required || b.required) out.required = [...new Set([...(a.required || []), ...(b.required || [])])];
  return out;
}

/** allOf merged into one schema (properties and required united); a lone allOf part lends its name. */
function flattenAllOf(schema, stack, depth = 0) {
  if (!schema || !Array.isArray(schema.allOf) || depth > 8) return { schema, name: null, refs: [] };
  const { allOf, ...outer } = schema;
  let merged = {};
  let name = null;
  const refs = [];
  for (const part of allOf) {
    const r = resolve(part);
    if (r.refs.some((ref) => stack.includes(ref))) continue;
    const inner = flattenAllOf(r.value || {}, [...stack, ...r.refs], depth + 1);
    refs.push(...r.refs, ...inner.refs);
    if (allOf.length === 1) name = r.name ?? inner.name;
    merged = mergeSchemas(merged, inner.schema || {});
  }
  return { schema: mergeSchemas(merged, outer), name, refs };
}

const isNullSchema = (s) => {
  const v = deref(s);
  return !!v && (v.type === 'null' || (Array.isArray(v.type) && v.type.length === 1 && v.type[0] === 'null'));
};

/**
 * One schema, shallowly: references followed, allOf merged, a `null` alternative turned into `nullable`.
 * `stack` holds the references already open above it (a reference met again is shown, not expanded).
 */
function describe(raw, stack = []) {
  if (raw == null || raw === true || typeof raw !== 'object') return { schema: {}, types: [], stack, any: true };
  if (raw === false) return { schema: {}, types: [], stack, never: true };
  let schema = raw;
  let name = null;
  if (schema.$ref) {
    const r = resolve(schema);
    if (r.refs.some((ref) => stack.includes(ref))) return { schema: {}, types: [], stack, name: r.name, recursive: true };
    stack = [...stack, ...r.refs];
    schema = r.value || {};
    name = r.name;
  }
  if (Array.isArray(schema.allOf)) {
    const flat = flattenAllOf(schema, stack);
    schema = flat.schema;
    name ??= flat.name;
    stack = [...stack, ...flat.refs];
  }
  const alternatives = schema.oneOf || schema.anyOf;
  if (Array.isArray(alternatives) && alternatives.length) {
    const { oneOf, anyOf, ...outer } = schema;
    const nonNull = alternatives.filter((s) => !isNullSchema(s));
    const nullable = nonNull.length < alternatives.length;
    if (!nonNull.length) return { ...base(outer, stack, name), types: ['null'], nullable: false };
    if (nonNull.length === 1 && !outer.properties) {
      const inner = describe(nonNull[0], stack);
      return withOuter(inner, outer, nullable, name);
    }
    const d = base(outer, stack, name);
    d.nullable ||= nullable;
    d.variants = { kind: oneOf ? 'one of' : 'any of', list: nonNull };
    return d;
  }
  return base(schema, stack, name);
}

function base(schema, stack, name) {
  let types = Array.isArray(schema.type) ? schema.type.map(String) : schema.type ? [String(schema.type)] : [];
  let nullable = schema.nullable === true || types.includes('null');
  types = types.filter((t) => t !== 'null');
  let values = Array.isArray(schema.enum) ? schema.enum : schema.const !== undefined ? [schema.const] : null;
  if (values?.includes(null)) { nullable = true; values = values.filter((v) => v !== null); }
  if (!types.length) {
    if (schema.properties || (schema.additionalProperties && typeof schema.additionalProperties === 'object')) types = ['object'];
    else if (schema.items) types = ['array'];
    else if (values?.length) types = [typeof values[0] === 'number' ? 'number' : typeof values[0]];
  }
  return {
    schema, stack, name, types, nullable, values,
    format: schema.format || (schema.contentMediaType && types.includes('string') ? 'binary' : null),
    description: schema.description, title: schema.title,
    deprecated: schema.deprecated === true, readOnly: schema.readOnly === true, writeOnly: schema.writeOnly === true,
  };
}

/** The inner schema of a `oneOf: [X, null]`, with the outer schema's own words. */
function withOuter(inner, outer, nullable, name) {
  const d = { ...inner, nullable: inner.nullable || nullable, name: name ?? inner.name };
  for (const key of ['description', 'title']) if (outer[key] !== undefined) d[key] = outer[key];
  if (outer.deprecated) d.deprecated = true;
  if (outer.readOnly) d.readOnly = true;
  if (outer.writeOnly) d.writeOnly = true;
  const extra = {};
  for (const key of ['default', 'example', 'examples']) if (outer[key] !== undefined) extra[key] = outer[key];
  if (Object.keys(extra).length) d.schema = { ...d.schema, ...extra };
  return d;
}

function typeLabel(d, depth = 0) {
  if (d.recursive) return `${d.name} (recursive)`;
  if (d.never) return 'nothing';
  if (d.variants) {
    const labels = d.variants.list.map((s) => typeLabel(describe(s, d.stack), depth + 1));
    return labels.join(' | ');
  }
  if (!d.types.length) return d.name || 'any';
  const parts = d.types.map((t) => {
    if (t === 'array') {
      const items = d.schema.items;
      return `array of ${items && depth < 6 ? typeLabel(describe(items, d.stack), depth + 1) : 'any'}`;
    }
    if (t === 'object') return d.name || 'object';
    if (t === 'string' && d.format === 'binary') return 'file';
    return d.format ? `${t} (${d.format})` : t;
  });
  return parts.join(' | ');
}

const show = (v) => (typeof v === 'string' ? v : JSON.stringify(v));

function rangeText(min, max, unit) {
  const u = unit ? ` ${(max ?? min) === 1 ? unit.replace(/s$/, '') : unit}` : '';
  if (min != null && max != null) return min === max ? `exactly ${min}${u}` : `${min}–${max}${u}`;
  if (min != null) return unit ? `at least ${min}${u}` : `≥ ${min}`;
  return unit ? `at most ${max}${u}` : `≤ ${max}`;
}

function constraintsOf(d) {
  const s = d.schema;
  const out = [];
  if (s.minLength != null || s.maxLength != null) {
    out.push(rangeText(s.minLength, s.maxLength, d.format === 'binary' || d.format === 'byte' ? 'bytes' : 'characters'));
  }
  const exclusiveMin = typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum : null;
  const exclusiveMax = typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum : null;
  if (s.minimum != null || s.maximum != null) {
    const min = s.minimum != null ? (s.exclusiveMinimum === true ? `> ${s.minimum}` : null) : null;
    const max = s.maximum != null ? (s.exclusiveMaximum === true ? `< ${s.maximum}` : null) : null;
    if (min || max) out.push([min, max].filter(Boolean).join(', '));
    else out.push(rangeText(s.minimum, s.maximum));
  }
  if (exclusiveMin != null) out.push(`> ${exclusiveMin}`);
  if (exclusiveMax != null) out.push(`< ${exclusiveMax}`);
  if (s.multipleOf != null) out.push(`multiple of ${s.multipleOf}`);
  if (s.minItems != null || s.maxItems != null) out.push(rangeText(s.minItems, s.maxItems, 'items'));
  if (s.uniqueItems) out.push('unique items');
  if (s.minProperties != null || s.maxProperties != null) out.push(rangeText(s.minProperties, s.maxProperties, 'fields'));
  if (s.pattern) out.push(`pattern ${s.pattern}`);
  return out;
}

const flag = (text, kind = '') => h('span.dx-flag', { class: kind ? `dx-flag-${kind}` : null }, text);

function flagsOf(d) {
  return [
    d.nullable && flag('nullable', 'null'),
    d.readOnly && flag('read-only'),
    d.writeOnly && flag('write-only'),
    d.deprecated && flag('deprecated', 'warn'),
  ];
}

/** Enum values, limits, default and example, as small inline pieces. */
function valuesOf(d) {
  const out = [];
  if (d.values?.length) {
    out.push(h('span.sch-enum-label', d.values.length === 1 ? 'only' : 'one of'),
      ...d.values.map((v) => h('code.sch-enum', show(v))));
  }
  for (const text of constraintsOf(d)) out.push(h('span.sch-limit', text));
  if (d.types.includes('array') && d.schema.items && !d.recursive) {
    const items = describe(d.schema.items, d.stack);
    if (items.values?.length) {
      out.push(h('span.sch-enum-label', 'each one of'), ...items.values.map((v) => h('code.sch-enum', show(v))));
    }
    for (const text of constraintsOf(items)) out.push(h('span.sch-limit', `each ${text}`));
  }
  if (d.schema.default !== undefined) out.push(h('span.sch-default', 'default ', h('code', show(d.schema.default))));
  const example = d.schema.example !== undefined ? d.schema.example : Array.isArray(d.schema.examples) ? d.schema.examples[0] : undefined;
  if (example !== undefined && (typeof example !== 'object' || example === null)) {
    out.push(h('span.sch-example', 'e.g. ', h('code', show(example))));
  }
  return out;
}

function metaLine(d) {
  const values = valuesOf(d);
  return values.length ? h('div.sch-meta', values) : null;
}

function typeNodes(d) {
  const label = typeLabel(d);
  return [
    h('span.sch-type', label),
    d.name && !label.includes(d.name) ? h('span.sch-ref', { title: 'Schema name' }, d.name) : null,
  ];
}

/** The nested part of a schema (fields, items, alternatives), or null. */
function childrenOf(d, depth) {
  if (d.recursive || depth > MAX_DEPTH) return null;
  if (d.variants) {
    return h('ol.sch-variants', d.variants.list.map((s, i) => {
      const v = describe(s, d.stack);
      return h('li.sch-variant',
        h('div.sch-line', h('span.sch-variant-label', `${i === 0 ? capitalize(d.variants.kind) : 'or'}`), typeNodes(v), flagsOf(v)),
        v.description && prose(v.description, 'sch-desc'),
        metaLine(v),
        childrenOf(v, depth + 1));
    }));
  }
  if (d.types.includes('object')) {
    const props = Object.entries(d.schema.properties || {});
    const required = new Set(Array.isArray(d.schema.required) ? d.schema.required : []);
    const rows = props.map(([name, s]) => propertyRow(name, s, required.has(name), d.stack, depth));
    const extra = d.schema.additionalProperties;
    if (extra && typeof extra === 'object') rows.push(propertyRow('‹any name›', extra, false, d.stack, depth));
    let note = null;
    if (extra === false && props.length) note = h('p.sch-note', 'No other fields are accepted.');
    else if (!props.length && (extra === undefined || extra === true)) note = h('p.sch-note', 'Any fields.');
    if (!rows.length && !note) return null;
    return h('div.sch-children', rows.length ? h('ul.sch-props', rows) : null, note);
  }
  if (d.types.includes('array') && d.schema.items) {
    const items = describe(d.schema.items, d.stack);
    const nested = childrenOf(items, depth + 1);
    const meta = metaLine(items);
    if (!nested && !meta) return null;
    return h('div.sch-children.sch-items',
      h('div.sch-items-label', 'Each item', items.name ? ` (${items.name})` : ''),
      items.description && prose(items.description, 'sch-desc'), meta, nested);
  }
  return null;
}

function propertyRow(name, raw, required, stack, depth) {
  const d = describe(raw, stack);
  const line = h('div.sch-line', h('code.sch-name', name), typeNodes(d), required && flag('required', 'req'), flagsOf(d));
  const details = [d.description ? prose(d.description, 'sch-desc') : null, metaLine(d)];
  const nested = childrenOf(d, depth + 1);
  if (!nested) return h('li.sch-prop', { dataset: { name } }, line, details);
  return h('li.sch-prop', { dataset: { name } },
    h('details.sch-fold', { open: depth < 1 }, h('summary', line), details, nested));
}

/** A whole schema: its type line, its description and limits, then its tree. */
function schemaView(raw) {
  const d = describe(raw);
  return h('div.sch', { 'data-testid': 'schema' },
    h('div.sch-line.sch-root', typeNodes(d), flagsOf(d)),
    d.description ? prose(d.description, 'sch-desc') : null,
    metaLine(d),
    childrenOf(d, 0));
}

// ---------------------------------------------------------------------------------------------------------
// Example values

function sample(raw, stack = [], depth = 0) {
  const d = describe(raw, stack);
  const s = d.schema;
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if (s.default !== undefined) return s.default;
  if (d.values?.length) return d.values[0];
  if (d.recursive || depth > 6) return d.types.includes('array') ? [] : d.types.includes('object') ? {} : null;
  if (d.variants) return sample(d.variants.list[0], d.stack, depth + 1);
  const type = d.types[0] ?? (d.nullable ? 'null' : 'object');
  switch (type) {
    case 'object': {
      const props = Object.entries(s.properties || {}).filter(([, p]) => !describe(p, d.stack).readOnly);
      const required = new Set(Array.isArray(s.required) ? s.required : []);
      const chosen = props.some(([k]) => required.has(k)) ? props.filter(([k]) => required.has(k)) : props;
      return Object.fromEntries(chosen.map(([k, p]) => [k, sample(p, d.stack, depth + 1)]));
    }
    case 'array': {
      if (!s.items) return [];
      const count = Math.max(1, s.minItems || 0);
      return Array.from({ length: Math.min(count, 3) }, () => sample(s.items, d.stack, depth + 1));
    }
    case 'integer':
    case 'number':
      if (s.minimum != null) return s.minimum;
      if (typeof s.exclusiveMinimum === 'number') return s.exclusiveMinimum + 1;
      return s.maximum != null && s.maximum < 0 ? s.maximum : 0;
    case 'boolean': return false;
    case 'null': return null;
    default: return sampleString(d);
  }
}

function sampleString(d) {
  const min = d.schema.minLength || 0;
  switch (d.format) {
    case 'email': return 'user@example.com';
    case 'uuid': return '00000000-0000-0000-0000-000000000000';
    case 'date-time': return new Date().toISOString();
    case 'date': return new Date().toISOString().slice(0, 10);
    case 'time': return new Date().toISOString().slice(11, 19);
    case 'uri': case 'url': return 'https://example.com/';
    case 'ipv4': return '192.0.2.1';
    default: return min > 6 ? 'x'.repeat(min) : 'string';
  }
}

/** The example of a request body media type: its own, a named one, or one made from its schema. */
function mediaExample(media) {
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  const named = media.examples && Object.values(media.examples)[0];
  if (named) {
    const value = deref(named);
    if (value && value.value !== undefined) return value.value;
  }
  return media.schema ? sample(media.schema) : undefined;
}

const isJSON = (type) => /^application\/([\w.+-]+\+)?json\b/i.test(type) || /\/json\b/i.test(type);
const isForm = (type) => /^multipart\/form-data\b/i.test(type) || /^application\/x-www-form-urlencoded\b/i.test(type);
const isTextual = (type) => !type || /json|^text\/|xml|javascript|x-www-form-urlencoded|csv|yaml|jsonl|ndjson|rfc822/i.test(type);

function rawTemplate(type) {
  if (/^message\/rfc822/i.test(type)) {
    const stamp = Date.now().toString(36);
    return [
      'From: Carol Customer <carol@example.com>',
      'To: support@example.com',
      'Subject: The printer is on fire',
      `Message-ID: <${stamp}@example.com>`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello, the office printer shows error E-42 and smells of smoke.',
      '',
    ].join('\r\n');
  }
  return '';
}

// ---------------------------------------------------------------------------------------------------------
// Small pieces

const capitalize = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** `code spans` and **strong** words in a line of text (nothing else of Markdown). */
function inline(text) {
  return String(text).split(/`([^`]+)`/).map((part, i) => (i % 2 ? h('code', part)
    : part.split(/\*\*([^*]+)\*\*/).map((piece, j) => (j % 2 ? h('strong', piece) : piece))));
}

/** Plain text with blank-line paragraphs; a paragraph of `- ` lines is a list. */
function prose(text, cls = 'dx-prose') {
  if (text == null || text === '') return null;
  const blocks = String(text).replace(/\r\n?/g, '\n').trim().split(/\n\s*\n/);
  return h('div', { class: cls }, blocks.map((block) => {
    const lines = block.split('\n');
    if (lines.every((l) => /^\s*[-*]\s+/.test(l))) {
      return h('ul', lines.map((l) => h('li', inline(l.replace(/^\s*[-*]\s+/, '')))));
    }
    return h('p', inline(lines.map((l) => l.trim()).join(' ')));
  }));
}

const methodBadge = (method) => h('span.dx-method', { class: `dx-m-${method}` }, method.toUpperCase());

function statusChip(code) {
  const kind = /^[1-5]/.test(code) ? `dx-s${code[0]}` : 'dx-sd';
  return h('span.dx-status-chip', { class: kind }, code === 'default' ? 'other' : code.replace(/X/g, 'x'));
}

/** The path with its {parameters} marked. */
function pathNodes(path) {
  return path.split(/(\{[^}]+\})/).filter(Boolean).map((part) => (part.startsWith('{') ? h('span.dx-path-param', part) : part));
}

function copyButton(label, text) {
  const button = h('button.dx-btn.dx-btn-small', {
    type: 'button',
    onclick: async () => {
      const value = typeof text === 'function' ? text() : text;
      try {
        await navigator.clipboard.writeText(value);
        button.textContent = 'Copied';
      } catch {
        button.textContent = 'Copy failed';
      }
      setTimeout(() => { button.textContent = label; }, 1500);
    },
  }, label);
  return button;
}

function section(title, content, extra = {}) {
  return h('section.dx-section', extra, h('h2', title), content);
}

const canonicalHeader = (name) => HEADER_CASE[name] || name.split('-').map(capitalize).join('-');

function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// ---------------------------------------------------------------------------------------------------------
// Header, authorization panel, sidebar

function renderAuthState() {
  const toggle = byId('auth-toggle');
  const label = byId('auth-toggle-label');
  const kind = !auth ? 'none' : tokenExpired() ? 'expired' : 'set';
  toggle.dataset.state = kind;
  label.textContent = kind === 'none' ? 'Authorize' : kind === 'expired' ? 'Token expired' : auth.email || 'Authorized';
  toggle.title = describeAuth();
  const status = byId('auth-status');
  if (status) status.textContent = describeAuth();
  const tokenInput = byId('auth-token');
  if (tokenInput && tokenInput.value.trim() !== (auth?.token || '')) tokenInput.value = auth?.token || '';
  const signOut = byId('auth-signout');
  if (signOut) signOut.hidden = !auth;
  const appButton = byId('auth-use-app');
  if (appButton) appButton.hidden = !appSession();
  state.onAuthChange?.();
}

/** The web app's session in this browser, while its access token is fresh. */
function appSession() {
  try {
    const session = JSON.parse(localStorage.getItem(APP_SESSION_KEY));
    if (session?.access_token && (!session.expires_at || session.expires_at > Date.now() + 10_000)) return session;
  } catch { /* no app session */ }
  return null;
}

function openAuth(focus = true) {
  const panel = byId('auth-panel');
  panel.hidden = false;
  byId('auth-toggle').setAttribute('aria-expanded', 'true');
  if (focus) (auth ? byId('auth-token') : byId('auth-email'))?.focus();
}

function closeAuth() {
  byId('auth-panel').hidden = true;
  byId('auth-toggle').setAttribute('aria-expanded', 'false');
}

function buildAuthPanel() {
  const tokenInput = h('input#auth-token.dx-input.dx-mono', {
    type: 'password', autocomplete: 'off', spellcheck: 'false', placeholder: 'eyJhbGciOi…', 'aria-describedby': 'auth-status',
    oninput: () => {
      const token = tokenInput.value.trim();
      setAuth(token ? { token, source: 'pasted' } : null);
    },
  });
  tokenInput.value = auth?.token || '';
  const reveal = h('button.dx-btn.dx-btn-small', {
    type: 'button', 'aria-pressed': 'false',
    onclick: () => {
      const shown = tokenInput.type === 'text';
      tokenInput.type = shown ? 'password' : 'text';
      reveal.setAttribute('aria-pressed', String(!shown));
      reveal.textContent = shown ? 'Show' : 'Hide';
    },
  }, 'Show');
  const signOut = h('button#auth-signout.dx-btn.dx-btn-small', {
    type: 'button', hidden: !auth,
    onclick: async () => {
      const refresh = auth?.refresh_token;
      setAuth(null);
      loginMessage('', '');
      if (refresh) {
        try {
          await fetch(LOGOUT_URL, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refresh_token: refresh }) });
        } catch { /* the token is forgotten here anyway */ }
      }
    },
  }, 'Forget the token');
  const useApp = h('button#auth-use-app.dx-btn.dx-btn-small', {
    type: 'button', hidden: !appSession(),
    title: 'Use the access token of your session in the Helpdesk app (this browser)',
    onclick: () => {
      const session = appSession();
      if (!session) { renderAuthState(); return; }
      setAuth({ token: session.access_token, email: session.user?.email, name: session.user?.name, role: session.user?.role,
        expires_at: session.expires_at, source: 'app' });
    },
  }, 'Use my app session');

  const email = h('input#auth-email.dx-input', { type: 'email', autocomplete: 'username', spellcheck: 'false', required: true });
  const password = h('input#auth-password.dx-input', { type: 'password', autocomplete: 'current-password', required: true });
  const message = h('p#auth-message.dx-msg', { role: 'status', hidden: true });
  const submit = h('button#auth-submit.dx-btn.dx-btn-primary', { type: 'submit' }, 'Sign in');
  function loginMessage(kind, text) {
    message.hidden = !text;
    message.className = `dx-msg${kind ? ` dx-msg-${kind}` : ''}`;
    message.textContent = text;
  }
  const form = h('form#auth-login.dx-auth-col', {
    novalidate: true,
    onsubmit: async (event) => {
      event.preventDefault();
      if (!email.value.trim() || !password.value) {
        loginMessage('error', 'Enter an email and a password.');
        (email.value.trim() ? password : email).focus();
        return;
      }
      submit.disabled = true;
      loginMessage('', 'Signing in…');
      try {
        const res = await fetch(LOGIN_URL, {
          method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ email: email.value.trim(), password: password.value }),
        });
        const body = await res.json().catch(() => null);
        if (res.ok && body?.access_token) {
          setAuth({ token: body.access_token, refresh_token: body.refresh_token, email: body.user?.email, name: body.user?.name,
            role: body.user?.role, expires_at: Date.now() + (body.expires_in ?? 900) * 1000, source: 'login' });
          password.value = '';
          loginMessage('ok', `Signed in as ${body.user?.name || body.user?.email || email.value.trim()}${body.user?.role ? ` (${body.user.role})` : ''}.`);
        } else {
          const retry = res.headers.get('retry-after');
          loginMessage('error', `${res.status} ${body?.detail || body?.title || STATUS_TEXT[res.status] || 'The sign-in failed'}`
            + (retry ? ` Try again in ${retry} s.` : ''));
        }
      } catch (error) {
        loginMessage('error', `The request failed: ${error.message}`);
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('h2', 'Sign in'),
  h('p.dx-hint', 'Posts to ', h('code', LOGIN_URL), ' and keeps the access token (valid 15 minutes).'),
  h('label.dx-label', { for: 'auth-email' }, 'Email'), email,
  h('label.dx-label', { for: 'auth-password' }, 'Password'), password,
  h('div.dx-row', submit),
  message);

  const panel = byId('auth-panel');
  replace(panel, h('div.dx-auth-inner',
    h('form#auth-token-form.dx-auth-col', { onsubmit: (event) => event.preventDefault() },
      h('h2', 'Access token'),
      h('p.dx-hint', '“Try it” sends it as ', h('code', 'Authorization: Bearer …'), '. It is kept in this tab only (sessionStorage).'),
      h('label.dx-label', { for: 'auth-token' }, 'Token'),
      h('div.dx-row.dx-token-row', tokenInput, reveal),
      h('p#auth-status.dx-auth-status', { role: 'status' }, describeAuth()),
      h('div.dx-row', useApp, signOut)),
    form,
    h('button.dx-icon-btn.dx-auth-close', { type: 'button', 'aria-label': 'Close', onclick: () => { closeAuth(); byId('auth-toggle').focus(); } }, icon('x'))));
}

function renderSidebar() {
  const list = byId('op-list');
  replace(list,
    groups().map(({ tag, description, ops }) => h('section.dx-group', { dataset: { tag } },
      h('h2.dx-group-title', { title: description || null }, h('span', tag), h('span.dx-count', String(ops.length))),
      h('ul.dx-ops', ops.map((entry) => h('li',
        h('a.dx-op-link', {
          href: `#${encodeURIComponent(entry.id)}`, dataset: { op: entry.id },
          title: `${entry.method.toUpperCase()} ${entry.path}`,
        },
        methodBadge(entry.method),
        h('span.dx-op-text',
          h('span.dx-op-summary', entry.op.summary || entry.path, entry.op.deprecated ? flag('deprecated', 'warn') : null),
          h('span.dx-op-path', entry.path)))))))),
    h('p#filter-empty.dx-empty', { hidden: true }, 'No operation matches.'));
  if (!state.ops.length) list.append(h('p.dx-empty', 'The document lists no operations.'));
}

function applyFilter() {
  const terms = byId('filter').value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const group of byId('op-list').querySelectorAll('.dx-group')) {
    let visible = 0;
    for (const link of group.querySelectorAll('.dx-op-link')) {
      const entry = state.byId.get(link.dataset.op);
      const match = terms.every((term) => entry.haystack.includes(term));
      link.parentElement.hidden = !match;
      if (match) visible += 1;
    }
    group.hidden = visible === 0;
    shown += visible;
  }
  const empty = byId('filter-empty');
  if (empty) empty.hidden = shown > 0 || !state.ops.length;
}

function openDrawer() {
  document.body.classList.add('dx-nav-open');
  byId('backdrop').hidden = false;
  byId('nav-toggle').setAttribute('aria-expanded', 'true');
}

function closeDrawer() {
  document.body.classList.remove('dx-nav-open');
  byId('backdrop').hidden = true;
  byId('nav-toggle').setAttribute('aria-expanded', 'false');
}

// ---------------------------------------------------------------------------------------------------------
// Views

function currentId() {
  try { return decodeURIComponent(location.hash.slice(1)); } catch { return location.hash.slice(1); }
}

function route() {
  if (!state.doc) return;
  const id = currentId();
  const entry = id ? state.byId.get(id) : null;
  for (const link of document.querySelectorAll('.dx-op-link')) {
    if (entry && link.dataset.op === entry.id) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  state.onAuthChange = null;
  const title = state.doc.info?.title || 'API';
  if (!id) {
    renderOverview();
    document.title = `${title} · reference`;
  } else if (entry) {
    renderOperation(entry);
    document.title = `${entry.op.summary || `${entry.method.toUpperCase()} ${entry.path}`} · ${title}`;
    byId('op-list').querySelector(`.dx-op-link[aria-current="page"]`)?.scrollIntoView({ block: 'nearest' });
  } else {
    replace(byId('main'), h('div.dx-state.dx-state-error', { 'data-testid': 'missing' },
      h('h1#op-title', { tabindex: '-1' }, 'No such operation'),
      h('p', 'The document has no operation named ', h('code', id), '.'),
      h('p', h('a', { href: '#' }, 'See every operation'))));
  }
  closeDrawer();
  window.scrollTo(0, 0);
  const main = byId('main');
  main.scrollTop = 0;
  byId('op-title')?.focus({ preventScroll: true });
}

function absolute(url) {
  try { return new URL(url || '/', location.origin).href; } catch { return String(url); }
}

function renderOverview() {
  const doc = state.doc;
  const info = doc.info || {};
  const schemes = Object.entries(doc.components?.securitySchemes || {}).map(([name, raw]) => {
    const s = deref(raw) || {};
    const kind = s.type === 'http' ? `HTTP ${s.scheme}${s.bearerFormat ? ` (${s.bearerFormat})` : ''}` : s.type === 'apiKey' ? `API key in the ${s.in} “${s.name}”` : s.type;
    return h('li', h('code', name), ': ', kind || 'unknown', s.description ? [' — ', inline(s.description)] : null);
  });
  const anonymous = state.ops.filter((e) => securityOf(e.op).anonymous).length;
  replace(byId('main'), h('article.dx-overview', { 'data-testid': 'overview' },
    h('h1#op-title', { tabindex: '-1' }, info.title || 'API reference'),
    info.summary ? h('p.dx-lead', inline(info.summary)) : null,
    h('p.dx-meta',
      info.version ? h('span.dx-version', `v${info.version}`) : null,
      h('span', `OpenAPI ${doc.openapi || '?'}`),
      h('span', `${state.ops.length} operation${state.ops.length === 1 ? '' : 's'}`),
      h('a', { href: SPEC_URL, download: 'openapi.json' }, 'Download the document')),
    prose(info.description),
    doc.servers?.length ? section('Base URL', h('ul.dx-list', doc.servers.map((s) => h('li', h('code', absolute(s.url)), s.description ? [' — ', inline(s.description)] : null)))) : null,
    section('Authentication', [
      anonymous === state.ops.length ? h('p', 'No operation needs a token.')
        : h('p', 'Operations need an access token, sent as ', h('code', 'Authorization: Bearer <token>'),
          anonymous ? `, except ${anonymous} that answer anyone (each operation says so).` : '.'),
      schemes.length ? h('ul.dx-list', schemes) : null,
      h('p', h('button.dx-btn', { type: 'button', onclick: () => openAuth() }, icon('lock'), ' Authorize…'),
        ' Sign in or paste a token, then use “Try it” on any operation.'),
    ]),
    section('Operations', h('div.dx-tag-cards', groups().map((g) => h('a.dx-tag-card', { href: `#${encodeURIComponent(g.ops[0].id)}` },
      h('h3', g.tag),
      g.description ? h('p', g.description) : null,
      h('span.dx-dim', `${g.ops.length} operation${g.ops.length === 1 ? '' : 's'}`)))))));
}

function authLine(security) {
  if (security.anonymous) return h('p.dx-auth-line.dx-auth-open', { 'data-testid': 'auth-required', dataset: { required: 'false' } }, 'No authentication: anyone may call it.');
  const what = security.schemes.length ? security.schemes.join(' or ') : 'authentication';
  return h('p.dx-auth-line', { 'data-testid': 'auth-required', dataset: { required: String(!security.optional) } },
    icon('lock'), security.optional ? ` Optional: a ${what} identifies the caller.` : ` Requires a ${what}.`);
}

function parametersTable(params) {
  if (!params.length) return h('p.dx-none', 'No parameters.');
  return h('div.dx-table-wrap', h('table.dx-table.dx-params', { 'data-testid': 'parameters' },
    h('thead', h('tr', ['Name', 'In', 'Type', 'Values', 'Description'].map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', params.map((p) => {
      const d = describe(paramSchema(p));
      const values = valuesOf(d);
      return h('tr', { dataset: { param: p.name, in: p.in } },
        h('td', { 'data-label': 'Name' }, h('code.dx-pname', p.name), p.required ? flag('required', 'req') : null,
          p.deprecated ? flag('deprecated', 'warn') : null),
        h('td', { 'data-label': 'In' }, p.in),
        h('td', { 'data-label': 'Type' }, typeNodes(d), flagsOf(d)),
        h('td', { 'data-label': 'Values' }, values.length ? h('div.sch-meta', values) : h('span.dx-dim', '—')),
        h('td', { 'data-label': 'Description' }, prose(p.description, 'dx-prose dx-small') || h('span.dx-dim', '—')));
    }))));
}

function exampleBlock(value, label = 'Example') {
  if (value === undefined) return null;
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return h('details.dx-example', h('summary', label), h('pre.dx-code', text));
}

function mediaView(type, media, { showExample = true } = {}) {
  media = deref(media) || {};
  const explicit = media.example !== undefined ? media.example
    : media.examples ? deref(Object.values(media.examples)[0])?.value : undefined;
  return h('div.dx-media', { dataset: { type } },
    h('div.dx-media-head', h('span.dx-mediatype', type)),
    media.schema ? schemaView(media.schema) : h('p.dx-none', 'Any content.'),
    showExample ? exampleBlock(explicit) : null);
}

function requestBodyView(body) {
  const contents = Object.entries(body.content || {});
  return h('div.dx-body', { 'data-testid': 'request-body' },
    h('p.dx-body-meta', body.required ? flag('required', 'req') : flag('optional')),
    prose(body.description),
    contents.map(([type, media]) => mediaView(type, media)));
}

function headersTable(headers) {
  return h('div.dx-table-wrap', h('table.dx-table.dx-headers-doc',
    h('thead', h('tr', ['Header', 'Type', 'Description'].map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', headers.map(([name, raw]) => {
      const header = deref(raw) || {};
      const d = describe(header.schema);
      return h('tr', h('td', { 'data-label': 'Header' }, h('code', name)), h('td', { 'data-label': 'Type' }, typeNodes(d)),
        h('td', { 'data-label': 'Description' }, prose(header.description, 'dx-prose dx-small') || h('span.dx-dim', '—')));
    }))));
}

function statusOrder(a, b) {
  const rank = (c) => (c === 'default' ? 999 : parseInt(c.replace(/X/gi, '0'), 10) || 998);
  return rank(a) - rank(b);
}

function responsesView(responses) {
  const codes = Object.keys(responses || {}).sort(statusOrder);
  if (!codes.length) return h('p.dx-none', 'Not documented.');
  return h('div.dx-responses', codes.map((code) => {
    const r = resolve(responses[code]);
    const response = r.value || {};
    const [first, ...rest] = String(response.description || '').split(/\n\s*\n/);
    const headers = Object.entries(response.headers || {});
    const contents = Object.entries(response.content || {});
    return h('details.dx-resp', { open: /^2/.test(code), dataset: { status: code } },
      h('summary', statusChip(code), h('span.dx-resp-desc', first ? inline(first.replace(/\s*\n\s*/g, ' ')) : STATUS_TEXT[code] || ''),
        r.name ? h('span.sch-ref', r.name) : null,
        contents.length ? h('span.dx-dim.dx-resp-types', contents.map(([t]) => t).join(', ')) : null),
      h('div.dx-resp-body',
        prose(rest.join('\n\n')),
        headers.length ? h('div.dx-sub', h('h3', 'Headers'), headersTable(headers)) : null,
        contents.map(([type, media]) => mediaView(type, media)),
        !contents.length ? h('p.dx-none', 'No body.') : null));
  }));
}

function renderOperation(entry) {
  const { op, method, path } = entry;
  const params = parametersOf(entry);
  const body = op.requestBody ? deref(op.requestBody) : null;
  const security = securityOf(op);
  const view = h('article.dx-op', { dataset: { op: entry.id } },
    h('header.dx-op-head',
      h('div.dx-op-tags', entry.tags.map((t) => h('span.dx-tag', t)), op.deprecated ? flag('deprecated', 'warn') : null),
      h('h1#op-title', { tabindex: '-1' }, op.summary || `${method.toUpperCase()} ${path}`),
      h('div.dx-endpoint', { 'data-testid': 'endpoint' }, methodBadge(method), h('code.dx-path', pathNodes(path)),
        copyButton('Copy path', requestPath(path))),
      h('p.dx-op-id', 'operationId ', h('code', entry.id)),
      authLine(security)),
    prose(op.description),
    section('Parameters', parametersTable(params)),
    body ? section('Request body', requestBodyView(body)) : null,
    section('Responses', responsesView(op.responses)),
    section('Try it', tryIt(entry, params, body, security), { class: 'dx-try-section', id: 'try' }));
  replace(byId('main'), view);
}

// ---------------------------------------------------------------------------------------------------------
// Try it

function remembered() { return store.read(VALUES_KEY) || {}; }

function paramField(p) {
  const d = describe(paramSchema(p));
  const id = `try-${p.in}-${p.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const choices = d.values?.length ? d.values : d.types.includes('boolean') ? [true, false] : null;
  const itemValues = d.types.includes('array') && d.schema.items ? describe(d.schema.items, d.stack).values : null;
  let input;
  if (itemValues?.length) {
    const boxes = itemValues.map((v) => h('input', { type: 'checkbox', value: String(v), id: `${id}-${String(v).replace(/[^A-Za-z0-9_-]/g, '_')}` }));
    input = h('div.dx-checks', { id, role: 'group', 'aria-label': p.name, dataset: { name: p.name, in: p.in } },
      boxes.map((box) => h('label.dx-check', { for: box.id }, box, h('code', box.value))));
    return {
      param: p, input, read: () => boxes.filter((b) => b.checked).map((b) => b.value).join(','),
      row: h('div.dx-field', { dataset: { param: p.name } },
        h('span.dx-label', h('code', p.name), h('span.dx-in', p.in), p.required ? flag('required', 'req') : null,
          h('span.dx-dim', typeLabel(d))),
        input),
    };
  }
  if (choices) {
    input = h('select.dx-input', { id, dataset: { name: p.name, in: p.in } },
      h('option', { value: '' }, p.required ? 'Choose…' : '(not sent)'),
      choices.map((v) => h('option', { value: String(v) }, String(v))));
  } else {
    const numeric = d.types.includes('integer') || d.types.includes('number');
    const hint = d.schema.default !== undefined ? `default ${show(d.schema.default)}` : d.format || (p.required ? '' : '(not sent)');
    input = h('input.dx-input', {
      id, type: 'text', inputmode: numeric ? (d.types.includes('integer') ? 'numeric' : 'decimal') : null,
      autocomplete: 'off', spellcheck: 'false', placeholder: hint, dataset: { name: p.name, in: p.in },
    });
  }
  const example = p.example !== undefined ? p.example : d.schema.example;
  const known = p.in === 'path' ? remembered()[p.name] : undefined;
  if (known != null) input.value = known;
  else if (p.in === 'path' && example !== undefined) input.value = String(example);
  const limits = !choices && constraintsOf(d).length ? h('span.dx-field-hint', constraintsOf(d).join(', ')) : null;
  return {
    param: p, input, read: () => input.value.trim(),
    row: h('div.dx-field', { dataset: { param: p.name } },
      h('label.dx-label', { for: id }, h('code', p.name), h('span.dx-in', p.in), p.required ? flag('required', 'req') : null,
        h('span.dx-dim', typeLabel(d))),
      input, limits),
  };
}

/** The body editor for one media type: `{el, read(), type}`. */
function bodyEditor(entry, type, media) {
  media = deref(media) || {};
  const draftKey = `${entry.id} ${type}`;
  if (isJSON(type)) {
    const example = mediaExample(media);
    const initial = example === undefined ? '' : JSON.stringify(example, null, 2);
    const area = h('textarea#try-body.dx-input.dx-code-input', {
      spellcheck: 'false', autocomplete: 'off', rows: String(Math.min(22, Math.max(6, initial.split('\n').length + 1))),
      'aria-describedby': 'try-body-check', dataset: { type },
    });
    area.value = state.drafts.get(draftKey) ?? initial;
    const check = h('p#try-body-check.dx-field-hint', { 'aria-live': 'polite' });
    const validate = () => {
      state.drafts.set(draftKey, area.value);
      if (!area.value.trim()) { check.textContent = 'Empty: no body is sent.'; check.className = 'dx-field-hint'; return; }
      try { JSON.parse(area.value); check.textContent = 'Valid JSON.'; check.className = 'dx-field-hint dx-ok'; } catch (error) {
        check.textContent = `Not valid JSON (${error.message}): it will be sent as typed.`;
        check.className = 'dx-field-hint dx-warn';
      }
    };
    area.addEventListener('input', validate);
    validate();
    const reset = h('button.dx-btn.dx-btn-small', { type: 'button', onclick: () => { area.value = initial; validate(); area.dispatchEvent(new Event('input', { bubbles: true })); } },
      media.example !== undefined || media.examples ? 'Reset to the example' : 'Reset to the skeleton');
    const format = h('button.dx-btn.dx-btn-small', {
      type: 'button',
      onclick: () => { try { area.value = JSON.stringify(JSON.parse(area.value), null, 2); validate(); } catch { validate(); } },
    }, 'Format');
    return {
      type,
      el: h('div.dx-field', h('label.dx-label', { for: 'try-body' }, 'Body ', h('span.dx-dim', type)), area,
        h('div.dx-row.dx-body-tools', check, h('span.dx-spacer'), format, reset)),
      read: () => (area.value.trim() ? { body: area.value, contentType: type, curl: ['--data-raw', area.value] } : null),
    };
  }
  if (isForm(type)) {
    const schema = describe(media.schema);
    const fields = Object.entries(schema.schema.properties || {}).map(([name, raw]) => {
      const d = describe(raw, schema.stack);
      const multiple = d.types.includes('array');
      const inner = multiple ? describe(d.schema.items, d.stack) : d;
      const isFile = inner.format === 'binary' || inner.format === 'byte' || inner.schema.contentMediaType;
      const id = `try-form-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      const input = isFile
        ? h('input.dx-input.dx-file', { id, type: 'file', multiple, dataset: { name } })
        : h('input.dx-input', { id, type: 'text', autocomplete: 'off', dataset: { name } });
      const required = (schema.schema.required || []).includes(name);
      return { name, input, isFile, row: h('div.dx-field', h('label.dx-label', { for: id }, h('code', name), required ? flag('required', 'req') : null, h('span.dx-dim', isFile ? 'file' : typeLabel(d))), input) };
    });
    const multipart = /^multipart\//i.test(type);
    return {
      type,
      el: h('div.dx-form-fields', { dataset: { type } }, h('p.dx-dim', type), fields.length ? fields.map((f) => f.row) : h('p.dx-none', 'No fields documented.')),
      read: () => {
        if (multipart) {
          const form = new FormData();
          const curl = [];
          for (const f of fields) {
            if (f.isFile) for (const file of f.input.files) { form.append(f.name, file, file.name); curl.push('-F', `${f.name}=@${file.name}`); }
            else if (f.input.value !== '') { form.append(f.name, f.input.value); curl.push('-F', `${f.name}=${f.input.value}`); }
          }
          return { body: form, contentType: null, curl };
        }
        const form = new URLSearchParams();
        for (const f of fields) if (!f.isFile && f.input.value !== '') form.append(f.name, f.input.value);
        return { body: form.toString(), contentType: type, curl: ['--data-raw', form.toString()] };
      },
      files: fields.filter((f) => f.isFile).map((f) => f.input),
    };
  }
  // Any other media type (message/rfc822, text/plain, application/octet-stream): raw text or a file.
  const textual = isTextual(type);
  const area = textual ? h('textarea#try-body.dx-input.dx-code-input', { spellcheck: 'false', rows: '10', dataset: { type } }) : null;
  if (area) {
    area.value = state.drafts.get(draftKey) ?? (typeof mediaExample(media) === 'string' ? mediaExample(media) : rawTemplate(type));
    area.addEventListener('input', () => state.drafts.set(draftKey, area.value));
  }
  const file = h('input#try-raw-file.dx-input.dx-file', { type: 'file' });
  return {
    type,
    el: h('div.dx-field', { dataset: { type } },
      area ? [h('label.dx-label', { for: 'try-body' }, 'Body ', h('span.dx-dim', type)), area] : null,
      h('label.dx-label', { for: 'try-raw-file' }, area ? 'Or send a file instead' : `Body: a file (${type})`), file),
    read: () => {
      const chosen = file.files[0];
      // A wildcard media type (*/*, image/*) is no Content-Type: send the file's own, as the web UI does.
      const contentType = type.includes('*') ? (chosen?.type || 'application/octet-stream') : type;
      if (chosen) return { body: chosen, contentType, curl: ['--data-binary', `@${chosen.name}`] };
      return area && area.value ? { body: area.value, contentType, curl: ['--data-binary', area.value] } : null;
    },
  };
}

const shellQuote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

function tryIt(entry, params, body, security) {
  const fields = params.filter((p) => p.in !== 'cookie').map(paramField);
  const cookieParams = params.filter((p) => p.in === 'cookie');
  const contents = Object.entries(body?.content || {});
  let editor = null;
  const editorSlot = h('div.dx-editor-slot');
  const chooseType = (type) => {
    editor = bodyEditor(entry, type, body.content[type]);
    replace(editorSlot, editor.el);
  };
  const typeSelect = contents.length > 1
    ? h('select#try-content-type.dx-input', { onchange: (e) => { chooseType(e.target.value); refreshCurl(); } },
      contents.map(([type]) => h('option', { value: type }, type)))
    : null;
  if (contents.length) chooseType(contents[0][0]);

  const note = h('p.dx-try-auth', { 'data-testid': 'try-auth' });
  const renderNote = () => {
    const parts = [];
    if (auth) {
      parts.push(icon('lock'), ` Sends your token: ${describeAuth()}`);
      if (tokenExpired()) parts.push(' ', h('button.dx-link', { type: 'button', onclick: () => openAuth() }, 'Sign in again'));
    } else if (!security.anonymous && !security.optional) {
      parts.push('No token set: this call will answer 401. ', h('button.dx-link', { type: 'button', onclick: () => openAuth() }, 'Authorize…'));
    } else {
      parts.push('Sent without a token.', security.anonymous ? '' : ' ', security.anonymous ? null : h('button.dx-link', { type: 'button', onclick: () => openAuth() }, 'Authorize…'));
    }
    note.className = `dx-try-auth${!auth && !security.anonymous && !security.optional ? ' dx-warn' : ''}`;
    replace(note, parts);
  };
  renderNote();
  state.onAuthChange = () => { renderNote(); refreshCurl(); };

  const result = h('div#try-result.dx-result', { 'aria-live': 'polite' });
  const curlText = h('pre#try-curl.dx-code');
  const message = h('p#try-message.dx-msg.dx-msg-error', { role: 'alert', hidden: true });
  const send = h('button#try-send.dx-btn.dx-btn-primary', { type: 'submit' }, 'Send');

  /** The request as the form describes it, or `{problems}`. */
  function build() {
    const problems = [];
    let path = entry.path;
    const url = new URL(location.origin);
    const headers = new Headers();
    const query = new URLSearchParams();
    for (const { param: p, read } of fields) {
      const value = read();
      if (p.in === 'path') {
        if (!value) problems.push(`Fill in the path parameter “${p.name}”.`);
        path = path.split(`{${p.name}}`).join(encodeURIComponent(value || `{${p.name}}`));
      } else if (p.in === 'query') {
        if (value === '') { if (p.required) problems.push(`Fill in the query parameter “${p.name}”.`); continue; }
        const d = describe(paramSchema(p));
        if (d.types.includes('array') && p.explode !== false) for (const v of value.split(',')) query.append(p.name, v.trim());
        else query.append(p.name, value);
      } else if (p.in === 'header') {
        if (value === '') { if (p.required) problems.push(`Fill in the header “${p.name}”.`); continue; }
        try { headers.set(p.name, value); } catch { problems.push(`The header “${p.name}” has a character HTTP does not allow.`); }
      }
    }
    url.pathname = requestPath(path);
    url.search = query.toString();
    if (auth?.token) headers.set('Authorization', `Bearer ${auth.token}`);
    let payload = null;
    if (editor) {
      payload = editor.read();
      if (!payload && body?.required) problems.push('This operation needs a body.');
      if (payload?.contentType) headers.set('Content-Type', payload.contentType);
    }
    if (!headers.has('Accept')) headers.set('Accept', 'application/json, application/problem+json;q=0.9, */*;q=0.5');
    return { url, method: entry.method.toUpperCase(), headers, payload, problems };
  }

  function refreshCurl() {
    const req = build();
    const parts = ['curl', '-i'];
    if (req.method !== 'GET') parts.push('-X', req.method);
    parts.push(shellQuote(req.url.href));
    for (const [name, value] of req.headers) {
      if (name === 'accept') continue;
      parts.push('-H', shellQuote(`${canonicalHeader(name)}: ${value}`));
    }
    const extra = req.payload?.curl || [];
    for (let i = 0; i < extra.length; i += 2) parts.push(extra[i], shellQuote(extra[i + 1]));
    curlText.textContent = parts.join(' ');
  }

  async function run() {
    await refreshIfNeeded();
    const req = build();
    message.hidden = !req.problems.length;
    message.textContent = req.problems.join(' ');
    if (req.problems.length) return;
    const known = remembered();
    for (const { param: p, read } of fields) if (p.in === 'path' && read()) known[p.name] = read();
    store.write(VALUES_KEY, known);
    send.disabled = true;
    send.textContent = 'Sending…';
    replace(result, h('div.dx-state.dx-state-inline', { role: 'status' }, h('div.dx-spinner', { 'aria-hidden': 'true' }), `${req.method} ${req.url.pathname}${req.url.search}…`));
    const started = performance.now();
    try {
      const res = await fetch(req.url, {
        method: req.method, headers: req.headers, body: req.payload?.body ?? undefined, cache: 'no-store', credentials: 'same-origin',
      });
      const blob = await res.blob();
      const ms = Math.round(performance.now() - started);
      replace(result, await responseView(res, blob, ms, req));
      result.scrollIntoView({ block: 'start' });
    } catch (error) {
      const ms = Math.round(performance.now() - started);
      replace(result, h('div.dx-response.dx-network-error', { role: 'alert', 'data-testid': 'network-error' },
        h('p.dx-status-line', h('span.dx-status.dx-s5', 'No response'), h('span.dx-dim', `${ms} ms`)),
        h('p', `The request failed before an answer arrived: ${error.message}`)));
    } finally {
      send.disabled = false;
      send.textContent = 'Send';
    }
  }

  const pathFields = fields.filter((f) => f.param.in === 'path');
  const queryFields = fields.filter((f) => f.param.in === 'query');
  const headerFields = fields.filter((f) => f.param.in === 'header');
  const group = (title, list) => (list.length ? h('fieldset.dx-fieldset', h('legend', title), list.map((f) => f.row)) : null);
  const form = h('form#try-form.dx-try', {
    novalidate: true,
    onsubmit: (event) => { event.preventDefault(); run(); },
    oninput: () => refreshCurl(),
    onchange: () => refreshCurl(),
    onkeydown: (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(); }
    },
  },
  note,
  group('Path', pathFields),
  group('Query', queryFields),
  group('Headers', headerFields),
  cookieParams.length ? h('p.dx-dim', `Cookie parameters (${cookieParams.map((p) => p.name).join(', ')}) are not sent from here.`) : null,
  contents.length ? h('fieldset.dx-fieldset', h('legend', 'Body'),
    typeSelect ? h('div.dx-field', h('label.dx-label', { for: 'try-content-type' }, 'Content type'), typeSelect) : null,
    editorSlot) : null,
  h('div.dx-row.dx-send-row', send, h('span.dx-dim.dx-small', 'Ctrl+Enter sends'), message),
  h('details.dx-curl', h('summary', 'As a curl command'), curlText, copyButton('Copy', () => curlText.textContent)));
  refreshCurl();
  return h('div.dx-try-wrap', form, result);
}

async function responseView(res, blob, ms, req) {
  const type = res.headers.get('content-type') || '';
  const headers = [...res.headers].sort(([a], [b]) => {
    const ra = NOTABLE.indexOf(a);
    const rb = NOTABLE.indexOf(b);
    if (ra !== -1 || rb !== -1) return (ra === -1 ? 99 : ra) - (rb === -1 ? 99 : rb);
    return a.localeCompare(b);
  });
  let text = null;
  let json;
  if (blob.size && isTextual(type)) {
    text = await blob.text();
    if (isJSON(type) || /^\s*[[{]/.test(text)) {
      try { json = JSON.parse(text); } catch { json = undefined; }
    }
  }
  let problem = null;
  if (res.status >= 400 && json && typeof json === 'object' && !Array.isArray(json)) {
    const errors = Array.isArray(json.errors) ? json.errors : [];
    problem = h('div.dx-problem', { role: 'alert', 'data-testid': 'problem' },
      h('p.dx-problem-title', h('strong', json.title || STATUS_TEXT[res.status] || 'Error'), json.code ? h('code.dx-problem-code', String(json.code)) : null),
      json.detail ? h('p', String(json.detail)) : null,
      errors.length ? h('ul.dx-field-errors', { 'data-testid': 'field-errors' }, errors.map((e) => h('li', { dataset: { field: String(e?.field ?? '') } },
        h('code.dx-field-name', String(e?.field || '(body)')), h('span.dx-arrow', { 'aria-hidden': 'true' }, '→'), h('span.dx-field-message', String(e?.message ?? '')),
      ))) : null,
      res.headers.get('retry-after') ? h('p', `Retry after ${res.headers.get('retry-after')} s.`) : null,
      json.request_id ? h('p.dx-dim', 'Request id ', h('code', String(json.request_id))) : null);
  }
  if (state.downloadURL) { URL.revokeObjectURL(state.downloadURL); state.downloadURL = null; }
  let bodyView;
  if (!blob.size) {
    bodyView = h('p.dx-none', { 'data-testid': 'response-empty' }, res.status === 204 ? 'No content.' : 'Empty body.');
  } else if (text != null) {
    const shown = json !== undefined ? JSON.stringify(json, null, 2) : text;
    const cut = shown.length > MAX_SHOWN_CHARS;
    bodyView = [
      h('pre#try-response-body.dx-code.dx-response-body', { 'data-testid': 'response-body', tabindex: '0' }, cut ? shown.slice(0, MAX_SHOWN_CHARS) : shown),
      cut ? h('p.dx-dim', `Showing the first ${MAX_SHOWN_CHARS.toLocaleString('en')} characters.`) : null,
    ];
  } else {
    state.downloadURL = URL.createObjectURL(blob);
    const name = /filename="?([^";]+)"?/i.exec(res.headers.get('content-disposition') || '')?.[1] || 'response';
    bodyView = h('p.dx-binary', { 'data-testid': 'response-binary' }, `${formatBytes(blob.size)} of ${type || 'binary data'}. `,
      h('a', { href: state.downloadURL, download: name }, 'Download it'));
  }
  const statusText = res.statusText || STATUS_TEXT[res.status] || '';
  return h('div.dx-response', { dataset: { status: String(res.status) }, 'data-testid': 'response' },
    h('div.dx-status-line',
      h('span.dx-status', { class: `dx-s${String(res.status)[0]}`, 'data-testid': 'status' }, `${res.status}${statusText ? ` ${statusText}` : ''}`),
      h('span.dx-dim', { 'data-testid': 'duration' }, `${ms} ms`),
      h('span.dx-dim', formatBytes(blob.size)),
      h('code.dx-req-line', `${req.method} ${req.url.pathname}${req.url.search}`)),
    problem,
    h('details.dx-resp-headers', { open: true },
      h('summary', `Response headers (${headers.length})`),
      h('div.dx-table-wrap', h('table.dx-table.dx-kv', { 'data-testid': 'response-headers' }, h('tbody', headers.map(([name, value]) => h('tr',
        { class: NOTABLE.includes(name) && !name.startsWith('content-') ? 'dx-notable' : null, dataset: { header: name } },
        h('th', { scope: 'row' }, canonicalHeader(name)), h('td', h('code', value)))))))),
    h('div.dx-response-body-wrap',
      h('div.dx-row', h('h3', 'Body'), h('span.dx-spacer'), text != null ? copyButton('Copy', text) : null),
      bodyView));
}

// ---------------------------------------------------------------------------------------------------------
// Start

function renderLoadError(message) {
  replace(byId('main'), h('div.dx-state.dx-state-error', { role: 'alert', 'data-testid': 'load-error' },
    h('h1#op-title', { tabindex: '-1' }, 'The API document could not be loaded'),
    h('p', message),
    h('p', h('button.dx-btn.dx-btn-primary', { type: 'button', onclick: () => load() }, 'Try again'),
      ' ', h('a', { href: SPEC_URL }, 'Open the raw document'))));
  replace(byId('op-list'), h('p.dx-empty', 'No operations to list.'));
}

async function load() {
  replace(byId('main'), h('div.dx-state', { role: 'status', 'data-testid': 'loading' }, h('div.dx-spinner', { 'aria-hidden': 'true' }),
    h('p', 'Loading the API document…')));
  let doc;
  try {
    const res = await fetch(SPEC_URL, { headers: { Accept: 'application/json' }, cache: 'no-cache' });
    if (!res.ok) {
      const problem = await res.json().catch(() => null);
      throw new Error(`${SPEC_URL} answered ${res.status} ${problem?.detail || problem?.title || STATUS_TEXT[res.status] || ''}`.trim());
    }
    try { doc = await res.json(); } catch { throw new Error(`${SPEC_URL} is not valid JSON.`); }
    if (!doc || typeof doc !== 'object' || typeof doc.paths !== 'object' || doc.paths === null) {
      throw new Error(`${SPEC_URL} is not an OpenAPI document (it has no “paths”).`);
    }
  } catch (error) {
    renderLoadError(error instanceof TypeError ? `The server could not be reached (${error.message}).` : error.message);
    return;
  }
  state.doc = doc;
  state.ops = collectOperations(doc);
  state.byId = new Map(state.ops.map((e) => [e.id, e]));
  const info = doc.info || {};
  byId('api-title').textContent = info.title || 'API reference';
  const version = byId('api-version');
  version.textContent = info.version ? `v${info.version}` : '';
  version.hidden = !info.version;
  const filter = byId('filter');
  filter.disabled = false;
  renderSidebar();
  applyFilter();
  route();
}

function start() {
  buildAuthPanel();
  renderAuthState();
  setInterval(renderAuthState, 30_000); // expiry countdowns
  byId('auth-toggle').addEventListener('click', () => (byId('auth-panel').hidden ? openAuth() : closeAuth()));
  byId('nav-toggle').addEventListener('click', () => (document.body.classList.contains('dx-nav-open') ? closeDrawer() : openDrawer()));
  byId('backdrop').addEventListener('click', closeDrawer);
  const filter = byId('filter');
  filter.addEventListener('input', applyFilter);
  filter.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && filter.value) { filter.value = ''; applyFilter(); event.stopPropagation(); }
    if (event.key === 'Enter') {
      event.preventDefault();
      const first = [...byId('op-list').querySelectorAll('.dx-op-link')].find((a) => !a.parentElement.hidden && !a.closest('.dx-group').hidden);
      if (first) location.hash = first.getAttribute('href');
    }
  });
  document.addEventListener('keydown', (event) => {
    const typing = event.target.closest?.('input, textarea, select, [contenteditable]');
    if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      if (window.matchMedia('(max-width: 899px)').matches) openDrawer();
      filter.focus();
    } else if (event.key === 'Escape') {
      if (document.body.classList.contains('dx-nav-open')) closeDrawer();
      else if (!byId('auth-panel').hidden) closeAuth();
    }
  });
  window.addEventListener('hashchange', route);
  window.addEventListener('storage', (event) => { if (event.key === APP_SESSION_KEY) renderAuthState(); });
  load();
}

start();
