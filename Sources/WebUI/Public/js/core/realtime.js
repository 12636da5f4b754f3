// The realtime WebSocket (/api/v1/realtime). Protocol (JSON text frames):
//   client → {type:'auth', token} first (browsers cannot set headers on a WebSocket), then
//            {type:'presence', ticket_id, state:'viewing'|'replying'|'left'} and {type:'ping'}
//   server → {type:'ready', user_id}
//            {type:'event', event:{type, ticket_id, ticket_number, comment_id?, public?, occurred_at}}
//            {type:'notification', unread_count}
//            {type:'presence', ticket_id, users:[{id, name, state}]}
// Events carry ids only: the page reloads what changed through the REST API, which applies permissions.
import { accessToken } from './api.js';
import { session } from './session.js';
import { store } from './store.js';

const listeners = new Set();
let socket = null;
let opening = false;
let retry = 0;
let timer = null;
let stopped = true;
const presenceWanted = new Map(); // ticket_id → state, re-sent after a reconnect

/** `fn(message)` for every server message; returns an unsubscribe function. */
export function onMessage(fn) { listeners.add(fn); return () => listeners.delete(fn); }

/** Calls `fn(event)` for ticket events only. */
export function onEvent(fn) {
  return onMessage((m) => m.type === 'event' && fn(m.event));
}

function send(message) {
  if (socket?.readyState === WebSocket.OPEN && socket.authenticated) socket.send(JSON.stringify(message));
}

/** Announces what this user is doing on a ticket. */
export function presence(ticketID, state) {
  if (state === 'left') presenceWanted.delete(ticketID); else presenceWanted.set(ticketID, state);
  send({ type: 'presence', ticket_id: ticketID, state });
}

async function open() {
  clearTimeout(timer);
  timer = null;
  if (stopped || !session.current || opening || socket) return;
  opening = true;
  let token;
  try { token = await accessToken(); } finally { opening = false; }
  if (!token || stopped || socket) return;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/realtime`;
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token }));
  ws.onmessage = (e) => {
    let message;
    try { message = JSON.parse(e.data); } catch { return; }
    if (message.type === 'ready') {
      ws.authenticated = true;
      retry = 0;
      store.set({ connected: true });
      for (const [ticket_id, state] of presenceWanted) send({ type: 'presence', ticket_id, state });
    }
    if (message.type === 'notification') store.set({ unread: message.unread_count });
    for (const fn of listeners) fn(message);
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    store.set({ connected: false });
    if (stopped) return;
    // Backoff 1 s, 2 s, 4 s … 30 s; a fresh token is fetched on each attempt (it may have expired).
    retry = Math.min(retry + 1, 5);
    // Jitter spreads the tabs (and the clients of a restarted server) that lost their sockets together.
    timer = setTimeout(open, Math.min(30_000, 1000 * 2 ** (retry - 1)) * (0.5 + Math.random()));
  };
}

export function connect() {
  stopped = false;
  if (socket || opening || timer) return;
  open();
}

export function disconnect() {
  stopped = true;
  clearTimeout(timer);
  timer = null;
  presenceWanted.clear();
  socket?.close(1000);
  socket = null;
  store.set({ connected: false });
}

// Keep-alive so idle proxies do not drop the connection.
setInterval(() => send({ type: 'ping' }), 25_000);
