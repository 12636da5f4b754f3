// Admin › Users: everyone with an account, filtered by role and searched; invite, edit, deactivate.
import { h, icon, debounce } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { session } from '../../core/session.js';
import { setQuery } from '../../core/router.js';
import { toast, errorMessage, field, confirm, avatar } from '../../core/ui.js';
import { date } from '../../core/format.js';
import { pageHeader, table, cell, iconButton, adIcon, formDialog, pagedList, emptyWith, statusDot } from './components/common.js';

const ROLES = ['customer', 'agent', 'admin'];

export function render(ctx) {
  const state = { role: ctx.query.get('role') || '', q: ctx.query.get('q') || '' };
  if (state.role && !ROLES.includes(state.role)) state.role = '';
  let organizations = new Map();
  const orgsReady = api.all('organizations').then((list) => { organizations = new Map(list.map((o) => [o.id, o])); })
    .catch(() => {});

  const listEl = h('div.ad-list', { 'aria-live': 'polite' });
  const search = h('input#users-search', { type: 'search', value: state.q, placeholder: t('admin.users_search_placeholder'),
    'aria-label': t('admin.users_search_placeholder'), autocomplete: 'off' });
  search.addEventListener('input', debounce(() => { state.q = search.value.trim(); setQuery({ q: state.q }); reload(); }, 300));

  const roleButtons = ['', ...ROLES].map((role) => h('button.seg-btn', {
    type: 'button', 'aria-pressed': String(state.role === role), dataset: { role: role || 'all' }, id: `users-role-${role || 'all'}`,
    onclick: () => {
      state.role = role;
      setQuery({ role });
      for (const b of roleButtons) b.setAttribute('aria-pressed', String(b === roleButtons[['', ...ROLES].indexOf(role)]));
      reload();
    },
  }, role ? t(`admin.role_plural_${role}`) : t('admin.filter_all')));

  const inviteButton = h('button.btn.btn-primary#invite-open', { type: 'button', onclick: () => invite() },
    icon('plus'), t('admin.invite_agent'));

  const columns = [
    { label: t('admin.col_user') }, { label: t('admin.col_role') }, { label: t('admin.col_organization') },
    { label: t('admin.col_status') }, { label: t('admin.col_created') }, { label: t('admin.col_actions'), className: 'ad-col-actions' },
  ];

  function row(user) {
    const org = user.organization_id ? organizations.get(user.organization_id) : null;
    const self = user.id === session.user?.id;
    const actions = h('div.ad-row-actions',
      iconButton(icon('edit'), t('admin.edit_user', { name: user.name }), () => edit(user), { 'data-testid': 'user-edit' }),
      self ? null : user.active
        ? iconButton(adIcon('ban'), t('admin.deactivate_user', { name: user.name }), () => deactivate(user),
          { 'data-testid': 'user-deactivate', class: 'ad-danger-hover' })
        : iconButton(adIcon('undo'), t('admin.reactivate_user', { name: user.name }), () => reactivate(user),
          { 'data-testid': 'user-reactivate' }));
    return h(`tr${user.active ? '' : '.ad-inactive'}`, { 'data-testid': 'user-row', dataset: { email: user.email, id: user.id } },
      cell({ className: 'ad-cell-primary' }, h('div.ad-person', avatar(user.name || user.email),
        h('div.ad-person-text', h('span.ad-person-name', user.name || user.email, self ? h('span.ad-you', t('admin.you')) : null),
          h('span.ad-person-sub', user.email)))),
      cell(t('admin.col_role'), h(`span.badge.ad-role.ad-role-${user.role}`, { 'data-testid': 'user-role' }, t(`common.role_${user.role}`))),
      cell(t('admin.col_organization'), org ? org.name : h('span.faint', '—')),
      cell(t('admin.col_status'), user.active ? statusDot('on', t('admin.status_active')) : statusDot('off', t('admin.status_inactive'))),
      cell({ label: t('admin.col_created'), className: 'ad-hide-sm' }, h('span.muted', date(user.created_at))),
      cell({ className: 'ad-col-actions ad-actions-compact' }, actions));
  }

  const reload = () => pagedList(listEl, {
    fetchPage: async (cursor) => { await orgsReady; return api.get('users', { role: state.role, q: state.q, cursor, limit: 50 }); },
    renderRows: (items) => items.map(row),
    shell: (tbody) => table(columns, tbody, { caption: t('admin.nav_users') }),
    emptyState: () => (state.q || state.role
      ? emptyWith(t('admin.users_empty_filtered'), t('admin.users_empty_filtered_hint'))
      : emptyWith(t('admin.users_empty'), t('admin.users_empty_hint'), t('admin.invite_agent'), () => invite())),
  });

  function orgSelect(id, value) {
    return h('select', { id, name: 'organization_id' },
      h('option', { value: '' }, t('common.none')),
      [...organizations.values()].sort((a, b) => a.name.localeCompare(b.name))
        .map((o) => h('option', { value: o.id, selected: o.id === value }, o.name)));
  }

  function roleSelect(id, value) {
    return h('select', { id, name: 'role' }, ROLES.map((r) => h('option', { value: r, selected: r === value }, t(`common.role_${r}`))));
  }

  async function invite() {
    await orgsReady;
    const created = await formDialog(t('admin.invite_title'), {
      submitLabel: t('admin.invite_submit'), submitId: 'invite-submit',
      build: () => [
        h('p.muted.ad-dialog-lead', t('admin.invite_lead')),
        h('div.ad-grid-2',
          field(t('admin.field_name'), h('input#invite-name', { type: 'text', name: 'name', required: true, autocomplete: 'off' })),
          field(t('admin.field_email'), h('input#invite-email', { type: 'email', name: 'email', required: true, autocomplete: 'off' }))),
        h('div.ad-grid-2',
          field(t('admin.field_role'), roleSelect('invite-role', 'agent')),
          field(t('admin.col_organization'), orgSelect('invite-org', null))),
        field(t('admin.field_password_optional'),
          h('input#invite-password', { type: 'password', name: 'password', autocomplete: 'new-password' }),
          t('admin.invite_password_hint')),
      ],
      submit: async (form) => {
        const v = Object.fromEntries(new FormData(form));
        const body = { email: v.email.trim(), name: v.name.trim(), role: v.role };
        if (v.organization_id) body.organization_id = v.organization_id;
        if (v.password) body.password = v.password;
        const user = await api.post('users', body);
        let linkSent = false;
        if (!v.password) {
          try { await api.post('auth/password/forgot', { email: user.email }); linkSent = true; } catch (error) {
            toast(t('admin.invite_link_failed', { error: errorMessage(error) }), 'error');
          }
        }
        return { user, linkSent };
      },
    });
    if (!created) return;
    toast(created.linkSent ? t('admin.invite_done_link', { email: created.user.email }) : t('admin.invite_done', { email: created.user.email }), 'success');
    reload();
  }

  async function edit(user) {
    await orgsReady;
    const self = user.id === session.user?.id;
    const saved = await formDialog(t('admin.edit_user_title'), {
      submitId: 'user-edit-submit',
      build: () => [
        h('div.ad-dialog-person', avatar(user.name || user.email, 'lg'), h('div', h('strong', user.name), h('div.muted.small', user.email))),
        field(t('admin.field_name'), h('input#user-edit-name', { type: 'text', name: 'name', value: user.name, required: true })),
        h('div.ad-grid-2',
          field(t('admin.field_role'), roleSelect('user-edit-role', user.role), self ? t('admin.own_role_hint') : null),
          field(t('admin.col_organization'), orgSelect('user-edit-org', user.organization_id))),
      ],
      submit: async (form) => {
        const v = Object.fromEntries(new FormData(form));
        const body = {};
        if (v.name.trim() !== user.name) body.name = v.name.trim();
        if (v.role !== user.role) body.role = v.role;
        if ((v.organization_id || null) !== (user.organization_id || null)) body.organization_id = v.organization_id || null;
        if (!Object.keys(body).length) return user;
        return api.patch(`users/${user.id}`, body, { version: user.version });
      },
    });
    if (saved) { toast(t('common.saved'), 'success'); reload(); }
  }

  async function deactivate(user) {
    const ok = await confirm(t('admin.deactivate_confirm', { name: user.name || user.email }),
      { danger: true, confirmLabel: t('admin.deactivate') });
    if (!ok) return;
    try {
      await api.del(`users/${user.id}`);
      toast(t('admin.deactivated', { name: user.name || user.email }), 'success');
      reload();
    } catch (error) { toast(errorMessage(error), 'error'); }
  }

  async function reactivate(user) {
    try {
      await api.patch(`users/${user.id}`, { active: true });
      toast(t('admin.reactivated', { name: user.name || user.email }), 'success');
      reload();
    } catch (error) { toast(errorMessage(error), 'error'); }
  }

  reload();
  return h('div.page.ad-page#admin-users',
    pageHeader(t('admin.nav_users'), t('admin.users_desc'), inviteButton),
    h('div.ad-toolbar',
      h('label.ad-search', icon('search'), search),
      h('div.seg.ad-seg', { role: 'group', 'aria-label': t('admin.filter_role') }, roleButtons)),
    listEl);
}

