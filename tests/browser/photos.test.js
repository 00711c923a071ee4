// A resident on a phone sends a photo with the form; it shows on the tracking page and
// a file that is not a photo is refused in Chinese with the text still there.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PHONE, useBrowser } from './lib/browser.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

// A 2×2 red PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==',
  'base64',
);

async function fillForm(page, title) {
  await page.goto('/submit');
  const unit = await page.locator('#unit_id option').nth(1).getAttribute('value');
  await page.selectOption('#unit_id', unit);
  await page.fill('#title', title);
  await page.fill('#content', '楼道里堆满了杂物，消防通道被堵，拍了照片。');
  await page.fill('#phone', '13912345678');
}

test('a resident sends a photo and sees it on the tracking page', async (t) => {
  const phone = await browser().newContext({ baseURL: url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...PHONE });
  t.after(() => phone.close());
  const page = await phone.newPage();

  await fillForm(page, '楼道堆放杂物');
  await page.setInputFiles('#photos', { name: 'stairs.txt', mimeType: 'image/png', buffer: Buffer.from('not a photo') });
  await page.click('#send');
  assert.equal(await page.getByRole('alert').innerText(), '只能上传 JPG、PNG 或 WebP 格式的照片，请重新选择');
  assert.equal(await page.inputValue('#title'), '楼道堆放杂物', 'the text is still there');

  await page.setInputFiles('#photos', { name: 'stairs.png', mimeType: 'image/png', buffer: PNG });
  await page.click('#send');
  const code = (await page.locator('#tracking-code').innerText()).trim();
  await page.goto(`/track/${code}`);
  const photo = page.locator('#own-photos img').first();
  await photo.waitFor();
  assert.equal(await photo.evaluate((img) => img.complete && img.naturalWidth), 2, 'the photo loads');
  const served = await page.request.get(`/track/${code}/photos/1`);
  assert.equal(served.headers()['content-type'], 'image/png');
  assert.deepEqual(Buffer.from(await served.body()), PNG);
});
