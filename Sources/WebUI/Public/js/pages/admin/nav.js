// The admin rail: workspace sections grouped as People, Tickets, Channels, Automations and Security.
import { h, icon } from '../../core/dom.js';
import { t } from '../../core/i18n.js';
import { adIcon } from './components/common.js';

const GROUPS = [
  { heading: 'people', items: [['users', () => icon('user')], ['teams', () => icon('users')], ['organizations', () => adIcon('building')]] },
  { heading: 'tickets', items: [['fields', () => adIcon('sliders')]] },
  { heading: 'channels', items: [['templates', () => icon('mail')], ['mailboxes', () => icon('inbox')]] },
  { heading: 'automations', items: [['schedules', () => adIcon('clock')], ['sla-policies', () => adIcon('activity')], ['triggers', () => adIcon('sliders')], ['automations', () => adIcon('clock')]] },
  { heading: 'security', items: [['audit', () => icon('shield')]] },
];

export async function renderRail(meta) {
  const el = h('div.ad-rail', { 'data-testid': 'admin-rail' },
    h('div.ad-rail-title', icon('settings'), h('span', t('admin.rail_title'))),
    GROUPS.map((group) => h('div.rail-section',
      h('h2.rail-heading', { id: `ad-rail-${group.heading}` }, t(`admin.rail_group_${group.heading}`)),
      h('ul.ad-rail-list', { 'aria-labelledby': `ad-rail-${group.heading}` },
        group.items.map(([area, iconFn]) => h('li', h('a.rail-link', {
          href: `/admin/${area}`, id: `admin-nav-${area}`, dataset: { area },
          'aria-current': meta?.area === area ? 'page' : null,
        }, iconFn(), h('span', t(`admin.nav_${area.replaceAll('-', '_')}`)))))))));
  return { el };
}
