// Attachments for a new request or a reply: a button, drag and drop (and paste), uploads with progress,
// and chips that can be removed. `ids()` gives the uploaded file ids; `settled()` waits for uploads.
import { h, icon } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { api } from '../../../core/api.js';
import { bytes } from '../../../core/format.js';
import { errorMessage, toast } from '../../../core/ui.js';

export function attachmentPicker({ inputId, compact = false }) {
  const items = []; // {file, id?, promise, chip}
  const chips = h('ul.pt-chips', { 'aria-live': 'polite', 'aria-label': t('portal.attachments') });
  const input = h('input.visually-hidden', { type: 'file', id: inputId, multiple: true, tabindex: '-1', 'aria-hidden': 'true',
    onchange: () => { add([...input.files]); input.value = ''; } });
  const browse = h('button.btn.btn-sm.pt-attach-btn', { type: 'button', dataset: { testid: 'attach-button' },
    onclick: () => input.click() }, icon('paperclip'), h('span', t('portal.attach_files')));
  const zone = h(`div.pt-drop${compact ? '.pt-drop-compact' : ''}`,
    compact ? browse : [h('div.pt-drop-icon', icon('paperclip')),
      h('p.pt-drop-text', t('portal.drop_files'), ' ', h('button.link-btn.pt-drop-browse', { type: 'button', onclick: () => input.click() },
        t('portal.browse'))),
      h('p.pt-drop-hint', t('portal.drop_hint'))],
    input);

  function add(files) {
    for (const file of files) {
      const progress = h('span.pt-chip-progress', { style: { '--p': '0%' } });
      const remove = h('button.pt-chip-remove', { type: 'button', 'aria-label': t('portal.remove_file', { name: file.name }),
        onclick: () => drop(item) }, icon('x'));
      const chip = h('li.pt-chip.uploading', { dataset: { testid: 'attachment-chip' }, title: file.name },
        icon('file'), h('span.pt-chip-name', file.name), h('span.pt-chip-size', bytes(file.size)), remove, progress);
      const item = { file, chip, id: null };
      item.promise = api.upload(file, (f) => progress.style.setProperty('--p', `${Math.round(f * 100)}%`))
        .then((resource) => {
          item.id = resource.id;
          chip.classList.remove('uploading');
          if (!items.includes(item)) api.del(`files/${resource.id}`).catch(() => {});
        })
        .catch((error) => {
          toast(t('portal.upload_failed', { name: file.name, reason: errorMessage(error) }), 'error');
          drop(item);
        });
      items.push(item);
      chips.append(chip);
    }
  }

  function drop(item) {
    const i = items.indexOf(item);
    if (i >= 0) items.splice(i, 1);
    item.chip.remove();
    if (item.id) api.del(`files/${item.id}`).catch(() => {});
  }

  /** Drag and drop onto `target` (the whole form, so dropping anywhere works). */
  function bindDrop(target) {
    let depth = 0;
    const hasFiles = (e) => [...(e.dataTransfer?.types || [])].includes('Files');
    target.addEventListener('dragenter', (e) => { if (!hasFiles(e)) return; e.preventDefault(); depth++; zone.classList.add('dragging'); target.classList.add('pt-dragging'); });
    target.addEventListener('dragover', (e) => { if (hasFiles(e)) e.preventDefault(); });
    target.addEventListener('dragleave', () => { if (--depth <= 0) { depth = 0; zone.classList.remove('dragging'); target.classList.remove('pt-dragging'); } });
    target.addEventListener('drop', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault(); depth = 0; zone.classList.remove('dragging'); target.classList.remove('pt-dragging');
      add([...e.dataTransfer.files]);
    });
  }

  /** Pasting an image (a screenshot) into `textarea` attaches it. */
  function bindPaste(textarea) {
    textarea.addEventListener('paste', (e) => {
      const files = [...(e.clipboardData?.files || [])];
      if (files.length) { e.preventDefault(); add(files); }
    });
  }

  return {
    zone, chips, input,
    el: h('div.pt-attachments', zone, chips),
    bindDrop, bindPaste,
    busy: () => items.some((i) => !i.id),
    settled: () => Promise.all(items.map((i) => i.promise)),
    ids: () => items.filter((i) => i.id).map((i) => i.id),
    reset() { items.length = 0; chips.replaceChildren(); },
  };
}
