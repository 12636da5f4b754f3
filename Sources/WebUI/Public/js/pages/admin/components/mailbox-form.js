// The create/edit dialog of a mailbox: address, name, team, new senders, and the optional IMAP settings
// (the password is write-only: empty on edit keeps the stored one).
import { h } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { api } from '../../../core/api.js';
import { field } from '../../../core/ui.js';
import { formDialog, switchField } from './common.js';

const PORTS = { tls: 993, starttls: 143, none: 143 };

export function mailboxDialog(mailbox, teams) {
  const imap = mailbox?.imap || null;
  let imapBox;
  return formDialog(mailbox ? t('admin.mailbox_edit_title') : t('admin.mailbox_new'), {
    submitId: 'mailbox-submit', submitLabel: mailbox ? t('common.save') : t('common.create'), wide: true,
    build: () => {
      const security = h('select#mailbox-imap-security', { name: 'imap.security' },
        ['tls', 'starttls', 'none'].map((s) => h('option', { value: s, selected: s === (imap?.security || 'tls') }, t(`admin.security_${s}`))));
      const port = h('input#mailbox-imap-port', { type: 'number', name: 'imap.port', min: 1, max: 65535, value: imap?.port ?? 993, inputmode: 'numeric' });
      security.addEventListener('change', () => {
        if (Object.values(PORTS).includes(Number(port.value))) port.value = PORTS[security.value];
        noneWarning.hidden = security.value !== 'none';
      });
      const noneWarning = h('p.ad-inline-warn', { hidden: security.value !== 'none' }, t('admin.security_none_warning'));
      const enable = switchField('imap_enabled', t('admin.imap_enabled'), Boolean(imap), {
        id: 'mailbox-imap-enabled', hint: t('admin.imap_enabled_hint'),
        onchange: (e) => { imapBox.hidden = !e.target.checked; for (const el of imapBox.querySelectorAll('input, select')) el.disabled = !e.target.checked; },
      });
      imapBox = h('fieldset.ad-fieldset#mailbox-imap', { hidden: !imap },
        h('legend', t('admin.imap_settings')),
        h('div.ad-grid-3',
          h('div.ad-span-2', field(t('admin.imap_host'), h('input#mailbox-imap-host', { type: 'text', name: 'imap.host', value: imap?.host || '',
            placeholder: 'imap.example.com', autocomplete: 'off', spellcheck: 'false' }))),
          field(t('admin.imap_port'), port)),
        field(t('admin.imap_security'), security),
        noneWarning,
        h('div.ad-grid-2',
          field(t('admin.imap_username'), h('input#mailbox-imap-username', { type: 'text', name: 'imap.username', value: imap?.username || '',
            autocomplete: 'off', spellcheck: 'false' })),
          field(t('admin.imap_password'), h('input#mailbox-imap-password', { type: 'password', name: 'imap.password', autocomplete: 'new-password',
            placeholder: imap?.password_set ? '••••••••' : '' }),
          imap?.password_set ? t('admin.imap_password_keep') : t('admin.imap_password_hint'))),
        h('div.ad-grid-3',
          field(t('admin.imap_folder'), h('input#mailbox-imap-folder', { type: 'text', name: 'imap.folder', value: imap?.folder || 'INBOX' })),
          field(t('admin.imap_processed_folder'), h('input#mailbox-imap-processed', { type: 'text', name: 'imap.processed_folder',
            value: imap?.processed_folder || '', placeholder: t('admin.optional') }), t('admin.imap_processed_hint')),
          field(t('admin.imap_poll'), h('input#mailbox-imap-poll', { type: 'number', name: 'imap.poll_seconds', min: 10, value: imap?.poll_seconds ?? 60,
            inputmode: 'numeric' }), t('admin.imap_poll_hint'))),
        switchField('imap.verify_certificate', t('admin.imap_verify'), imap ? imap.verify_certificate !== false : true,
          { id: 'mailbox-imap-verify', hint: t('admin.imap_verify_hint') }));
      if (!imap) for (const el of imapBox.querySelectorAll('input, select')) el.disabled = true;
      return [
        h('div.ad-grid-2',
          field(t('admin.mailbox_address'), h('input#mailbox-address', { type: 'email', name: 'address', value: mailbox?.address || '',
            placeholder: 'support@example.com', required: true, autocomplete: 'off' })),
          field(t('admin.field_name'), h('input#mailbox-name', { type: 'text', name: 'name', value: mailbox?.name || '', placeholder: t('admin.mailbox_name_placeholder') }))),
        field(t('admin.mailbox_team'), h('select#mailbox-team', { name: 'team_id' },
          h('option', { value: '' }, t('admin.no_team')),
          teams.map((team) => h('option', { value: team.id, selected: team.id === mailbox?.team_id }, team.name))), t('admin.mailbox_team_hint')),
        switchField('allow_new_senders', t('admin.allow_new_senders'), mailbox ? mailbox.allow_new_senders : true,
          { id: 'mailbox-allow-new', hint: t('admin.allow_new_senders_hint') }),
        field(t('admin.trusted_authserv_id'), h('input#mailbox-trusted-authserv', { type: 'text', name: 'trusted_authserv_id',
          value: mailbox?.trusted_authserv_id || '', placeholder: 'mx.example.com', autocomplete: 'off', spellcheck: 'false' }),
        t('admin.trusted_authserv_id_hint')),
        h('hr'),
        enable,
        imapBox,
      ];
    },
    submit: async (form) => {
      const el = form.elements;
      const body = {
        address: el.address.value.trim(),
        name: el.name.value.trim(),
        team_id: el.team_id.value || null,
        allow_new_senders: el.allow_new_senders.checked,
        trusted_authserv_id: el.trusted_authserv_id.value.trim() || null,
      };
      if (el.imap_enabled.checked) {
        const get = (k) => el[`imap.${k}`];
        const settings = {
          host: get('host').value.trim(),
          port: Number(get('port').value),
          security: get('security').value,
          username: get('username').value,
          folder: get('folder').value.trim() || 'INBOX',
          poll_seconds: Number(get('poll_seconds').value),
          processed_folder: get('processed_folder').value.trim() || null,
          verify_certificate: get('verify_certificate').checked,
        };
        if (get('password').value) settings.password = get('password').value; // empty keeps the stored one
        body.imap = settings;
      } else if (!mailbox || imap) {
        body.imap = null;
      }
      return mailbox ? api.patch(`mailboxes/${mailbox.id}`, body) : api.post('mailboxes', body);
    },
  });
}
