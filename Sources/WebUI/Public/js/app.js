// Entry point: locale, theme, session, routes. Each page is an ES module loaded on first visit.
import * as router from './core/router.js';
import { setLocale, preferredLocale } from './core/i18n.js';
import { applyTheme } from './core/theme.js';
import { session } from './core/session.js';
import { api, onSessionExpired } from './core/api.js';
import * as realtime from './core/realtime.js';
import { mount } from './shell.js';

const staff = ['agent', 'admin'];
const page = (path) => () => import(`./pages/${path}.js`);

// Public pages (no session) use the bare "auth" layout.
router.add('/setup', page('auth/setup'), { public: true, layout: 'auth' });
router.add('/login', page('auth/login'), { public: true, layout: 'auth' });
router.add('/register', page('auth/register'), { public: true, layout: 'auth' });
router.add('/forgot', page('auth/forgot'), { public: true, layout: 'auth' });
router.add('/reset', page('auth/reset'), { public: true, layout: 'auth' });
// Agent workspace.
router.add('/tickets', page('agent/tickets'), { roles: staff, rail: 'agent', section: 'tickets' });
router.add('/tickets/new', page('agent/new-ticket'), { roles: staff, rail: 'agent', section: 'tickets' });
router.add('/tickets/:number', page('agent/ticket'), { roles: staff, rail: 'agent', section: 'tickets' });
// Customer portal.
router.add('/requests', page('portal/requests'), { roles: ['customer'], section: 'requests' });
router.add('/requests/new', page('portal/new-request'), { roles: ['customer'], section: 'requests' });
router.add('/requests/:number', page('portal/request'), { roles: ['customer'], section: 'requests' });
// Admin.
for (const area of ['users', 'teams', 'organizations', 'fields', 'templates', 'audit', 'mailboxes', 'schedules', 'sla-policies', 'triggers', 'automations']) {
  router.add(`/admin/${area}`, page(`admin/${area}`), { roles: ['admin'], rail: 'admin', section: 'admin', area });
}
router.add('/profile', page('profile/profile'), { section: 'profile' });
router.add('/404', page('not-found'), { public: true });

let setupNeeded = null;
/** Whether the workspace still needs its first admin (asked once, then after setup completes). */
export async function needsSetup(refresh = false) {
  if (setupNeeded === null || refresh) {
    try { setupNeeded = (await api.get('setup')).needs_setup; } catch { setupNeeded = false; }
  }
  return setupNeeded;
}

/** Where a user lands after login. */
export function home(user = session.user) {
  if (!user) return '/login';
  return staff.includes(user.role) ? '/tickets' : '/requests';
}

router.add('/', async () => ({ render: () => document.createComment('home') }), { public: true });

router.setGuard(async (route, path) => {
  if (await needsSetup()) return path === '/setup' ? null : '/setup';
  if (path === '/setup') return home();
  if (path === '/') return home();
  if (route.meta.public) {
    // A signed-in user opening /login goes to their home instead.
    if (session.current && ['/login', '/register'].includes(path)) return home();
    return null;
  }
  if (!session.current) return `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
  if (route.meta.roles && !route.meta.roles.includes(session.user?.role)) return home();
  return null;
});

onSessionExpired(() => {
  realtime.disconnect();
  router.navigate(`/login?expired=1&next=${encodeURIComponent(location.pathname + location.search)}`);
});

session.onChange((state) => {
  if (state) { realtime.connect(); return; }
  realtime.disconnect();
  // Signed out here or in another tab: leave any page that needs a session.
  if (!['/login', '/register', '/forgot', '/reset', '/setup'].includes(location.pathname)) router.navigate('/login');
});

async function boot() {
  applyTheme();
  const user = session.user;
  await setLocale(user?.locale || preferredLocale());
  if (session.current) {
    realtime.connect();
    // Refresh the cached user (role or locale may have changed since the last visit).
    api.get('users/me').then((me) => session.setUser(me)).catch(() => {});
  }
  await router.start(mount);
}

boot().catch((error) => {
  console.error(error);
  document.getElementById('app').textContent = 'Helpdesk could not start. Reload the page.';
});
