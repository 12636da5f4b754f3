// Triggers: the create/edit dialog (two condition lists, "all of" and "any of", and the action list), and the
// readable summaries the list shows. Control names follow the API's error paths (`conditions.all[1].value`,
// `actions[0].value`), so a 422 lands on its control.
import { h, icon, replace } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { api } from '../../../core/api.js';
import { field } from '../../../core/ui.js';
import { formDialog, switchField, iconButton, adIcon } from './common.js';

const CHANGES = ['is', 'is_not', 'changed', 'not_changed', 'changed_to', 'changed_from'];
// Each condition field: its operators and, for a closed list, its values (null: free text; 'team' etc.: a directory).
const CONDITIONS = {
  event: { ops: ['is', 'is_not'], values: ['created', 'updated', 'comment_added'] },
  actor: { ops: ['is', 'is_not'], values: ['customer', 'agent', 'admin', 'staff', 'system'] },
  channel: { ops: ['is', 'is_not'], values: ['web', 'email', 'api'] },
  status: { ops: CHANGES, values: ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] },
  priority: { ops: CHANGES, values: ['low', 'normal', 'high', 'urgent'] },
  type: { ops: CHANGES, values: ['', 'question', 'incident', 'problem', 'task'] },
  assignee_id: { ops: CHANGES, values: 'agents' },
  team_id: { ops: CHANGES, values: 'teams' },
  organization_id: { ops: ['is', 'is_not'], values: 'organizations' },
  tag: { ops: ['includes', 'excludes'], values: null },
  subject: { ops: ['contains', 'not_contains'], values: null },
  comment: { ops: ['contains', 'not_contains'], values: null },
  comment_public: { ops: ['is'], values: ['true', 'false'] },
  business_hours: { ops: ['is'], values: ['true', 'false'] },
  custom: { ops: CHANGES, values: null },
};
// Time-based automations look at tickets as they are (no event, no changes) and at the hours since a time.
const AUTOMATION_CONDITIONS = {
  ...Object.fromEntries(['created', 'updated', 'solved', 'pending', 'on_hold', 'assigned', 'requester_replied', 'agent_replied']
    .map((a) => [`hours_since_${a}`, { ops: ['greater_than', 'less_than'], values: 'hours' }])),
  ...Object.fromEntries(['status', 'priority', 'type', 'assignee_id', 'team_id']
    .map((f) => [f, { ops: ['is', 'is_not'], values: CONDITIONS[f].values }])),
  organization_id: CONDITIONS.organization_id,
  channel: CONDITIONS.channel,
  tag: CONDITIONS.tag,
  subject: CONDITIONS.subject,
  sla: { ops: ['is', 'is_not'], values: ['breached', 'at_risk', 'ok'] },
  custom: { ops: ['is', 'is_not'], values: null },
};
const conditionsFor = (kind) => (kind === 'automation' ? AUTOMATION_CONDITIONS : CONDITIONS);
// Each action as the builder offers it, and how it maps to the API's {action, field?, value}.
const ACTIONS = {
  status: { api: 'set', field: 'status', values: ['open', 'pending', 'on_hold', 'solved', 'closed'] },
  priority: { api: 'set', field: 'priority', values: ['low', 'normal', 'high', 'urgent'] },
  type: { api: 'set', field: 'type', values: ['', 'question', 'incident', 'problem', 'task'] },
  assignee_id: { api: 'set', field: 'assignee_id', values: 'agents' },
  team_id: { api: 'set', field: 'team_id', values: 'teams' },
  custom: { api: 'set', field: null, values: null },
  add_tags: { api: 'add_tags', values: 'tags' },
  remove_tags: { api: 'remove_tags', values: 'tags' },
  add_follower: { api: 'add_follower', values: 'followers' },
  internal_note: { api: 'internal_note', values: 'text' },
};
const kindOf = (name) => (String(name).startsWith('custom_fields.') ? 'custom' : name);
const needsValue = (op) => op !== 'changed' && op !== 'not_changed';

/** Teams, organizations and agents by id, for value pickers and summaries. */
export async function loadTriggerDirectory() {
  const list = async (path, query) => {
    try { return (await api.get(path, { limit: 100, ...query })).items; } catch { return []; }
  };
  const [teams, organizations, agents, admins] = await Promise.all([
    list('teams'), list('organizations'), list('users', { role: 'agent' }), list('users', { role: 'admin' })]);
  const names = (items) => new Map(items.map((x) => [x.id, x.name || x.email]));
  return { teams: names(teams), organizations: names(organizations), agents: names([...agents, ...admins]) };
}

