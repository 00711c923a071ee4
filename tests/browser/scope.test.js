// A community's handler cannot open another community's request.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { loggedInContext, useBrowser } from './lib/browser.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

test("a handler cannot open another community's request", async (t) => {
  const handler = await loggedInContext(browser(), url, 'handler_c001');
  t.after(() => handler.close());
  const me = await (await handler.request.get('/api/v1/me')).json();
  // A dispatcher finds a request placed in another community.
  const dispatcher = await loggedInContext(browser(), url, 'dispatcher');
  t.after(() => dispatcher.close());
  const page = await (await dispatcher.request.get('/api/v1/requests?limit=100')).json();
  const elsewhere = page.items.find((r) => r.unit_id !== me.unit_id && r.assignee_unit_id !== me.unit_id);
  assert.ok(elsewhere, 'the demo has requests in other communities');

  const tab = await handler.newPage();
  const response = await tab.goto(`/work/requests/${elsewhere.id}`);
  assert.equal(response.status(), 404);
  assert.equal(await tab.getByRole('alert').innerText(), '未找到该诉求，或不在您的管辖范围内');
  assert.ok(!(await tab.content()).includes(elsewhere.title), 'nothing of it shows');
});
