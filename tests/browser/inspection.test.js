// An inspector does a round on a phone: each item is saved on its own, a failed item
// carries a note and a photo, and when the connection drops half-way the items saved
// stay saved while the one that could not be sent says so in Chinese and keeps what was
// typed. The figures page then ranks the units and links every count to its list.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PHONE, loggedInContext, saveScreenshot, useBrowser } from './lib/browser.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

// A 2×2 red PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==',
  'base64',
);

test('an inspector marks a round on a phone and loses nothing when the connection drops', async (t) => {
  const context = await loggedInContext(browser(), url, 'inspector', PHONE);
  t.after(() => context.close());
  const page = await context.newPage();

  await page.goto('/work/inspections');
  const start = page.locator('#start form').first();
  await start.getByRole('button', { name: '开始' }).click();
  await page.waitForURL(/\/work\/inspections\/rounds\/\d+$/);
  const items = page.locator('form.item');
  assert.ok((await items.count()) >= 8, 'the checklist items are listed');
  await page.locator('#how').waitFor();

  // A pass is saved as soon as it is chosen.
  const first = items.nth(0);
  await first.locator('label.mark.pass').click();
  await page.locator('form.item').nth(0).locator('.said.ok').waitFor();
  assert.match(await page.locator('form.item').nth(0).locator('.said').innerText(), /已保存/);

  // A failure with a note and a photo, saved with its button.
  const second = page.locator('form.item').nth(1);
  await second.locator('label.mark.fail').click();
  await second.locator('textarea[name=note]').fill('商户出店经营，占用人行道约3米');
  await second.locator('input[name=photos]').setInputFiles({ name: 'shop.png', mimeType: 'image/png', buffer: PNG });
  await second.getByRole('button', { name: '保存本项' }).click();
  await page.locator('form.item').nth(1).locator('.said.ok').waitFor();
  assert.equal(await page.locator('form.item').nth(1).getByRole('link', { name: '照片1' }).count(), 1, 'the photo is kept');
  assert.equal((await page.locator('#marked').innerText()).trim(), '2');
  await saveScreenshot(page, 'inspection-round-phone', { fullPage: false });

  // The connection drops: the next item cannot be saved, and says so beside it.
  await context.setOffline(true);
  const third = page.locator('form.item').nth(2);
  await third.locator('label.mark.fail').click();
  await third.locator('textarea[name=note]').fill('非机动车乱停，堵住盲道');
  await third.getByRole('button', { name: '保存本项' }).click();
  const said = third.locator('.said.error');
  await said.waitFor();
  assert.match(await said.innerText(), /保存失败：网络已断开，本项还没有保存/);
  assert.equal(await third.locator('textarea[name=note]').inputValue(), '非机动车乱停，堵住盲道', 'what was typed stays');
  await third.scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'inspection-round-offline', { fullPage: false });

  // Back online: what was saved before is still saved; the lost item is not, until sent.
  await context.setOffline(false);
  await page.reload();
  const again = page.locator('form.item');
  assert.equal(await again.nth(0).locator('input[value=pass]').isChecked(), true);
  assert.equal(await again.nth(1).locator('input[value=fail]').isChecked(), true);
  assert.equal(await again.nth(1).locator('textarea[name=note]').inputValue(), '商户出店经营，占用人行道约3米');
  assert.equal(await again.nth(2).locator('input[value=fail]').isChecked(), false, 'the lost save left nothing');
  await again.nth(2).locator('label.mark.fail').click();
  await again.nth(2).locator('textarea[name=note]').fill('非机动车乱停，堵住盲道');
  await again.nth(2).getByRole('button', { name: '保存本项' }).click();
  await page.locator('form.item').nth(2).locator('.said.ok').waitFor();

  // Finishing too early is refused in Chinese.
  await page.getByRole('button', { name: '完成巡查' }).click();
  assert.match(await page.locator('#round-error').innerText(), /还有 \d+ 项没有检查/);
});

test('the figures rank units and every count lists what it counts', async (t) => {
  const context = await loggedInContext(browser(), url, 'leader', { viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/work/inspections');
  const open = Number((await page.locator('#open-total').innerText()).trim());
  assert.ok(open > 0, 'the demo has open rectifications');
  await saveScreenshot(page, 'inspection-figures');
  await page.locator('#open-total').click();
  await page.waitForURL(/rectifications\?open=1/);
  assert.equal(await page.locator('tr.rectification').count(), open, 'the list holds exactly what the count counts');
  await page.locator('tr.rectification a').first().click();
  await page.waitForURL(/\/work\/requests\/\d+/);
});