function valueText(kind, value, directory, table) {
  if (value == null || value === '') return t('admin.trigger_empty_value');
  const closed = table[kind]?.values;
  if (closed === 'teams') return directory.teams.get(value) || value;
  if (closed === 'organizations') return directory.organizations.get(value) || value;
  if (closed === 'agents' || closed === 'followers') return directory.agents.get(value) || value;
  if (Array.isArray(closed)) return t(`admin.trigger_value_${kind}_${value}`);
  if (closed === 'hours') return t('admin.automation_hours', { n: value });
  return Array.isArray(value) ? value.join(', ') : String(value);
}

const fieldName = (name) => (kindOf(name) === 'custom'
  ? t('admin.sla_field_custom_named', { key: name.slice('custom_fields.'.length) }) : t(`admin.trigger_field_${name}`));

/** "Comment contains refund" (an automation's "Hours since solved more than 96 hours") for each condition. */
export function triggerConditionParts(list, directory, ruleKind = 'trigger') {
  return (list || []).map((c) => [fieldName(c.field), t(`admin.trigger_op_${c.operator}`),
    needsValue(c.operator) ? valueText(kindOf(c.field), c.value, directory, conditionsFor(ruleKind)) : null].filter(Boolean).join(' '));
}

/** "Set priority: High", "Add tags: billing" for each action. */
export function triggerActionParts(actions, directory) {
  return (actions || []).map((a) => {
    const kind = a.action === 'set' ? kindOf(a.field) : a.action;
    const label = a.action === 'set' && kind === 'custom' ? t('admin.trigger_action_set_named', { field: fieldName(a.field) })
      : t(`admin.trigger_action_${kind}`);
    return `${label}: ${valueText(kind, a.value, directory, ACTIONS)}`;
  });
}

let uid = 0;
const nextId = () => `trg-${++uid}`;
// A row's error slots: `${id}${suffix}-error` beside the control `${id}${suffix}` a 422 names (the bare id: the whole row).
const errorSlots = (id, suffixes) => suffixes.map((suffix) => h('p.field-error', { id: `${id}${suffix}-error`, hidden: true }));

function options(pairs, value) {
  const select = h('select', pairs.map(([v, label]) => h('option', { value: v }, label)));
  if (value != null && value !== '' && !pairs.some(([v]) => v === value)) select.append(h('option', { value }, value));
  // An unset value (a field or action just changed) picks the first choice, unless '' is one: never a blank select.
  select.value = value != null && (value !== '' || pairs.some(([v]) => v === '')) ? value : pairs[0]?.[0] ?? '';
  return select;
}

/** A picker for one value: a closed list, a directory, tags, or text. `kind` names the i18n values. */
function valueControl(kind, spec, value, directory) {
  const none = [['', t('admin.trigger_empty_value')]];
  if (Array.isArray(spec)) return options(spec.map((v) => [v, v === '' ? t('admin.trigger_empty_value') : t(`admin.trigger_value_${kind}_${v}`)]), value);
  if (spec === 'teams') return options(none.concat([...directory.teams]), value);
  if (spec === 'organizations') return options(none.concat([...directory.organizations]), value);
  if (spec === 'agents') return options(none.concat([...directory.agents]), value);
  if (spec === 'followers') return options([...directory.agents], value);
  if (spec === 'text') return h('textarea', { rows: 2, maxlength: 10000 }, value || '');
  if (spec === 'hours') return h('input', { type: 'number', min: 0, max: 43800, step: 'any', value: value ?? 24, inputmode: 'decimal' });
  const text = Array.isArray(value) ? value.join(', ') : value ?? '';
  return h('input', { type: 'text', value: text, maxlength: 500, autocomplete: 'off',
    placeholder: spec === 'tags' ? t('admin.trigger_tags_placeholder') : t('admin.sla_value_placeholder') });
}

/** The create/edit dialog of a trigger (or, with `ruleKind` 'automation', a time-based automation); resolves with
 * the saved rule, or null when cancelled. */
