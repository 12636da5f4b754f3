// Business-hours schedules: the create/edit dialog (a week of openings, holidays, time zone, default), the
// week's one-line summary, and wall-clock ↔ instant conversions in a time zone (Intl only, no library).
import { h, icon, replace } from '../../../core/dom.js';
import { t, locale } from '../../../core/i18n.js';
import { api } from '../../../core/api.js';
import { field } from '../../../core/ui.js';
import { formDialog, switchField, iconButton, adIcon } from './common.js';

export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7]; // ISO 8601: 1 Monday … 7 Sunday

/** The weekday's name in the current locale (2024-01-01 was a Monday). */
export function weekdayName(weekday, style = 'short') {
  return new Intl.DateTimeFormat(locale(), { weekday: style, timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, weekday)));
}

/** The browser's IANA zone (UTC when it cannot say). */
export function browserZone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch { return 'UTC'; }
}

/** "Mon–Fri 09:00–17:00 · Sat 10:00–14:00": consecutive days with the same openings share one part. */
export function weekSummary(intervals) {
  const byDay = new Map(WEEKDAYS.map((d) => [d, []]));
  for (const i of intervals || []) byDay.get(i.weekday)?.push(`${i.start}–${i.end}`);
  const parts = [];
  let run = null;
  for (const day of WEEKDAYS) {
    const hours = byDay.get(day).sort().join(', ');
    if (run && hours && run.hours === hours && run.last === day - 1) { run.last = day; continue; }
    if (run) parts.push(run);
    run = hours ? { first: day, last: day, hours } : null;
  }
  if (run) parts.push(run);
  return parts.map((p) => {
    const days = p.first === p.last ? weekdayName(p.first)
      : `${weekdayName(p.first)}${p.last === p.first + 1 ? ', ' : '–'}${weekdayName(p.last)}`;
    return `${days} ${p.hours}`;
  }).join(' · ');
}

/** The wall clock of instant `ms` in `zone`: {year, month, day, hour, minute, second} (numbers). */
export function wallClock(ms, zone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour') % 24, minute: get('minute'), second: get('second') };
}

