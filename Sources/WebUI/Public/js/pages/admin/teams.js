// Admin › Teams: groups of agents tickets can be routed to; create, edit, delete, manage members.
import { h, icon, replace } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { api } from '../../core/api.js';
import { toast, errorMessage, field, confirm, avatar, dialog, loading, failure } from '../../core/ui.js';
import { pageHeader, table, cell, iconButton, adIcon, formDialog, pagedList, emptyWith } from './components/common.js';

/** Agents and admins (the people who can be in a team), by id. */
async function staffDirectory() {
  const [agents, admins] = await Promise.all([api.all('users', { role: 'agent' }), api.all('users', { role: 'admin' })]);
  return new Map([...agents, ...admins].map((u) => [u.id, u]));
}

export function render() {
  const listEl = h('div.ad-list', { 'aria-live': 'polite' });
  let staff = new Map();
  const staffReady = staffDirectory().then((m) => { staff = m; }).catch(() => {});
  const newButton = h('button.btn.btn-primary#team-new', { type: 'button', onclick: () => edit(null) }, icon('plus'), t('admin.team_new'));

  const columns = [{ label: t('admin.col_team') }, { label: t('admin.col_members') }, { label: t('admin.col_actions'), className: 'ad-col-actions' }];

  function avatars(ids) {
    if (!ids.length) return h('span.faint', t('admin.no_members'));
    const shown = ids.slice(0, 5).map((id) => staff.get(id)).filter(Boolean);
    return h('div.ad-avatars', { title: shown.map((u) => u.name).join(', ') },
      h('span.ad-avatar-stack', shown.map((u) => avatar(u.name || u.email, 'sm'))),
      h('span.muted.small', t('admin.member_count', { count: ids.length })));
  }

  function row(team) {
    return h('tr', { 'data-testid': 'team-row', dataset: { name: team.name, id: team.id } },
      cell({ className: 'ad-cell-primary' }, h('div.ad-entity', h('span.ad-entity-icon', icon('users')),
        h('div.ad-person-text', h('span.ad-person-name', team.name), team.description && h('span.ad-person-sub', team.description)))),
      cell(t('admin.col_members'), avatars(team.member_ids || [])),
      cell({ className: 'ad-col-actions' }, h('div.ad-row-actions',
        h('button.btn.btn-sm', { type: 'button', 'data-testid': 'team-members', onclick: () => members(team) }, icon('user'), t('admin.manage_members')),
        iconButton(icon('edit'), t('admin.edit_item', { name: team.name }), () => edit(team), { 'data-testid': 'team-edit' }),
        iconButton(adIcon('trash'), t('admin.delete_item', { name: team.name }), () => remove(team), { 'data-testid': 'team-delete', class: 'ad-danger-hover' }))));
  }

  const reload = () => pagedList(listEl, {
    fetchPage: async (cursor) => { await staffReady; return api.get('teams', { cursor, limit: 50 }); },
    renderRows: (items) => items.map(row),
    shell: (tbody) => table(columns, tbody, { caption: t('admin.nav_teams') }),
    emptyState: () => emptyWith(t('admin.teams_empty'), t('admin.teams_empty_hint'), t('admin.team_new'), () => edit(null)),
  });

  async function edit(team) {
    const saved = await formDialog(team ? t('admin.team_edit_title') : t('admin.team_new'), {
      submitId: 'team-submit', submitLabel: team ? t('common.save') : t('common.create'),
      build: () => [
        field(t('admin.field_name'), h('input#team-name', { type: 'text', name: 'name', value: team?.name || '', required: true })),
        field(t('admin.field_description'), h('textarea#team-description', { name: 'description', rows: 3 }, team?.description || ''),
          t('admin.team_description_hint')),
      ],
      submit: async (form) => {
        const v = Object.fromEntries(new FormData(form));
        const body = { name: v.name.trim(), description: v.description.trim() };
        return team ? api.patch(`teams/${team.id}`, body) : api.post('teams', body);
      },
    });
    if (!saved) return;
    toast(team ? t('common.saved') : t('admin.team_created', { name: saved.name }), 'success');
    reload();
    if (!team) members(saved);
  }

  async function remove(team) {
    if (!await confirm(t('admin.team_delete_confirm', { name: team.name }), { danger: true, confirmLabel: t('common.delete') })) return;
    try { await api.del(`teams/${team.id}`); toast(t('admin.deleted', { name: team.name }), 'success'); reload(); } catch (error) {
      toast(errorMessage(error), 'error');
    }
  }

  async function members(team) {
    let changed = false;
    await dialog(t('admin.members_title', { name: team.name }), () => {
      const body = h('div.ad-members', loading());
      const memberIds = new Set(team.member_ids || []);
      const draw = () => {
        const current = [...memberIds].map((id) => staff.get(id) || { id, name: id, email: '' });
        const candidates = [...staff.values()].filter((u) => !memberIds.has(u.id) && u.active !== false)
          .sort((a, b) => (a.name || '').localeCompare(b.name || ''));
        const select = h('select#team-member-select', { 'aria-label': t('admin.add_member') },
          h('option', { value: '' }, candidates.length ? t('admin.pick_agent') : t('admin.no_more_agents')),
          candidates.map((u) => h('option', { value: u.id }, `${u.name} · ${u.email}`)));
        const add = h('button.btn.btn-primary#team-member-add', { type: 'button', disabled: !candidates.length, onclick: async () => {
          if (!select.value) { select.focus(); return; }
          add.disabled = true;
          try {
            await api.put(`teams/${team.id}/members/${select.value}`);
            memberIds.add(select.value); changed = true; draw();
            body.querySelector('#team-member-select')?.focus();
          } catch (error) { toast(errorMessage(error), 'error'); add.disabled = false; }
        } }, icon('plus'), t('admin.add_member'));
        replace(body,
          h('div.ad-member-add', select, add),
          current.length
            ? h('ul.ad-member-list', { 'aria-label': t('admin.col_members') }, current.map((u) => h('li.ad-member', { 'data-testid': 'team-member', dataset: { id: u.id } },
              h('div.ad-person', avatar(u.name || u.email, 'sm'), h('div.ad-person-text', h('span.ad-person-name', u.name),
                h('span.ad-person-sub', u.email, u.role ? ` · ${t(`common.role_${u.role}`)}` : ''))),
              iconButton(icon('x'), t('admin.remove_member', { name: u.name }), async (e) => {
                const btn = e.currentTarget;
                btn.disabled = true;
                try { await api.del(`teams/${team.id}/members/${u.id}`); memberIds.delete(u.id); changed = true; draw(); } catch (error) {
                  toast(errorMessage(error), 'error'); btn.disabled = false;
                }
              }, { 'data-testid': 'team-member-remove' }))))
            : h('p.muted.ad-members-empty', t('admin.no_members_hint')));
      };
      staffReady.then(draw, (error) => replace(body, failure(error)));
      return body;
    });
    if (changed) reload();
  }

  reload();
  return h('div.page.ad-page#admin-teams', pageHeader(t('admin.nav_teams'), t('admin.teams_desc'), newButton), listEl);
}
