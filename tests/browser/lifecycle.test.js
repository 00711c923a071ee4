// Operator → dispatcher → handler → resident: one request's whole life through the pages.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { loggedInContext, saveScreenshot, useBrowser } from './lib/browser.js';
import { communityHandler } from './lib/requests.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

/** Submits the request page's form for `action` and waits for the page after it. */
async function act(page, action, fill = async () => {}) {
  const form = page.locator(`#action-${action}`);
  await fill(form);
  // Irreversible actions ask again; the person says yes.
  if (await form.getAttribute('data-confirm')) page.once('dialog', (dialog) => dialog.accept());
  await form.locator('button[type=submit]').click();
  await page.waitForLoadState('load');
  assert.equal(await page.locator('#action-error').count(), 0, `${action}: ${await page.locator('main').innerText()}`);
}

test('a request goes from a resident to closed through the pages', async (t) => {
  const resident = await browser().newContext({ baseURL: url, locale: 'zh-CN' });
  t.after(() => resident.close());
  const portal = await resident.newPage();
  await portal.goto('/submit');
  const community = await portal.locator('#unit_id option').nth(1);
  const unitId = await community.getAttribute('value');
  await portal.selectOption('#unit_id', unitId);
  await portal.fill('#title', '楼道灯坏了');
  await portal.fill('#content', '3单元楼道灯坏了半个月，晚上上下楼很危险。');
  await portal.fill('#phone', '13700001111');
  await portal.click('#send');
  const code = (await portal.locator('#tracking-code').innerText()).trim();
  const number = (await portal.locator('#number').innerText()).trim();

  // The operator finds it in the intake queue and accepts it.
  const operator = await loggedInContext(browser(), url, 'operator');
  t.after(() => operator.close());
  const work = await operator.newPage();
  await work.goto('/work?queue=intake');
  await saveScreenshot(work, 'workbench-home');
  // The queue is first come, first served: other stories' requests may come before it.
  while ((await work.getByRole('link', { name: number }).count()) === 0) {
    await work.locator('#next-page').click();
  }
  const id = Number(new URL(await work.getByRole('link', { name: number }).getAttribute('href'), url).pathname.split('/').pop());
  await work.goto(`/work/requests/${id}`);
  await act(work, 'accept');
  assert.equal(await work.locator('#status').innerText(), '待派单');

  // The dispatcher sends it to the community from the dispatch desk: choose, click.
  const dispatcher = await loggedInContext(browser(), url, 'dispatcher');
  t.after(() => dispatcher.close());
  const desk = await dispatcher.newPage();
  await desk.goto('/work/dispatch');
  const row = desk.locator(`#waiting-${id}`);
  await row.locator('select[name=unit_id]').selectOption(unitId);
  await row.getByRole('button', { name: '派单', exact: true }).click();
  // The desk comes back to where the row was and says what was sent.
  await desk.waitForURL(/\/work\/dispatch\?.*sent=/);
  assert.equal(await desk.locator(`#waiting-${id}`).count(), 0, 'it left the desk');
  await desk.goto(`/work/requests/${id}`);
  assert.equal(await desk.locator('#status').innerText(), '待领办');

  // The community's handler claims and resolves it.
  const dispatched = await (await dispatcher.request.get(`/api/v1/requests/${id}`)).json();
  assert.equal(String(dispatched.assignee_unit_id), unitId);
  const handler = await loggedInContext(browser(), url, await communityHandler(dispatcher, Number(unitId)));
  t.after(() => handler.close());
  const desk2 = await handler.newPage();
  await desk2.goto(`/work/requests/${id}`);
  await act(desk2, 'claim');
  assert.equal(await desk2.locator('#status').innerText(), '办理中');
  await saveScreenshot(desk2, 'request-page');
  // Whether the requester was contacted is not ticked for the handler: left out, it is
  // asked for next to the question, and the reply typed is still there.
  const reply = '已更换楼道灯，并电话告知。';
  const resolve = desk2.locator('#action-resolve');
  assert.equal(await resolve.locator('input[name=contacted]:checked').count(), 0, 'nothing ticked');
  await resolve.locator('textarea[name=reply]').fill(reply);
  desk2.once('dialog', (dialog) => dialog.accept());
  await resolve.locator('button[type=submit]').click();
  await desk2.waitForLoadState('load');
  assert.equal(await desk2.locator('#missing-resolve-contacted').innerText(), '请选择是否已与诉求人联系');
  assert.equal(await desk2.locator('#action-resolve textarea[name=reply]').inputValue(), reply);
  assert.equal(await desk2.locator('#status').innerText(), '办理中');
  await act(desk2, 'resolve', (form) => form.locator('input[name=contacted][value=yes]').check());
  assert.equal(await desk2.locator('#status').innerText(), '已办结（待评价）');

  // The resident reads the reply. No verdict is ticked for them: sent without one, the
  // form asks for both choices and keeps the comment.
  await portal.goto(`/track/${code}`);
  assert.equal(await portal.locator('#reply').innerText(), reply);
  assert.equal(await portal.locator('#evaluation input:checked').count(), 0, 'nothing ticked');
  await portal.fill('#comment', '灯换了，但开关还是坏的');
  await portal.click('#evaluation button[type=submit]');
  await portal.waitForLoadState('load');
  assert.equal(await portal.locator('#missing-solved').innerText(), '请选择问题是否解决');
  assert.equal(await portal.locator('#missing-satisfaction').innerText(), '请选择满意程度');
  assert.equal(await portal.locator('#comment').inputValue(), '灯换了，但开关还是坏的');

  // Not solved, not satisfied: the request closes, and the page offers the way back.
  await portal.check('input[name=solved][value=no]');
  await portal.check('input[name=satisfaction][value=unsatisfied]');
  await portal.click('#evaluation button[type=submit]');
  await portal.waitForLoadState('load');
  assert.equal(await portal.locator('#status').innerText(), '已办结');
  const reopen = portal.locator('#reopen');
  assert.match(await reopen.innerText(), /退回原承办单位重新办理/);
  assert.match(await portal.locator('#reopen-until').innerText(), /^请在 .+ 前申请。$/);
  await reopen.locator('button[type=submit]').click();
  await portal.waitForLoadState('load');
  assert.equal(await portal.locator('#missing-reason').innerText(), '请写明申请重办的理由');
  await portal.fill('#reason', '楼道灯开关还是坏的，晚上仍然没有灯');
  await portal.click('#reopen button[type=submit]');
  await portal.waitForLoadState('load');
  assert.equal(await portal.locator('#status').innerText(), '正在办理');
  assert.match(await portal.getByRole('status').innerText(), /已收到您的重办申请/);

  // Back with the handler who had it; resolved again, and this time the resident is satisfied.
  await desk2.goto(`/work/requests/${id}`);
  assert.equal(await desk2.locator('#status').innerText(), '办理中');
  await act(desk2, 'resolve', async (form) => {
    await form.locator('textarea[name=reply]').fill('已更换开关，灯已正常。');
    await form.locator('input[name=contacted][value=yes]').check();
  });
  await portal.goto(`/track/${code}`);
  await portal.check('input[name=solved][value=yes]');
  await portal.check('input[name=satisfaction][value=satisfied]');
  await portal.click('#evaluation button[type=submit]');
  await portal.waitForLoadState('load');
  assert.equal(await portal.locator('#status').innerText(), '已办结');
  assert.equal(await portal.locator('#reopen').count(), 0, 'solved and satisfied is the end of it');
});
