// Published DIP catalogs opened in the page as they are (issue 18), in headless Chromium: the
// county's score table (CSV: DIP分组编码 beside a repeated 病种编码, 病种类型 in 一级/二级/三级核心病种,
// 基层病种 in 备注, no 次均费用) and the city's two-sheet workbook (XLSX written here: 目录 with
// 病种类型 coded under a legend and scores as VLOOKUP formulas with cached values, 中间结果 with
// the bureau's database headers, WEIGHT a relative weight beside the score). Each is uploaded
// with its cases and the institutions under the 宁德2024 preset, without renaming a column: the
// data view's import notes say which column fed the group code and the score and why, which sheet
// was read (and the data view picks another), how 基层病种 and 病种类型 were read; the point value
// and every unit's points are the ones `dipcalc run` prints for the same files (the command
// line's own tests: tests/catalogs.rs). A catalog uploaded before its cases is read again when
// they arrive, so the group-code column is the one the cases use, as on the command line.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { crc32 } from 'node:zlib';
import {
  assertNoErrors,
  assertSameOriginOnly,
  CLI,
  OUTPUT_DIR,
  ROOT,
  resettle,
  settled,
  startPage,
  tab,
  upload,
} from './helpers.mjs';

const FIX = path.join(ROOT, 'tests', 'fixtures', 'catalogs');
const TMP = path.join(OUTPUT_DIR, 'catalogs');
mkdirSync(TMP, { recursive: true });

const fixture = (name) => path.join(FIX, name);

