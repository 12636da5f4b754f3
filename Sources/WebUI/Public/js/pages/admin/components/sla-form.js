// SLA policies: the create/edit dialog (conditions builder, a grid of targets per priority and metric, the clock
// switches), the readable summaries of conditions and targets, and durations read and written as "1 h 30 min".
import { h, icon, replace } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { api, ApiError } from '../../../core/api.js';
import { field } from '../../../core/ui.js';
import { formDialog, switchField, iconButton, adIcon } from './common.js';

export const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
export const METRICS = ['first_reply', 'next_reply', 'periodic_update', 'resolution'];
const TYPES = ['question', 'incident', 'problem', 'task'];
const CHANNELS = ['web', 'email', 'api'];
// The condition fields in the builder; `custom` stands for `custom_fields.<key>`.
const FIELDS = ['priority', 'type', 'team_id', 'organization_id', 'tag', 'channel', 'custom'];
const OPERATORS = { tag: ['includes', 'excludes'] };
const operatorsOf = (kind) => OPERATORS[kind] || ['is', 'is_not'];
const kindOf = (name) => (String(name).startsWith('custom_fields.') ? 'custom' : name);
const MAX_MINUTES = 525600;

/** "1 h 30 min", "8 h", "45 min" for a number of minutes. */
export function formatDuration(total) {
  const hours = Math.floor(total / 60);
  const mins = total % 60;
  if (!hours) return t('admin.sla_duration_min', { m: mins });
  return mins ? t('admin.sla_duration_h_min', { h: hours, m: mins }) : t('admin.sla_duration_h', { h: hours });
}

/** Minutes from what a person types: "90", "1 h 30 min", "1h30", "2 h", "45 min", "1:30"; '' is null (no target),
 *  anything else NaN. */
export function parseDuration(text) {
  const s = String(text).trim().toLowerCase().replace(/\s+/g, ' ');
  if (!s) return null;
  let m = /^(\d+)$/.exec(s);
  if (m) return Number(m[1]);
  m = /^(\d+):([0-5]\d)$/.exec(s);
  if (m) return Number(m[1]) * 60 + Number(m[2]);
  m = /^(?:(\d+) ?h)? ?(?:(\d+) ?(?:m|min|mn)?)?$/.exec(s);
  if (m && (m[1] || m[2])) return Number(m[1] || 0) * 60 + Number(m[2] || 0);
  return Number.NaN;
}

/** The names the condition values are shown with: {teams: Map(id → name), organizations: Map(id → name)}. */
export async function loadDirectory() {
  const list = async (path) => {
    try { return new Map((await api.get(path, { limit: 100 })).items.map((x) => [x.id, x.name])); } catch { return new Map(); }
  };
  const [teams, organizations] = await Promise.all([list('teams'), list('organizations')]);
  return { teams, organizations };
}

function valueLabel(kind, value, directory) {
  switch (kind) {
    case 'priority': return t(`common.priority_${value}`);
    case 'type': return t(`agent.type_${value}`);
    case 'channel': return t(`common.channel_${value}`);
    case 'team_id': return directory.teams.get(value) || value;
    case 'organization_id': return directory.organizations.get(value) || value;
    default: return value;
  }
}

function fieldLabel(name) {
  const kind = kindOf(name);
  return kind === 'custom' ? t('admin.sla_field_custom_named', { key: name.slice('custom_fields.'.length) }) : t(`admin.sla_field_${kind}`);
}

/** ["Priority is Urgent", "Tag includes vip"]; [] when the policy applies to every ticket. */
export function conditionParts(conditions, directory) {
  return (conditions || []).map((c) => t('admin.sla_condition_summary', {
    field: fieldLabel(c.field), operator: t(`admin.sla_operator_${c.operator}`), value: valueLabel(kindOf(c.field), c.value, directory),
  }));
}

/** ["Urgent: first reply 1 h, resolution 8 h", …] in priority order (highest first), priorities without targets left out. */
export function targetParts(targets) {
  return PRIORITIES.filter((p) => targets?.[p] && METRICS.some((m) => targets[p][m] != null)).map((p) => t('admin.sla_target_summary', {
    priority: t(`common.priority_${p}`),
    targets: METRICS.filter((m) => targets[p][m] != null)
      .map((m) => t('admin.sla_target_item', { metric: t(`admin.sla_metric_${m}_short`), duration: formatDuration(targets[p][m]) })).join(', '),
  }));
}

let uid = 0;
const nextId = () => `sla-${++uid}`;

/**
 * The create/edit dialog. Field names follow the API's paths (`conditions[1].value`, `targets.urgent.first_reply`):
 * condition rows are renumbered when one is added or removed, so a 422 naming `conditions[i]` lands on its row.
 */
