// A resident, on a phone and without an account, submits a request and follows it by
// its tracking code. The JSON API stands in for the pages until they exist.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { PHONE, saveScreenshot, scratchDir, useBrowser } from './lib/browser.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

test('a resident submits a request from the phone and sees its status by tracking code', async (t) => {
  const phone = await browser().newContext({ baseURL: url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...PHONE });
  t.after(() => phone.close());
  const page = await phone.newPage();
  await page.goto('/healthz'); // any page of the server, so that fetch is same-origin

  const submitted = await page.evaluate(async (idempotencyKey) => {
    const units = await (await fetch('/api/v1/units')).json();
    const community = units.items.find((unit) => unit.kind === 'community');
    const response = await fetch('/api/v1/requests', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
      body: JSON.stringify({
        kind: 'complaint',
        title: `${community.name}路灯不亮`,
        content: `${community.name}2栋楼下的路灯坏了一个多星期，晚上回家看不清路。`,
        address: '2栋楼下',
        unit_id: community.id,
        requester_name: '李先生',
        requester_phone: '13912345678',
      }),
    });
    return { status: response.status, body: await response.json(), community };
  }, `browser-${Date.now()}`);
  assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
  assert.equal(submitted.body.status, 'submitted');
  const code = submitted.body.tracking_code;
  assert.match(code, /^[0-9A-Z]{6,}$/);

  const response = await page.goto(`/api/v1/track/${code}`);
  assert.equal(response.status(), 200);
  assert.deepEqual(page.viewportSize(), { width: 390, height: 844 });
  const shown = page.locator('pre').first();
  assert.ok(await shown.isVisible(), 'the tracking answer is shown on the page');
  const text = await shown.innerText();
  assert.match(text, /"status":\s*"submitted"/);
  assert.ok(text.includes(submitted.body.number), 'the request number is shown');
  assert.ok(text.includes(`${submitted.community.name}路灯不亮`), 'the title is shown');
  assert.ok(!text.includes('13912345678') && !text.includes('李先生'), 'no personal data on the public page');

  const png = readFileSync(await saveScreenshot(page, 'track-phone', { dir: scratchDir((fn) => t.after(fn)), fullPage: false }));
  assert.equal(png.toString('latin1', 1, 4), 'PNG');
  assert.equal(png.readUInt32BE(16), 390 * PHONE.deviceScaleFactor, 'screenshot width');
  // Mobile emulation may round the height by a device pixel.
  assert.ok(Math.abs(png.readUInt32BE(20) - 844 * PHONE.deviceScaleFactor) <= 1, 'screenshot height');
});