/** `dipcalc ARGS`: its output and its notes (stderr); fails the test when it fails. */
function dipcalc(args) {
  assert.ok(existsSync(CLI), `${CLI} is missing: run \`make wasm\` (scripts/page-assets builds it)`);
  const out = spawnSync(CLI, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(out.status, 0, `dipcalc ${args.join(' ')}: ${out.stderr}`);
  return { stdout: out.stdout, notes: out.stderr };
}

/** `dipcalc run` on a catalog and a case file with the fixtures' institutions, as JSON. */
function run(policyArgs, catalog, cases) {
  const { stdout, notes } = dipcalc([
    'run',
    ...policyArgs,
    '--catalog',
    catalog,
    '--cases',
    cases,
    '--institutions',
    fixture('institutions.csv'),
    '--format',
    'json',
  ]);
  return { result: JSON.parse(stdout), notes };
}

/** 宁德2024 with `points.reference_cost_from_score` at a reference point value of 10 元, as a file. */
function policyWithReferencePointValue() {
  const policy = JSON.parse(dipcalc(['preset', '宁德2024']).stdout);
  policy.points.reference_cost_from_score = { point_value: '10', level_coefficients: [] };
  const file = path.join(TMP, 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  return file;
}

// ---- a workbook written by hand: the parts of an .xlsx the readers need, zipped without
// compression (inline strings, numbers, and formulas with their cached values) --------------------

const xml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const column = (i) => (i < 26 ? String.fromCharCode(65 + i) : column(Math.floor(i / 26) - 1) + column(i % 26));

/** One cell: a string, a number, or {f: formula, v: its cached number}; null/'' = empty. */
function cellXml(value, ref) {
  if (value === null || value === '') return '';
  if (typeof value === 'number') return `<c r="${ref}"><v>${value}</v></c>`;
  if (typeof value === 'object') return `<c r="${ref}"><f>${xml(value.f)}</f><v>${value.v}</v></c>`;
  return `<c r="${ref}" t="inlineStr"><is><t>${xml(value)}</t></is></c>`;
}

function sheetXml(rows) {
  const body = rows
    .map((cells, r) => `<row r="${r + 1}">${cells.map((v, c) => cellXml(v, `${column(c)}${r + 1}`)).join('')}</row>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${body}</sheetData></worksheet>`;
}

/** A zip archive of stored (uncompressed) entries: [[name, text]]. */
function zip(entries) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const [name, text] of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Buffer.from(text, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // names in UTF-8
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(33, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(0x0800, 8);
    dir.writeUInt16LE(0, 10);
    dir.writeUInt16LE(0, 12);
    dir.writeUInt16LE(33, 14);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(data.length, 20);
    dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(nameBytes.length, 28);
    dir.writeUInt32LE(offset, 42);
    parts.push(local, nameBytes, data);
    central.push(dir, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const dirBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dirBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dirBytes, end]);
}

/** An .xlsx of named sheets: [[name, rows]]. */
function workbook(sheets) {
  const ns = 'http://schemas.openxmlformats.org';
  const rel = `${ns}/officeDocument/2006/relationships`;
  const head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
  return zip([
    [
      '[Content_Types].xml',
      `${head}<Types xmlns="${ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${sheets
        .map(
          (_, i) =>
            `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
        )
        .join('')}</Types>`,
    ],
    [
      '_rels/.rels',
      `${head}<Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ],
    [
      'xl/workbook.xml',
      `${head}<workbook xmlns="${ns}/spreadsheetml/2006/main" xmlns:r="${rel}"><sheets>${sheets
        .map(([name], i) => `<sheet name="${xml(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
        .join('')}</sheets></workbook>`,
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `${head}<Relationships xmlns="${ns}/package/2006/relationships">${sheets
        .map((_, i) => `<Relationship Id="rId${i + 1}" Type="${rel}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`)
        .join('')}</Relationships>`,
    ],
    ...sheets.map(([, rows], i) => [`xl/worksheets/sheet${i + 1}.xml`, sheetXml(rows)]),
  ]);
}

/** CSV text as sheet rows: whole numbers below the header as numbers, the rest as text. */
const csvRows = (text) =>
  text
    .trim()
    .split('\n')
    .map((line, r) => line.split(',').map((cell) => (r > 0 && /^\d+$/.test(cell) ? Number(cell) : cell)));

/**
 * The city's workbook, as tests/catalogs.rs writes it: 目录 (city-catalog.csv, 病种分值 as
 * VLOOKUP into 中间结果 with cached values) and 中间结果 (ID, DIP_CODE, WEIGHT_SCORE, WEIGHT =
 * score ÷ 1000, DIP_AVG_FEE = WEIGHT × REGION_AVE_VAL as a formula with its cached value, …).
 */
function cityWorkbook() {
  const catalog = csvRows(readFileSync(fixture('city-catalog.csv'), 'utf8'));
  const scores = catalog.slice(1).map((cells) => [cells[1], cells[9]]);
  catalog.slice(1).forEach((cells, i) => {
    cells[9] = { f: `VLOOKUP(B${i + 2},中间结果!B:C,2,FALSE)`, v: cells[9] };
  });
  const results = [
    ['ID', 'DIP_CODE', 'WEIGHT_SCORE', 'WEIGHT', 'DIP_AVG_FEE', 'REGION_AVE_VAL', 'CV', 'BILL_COUNT', 'AVG_IPT_DAYS'],
    ...scores.map(([code, score], i) => [
      i + 1,
      code,
      score,
      score / 1000,
      { f: `D${i + 2}*F${i + 2}`, v: score * 10 },
      10000,
      0.42,
      120,
      6.5,
    ]),
  ];
  const file = path.join(TMP, '目录2025.xlsx');
  writeFileSync(
    file,
    workbook([
      ['目录', catalog],
      ['中间结果', results],
    ]),
  );
  return file;
}

// ---- the page --------------------------------------------------------------------------------

/** Waits until nothing is being computed and the last attempt did not settle. */
async function unsettled(page) {
  await page.waitForFunction(
    () => document.body.dataset.settled === 'false' && document.body.dataset.computing === 'false',
    null,
    { timeout: 60_000 },
  );
}

/**
 * The page on first visit (the demo city) under 宁德2024; the demo's tables removed, then the
 * institutions, the catalog and the cases uploaded in the order the data view lists them, or the
 * cases before the catalog (`casesFirst`). Resolves once the last upload is read.
 */
async function openWith(session, catalog, cases, { casesFirst = false } = {}) {
  const page = await session.open('/');
  await page.setViewportSize({ width: 1360, height: 900 });
  await settled(page);
  await tab(page, 'policy');
  await resettle(page, () => page.selectOption('#preset', '宁德2024'));
  await tab(page, 'data');
  await page.click('#clear-demo');
  await page.waitForFunction(() => !document.querySelector('.slot-demo'));
  await unsettled(page);
  await upload(page, 'institutions', fixture('institutions.csv'));
  const tables = casesFirst
    ? [
        ['cases', cases],
        ['catalog', catalog],
      ]
    : [
        ['catalog', catalog],
        ['cases', cases],
      ];
  for (const [kind, file] of tables) await upload(page, kind, file);
  return page;
}

/** Waits until one of the catalog slot's import notes contains `text`. */
async function catalogNote(page, text) {
  await page.waitForFunction(
    (want) =>
      [...document.querySelectorAll('[data-slot="catalog"] .import-notes li')].some((li) =>
        li.textContent.includes(want),
      ),
    text,
    { timeout: 60_000 },
  );
}

/** The catalog slot's import notes, one string each. */
const catalogNotes = (page) => page.locator('[data-slot="catalog"] .import-notes li').allTextContents();

/** The note that starts with `prefix`. */
function note(notes, prefix) {
  const found = notes.find((n) => n.startsWith(prefix));
  assert.ok(found, `no note starting "${prefix}" in:\n${notes.join('\n')}`);
  return found;
}

/** The policy's 由分值推算次均费用 switched on at a reference point value of 10 元. */
async function referencePointValue(page) {
  await tab(page, 'policy');
  await page.click('.field[data-path="points.reference_cost_from_score"] button');
  const input = page.locator('input[data-path="points.reference_cost_from_score.point_value"]');
  await input.waitFor();
  if ((await input.inputValue()) !== '10') await input.fill('10');
}

const pv = (page, fund) => page.locator(`[data-pv-big="${fund}"]`).evaluate((el) => el.firstChild.textContent);

/** Each unit's code and points as the institution table shows them ('34,136' → '34136'), by code. */
async function unitPoints(page) {
  await tab(page, 'institutions');
  // The cells: the row's open button, then code, name, level, coefficient, cases, points …
  const rows = await page
    .locator('#unit-table tbody tr.unit')
    .evaluateAll((trs) => trs.map((tr) => [tr.dataset.code, tr.querySelectorAll('td')[6].textContent]));
  return rows.map(([code, points]) => `${code} ${points.replace(/,/g, '')}`).sort();
}

/** The command line's units the same way (trailing zeros off, as the page shows them), by code. */
const cliUnitPoints = (result) =>
  result.funds[0].units
    .map((u) => `${u.code} ${u.points.total.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '')}`)
    .sort();

/** The 本院 view's group table for one institution: {group: 基层 mark}. */
async function groupMarks(page, code) {
  await tab(page, 'mine');
  if ((await page.locator('#mine-pick').inputValue()) !== code)
    await resettle(page, () => page.selectOption('#mine-pick', code));
  const rows = await page
    .locator('#group-table tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  return Object.fromEntries(rows.map((cells) => [cells[0], cells[2]]));
}

let session;
before(async () => {
  session = await startPage();
});
after(async () => {
  await session?.close();
});

describe('published catalogs in the page', { concurrency: false }, () => {
  test("the county's score table (CSV) opens as it is and settles under 宁德2024 as `dipcalc run` does", async () => {
    const catalog = fixture('county.csv');
    const cases = fixture('county-cases.csv');
    // The catalog before the cases, as the data view lists them: it is read again once the cases
    // are in, so the notes count the codes the cases use, as the command line's do.
    const page = await openWith(session, catalog, cases);
    await catalogNote(page, '见于病例明细');
    const notes = await catalogNotes(page);
    // Which column fed each field: the group code from DIP分组编码, not the repeated 病种编码,
    // because its codes are unique (and the cases use them); the score from 分值; 病种类型 as
    // the catalog category, not the payment type.
    const columns = note(notes, '列对应：');
    assert.match(columns, /病种编码 ← B「DIP分组编码」/);
    assert.match(columns, /病种分值 ← J「分值」/);
    assert.match(columns, /← I「病种类型」/);
    assert.doesNotMatch(columns, /← C「病种编码」/);
    assert.equal(
      note(notes, '病种编码：'),
      '病种编码：用 B 列「DIP分组编码」（8 个值，8 个不同，7 个见于病例明细），因为其编码各不相同；' +
        '未用 C 列「病种编码」（8 个值，5 个不同，0 个见于病例明细）（可用 --map 或映射对话框改选）',
    );
    // 基层病种 from 备注, and the missing 次均费用 with the option that stands in for it.
    assert.equal(note(notes, 'K 列「备注」'), 'K 列「备注」：3 个病种按基层病种读取');
    assert.match(note(notes, '目录没有次均费用列'), /points\.reference_cost_from_score/);
    assert.match(note(notes, '读取 '), /得到 8 条记录/);

    // Under the bare preset the settlement stops, and says which option is missing.
    await page.waitForFunction(() =>
      document.querySelector('#status').textContent.includes('reference_cost_from_score'),
    );
    await unsettled(page);

    // With the reference point value the command line is given, the same figures.
    const { result, notes: cliNotes } = run(['--policy', policyWithReferencePointValue()], catalog, cases);
    // The command line says the same about the columns.
    assert.ok(cliNotes.includes(note(notes, '病种编码：')), cliNotes);
    await resettle(page, () => referencePointValue(page));
    const fund = result.funds[0];
    assert.ok(fund.point_value, 'the command line settles a point value');
    assert.equal(await pv(page, fund.fund), fund.point_value);
    assert.deepEqual(await unitPoints(page), cliUnitPoints(result));
    assert.deepEqual(cliUnitPoints(result), ['H1 34136', 'H2 5773.48', 'H3 6600']);
    // 病种类型 was read: the command line breaks the points down by it (一级/二级/三级核心病种).
    assert.deepEqual(
      result.catalog_categories.map((c) => `${c.unit} ${c.label}`),
      [
        'H1 一级核心病种',
        'H1 三级核心病种',
        'H2 一级核心病种',
        'H2 二级核心病种',
        'H3 二级核心病种',
        'H3 三级核心病种',
      ],
    );
    // Where the page shows the category: the 基层病种 groups (备注) marked in 本院's group table,
    // and counted by level on the overview.
    assert.deepEqual(await groupMarks(page, 'H1'), {
      'K35.3:47.0901': '',
      'S72.0:79.3501': '',
      'A01.4:nan': '是',
    });
    assert.deepEqual(await groupMarks(page, 'H3'), { 'I63.9:99.1001': '', 'J18.9:nan': '是' });
    await tab(page, 'overview');
    const grassroots = await page
      .locator('#grassroots-levels tbody tr')
      .evaluateAll((trs) => trs.map((tr) => `${tr.dataset.level} ${tr.querySelectorAll('td')[2].textContent}`));
    assert.deepEqual(grassroots.sort(), ['一级 1', '三甲 1', '二甲 1']);
    await page.screenshot({ path: path.join(TMP, 'county.png'), fullPage: true });
    assertSameOriginOnly(page);
    assertNoErrors(page);
  });

  test("the city's two-sheet workbook (XLSX) opens on its best-matching sheet and settles under the bare preset as `dipcalc run` does", async () => {
    const book = cityWorkbook();
    const cases = fixture('city-cases.csv');
    const { result, notes: cliNotes } = run(['--preset', '宁德2024'], book, cases);
    const page = await openWith(session, book, cases, { casesFirst: true });
    await settled(page);
    const notes = await catalogNotes(page);
    // No sheet named: 中间结果, whose database headers name four fields (目录's three).
    const sheet = note(notes, '未指定工作表');
    assert.equal(sheet, '未指定工作表：选用表头匹配最多的「中间结果」（4 列；其他：「目录」3 列）');
    assert.ok(cliNotes.includes(sheet), cliNotes);
    // Which column fed each field: DIP_CODE the group code, WEIGHT_SCORE the score (WEIGHT is
    // the relative weight, never the score beside it), DIP_AVG_FEE the reference cost.
    const columns = note(notes, '列对应：');
    assert.match(columns, /病种编码 ← B「DIP_CODE」/);
    assert.match(columns, /病种分值 ← C「WEIGHT_SCORE」/);
    assert.match(columns, /次均费用 ← E「DIP_AVG_FEE」/);
    assert.match(columns, /权重系数 ← D「WEIGHT」/);
    assert.match(note(notes, '未使用的列'), /F「REGION_AVE_VAL」（区域次均费用）、G「CV」（变异系数）/);
    assert.match(note(notes, '读取 '), /得到 4 条记录/);
    const fund = result.funds[0];
    assert.ok(fund.point_value, 'the command line settles a point value');
    assert.equal(await pv(page, fund.fund), fund.point_value);
    assert.deepEqual(await unitPoints(page), cliUnitPoints(result));
    assert.deepEqual(cliUnitPoints(result), ['H1 4620', 'H2 3196.06', 'H3 600']);
    assertSameOriginOnly(page);
    assertNoErrors(page);
  });

  test("the city's workbook with its 目录 sheet chosen in the data view: 病种类型's coded legend, the VLOOKUP scores, settled as `dipcalc run --sheet catalog=目录` does", async () => {
    const book = cityWorkbook();
    const cases = fixture('city-cases.csv');
    const page = await openWith(session, book, cases);
    await settled(page);
    const pick = page.locator('select[data-sheet="catalog"]');
    assert.deepEqual(await pick.locator('option').allTextContents(), ['目录', '中间结果']);
    assert.equal(await pick.inputValue(), '中间结果');
    await pick.selectOption('目录');
    await catalogNote(page, '读取工作表「目录」');
    const notes = await catalogNotes(page);
    const columns = note(notes, '列对应：');
    assert.match(columns, /病种编码 ← B「病种编码」/);
    assert.match(columns, /病种分值 ← J「病种分值」/);
    assert.match(columns, /← C「病种类型（1\.核心病种；2\.综合病种）」/);
    assert.match(note(notes, 'C 列「病种类型'), /图例未列出的 0 共 2 行，按综合病种读取/);
    assert.match(note(notes, '目录没有次均费用列'), /points\.reference_cost_from_score/);
    await unsettled(page);
    const { result, notes: cliNotes } = run(
      ['--policy', policyWithReferencePointValue(), '--sheet', 'catalog=目录'],
      book,
      cases,
    );
    assert.ok(cliNotes.includes(note(notes, 'C 列「病种类型')), cliNotes);
    await resettle(page, () => referencePointValue(page));
    const fund = result.funds[0];
    assert.equal(await pv(page, fund.fund), fund.point_value);
    assert.deepEqual(await unitPoints(page), cliUnitPoints(result));
    assert.deepEqual(cliUnitPoints(result), ['H1 4620', 'H2 3196.06', 'H3 600']);
    assert.deepEqual(
      result.catalog_categories.map((c) => `${c.unit} ${c.label} ${c.points}`),
      ['H1 核心病种 4620', 'H2 核心病种 2677.78', 'H2 综合病种 518.28', 'H3 综合病种 600'],
    );
    assertSameOriginOnly(page);
    assertNoErrors(page);
  });

  test("the city's 目录 (CSV) reads 病种类型's coded legend and settles with the reference point value as `dipcalc run` does", async () => {
    const catalog = fixture('city-catalog.csv');
    const cases = fixture('city-cases.csv');
    const page = await openWith(session, catalog, cases, { casesFirst: true });
    await unsettled(page);
    const notes = await catalogNotes(page);
    const columns = note(notes, '列对应：');
    assert.match(columns, /病种编码 ← B「病种编码」/);
    assert.match(columns, /病种分值 ← J「病种分值」/);
    assert.match(columns, /← C「病种类型（1\.核心病种；2\.综合病种）」/);
    // The category: 1 is 核心病种 by the header's legend; 0, which it does not list, 综合病种.
    assert.equal(
      note(notes, 'C 列「病种类型'),
      'C 列「病种类型（1.核心病种；2.综合病种）」：图例未列出的 0 共 2 行，按综合病种读取（图例只有核心病种与综合病种，0 即非核心病种）',
    );
    const { result } = run(['--policy', policyWithReferencePointValue()], catalog, cases);
    await resettle(page, () => referencePointValue(page));
    const fund = result.funds[0];
    assert.equal(await pv(page, fund.fund), fund.point_value);
    assert.deepEqual(await unitPoints(page), cliUnitPoints(result));
    assert.deepEqual(
      result.catalog_categories.map((c) => `${c.unit} ${c.label} ${c.points}`),
      ['H1 核心病种 4620', 'H2 核心病种 2677.78', 'H2 综合病种 518.28', 'H3 综合病种 600'],
    );
    assertSameOriginOnly(page);
    assertNoErrors(page);
  });

  test('two unique group-code columns: the catalog read before the cases is read again and takes the column the cases use', async () => {
    // 病种编码 and DIP分组编码 both unique: only the cases tell them apart (they use DIP分组编码).
    const catalog = path.join(TMP, 'two-codes.csv');
    writeFileSync(
      catalog,
      '序号,病种编码,DIP分组编码,病种名称,分值,次均费用\n1,A1,A1:1,甲,1000,10000\n2,A2,A2:1,乙,2000,20000\n',
    );
    const cases = path.join(TMP, 'two-codes-cases.csv');
    writeFileSync(
      cases,
      '机构编码,险种,病种编码,医疗总费用,个人负担,结算日期\n' +
        'H1,职工,A1:1,10000,2000,2024-03-01\nH2,职工,A2:1,20000,4000,2024-04-01\nH3,职工,A1:1,9000,1800,2024-05-01\n',
    );
    const { result, notes: cliNotes } = run(['--preset', '宁德2024'], catalog, cases);
    const page = await openWith(session, catalog, cases);
    await catalogNote(page, '见于病例明细');
    await settled(page);
    const chosen = note(await catalogNotes(page), '病种编码：');
    assert.equal(
      chosen,
      '病种编码：用 C 列「DIP分组编码」（2 个值，2 个不同，2 个见于病例明细），因为其编码与病例明细相符最多；' +
        '未用 B 列「病种编码」（2 个值，2 个不同，0 个见于病例明细）（可用 --map 或映射对话框改选）',
    );
    assert.ok(cliNotes.includes(chosen), cliNotes);
    const fund = result.funds[0];
    assert.equal(await pv(page, fund.fund), fund.point_value);
    assert.deepEqual(await unitPoints(page), cliUnitPoints(result));
    assertSameOriginOnly(page);
    assertNoErrors(page);
  });
});
