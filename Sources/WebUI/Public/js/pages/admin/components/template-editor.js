// The notification template editor: subject, text and HTML parts on the left, a live preview on the right
// (rendered by the server with sample data; the HTML goes into a sandboxed iframe, never into this page).
import { h, icon, replace, debounce } from '../../../core/dom.js';
import { t, has } from '../../../core/i18n.js';
import { api, ApiError } from '../../../core/api.js';
import { toast, errorMessage, field, confirm, showFieldErrors, loading, failure } from '../../../core/ui.js';
import { adIcon } from './common.js';

export const EVENTS = ['ticket_created', 'ticket_assigned', 'public_reply', 'customer_reply', 'internal_note', 'ticket_solved', 'ticket_updated', 'unverified_sender'];
export const LOCALES = ['en', 'fr'];
const VARIABLES = ['recipient.name', 'recipient.email', 'ticket.number', 'ticket.subject', 'ticket.status', 'ticket.priority',
  'ticket.url', 'actor.name', 'comment.body', 'comment.public', 'product.name'];
const PARTS = ['subject', 'text', 'html'];

const eventName = (ev) => (has(`admin.event_${ev}`) ? t(`admin.event_${ev}`) : ev);

export function templateEditor({ event, locale, navigate }) {
  const path = `notification-templates/${encodeURIComponent(event)}/${encodeURIComponent(locale)}`;
  const root = h('div.page.ad-page.ad-tpl-page#admin-template-editor', loading());
  let disposed = false;
  let lastFocused = null;
  let saved = null; // the template as stored
  let previewSeq = 0;

  const build = (tpl) => {
    saved = tpl;
    const subject = h('input#tpl-subject', { type: 'text', name: 'subject', value: tpl.subject, spellcheck: 'true' });
    const text = h('textarea#tpl-text.ad-code', { name: 'text', rows: 10, spellcheck: 'false' }, tpl.text);
    const html = h('textarea#tpl-html.ad-code', { name: 'html', rows: 12, spellcheck: 'false' }, tpl.html);
    for (const el of [subject, text, html]) el.addEventListener('focus', () => { lastFocused = el; });
    const errorBox = h('div.form-error', { role: 'alert', hidden: true });
    const dirtyMark = h('span.ad-dirty', { hidden: true }, t('admin.unsaved_changes'));
    const badge = h('span.badge', {});
    const saveBtn = h('button.btn.btn-primary#tpl-save', { type: 'submit' }, icon('check'), t('common.save'));
    const resetBtn = h('button.btn#tpl-reset', { type: 'button', onclick: () => reset() }, adIcon('refresh'), t('admin.reset_default'));

    const drawStatus = () => {
      badge.className = `badge ${saved.customized ? 'ad-badge-accent' : 'ad-badge-muted'}`;
      badge.textContent = saved.customized ? t('admin.customized') : t('admin.default');
      resetBtn.hidden = !saved.customized;
      const dirty = PARTS.some((p) => form.elements[p].value !== saved[p]);
      dirtyMark.hidden = !dirty;
    };

    const chips = h('div.ad-vars', { role: 'group', 'aria-label': t('admin.variables') },
      h('span.ad-vars-label', t('admin.variables')),
      VARIABLES.map((v) => h('button.ad-var', { type: 'button', title: t('admin.insert_variable'), onclick: () => insert(`{{${v}}}`) }, `{{${v}}}`)));

    const form = h('form.ad-tpl-form#tpl-form', { novalidate: true },
      errorBox,
      field(t('admin.part_subject'), subject),
      field(t('admin.part_text'), text, t('admin.part_text_hint')),
      field(t('admin.part_html'), html, t('admin.part_html_hint')),
      chips,
      h('div.ad-tpl-actions', dirtyMark, resetBtn, saveBtn));

    // Preview pane.
    const previewSubject = h('div.ad-preview-subject', { id: 'tpl-preview-subject' });
    const frame = h('iframe.ad-preview-frame#tpl-preview-frame', { sandbox: '', title: t('admin.preview_html'), referrerpolicy: 'no-referrer' });
    const textPreview = h('pre.ad-preview-text#tpl-preview-text', { hidden: true });
    const previewError = h('div.ad-banner.ad-banner-danger#tpl-preview-error', { role: 'alert', hidden: true });
    const previewState = h('span.ad-preview-state.muted.small', { 'aria-live': 'polite' });
    const tabs = ['html', 'text'].map((kind) => h('button.tab', { type: 'button', role: 'tab', id: `tpl-tab-${kind}`,
      'aria-selected': String(kind === 'html'), 'aria-controls': kind === 'html' ? 'tpl-preview-frame' : 'tpl-preview-text',
      onclick: () => {
        for (const b of tabs) b.setAttribute('aria-selected', String(b === tabs[kind === 'html' ? 0 : 1]));
        frame.hidden = kind !== 'html';
        textPreview.hidden = kind !== 'text';
      } }, kind === 'html' ? t('admin.preview_html') : t('admin.preview_text')));

    const preview = h('section.ad-preview.card', { 'aria-labelledby': 'tpl-preview-title' },
      h('div.ad-preview-head', h('h2#tpl-preview-title', t('admin.preview')), previewState),
      h('p.muted.small.ad-preview-note', t('admin.preview_note')),
      previewError,
      h('div.ad-mail',
        h('div.ad-mail-row', h('span.ad-mail-k', t('admin.part_subject')), previewSubject),
        h('div.tabs.ad-preview-tabs', { role: 'tablist' }, tabs),
        frame, textPreview));

    async function runPreview() {
      const seq = ++previewSeq;
      previewState.textContent = t('admin.preview_updating');
      try {
        const out = await api.post(`${path}/preview`, values());
        if (disposed || seq !== previewSeq) return;
        previewError.hidden = true;
        previewSubject.textContent = out.subject;
        frame.srcdoc = out.html;
        textPreview.textContent = out.text;
        previewState.textContent = t('admin.preview_live');
      } catch (error) {
        if (disposed || seq !== previewSeq) return;
        previewState.textContent = '';
        replace(previewError, adIcon('alert'), h('div', h('strong', t('admin.template_errors')),
          error instanceof ApiError && error.errors.length
            ? h('ul.ad-error-list', error.errors.map((e) => h('li', h('strong', partName(e.field)), ' — ', e.message)))
            : h('p', errorMessage(error))));
        previewError.hidden = false;
      }
    }
    const schedulePreview = debounce(runPreview, 400);
    form.addEventListener('input', () => { drawStatus(); schedulePreview(); });

    function values() { return Object.fromEntries(PARTS.map((p) => [p, form.elements[p].value])); }

    function insert(snippet) {
      const target = lastFocused || html;
      const start = target.selectionStart ?? target.value.length;
      const end = target.selectionEnd ?? start;
      target.setRangeText(snippet, start, end, 'end');
      target.focus();
      target.dispatchEvent(new Event('input', { bubbles: true }));
    }

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      errorBox.hidden = true;
      saveBtn.disabled = true;
      try {
        const out = await api.put(path, values());
        saved = out;
        showFieldErrors(form, null);
        drawStatus();
        toast(t('admin.template_saved'), 'success');
      } catch (error) {
        if (!showFieldErrors(form, error)) { replace(errorBox, errorMessage(error)); errorBox.hidden = false; }
        else { replace(errorBox, t('admin.template_fix_errors')); errorBox.hidden = false; }
        form.querySelector('[aria-invalid="true"]')?.focus();
      } finally { saveBtn.disabled = false; }
    });

    async function reset() {
      if (!await confirm(t('admin.reset_confirm'), { danger: true, confirmLabel: t('admin.reset_default') })) return;
      try {
        const out = await api.del(path);
        saved = out || await api.get(path);
        for (const p of PARTS) form.elements[p].value = saved[p];
        showFieldErrors(form, null);
        errorBox.hidden = true;
        drawStatus();
        runPreview();
        toast(t('admin.template_reset'), 'success');
      } catch (error) { toast(errorMessage(error), 'error'); }
    }

    const localeSwitch = h('div.seg', { role: 'group', 'aria-label': t('admin.col_locale') },
      LOCALES.map((l) => h('button.seg-btn', { type: 'button', 'aria-pressed': String(l === locale), id: `tpl-locale-${l}`,
        onclick: () => { if (l !== locale) navigate(`/admin/templates?event=${encodeURIComponent(event)}&locale=${l}`); } },
      t(`admin.locale_${l}`))));

    replace(root,
      h('a.ad-back#tpl-back', { href: '/admin/templates' }, icon('back'), t('admin.nav_templates')),
      h('header.page-header.ad-header',
        h('div.ad-header-text', h('h1', eventName(event), ' ', badge),
          has(`admin.event_${event}_desc`) && h('p.muted.ad-header-desc', t(`admin.event_${event}_desc`))),
        h('div.ad-header-actions', localeSwitch)),
      h('div.ad-tpl-layout', h('section.card.ad-tpl-editor', { 'aria-label': t('admin.editor') }, form), preview));
    drawStatus();
    runPreview();
  };

  api.get(path).then((tpl) => { if (!disposed) build(tpl); }, (error) => {
    replace(root, failure(error, () => navigate(location.pathname + location.search)));
  });

  return { el: root, dispose: () => { disposed = true; } };
}

function partName(field) { return has(`admin.part_${field}`) ? t(`admin.part_${field}`) : field; }