export function triggerDialog(trigger, directory, ruleKind = 'trigger') {
  const table = conditionsFor(ruleKind);
  const path = ruleKind === 'automation' ? 'automations' : 'triggers';
  const firstCondition = ruleKind === 'automation' ? { field: 'hours_since_solved', operator: 'greater_than', value: 96 }
    : { field: 'event', operator: 'is', value: 'created' };
  const lists = { all: [], any: [] };
  const actions = [];
  const boxes = {};

  function conditionRow(group, c) {
    const id = nextId();
    const item = { id };
    item.whole = h('input', { type: 'hidden', id });
    item.field = h('select.sla-field', { id: `${id}-field`, 'data-part': 'field', 'aria-describedby': `${id}-field-error ${id}-error` },
      Object.keys(table).map((f) => h('option', { value: f }, t(`admin.trigger_field_${f}`))));
    item.field.value = kindOf(c.field);
    item.key = h('input.sla-key', { type: 'text', id: `${id}-key`, maxlength: 186, autocomplete: 'off', spellcheck: 'false',
      'aria-describedby': `${id}-key-error ${id}-error`,
      placeholder: t('admin.sla_custom_key_placeholder'), value: kindOf(c.field) === 'custom' ? c.field.slice('custom_fields.'.length) : '' });
    item.operator = h('select.sla-operator', { id: `${id}-operator`, 'data-part': 'operator', 'aria-describedby': `${id}-operator-error ${id}-error` });
    item.slot = h('div.sla-value-slot');
    const draw = (kind, op, value) => {
      const spec = table[kind];
      replace(item.operator, spec.ops.map((o) => h('option', { value: o }, t(`admin.trigger_op_${o}`))));
      item.operator.value = spec.ops.includes(op) ? op : spec.ops[0];
      item.value = valueControl(kind, spec.values, value, directory);
      item.value.classList.add('sla-value');
      item.value.dataset.part = 'value';
      item.value.id = `${id}-value`;
      item.value.setAttribute('aria-describedby', `${id}-value-error ${id}-error`);
      replace(item.slot, item.value);
      item.key.hidden = kind !== 'custom';
      item.slot.hidden = !needsValue(item.operator.value);
      renumber();
    };
    item.field.addEventListener('change', () => draw(item.field.value, item.operator.value, ''));
    item.operator.addEventListener('change', () => { item.slot.hidden = !needsValue(item.operator.value); });
    item.el = h('li.sla-condition', { 'data-testid': 'trigger-condition', dataset: { group } },
      item.whole,
      h('div.sla-condition-main', item.field, item.key, item.operator, item.slot,
        iconButton(adIcon('trash'), t('admin.sla_remove_condition'), () => {
          lists[group].splice(lists[group].indexOf(item), 1);
          item.el.remove();
          renumber();
        }, { 'data-testid': 'trigger-remove-condition', class: 'ad-danger-hover' })),
      errorSlots(id, ['', '-field', '-key', '-operator', '-value']));
    item.read = () => {
      const kind = item.field.value;
      const raw = item.value.value.trim();
      const hours = table[kind]?.values === 'hours';
      const value = !needsValue(item.operator.value) ? null : raw === '' ? null : hours && Number.isFinite(Number(raw)) ? Number(raw) : raw;
      return { field: kind === 'custom' ? `custom_fields.${item.key.value.trim()}` : kind, operator: item.operator.value, value };
    };
    lists[group].push(item);
    boxes[group].append(item.el);
    draw(kindOf(c.field), c.operator, c.value);
    return item;
  }

  function actionRow(a) {
    const id = nextId();
    const item = { id };
    const kind = a.action === 'set' ? kindOf(a.field) : a.action;
    item.whole = h('input', { type: 'hidden', id });
    item.kind = h('select.sla-field', { id: `${id}-action`, 'data-part': 'action', 'aria-describedby': `${id}-action-error ${id}-error` }, Object.keys(ACTIONS).map((k) => h('option', { value: k }, t(`admin.trigger_action_${k}`))));
    item.kind.value = kind;
    item.key = h('input.sla-key', { type: 'text', id: `${id}-key`, maxlength: 186, autocomplete: 'off', spellcheck: 'false',
      'aria-describedby': `${id}-key-error ${id}-error`,
      placeholder: t('admin.sla_custom_key_placeholder'), value: kind === 'custom' ? a.field.slice('custom_fields.'.length) : '' });
    item.slot = h('div.sla-value-slot');
    const draw = (k, value) => {
      item.value = valueControl(k, ACTIONS[k].values, value, directory);
      item.value.classList.add('sla-value');
      item.value.id = `${id}-value`;
      item.value.setAttribute('aria-describedby', `${id}-value-error ${id}-error`);
      replace(item.slot, item.value);
      item.key.hidden = k !== 'custom';
      renumber();
    };
    item.kind.addEventListener('change', () => draw(item.kind.value, ''));
    item.el = h('li.sla-condition', { 'data-testid': 'trigger-action' },
      item.whole,
      h('div.sla-condition-main', item.kind, item.key, item.slot,
        iconButton(adIcon('trash'), t('admin.trigger_remove_action'), () => {
          actions.splice(actions.indexOf(item), 1);
          item.el.remove();
          renumber();
        }, { 'data-testid': 'trigger-remove-action', class: 'ad-danger-hover' })),
      errorSlots(id, ['', '-action', '-key', '-value']));
    item.read = () => {
      const k = item.kind.value;
      const spec = ACTIONS[k];
      const raw = item.value.value.trim();
      if (spec.values === 'tags') return { action: spec.api, value: raw.split(/[,\s]+/).filter(Boolean) };
      if (spec.api !== 'set') return { action: spec.api, value: raw };
      return { action: 'set', field: k === 'custom' ? `custom_fields.${item.key.value.trim()}` : spec.field, value: raw === '' ? null : raw };
    };
    actions.push(item);
    boxes.actions.append(item.el);
    draw(kind, a.value);
    return item;
  }

  function renumber() {
    for (const group of ['all', 'any']) {
      lists[group].forEach((item, i) => {
        const at = `conditions.${group}[${i}]`;
        const n = { n: i + 1, group: t(`admin.trigger_${group}`) };
        item.whole.name = at;
        item.field.name = item.field.value === 'custom' ? '' : `${at}.field`;
        item.key.name = item.field.value === 'custom' ? `${at}.field` : '';
        item.operator.name = `${at}.operator`;
        if (item.value) item.value.name = `${at}.value`;
        item.field.setAttribute('aria-label', t('admin.trigger_condition_field', n));
        item.operator.setAttribute('aria-label', t('admin.trigger_condition_operator', n));
        item.value?.setAttribute('aria-label', t('admin.trigger_condition_value', n));
        item.key.setAttribute('aria-label', t('admin.trigger_condition_key', n));
      });
    }
    actions.forEach((item, i) => {
      item.whole.name = `actions[${i}]`;
      item.kind.name = `actions[${i}].action`;
      item.key.name = item.kind.value === 'custom' ? `actions[${i}].field` : '';
      if (item.value) item.value.name = `actions[${i}].value`;
      item.kind.setAttribute('aria-label', t('admin.trigger_action_label', { n: i + 1 }));
      item.value?.setAttribute('aria-label', t('admin.trigger_action_value', { n: i + 1 }));
      item.key.setAttribute('aria-label', t('admin.trigger_action_key', { n: i + 1 }));
    });
  }

  const groupBox = (group, hint) => {
    boxes[group] = h('ol.sla-conditions', { 'data-testid': `trigger-${group}` });
    return h('fieldset.ad-fieldset.sla-box',
      h('legend', t(`admin.trigger_${group}`)),
      h('p.field-hint', hint),
      boxes[group],
      h('p.field-error', { hidden: true, 'data-error-for': 'conditions', role: 'alert' }),
      h('button.btn.btn-sm', { type: 'button', id: `trigger-add-${group}`, onclick: () => conditionRow(group, firstCondition).field.focus() },
        icon('plus'), t('admin.sla_add_condition')));
  };

  return formDialog(trigger ? t(`admin.${ruleKind}_edit_title`) : t(`admin.${ruleKind}_new`), {
    submitId: 'trigger-submit', submitLabel: trigger ? t('common.save') : t('common.create'), wide: true,
    build: () => {
      const parts = [
        field(t('admin.field_name'), h('input#trigger-name', { type: 'text', name: 'name', value: trigger?.name || '', required: true,
          maxlength: 100, placeholder: t('admin.trigger_name_placeholder'), autocomplete: 'off' })),
        trigger?.problems?.length ? h('div.form-error', { 'data-testid': 'trigger-problems', role: 'alert' },
          t('admin.trigger_broken', { problems: trigger.problems.join('; ') })) : null,
        groupBox('all', t('admin.trigger_all_hint')),
        groupBox('any', t('admin.trigger_any_hint')),
      ];
      boxes.actions = h('ol.sla-conditions', { 'data-testid': 'trigger-actions' });
      parts.push(h('fieldset.ad-fieldset.sla-box',
        h('legend', t('admin.trigger_actions')),
        boxes.actions,
        h('p.field-error', { hidden: true, 'data-error-for': 'actions', role: 'alert' }),
        h('button.btn.btn-sm', { type: 'button', id: 'trigger-add-action', onclick: () => actionRow({ action: 'add_tags', value: [] }).kind.focus() },
          icon('plus'), t('admin.trigger_add_action'))));
      parts.push(switchField('active', t('admin.trigger_active'), trigger ? trigger.active : true, { id: 'trigger-active' }));
      for (const c of trigger?.conditions?.all || [firstCondition]) conditionRow('all', c);
      for (const c of trigger?.conditions?.any || []) conditionRow('any', c);
      for (const a of trigger?.actions || []) actionRow(a);
      if (!trigger) actionRow({ action: 'add_tags', value: [] });
      return parts;
    },
    submit: async (form) => {
      const body = {
        name: form.elements.name.value.trim(),
        conditions: { all: lists.all.map((i) => i.read()), any: lists.any.map((i) => i.read()) },
        actions: actions.map((i) => i.read()),
        active: form.elements.active.checked,
      };
      return trigger ? api.patch(`${path}/${trigger.id}`, body) : api.post(path, body);
    },
  });
}
