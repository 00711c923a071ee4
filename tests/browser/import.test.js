// An admin imports a hotline system's export on the page: uploads it, checks the columns
// the page guessed and the preview, tries it (nothing stored), starts it and watches the
// job finish; the same on a phone. Screenshots of each step go to docs/screenshots.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { loggedInContext, PHONE, saveScreenshot, useBrowser } from './lib/browser.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

/** A 12345 export of `n` rows about the community with `code`, one row with a bad date. */
function exportFile(code, n, tag) {
  const lines = ['工单编号,来电时间,诉求内容,所属社区,诉求类型,办理状态,答复内容,答复时间,满意度'];
  for (let i = 0; i < n; i++) {
    const day = String((i % 27) + 1).padStart(2, '0');
    const replied = i % 3 !== 0;
    lines.push(
      `${tag}${i},2025-03-${day} 09:${String(i % 60).padStart(2, '0')},小区${i}号楼楼道灯不亮，晚上上下楼看不见,${code},求助,` +
        (replied ? `已办结,物业已更换灯泡,2025-03-${day} 17:00,满意` : ',,,'),
    );
  }
  lines.push(`${tag}bad,三月初,噪音扰民,${code},投诉,,,,`);
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

async function communityCode(page) {
  await page.goto('/admin/units');
  const row = page.locator('#units tbody tr', { hasText: '社区' }).first();
  return (await row.locator('td').nth(1).innerText()).trim();
}

test('an admin imports a hotline export and watches it finish', async (t) => {
  const context = await loggedInContext(browser(), url, 'admin', { viewport: { width: 1280, height: 800 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const code = await communityCode(page);
  await page.goto('/admin/import');
  await page.setInputFiles('#import-file', { name: '12345导出.csv', mimeType: 'text/csv', buffer: exportFile(code, 40, 'BT') });
  await page.click('#import-upload-submit');
  await page.waitForURL(/\/admin\/import\/\d+/);
  assert.equal(await page.locator('#col-created_at').inputValue(), '来电时间', 'the columns are guessed from the headers');
  assert.equal(await page.locator('#import-preview-rows tbody tr').count(), 10);
  await saveScreenshot(page, 'import-mapping-desktop');

  await page.click('#import-check');
  await page.waitForLoadState();
  const notice = await page.locator('#notice').innerText();
  assert.ok(notice.includes('共 41 行，可导入 40 行'), notice);
  assert.ok((await page.locator('#import-report').innerText()).includes('日期时间无法识别'));
  await saveScreenshot(page, 'import-checked-desktop');

  await page.click('#import-start');
  await page.waitForURL(/\/admin\/import\/\d+/);
  await page.waitForFunction(() => document.querySelector('#import-state')?.textContent.includes('导入完成'), null, {
    timeout: 60_000,
    polling: 500,
  });
  assert.equal(await page.locator('#import-imported').innerText(), '40');
  await saveScreenshot(page, 'import-done-desktop');
});

test('an admin follows an import on a phone', async (t) => {
  const context = await loggedInContext(browser(), url, 'admin', PHONE);
  t.after(() => context.close());
  const page = await context.newPage();
  const code = await communityCode(page);
  await page.goto('/admin/import');
  await page.setInputFiles('#import-file', { name: '热线历史.csv', mimeType: 'text/csv', buffer: exportFile(code, 12, 'PH') });
  await page.click('#import-upload-submit');
  await page.waitForURL(/\/admin\/import\/\d+/);
  await saveScreenshot(page, 'import-mapping-phone');
  await page.goto('/admin/import');
  assert.ok((await page.locator('#import-jobs').innerText()).includes('热线历史.csv'));
  await saveScreenshot(page, 'import-list-phone');
});