const pad = (n, width = 2) => String(n).padStart(width, '0');
/** "2026-12-08T09:30" for a wall clock (the value of a datetime-local input). */
export const wallString = (w) => `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;

/** The instant (ms) a datetime-local value "YYYY-MM-DDTHH:MM" reads in `zone` (a skipped time reads as after the jump). */
export function zonedInstant(value, zone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || '');
  if (!m) return null;
  const guess = Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5]);
  const offset = (ms) => { const w = wallClock(ms, zone); return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000; };
  const first = guess - offset(guess);
  return guess - offset(first);
}

/** RFC 3339 without fractional seconds: "2026-12-04T15:30:00Z". */
export const rfc3339 = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

let uid = 0;
const nextId = () => `sch-${++uid}`;
const minutes = (hhmm) => { const [hh, mm] = String(hhmm).split(':').map(Number); return hh * 60 + mm; };
const hhmm = (total) => `${pad(Math.floor(total / 60) % 24)}:${pad(total % 60)}`;

/**
 * The create/edit dialog. Field names follow the API's paths (`intervals[3].end`, `holidays[0].date`): the intervals
 * are sent in a stable order — by weekday, then by row — and every row is renumbered when one is added or removed,
 * so a 422 naming `intervals[i]` lands on the row it is about (a hidden control carries the row's own error slot).
 */
export function scheduleDialog(schedule, { count = 0 } = {}) {
  const days = new Map(WEEKDAYS.map((d) => [d, []]));
  const holidays = [];
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  let dayEls;
  let holidayList;

  function opening(day, start, end) {
    const id = nextId();
    const dayName = weekdayName(day, 'long');
    const startIn = h('input.sch-time', { type: 'time', id: `${id}-start`, value: start, required: true, 'aria-describedby': `${id}-start-error ${id}-error`, 'data-part': 'start' });
    const endIn = h('input.sch-time', { type: 'time', id: `${id}-end`, value: end === '24:00' ? '00:00' : end, required: true, 'aria-describedby': `${id}-end-error ${id}-error`, 'data-part': 'end' });
    const whole = h('input', { type: 'hidden', id });
    const nextDay = h('span.sch-next-day', { 'data-testid': 'schedule-next-day' }, t('admin.schedule_next_day'));
    const mark = () => { nextDay.hidden = !(startIn.value && endIn.value && minutes(endIn.value) <= minutes(startIn.value)); };
    startIn.addEventListener('input', mark);
    endIn.addEventListener('input', mark);
    const item = { day, startIn, endIn, whole };
    item.el = h('div.sch-opening', { 'data-testid': 'schedule-opening', dataset: { weekday: String(day) } },
      whole,
      h('div.sch-opening-times', startIn, h('span.sch-dash', { 'aria-hidden': 'true' }, '–'), endIn, nextDay,
        iconButton(adIcon('trash'), t('admin.schedule_remove_opening', { day: dayName }), () => {
          days.get(day).splice(days.get(day).indexOf(item), 1);
          drawDay(day);
        }, { 'data-testid': 'schedule-remove-opening', class: 'ad-danger-hover' })),
      h('p.field-error', { id: `${id}-error`, hidden: true }),
      h('p.field-error', { id: `${id}-start-error`, hidden: true }),
      h('p.field-error', { id: `${id}-end-error`, hidden: true }));
    mark();
    return item;
  }

  function renumber() {
    let i = 0;
    for (const day of WEEKDAYS) {
      for (const [n, item] of days.get(day).entries()) {
        const label = { day: weekdayName(day, 'long'), n: n + 1 };
        item.whole.name = `intervals[${i}]`;
        item.startIn.name = `intervals[${i}].start`;
        item.endIn.name = `intervals[${i}].end`;
        item.startIn.setAttribute('aria-label', t('admin.schedule_opening_start', label));
        item.endIn.setAttribute('aria-label', t('admin.schedule_opening_end', label));
        item.el.dataset.index = String(i);
        i += 1;
      }
    }
    holidays.forEach((item, n) => {
      item.date.name = `holidays[${n}].date`;
      item.recurring.name = `holidays[${n}].recurring`;
      item.el.dataset.index = String(n);
    });
  }

  function drawDay(day) {
    const list = dayEls.get(day);
    const items = days.get(day);
    replace(list, items.length ? items.map((i) => i.el) : h('span.faint.sch-closed', t('admin.schedule_closed')));
    list.closest('.sch-day').dataset.open = String(items.length > 0);
    renumber();
  }

  function addOpening(day) {
    const items = days.get(day);
    const last = items[items.length - 1];
    // A second opening starts an hour after the last one ends.
    const from = last?.endIn.value ? Math.min(minutes(last.endIn.value) + 60, 23 * 60) : 9 * 60;
    const item = opening(day, last ? hhmm(from) : '09:00', last ? hhmm(Math.min(from + 120, 23 * 60 + 59)) : '17:00');
    items.push(item);
    drawDay(day);
    item.startIn.focus();
  }

  function copyMonday() {
    const monday = days.get(1).map((i) => [i.startIn.value, i.endIn.value]);
    for (const day of [2, 3, 4, 5]) {
      days.set(day, monday.map(([s, e]) => opening(day, s, e)));
      drawDay(day);
    }
  }

  function holiday(date = '', recurring = false) {
    const id = nextId();
    const dateIn = h('input.sch-date', { type: 'date', id: `${id}-date`, value: date, required: true, 'aria-label': t('admin.schedule_holiday_date') });
    const everyYear = h('input', { type: 'checkbox', id: `${id}-recurring`, checked: recurring });
    const item = { date: dateIn, recurring: everyYear };
    item.el = h('li.sch-holiday', { 'data-testid': 'schedule-holiday' },
      h('div.sch-holiday-main',
        dateIn,
        h('label.check', { for: everyYear.id }, everyYear, t('admin.schedule_every_year')),
        iconButton(adIcon('trash'), t('admin.schedule_remove_holiday'), () => {
          holidays.splice(holidays.indexOf(item), 1);
          item.el.remove();
          renumber();
          holidayEmpty.hidden = holidays.length > 0;
        }, { 'data-testid': 'schedule-remove-holiday', class: 'ad-danger-hover' })),
      h('p.field-error', { id: `${id}-date-error`, hidden: true }),
      h('p.field-error', { id: `${id}-recurring-error`, hidden: true }));
    dateIn.setAttribute('aria-describedby', `${id}-date-error`);
    return item;
  }
  const holidayEmpty = h('p.faint.small.sch-holidays-empty', t('admin.schedule_no_holidays'));

  // A new schedule starts as Monday to Friday, 09:00–17:00: the common case is one click away.
  const initial = schedule ? schedule.intervals
    : [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' }));
  for (const i of initial) days.get(i.weekday)?.push(opening(i.weekday, i.start, i.end));
  for (const x of schedule?.holidays || []) holidays.push(holiday(x.date, x.recurring));
  const isDefault = Boolean(schedule?.default);

  return formDialog(schedule ? t('admin.schedule_edit_title') : t('admin.schedule_new'), {
    submitId: 'schedule-submit', submitLabel: schedule ? t('common.save') : t('common.create'), wide: true,
    build: () => {
      dayEls = new Map(WEEKDAYS.map((d) => [d, h('div.sch-openings')]));
      const week = h('div.sch-week', { 'data-testid': 'schedule-week' }, WEEKDAYS.map((day) => h('div.sch-day', { dataset: { weekday: String(day) } },
        h('span.sch-day-name', weekdayName(day, 'long')),
        dayEls.get(day),
        h('button.btn.btn-sm.sch-add', { type: 'button', 'data-testid': 'schedule-add-opening', onclick: () => addOpening(day),
          'aria-label': t('admin.schedule_add_opening_on', { day: weekdayName(day, 'long') }) }, icon('plus'), h('span.sch-add-text', t('admin.schedule_add_opening'))))));
      holidayList = h('ul.sch-holidays', holidays.map((x) => x.el));
      holidayEmpty.hidden = holidays.length > 0;
      const zone = h('input#schedule-zone', { type: 'text', name: 'time_zone', value: schedule?.time_zone || browserZone(), required: true,
        list: zones.length ? 'schedule-zones' : null, autocomplete: 'off', spellcheck: 'false' });
      queueMicrotask(() => { for (const day of WEEKDAYS) drawDay(day); });
      return [
        h('div.ad-grid-2',
          field(t('admin.field_name'), h('input#schedule-name', { type: 'text', name: 'name', value: schedule?.name || '', required: true,
            maxlength: 100, placeholder: t('admin.schedule_name_placeholder'), autocomplete: 'off' })),
          field(t('admin.schedule_time_zone'), zone, t('admin.schedule_time_zone_hint'))),
        zones.length ? h('datalist#schedule-zones', zones.map((z) => h('option', { value: z }))) : null,
        h('fieldset.ad-fieldset.sch-box.sch-week-box',
          h('legend', t('admin.schedule_week')),
          h('p.field-hint', t('admin.schedule_week_hint')),
          week,
          h('p.field-error', { hidden: true, 'data-error-for': 'intervals', role: 'alert' }),
          h('button.btn.btn-sm', { type: 'button', id: 'schedule-copy-monday', onclick: copyMonday }, t('admin.schedule_copy_monday'))),
        h('fieldset.ad-fieldset.sch-box',
          h('legend', t('admin.schedule_holidays')),
          h('p.field-hint', t('admin.schedule_holidays_hint')),
          holidayEmpty,
          holidayList,
          h('p.field-error', { hidden: true, 'data-error-for': 'holidays', role: 'alert' }),
          h('button.btn.btn-sm', { type: 'button', id: 'schedule-add-holiday', onclick: () => {
            const item = holiday();
            holidays.push(item);
            holidayList.append(item.el);
            holidayEmpty.hidden = true;
            renumber();
            item.date.focus();
          } }, icon('plus'), t('admin.schedule_add_holiday'))),
        switchField('default', t('admin.schedule_default'), isDefault || (!schedule && count === 0), {
          id: 'schedule-default',
          hint: isDefault ? t('admin.schedule_default_locked') : !schedule && count === 0 ? t('admin.schedule_default_first') : t('admin.schedule_default_hint'),
        }),
      ];
    },
    submit: async (form) => {
      const el = form.elements;
      const body = {
        name: el.name.value.trim(),
        time_zone: el.time_zone.value.trim(),
        intervals: WEEKDAYS.flatMap((weekday) => days.get(weekday).map((i) => ({
          weekday, start: i.startIn.value, end: i.endIn.value === '00:00' ? '24:00' : i.endIn.value,
        }))),
        holidays: holidays.map((x) => ({ date: x.date.value, recurring: x.recurring.checked })),
      };
      // The default can only move to another schedule: a schedule asks to become it, never to stop being it.
      if (el.default.checked && !isDefault) body.default = true;
      else if (!el.default.checked && isDefault) body.default = false;
      try {
        return await (schedule ? api.patch(`schedules/${schedule.id}`, body) : api.post('schedules', body));
      } catch (error) {
        // Once the messages are placed, bring the first row they name into view.
        setTimeout(() => form.querySelector('.sch-opening:has(.field-error:not([hidden])), .sch-holiday:has(.field-error:not([hidden]))')
          ?.scrollIntoView({ block: 'nearest' }));
        throw error;
      }
    },
  });
}
