// Staff actions need a session: a browser without one is refused, and the login helper
// gives a context the cookie that makes it a staff member.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { loggedInContext, useBrowser } from './lib/browser.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

async function postFromPage(page, path, body) {
  return page.evaluate(
    async ([path, body]) => {
      const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: await response.json() };
    },
    [path, body],
  );
}

test('accepting a request without logging in is refused with 401', async (t) => {
  const context = await browser().newContext({ baseURL: url, locale: 'zh-CN' });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/healthz');

  const refused = await postFromPage(page, '/api/v1/requests/1/accept', { version: 1 });
  assert.equal(refused.status, 401);
  assert.equal(refused.body.error.code, 'unauthorized');
  assert.equal(refused.body.error.message, '请先登录，或登录已过期');
});

test('a context logged in through the API carries the operator session', async (t) => {
  const context = await loggedInContext(browser(), url, 'operator');
  t.after(() => context.close());
  const cookies = await context.cookies(url);
  assert.ok(cookies.some((cookie) => cookie.httpOnly), 'the session cookie is HttpOnly');

  const page = await context.newPage();
  const response = await page.goto('/api/v1/me');
  assert.equal(response.status(), 200);
  const me = await response.json();
  assert.equal(me.login, 'operator');
  assert.equal(me.role, 'operator');
});
