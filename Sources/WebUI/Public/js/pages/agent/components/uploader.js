// Attachments: a file button, drag and drop onto a zone, uploads with progress, chips with remove.
import { h, icon } from '../../../core/dom.js';
import { t } from '../../../core/i18n.js';
import { api } from '../../../core/api.js';
import { bytes } from '../../../core/format.js';
import { toast, errorMessage } from '../../../core/ui.js';

/**
 * createUploader({dropTarget, testid}) → {button, chips, ids(), busy(), clear(), addFiles(files)}.
 * `dropTarget` receives the drag-and-drop listeners (the class `tk-dragging` while a file hovers it).
 */
export function createUploader({ dropTarget, testid = 'attach', onChange } = {}) {
  const items = []; // {file, id?, chip, progress, done, failed}
  const chips = h('div.tk-chips', { dataset: { testid: `${testid}-chips` }, 'aria-live': 'polite' });
  const input = h('input.visually-hidden', { type: 'file', multiple: true, tabindex: '-1', 'aria-hidden': 'true',
    dataset: { testid: `${testid}-input` }, onchange: () => { addFiles(input.files); input.value = ''; } });
  const button = h('span.tk-attach',
    h('button.btn.btn-ghost.btn-sm', { type: 'button', dataset: { testid: `${testid}-button` }, 'aria-label': t('agent.attach_files'),
      title: t('agent.attach_files'), onclick: () => input.click() }, icon('paperclip'), h('span.tk-attach-label', t('agent.attach'))),
    input);

  function changed() { onChange?.(); }

  function addFiles(files) {
    for (const file of files || []) {
      const progress = h('span.tk-chip-progress', { style: { '--p': '0' } });
      const item = { file, id: null, done: false, failed: false, progress };
      const remove = h('button.tk-chip-remove', { type: 'button', 'aria-label': t('agent.remove_file', { name: file.name }),
        onclick: () => {
          items.splice(items.indexOf(item), 1);
          item.chip.remove();
          if (item.id) api.del(`files/${item.id}`).catch(() => {});
          changed();
        } }, icon('x'));
      item.chip = h('span.file-chip.tk-chip.tk-uploading', { dataset: { testid: 'attachment-chip' } },
        icon('file'), h('span', file.name), h('span.faint.small', bytes(file.size)), progress, remove);
      items.push(item);
      chips.append(item.chip);
      changed();
      api.upload(file, (f) => progress.style.setProperty('--p', String(Math.round(f * 100))))
        .then((res) => {
          item.id = res.id; item.done = true;
          item.chip.classList.remove('tk-uploading');
          item.chip.dataset.fileId = res.id;
          changed();
        })
        .catch((error) => {
          item.failed = true;
          item.chip.classList.remove('tk-uploading');
          item.chip.classList.add('tk-chip-failed');
          item.chip.title = errorMessage(error);
          toast(t('agent.upload_failed', { name: file.name, reason: errorMessage(error) }), 'error');
          changed();
        });
    }
  }

  if (dropTarget) {
    let depth = 0;
    const hasFiles = (e) => [...(e.dataTransfer?.types || [])].includes('Files');
    dropTarget.addEventListener('dragenter', (e) => { if (!hasFiles(e)) return; e.preventDefault(); depth++; dropTarget.classList.add('tk-dragging'); });
    dropTarget.addEventListener('dragover', (e) => { if (hasFiles(e)) e.preventDefault(); });
    dropTarget.addEventListener('dragleave', () => { depth = Math.max(0, depth - 1); if (!depth) dropTarget.classList.remove('tk-dragging'); });
    dropTarget.addEventListener('drop', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault(); depth = 0; dropTarget.classList.remove('tk-dragging');
      addFiles(e.dataTransfer.files);
    });
  }

  return {
    button, chips, addFiles,
    ids: () => items.filter((i) => i.done && i.id).map((i) => i.id),
    busy: () => items.some((i) => !i.done && !i.failed),
    count: () => items.length,
    clear() { items.length = 0; chips.replaceChildren(); changed(); },
  };
}