export function slaPolicyDialog(policy, directory) {
  const rows = [];
  let list;
  const empty = h('p.faint.small.sla-conditions-empty', t('admin.sla_every_ticket_hint'));

  function valueControl(kind, value) {
    const options = (pairs) => {
      const select = h('select.sla-value', pairs.map(([v, label]) => h('option', { value: v }, label)));
      if (value && !pairs.some(([v]) => v === value)) select.append(h('option', { value }, value));
      select.value = value || pairs[0]?.[0] || '';
      return select;
    };
    switch (kind) {
      case 'priority': return options(PRIORITIES.map((p) => [p, t(`common.priority_${p}`)]));
      case 'type': return options(TYPES.map((x) => [x, t(`agent.type_${x}`)]));
      case 'channel': return options(CHANNELS.map((x) => [x, t(`common.channel_${x}`)]));
      case 'team_id': return options([...directory.teams].map(([id, name]) => [id, name]));
      case 'organization_id': return options([...directory.organizations].map(([id, name]) => [id, name]));
      default: return h('input.sla-value', { type: 'text', value: value || '', maxlength: 200, autocomplete: 'off',
        placeholder: kind === 'tag' ? t('admin.sla_tag_placeholder') : t('admin.sla_value_placeholder') });
    }
  }

  function condition(c = { field: 'priority', operator: 'is', value: 'urgent' }) {
    const id = nextId();
    const item = { id };
    item.whole = h('input', { type: 'hidden', id });
    item.field = h('select.sla-field', { id: `${id}-field`, 'data-part': 'field' },
      FIELDS.map((f) => h('option', { value: f }, t(`admin.sla_field_${f}`))));
    item.field.value = kindOf(c.field);
    item.key = h('input.sla-key', { type: 'text', id: `${id}-key`, maxlength: 186, autocomplete: 'off', spellcheck: 'false',
      placeholder: t('admin.sla_custom_key_placeholder'), value: kindOf(c.field) === 'custom' ? c.field.slice('custom_fields.'.length) : '' });
    item.operator = h('select.sla-operator', { id: `${id}-operator`, 'data-part': 'operator' });
    item.valueSlot = h('div.sla-value-slot');
    const errors = ['', '-field', '-key', '-operator', '-value'].map((suffix) => h('p.field-error', { id: `${id}${suffix}-error`, hidden: true }));
    const draw = (kind, operator, value) => {
      replace(item.operator, operatorsOf(kind).map((o) => h('option', { value: o }, t(`admin.sla_operator_${o}`))));
      item.operator.value = operatorsOf(kind).includes(operator) ? operator : operatorsOf(kind)[0];
      item.value = valueControl(kind, value);
      item.value.id = `${id}-value`;
      item.value.dataset.part = 'value';
      item.value.setAttribute('aria-describedby', `${id}-value-error ${id}-error`);
      replace(item.valueSlot, item.value);
      item.key.hidden = kind !== 'custom';
      renumber();
    };
    item.field.addEventListener('change', () => { draw(item.field.value, item.operator.value, ''); item.value.focus?.(); });
    item.field.setAttribute('aria-describedby', `${id}-field-error ${id}-error`);
    item.key.setAttribute('aria-describedby', `${id}-key-error ${id}-error`);
    item.operator.setAttribute('aria-describedby', `${id}-operator-error ${id}-error`);
    item.el = h('li.sla-condition', { 'data-testid': 'sla-condition' },
      item.whole,
      h('div.sla-condition-main', item.field, item.key, item.operator, item.valueSlot,
        iconButton(adIcon('trash'), t('admin.sla_remove_condition'), () => {
          rows.splice(rows.indexOf(item), 1);
          item.el.remove();
          renumber();
        }, { 'data-testid': 'sla-remove-condition', class: 'ad-danger-hover' })),
      errors);
    item.draw = () => draw(kindOf(c.field), c.operator, c.value);
    return item;
  }

  function renumber() {
    rows.forEach((item, i) => {
      const n = { n: i + 1 };
      const custom = item.field.value === 'custom';
      item.whole.name = `conditions[${i}]`;
      // A custom field's key is the API's `field`: its errors go to the key box.
      const named = (el, name) => (name ? el.setAttribute('name', name) : el.removeAttribute('name'));
      named(item.field, custom ? null : `conditions[${i}].field`);
      named(item.key, custom ? `conditions[${i}].field` : null);
      item.operator.name = `conditions[${i}].operator`;
      if (item.value) item.value.name = `conditions[${i}].value`;
      item.field.setAttribute('aria-label', t('admin.sla_condition_field', n));
      item.key.setAttribute('aria-label', t('admin.sla_condition_key', n));
      item.operator.setAttribute('aria-label', t('admin.sla_condition_operator', n));
      item.value?.setAttribute('aria-label', t('admin.sla_condition_value', n));
      item.el.dataset.index = String(i);
    });
    empty.hidden = rows.length > 0;
  }

  function add(c) {
    const item = condition(c);
    rows.push(item);
    list.append(item.el);
    item.draw();
    return item;
  }

  const targets = policy?.targets || {};
  const cells = [];
  function targetGrid() {
    return h('div.sla-grid', { 'data-testid': 'sla-targets', role: 'group', 'aria-label': t('admin.sla_targets') },
      h('span.sla-grid-corner', { 'aria-hidden': 'true' }),
      METRICS.map((m) => h('span.sla-grid-head', { 'aria-hidden': 'true' }, t(`admin.sla_metric_${m}`))),
      PRIORITIES.map((p) => h('div.sla-grid-row', { dataset: { priority: p } },
        h('span.sla-grid-priority', t(`common.priority_${p}`)),
        METRICS.map((m) => {
          const id = nextId();
          const minutes = targets[p]?.[m];
          const input = h('input.sla-duration', { type: 'text', id, name: `targets.${p}.${m}`, inputmode: 'text', autocomplete: 'off',
            value: minutes != null ? formatDuration(minutes) : '', placeholder: '—', 'aria-describedby': `${id}-error`,
            'aria-label': t('admin.sla_target_label', { priority: t(`common.priority_${p}`), metric: t(`admin.sla_metric_${m}_short`) }),
            dataset: { priority: p, metric: m } });
          cells.push(input);
          return h('div.sla-cell',
            h('span.sla-cell-label', { 'aria-hidden': 'true' }, t(`admin.sla_metric_${m}`)),
            input,
            h('p.field-error', { id: `${id}-error`, hidden: true }));
        }))));
  }

  return formDialog(policy ? t('admin.sla_edit_title') : t('admin.sla_new'), {
    submitId: 'sla-submit', submitLabel: policy ? t('common.save') : t('common.create'), wide: true,
    build: () => {
      list = h('ol.sla-conditions', { 'data-testid': 'sla-conditions' });
      for (const c of policy?.conditions || []) add(c);
      renumber();
      return [
        field(t('admin.field_name'), h('input#sla-name', { type: 'text', name: 'name', value: policy?.name || '', required: true,
          maxlength: 100, placeholder: t('admin.sla_name_placeholder'), autocomplete: 'off' })),
        h('fieldset.ad-fieldset.sla-box',
          h('legend', t('admin.sla_conditions')),
          h('p.field-hint', t('admin.sla_conditions_hint')),
          empty,
          list,
          h('p.field-error', { hidden: true, 'data-error-for': 'conditions', role: 'alert' }),
          h('button.btn.btn-sm', { type: 'button', id: 'sla-add-condition', onclick: () => {
            const item = add();
            item.field.focus();
          } }, icon('plus'), t('admin.sla_add_condition'))),
        h('fieldset.ad-fieldset.sla-box',
          h('legend', t('admin.sla_targets')),
          h('p.field-hint', t('admin.sla_targets_hint')),
          targetGrid(),
          h('p.field-error', { hidden: true, 'data-error-for': 'targets', role: 'alert', 'data-testid': 'sla-targets-error' })),
        switchField('business_hours', t('admin.sla_business_hours'), policy ? policy.business_hours : true,
          { id: 'sla-business-hours', hint: t('admin.sla_business_hours_hint') }),
        switchField('pauses_resolution', t('admin.sla_pauses_resolution'), policy ? policy.pauses_resolution : true,
          { id: 'sla-pauses-resolution', hint: t('admin.sla_pauses_resolution_hint') }),
      ];
    },
    submit: async (form) => {
      const el = form.elements;
      const invalid = [];
      const body = {
        name: el.name.value.trim(),
        conditions: rows.map((item) => ({
          field: item.field.value === 'custom' ? `custom_fields.${item.key.value.trim()}` : item.field.value,
          operator: item.operator.value,
          value: item.value.value.trim(),
        })),
        targets: {},
        business_hours: el.business_hours.checked,
        pauses_resolution: el.pauses_resolution.checked,
      };
      for (const input of cells) {
        const minutes = parseDuration(input.value);
        if (minutes == null) continue;
        if (!Number.isInteger(minutes) || minutes > MAX_MINUTES) {
          invalid.push({ field: input.name, message: t('admin.sla_duration_invalid') });
          continue;
        }
        // 0 goes to the server, which says why on the field.
        (body.targets[input.dataset.priority] ||= {})[input.dataset.metric] = minutes;
      }
      if (invalid.length) throw new ApiError(422, { code: 'validation_failed', title: t('admin.sla_check_fields'), errors: invalid });
      try {
        return await (policy ? api.patch(`sla-policies/${policy.id}`, body) : api.post('sla-policies', body));
      } catch (error) {
        setTimeout(() => form.querySelector('[aria-invalid="true"]')?.scrollIntoView({ block: 'nearest' }));
        throw error;
      }
    },
  });
}
