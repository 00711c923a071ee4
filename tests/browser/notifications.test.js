// Notifications as people meet them: a handler sees the unread count in the header,
// opens the list, follows a notification to its request and marks the rest read; a
// resident opens the tracking page from the link in the SMS the gateway received. The
// file starts its own server, with a small HTTP server of its own as the SMS gateway.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';

import { assertAccessible } from './lib/a11y.js';
import { loggedInContext, PHONE, saveScreenshot, useBrowser } from './lib/browser.js';
import { communityHandler, someCommunity } from './lib/requests.js';
import { startServer } from './lib/server.js';

/** Every text the gateway was sent: `{ phone, text, id, key }`. */
const texts = [];
const gateway = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    try {
      texts.push({ ...JSON.parse(body), key: req.headers['idempotency-key'] });
      res.writeHead(200).end('{"ok":true}');
    } catch {
      res.writeHead(400).end();
    }
  });
});
await new Promise((ok) => gateway.listen(0, '127.0.0.1', ok));
after(() => gateway.close());
const server = await startServer({
  args: ['--sms-url', `http://127.0.0.1:${gateway.address().port}/sms`, '--quiet-hours', 'none'],
});
after(() => server.stop());
const url = server.url;
const browser = useBrowser(before, after);

async function waitFor(what, check, ms = 15_000) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/** A request raised by phone, accepted and dispatched to a community; its JSON. */
async function dispatchedRequest(title) {
  const operator = await loggedInContext(browser(), url, 'operator');
  const dispatcher = await loggedInContext(browser(), url, 'dispatcher');
  try {
    const community = await someCommunity(operator);
    const created = await operator.request.post('/api/v1/requests', {
      data: {
        kind: 'complaint',
        channel: 'hotline',
        title,
        content: `${title}，已经持续一周，请尽快处理。`,
        unit_id: community.id,
        requester_name: '赵阿姨',
        requester_phone: '13700007777',
      },
    });
    assert.equal(created.status(), 201, await created.text());
    let r = await created.json();
    const code = r.tracking_code;
    // A new request is at version 1; the create's answer does not repeat it.
    const accepted = await operator.request.post(`/api/v1/requests/${r.id}/accept`, { data: { version: 1 } });
    assert.equal(accepted.status(), 200, await accepted.text());
    r = await accepted.json();
    const body = { version: r.version, unit_id: community.id };
    const dispatched = await dispatcher.request.post(`/api/v1/requests/${r.id}/dispatch`, { data: body });
    assert.equal(dispatched.status(), 200, await dispatched.text());
    return { ...(await dispatched.json()), tracking_code: code, community };
  } finally {
    await operator.close();
    await dispatcher.close();
  }
}

test("a handler sees unread notifications, follows one and marks them read", async (t) => {
  const r = await dispatchedRequest('通知测试楼道堆物');
  const handlerLogin = await communityHandler(await browser().newContext({ baseURL: url, locale: 'zh-CN' }), r.community.id);
  // The phone first: the desktop pass ends by marking everything read.
  for (const [name, options] of [
    ['phone', PHONE],
    ['desktop', { viewport: { width: 1280, height: 800 } }],
  ]) {
    const context = await loggedInContext(browser(), url, handlerLogin, options);
    t.after(() => context.close());
    const page = await context.newPage();
    await page.goto('/work');
    if (name === 'desktop') {
      const count = Number(await page.locator('#unread-count').innerText());
      assert.ok(count >= 1, `the header counts the unread notifications: ${count}`);
    } else {
      // On a phone the links fold behind 菜单, which carries the count itself.
      const count = Number(await page.locator('#menu-unread').innerText());
      assert.ok(count >= 1, `the menu button counts the unread notifications: ${count}`);
      await page.click('header.top .menu-toggle');
    }
    await page.locator('#nav-notifications').click();
    await page.waitForURL('**/work/notifications');
    const item = page.locator('#notifications li', { hasText: '通知测试楼道堆物' });
    if (name === 'desktop') {
      assert.equal(await item.count(), 1);
      assert.match(await item.innerText(), /新派单待领办/);
      assert.match(await item.innerText(), /未读/);
      await assertAccessible(page, assert, 'the notifications page');
    }
    await saveScreenshot(page, `handler-notifications-${name}`, { fullPage: false });
    if (name === 'desktop') {
      await item.getByRole('link').click();
      await page.waitForURL(`**/work/requests/${r.id}`);
      await page.goto('/work/notifications');
      await Promise.all([page.waitForNavigation(), page.locator('#read-all').click()]);
      assert.equal(await page.locator('#unread-count').count(), 0, 'nothing unread: no count in the header');
      assert.equal(await page.locator('#notifications li.unread').count(), 0);
    }
  }
});

test('a resident opens the tracking page from the link in the SMS', async (t) => {
  const r = await dispatchedRequest('通知测试路灯不亮');
  // The first story's request was raised from the same phone: wait for this one's code.
  await waitFor('the texts to the resident', () => texts.filter((m) => m.text.includes(r.tracking_code)).length >= 2);
  const mine = texts.filter((m) => m.phone === '13700007777' && m.text.includes(r.tracking_code));
  assert.equal(mine.length, 2, JSON.stringify(texts));
  const dispatchedText = mine.find((m) => m.text.includes('已派单'));
  assert.ok(dispatchedText, JSON.stringify(mine));
  assert.ok(dispatchedText.key && dispatchedText.key === dispatchedText.id, 'the idempotency key comes with the text');
  assert.ok(dispatchedText.text.startsWith('【共治】'), dispatchedText.text);
  const link = dispatchedText.text.match(/https?:\/\/\S+$/)[0];
  assert.equal(link, `${url}/track/${r.tracking_code}`);

  const phone = await browser().newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...PHONE });
  t.after(() => phone.close());
  const page = await phone.newPage();
  await page.goto(link);
  assert.match(await page.locator('main').innerText(), /通知测试路灯不亮/);
  assert.ok(!(await page.locator('main').innerText()).includes('13700007777'), 'no phone number on the public page');
  await saveScreenshot(page, 'resident-track-from-sms-phone', { fullPage: false });
});
