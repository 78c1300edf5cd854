// The data view: a slot per table (drop or choose a file, encoding, what the import did, located
// errors), what is still expected before the set can be settled, and the column-mapping dialog.
// Reads the state; every change goes through the handlers main.js passes in.

import { fmtNum } from './decimal.js';
import { $, $$, fill, h } from './dom.js';
import { lang, t } from './i18n.js';
import { FUND_PARTS, TABLES } from './state.js';

const ENCODINGS = ['', 'utf-8', 'gb18030', 'utf-16le', 'utf-16be'];
const ACCEPT = '.csv,.txt,.tsv,.xlsx,.xls,.xlsb,.ods,.et';

const encodingOf = (root, kind) => {
  const v = $(`select[data-encoding="${kind}"]`, root)?.value;
  return v ? { encoding: v } : {};
};

function statusLine(f, rejected) {
  let line = t('data.none');
  if (f?.status === 'ok')
    line = t(f.demo ? 'data.loaded.demo' : 'data.loaded', {
      file: f.name,
      n: fmtNum(String(f.report.report.records), 0),
    });
  else if (f?.status === 'reading') line = '…';
  if (rejected && f?.status === 'ok') return `${line} · ${t('data.kept', { file: rejected.name })}`;
  return rejected && !f ? rejected.name : line;
}

function slot(root, kind, s, on) {
  const f = s.files[kind];
  const rejected = s.rejected[kind];
  const err = s.importErrors[kind];
  const pick = (file) => file && on.importFile(kind, file, encodingOf(root, kind));
  const input = h('input', {
    type: 'file',
    accept: ACCEPT,
    hidden: true,
    dataset: { kind },
    onchange: (e) => {
      pick(e.target.files[0]);
      e.target.value = '';
    },
  });
  const notes = f?.report ? (lang() === 'en' ? f.report.notes_en : f.report.notes_zh) : [];
  const enc = h(
    'select',
    {
      'aria-label': t('data.encoding'),
      dataset: { encoding: kind },
      onchange: () => {
        const again = rejected ?? f;
        if (again) on.reimport(kind, again, { ...again.options, ...encodingOf(root, kind) });
      },
    },
    ENCODINGS.map((e) =>
      h(
        'option',
        { value: e, selected: ((rejected ?? f)?.options?.encoding ?? '') === e },
        e ? e.toUpperCase() : t('data.encoding.auto'),
      ),
    ),
  );
  // A workbook of several sheets: the sheet read (the best-matching one unless chosen), and the others.
  const sheets = f?.status === 'ok' ? (f.report?.report?.sheets ?? []) : [];
  const sheet =
    sheets.length > 1
      ? h(
          'label',
          { class: 'enc' },
          t('data.sheet'),
          ' ',
          h(
            'select',
            {
              'aria-label': t('data.sheet'),
              dataset: { sheet: kind },
              onchange: (e) => on.reimport(kind, f, { ...f.options, sheet: e.target.value }),
            },
            sheets.map((name) => h('option', { value: name, selected: name === f.report.report.sheet }, name)),
          ),
        )
      : null;
  const zone = h(
    'div',
    {
      class: `slot slot-${rejected && !f ? 'error' : (f?.status ?? 'empty')}${f?.demo ? ' slot-demo' : ''}`,
      dataset: { slot: kind },
      ondragover: (e) => {
        e.preventDefault();
        zone.classList.add('over');
      },
      ondragleave: () => zone.classList.remove('over'),
      ondrop: (e) => {
        e.preventDefault();
        zone.classList.remove('over');
        pick(e.dataTransfer.files[0]);
      },
    },
    h(
      'div',
      { class: 'slot-head' },
      h('strong', null, t(`table.${kind}`)),
      h('span', { class: 'slot-status' }, statusLine(f, rejected)),
    ),
    h(
      'div',
      { class: 'slot-actions' },
      t('data.drop'),
      ' ',
      h('button', { type: 'button', onclick: () => input.click() }, t('data.pick')),
      input,
      h('label', { class: 'enc' }, t('data.encoding'), ' ', enc),
      sheet,
      f || rejected
        ? h('button', { type: 'button', class: 'ghost', onclick: () => on.clearTable(kind) }, t('data.clear'))
        : null,
    ),
    notes.length
      ? h(
          'ul',
          { class: 'import-notes' },
          notes.map((n) => h('li', null, n)),
        )
      : null,
    err
      ? h(
          'div',
          { class: 'import-errors', dataset: { errors: kind } },
          h(
            'div',
            { class: 'err-head' },
            h('strong', null, t('data.errors.count', { file: rejected?.name ?? '', total: err.total })),
            err.total > err.errors.length
              ? h('span', { class: 'muted' }, ` (${t('data.errors.more', { n: err.errors.length })})`)
              : null,
            h('button', { type: 'button', class: 'map-btn', onclick: () => on.openMapping(kind) }, t('data.mapping')),
          ),
          f?.status === 'ok' ? h('p', { class: 'note' }, t('data.kept.note', { file: f.name })) : null,
          on.errorTable(err.errors, `errors-${kind}`),
        )
      : null,
  );
  return zone;
}

export function renderData(root, s, on) {
  if (!root) return;
  const slots = TABLES.map((kind) => slot(root, kind, s, on));
  const demo = TABLES.some((k) => s.files[k]?.demo);
  const expected =
    on.expected && TABLES.some((k) => s.files[k] && !s.files[k].demo)
      ? h('p', { class: 'expect', id: 'data-expect' }, on.expectedText(on.expected))
      : null;
  const check =
    s.checkErrors.length && s.error?.kind === 'check'
      ? h(
          'div',
          { class: 'import-errors' },
          h('strong', null, t('data.check')),
          on.errorTable(s.checkErrors, 'errors-check'),
        )
      : null;
  const clear = demo
    ? h('button', { type: 'button', id: 'clear-demo', onclick: on.clearDemo }, t('data.demo.clear'))
    : null;
  fill(root, h('div', { class: 'toolbar' }, clear, expected), fundParts(s, on), slots, check);
}

