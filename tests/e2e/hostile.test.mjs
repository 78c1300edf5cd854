// Hostile and messy files in the page (issue 11): a crafted workbook that once aborted the worker
// is a located error in its slot while the other tables stay loaded and settled, and cases dated
// outside the policy year are refused in the page as on the command line, also when the policy's
// year changes after they were read. Every file is built here.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { crc32 } from 'node:zlib';
import { assertNoErrors, assertSameOriginOnly, OUTPUT_DIR, ROOT, settled, startPage } from './helpers.mjs';

const SPEC10 = path.join(ROOT, 'tests', 'fixtures', 'spec10');
const TMP = path.join(OUTPUT_DIR, 'hostile');
mkdirSync(TMP, { recursive: true });

/** A zip of stored (uncompressed) entries: [[name, text], …]. */
function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, text] of entries) {
    const nameBytes = Buffer.from(name);
    const data = Buffer.from(text);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** An .xlsx of one sheet holding `sheetData` (the `<row>` elements). */
function xlsx(sheetData) {
  return zip([
    [
      '[Content_Types].xml',
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
    ],
    [
      '_rels/.rels',
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ],
    [
      'xl/workbook.xml',
      `<workbook ${NS} xmlns:r="${REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    ],
    ['xl/worksheets/sheet1.xml', `<worksheet ${NS}><sheetData>${sheetData}</sheetData></worksheet>`],
  ]);
}

async function toData(page) {
  await page.click('.tabs button[data-view="data"]');
  await page.waitForSelector('#view-data:not([hidden])');
}

const slotClass = (page, kind) => page.locator(`[data-slot="${kind}"]`).getAttribute('class');
const pvShown = (page) =>
  page.locator('.strip [data-pv="employee"] .kpi-value').evaluate((el) => el.firstChild.textContent);

let session;
before(async () => {
  session = await startPage();
});
after(async () => {
  await session?.close();
});

describe('hostile files in the page', { concurrency: false }, () => {
  test('a crafted workbook is a located error in its slot; the other tables stay loaded and settled', async () => {
    const page = await session.open('/');
    await settled(page);
    const before = await pvShown(page);
    // Two cells, A1 and XFD1048576: read as it is, the worker would ask for 550 GB and abort.
    const crafted = path.join(TMP, 'crafted-catalog.xlsx');
    writeFileSync(
      crafted,
      xlsx('<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
    );
    await toData(page);
    await page.setInputFiles('input[type=file][data-kind="catalog"]', crafted);
    const errors = page.locator('#errors-catalog tbody tr');
    await errors.first().waitFor();
    assert.equal(await errors.count(), 1);
    assert.match(
      await errors.first().textContent(),
      /crafted-catalog\.xlsx：工作簿部件 xl\/worksheets\/sheet1\.xml 超出读取上限：cells spanning 1048576 rows × 16384 columns/,
    );
    // The worker survived and every table is still loaded: the demo city settles as before.
    for (const kind of ['institutions', 'catalog', 'cases']) assert.match(await slotClass(page, kind), /slot-ok/, kind);
    await page.click('.tabs button[data-view="overview"]');
    await settled(page);
    assert.equal(await pvShown(page), before);
    assertSameOriginOnly(page);
    assertNoErrors(page);
  });

  test('cases dated outside the policy year are refused, also when the policy year changes', async () => {
    const page = await session.open('/');
    await settled(page);
    await toData(page);
    await page.click('[data-slot="cases"] button.ghost');
    const upload = async (kind, file) => {
      await page.setInputFiles(`input[type=file][data-kind="${kind}"]`, file);
      await page.waitForFunction(
        (k) => document.querySelector(`[data-slot="${k}"]`)?.classList.contains('slot-ok'),
        kind,
      );
    };
    await upload('institutions', path.join(SPEC10, 'institutions.csv'));
    await upload('catalog', path.join(SPEC10, 'catalog.csv'));
    // 宁德2024 (the default): a case of 2023-12-15 is an error at its cell, not December 2024.
    const late = path.join(TMP, 'cases-2023.csv');
    writeFileSync(
      late,
      '机构编码,险种,病种编码,医疗总费用,个人负担,结算日期\nH1,职工,G1,12500,3000,2024-03-05\nH1,职工,G1,12500,3000,2023-12-15\n',
    );
    await page.setInputFiles('input[type=file][data-kind="cases"]', late);
    const errors = page.locator('#errors-cases tbody tr');
    await errors.first().waitFor();
    assert.equal(await errors.count(), 1);
    const cells = await errors.first().locator('td').allTextContents();
    assert.deepEqual(cells.slice(0, 5), ['cases-2023.csv', '3', 'F', '结算日期', '2023-12-15']);
    assert.match(cells[5], /不在政策年度 2024 年内/);
    // Cases of 2024 are read; a preset of 2019 reads them again and refuses them.
    await upload('cases', path.join(SPEC10, 'cases.csv'));
    await page.click('.tabs button[data-view="policy"]');
    await page.selectOption('#preset', '信阳2019');
    await toData(page);
    await page.locator('#errors-cases tbody tr').first().waitFor();
    // 信阳2019 is the policy of the 2020 settlement year.
    const year = await page.evaluate(() => document.querySelector('#policy-chip').textContent.split(' · ')[1]);
    assert.notEqual(year, '2024');
    assert.match(
      await page.locator('#errors-cases tbody tr').first().textContent(),
      new RegExp(`不在政策年度 ${year} 年内`),
    );
    assert.doesNotMatch(await slotClass(page, 'cases'), /slot-ok/);
    assertSameOriginOnly(page);
    assertNoErrors(page);
  });
});
