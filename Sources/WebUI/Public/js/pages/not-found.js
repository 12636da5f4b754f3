import { h } from '../core/dom.js';
import { t } from '../core/i18n.js';

export function render() {
  return h('div.page', h('div.state', h('h1', t('common.not_found_title')), h('p.muted', t('common.not_found_body')),
    h('a.btn', { href: '/' }, t('common.go_home'))));
}