/**
 * 基金支付口径 (吉林2024 第六条): which payment columns beside 统筹基金支付 count as fund money when a
 * file gives no personal burden — the import option `fund_parts` (`--fund-parts` on the command line).
 */
function fundParts(s, on) {
  const boxes = FUND_PARTS.map((part) =>
    h(
      'label',
      { class: 'enc' },
      h('input', {
        type: 'checkbox',
        dataset: { fundPart: part },
        checked: s.fundParts.includes(part),
        onchange: (e) => {
          const box = e.target.closest('fieldset');
          on.setFundParts([...box.querySelectorAll('input[data-fund-part]:checked')].map((i) => i.dataset.fundPart));
        },
      }),
      ' ',
      t(`data.fundparts.${part}`),
    ),
  );
  return h(
    'fieldset',
    { class: 'fund-parts', id: 'fund-parts' },
    h('legend', null, t('data.fundparts')),
    boxes,
    h('p', { class: 'note' }, t('data.fundparts.note')),
  );
}

// ---- the column-mapping dialog ---------------------------------------------------------------

const norm = (s) =>
  String(s ?? '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-()（）]/g, '');
const filled = (r) => r.cells.filter((c) => c.trim()).length;

/**
 * Asks which column holds each field. Resolves to {header: the header row's cells, columns:
 * {field: column}} when the user applies it, or null.
 */
export function openMapping(dialog, f, fields, preview) {
  const rows = preview.rows ?? [];
  // The header is most likely the row with the most filled cells near the top.
  let headerIndex = 0;
  rows.forEach((r, i) => {
    if (filled(r) > filled(rows[headerIndex])) headerIndex = i;
  });
  const required = new Set(fields.required.filter((any) => any.length === 1).flat());
  const oneOf = new Set(fields.required.filter((any) => any.length > 1).flat());
  const body = $('.mapping-body', dialog);
  const draw = () => {
    const header = rows[headerIndex]?.cells ?? [];
    const headerSel = h(
      'select',
      {
        id: 'mapping-header-row',
        onchange: (e) => {
          headerIndex = Number(e.target.value);
          draw();
        },
      },
      rows.map((r, i) =>
        h(
          'option',
          { value: i, selected: i === headerIndex },
          `${r.row}: ${r.cells
            .filter((c) => c.trim())
            .slice(0, 4)
            .join(' | ')}`,
        ),
      ),
    );
    const fieldRows = fields.fields.map((fd) => {
      const names = [fd.zh, fd.en, ...fd.aliases].map(norm);
      const given = f.options?.columns?.[fd.key];
      // The column the import used (it may have chosen among several by content), else a header match.
      const used = f.report?.report?.columns?.find((c) => c.field === fd.key)?.letter;
      const guess = used
        ? (preview.letters ?? []).indexOf(used)
        : header.findIndex((c) => c.trim() && names.includes(norm(c)));
      const sel = h(
        'select',
        { dataset: { field: fd.key }, 'aria-label': lang() === 'en' ? fd.en : fd.zh },
        h('option', { value: '' }, t('data.mapping.none')),
        header.map((c, i) =>
          h(
            'option',
            {
              value: c.trim() || preview.letters[i],
              selected: given ? given === c.trim() || given === preview.letters[i] : i === guess,
            },
            `${preview.letters[i]} · ${c}`,
          ),
        ),
      );
      const mark = required.has(fd.key) ? ' *' : oneOf.has(fd.key) ? ' (*)' : '';
      // The other language's name as a hint; the field's internal key never shows.
      return h(
        'tr',
        null,
        h('th', null, `${lang() === 'en' ? fd.en : fd.zh}${mark}`),
        h('td', { class: 'muted' }, lang() === 'en' ? fd.zh : fd.en),
        h('td', null, sel),
      );
    });
    const previewTable = h(
      'table',
      { class: 'grid mini preview' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th'),
          (preview.letters ?? []).map((l) => h('th', null, l)),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((r, i) =>
          h(
            'tr',
            { class: i === headerIndex ? 'header-row' : '' },
            h('th', null, String(r.row)),
            r.cells.map((c) => h('td', null, c)),
          ),
        ),
      ),
    );
    fill(
      body,
      h('p', null, t('data.mapping.note')),
      h('label', null, t('err.header'), ' ', headerSel),
      h(
        'div',
        { class: 'mapping-cols' },
        h('table', { class: 'grid mini fields' }, h('tbody', null, fieldRows)),
        h('div', { class: 'table-wrap' }, h('h4', null, t('data.mapping.preview')), previewTable),
      ),
    );
  };
  $('.mapping-title', dialog).textContent = t('data.mapping.title', { file: f.name });
  draw();
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    $('#mapping-apply', dialog).onclick = () => dialog.close('apply');
    $('#mapping-cancel', dialog).onclick = () => dialog.close('cancel');
    dialog.onclose = () => {
      if (dialog.returnValue !== 'apply') return resolve(null);
      const columns = {};
      for (const sel of $$('select[data-field]', dialog)) if (sel.value) columns[sel.dataset.field] = sel.value;
      resolve({ header: rows[headerIndex]?.cells ?? [], columns });
    };
  });
}
