// 回头看: a supervisor calls back a drawn request, the number shown only in the
// workspace; nobody answers the first call; the second reaches the requester, who was
// never told the result; the unit gets a rework order, answers it and resolves the
// request again, and the supervisor closes it.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { loggedInContext, saveScreenshot, useBrowser } from './lib/browser.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

/** Submits a form and waits for the page after it; a form that asks again is confirmed. */
async function submit(page, form) {
  if (await form.getAttribute('data-confirm')) page.once('dialog', (dialog) => dialog.accept());
  await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
  assert.equal(await page.locator('#form-error').count(), 0, await page.locator('main').innerText());
}

/** The demo login of a unit's own handler, from the demo's naming of units and people. */
async function handlerOf(context, unitId) {
  const units = (await (await context.request.get('/api/v1/units')).json()).items;
  const unit = units.find((u) => u.id === unitId);
  const family = {
    community: ['community', 'village'],
    village: ['community', 'village'],
    subdistrict: ['subdistrict', 'town'],
    town: ['subdistrict', 'town'],
    department: ['department'],
    grid: ['grid'],
  }[unit.kind];
  const index = units.filter((u) => family.includes(u.kind)).findIndex((u) => u.id === unitId) + 1;
  const prefix = { community: 'c', village: 'c', subdistrict: 's', town: 's', department: 'd', grid: 'g' }[unit.kind];
  const width = prefix === 's' || prefix === 'd' ? 2 : 3;
  return `handler_${prefix}${String(index).padStart(width, '0')}`;
}

test('a callback finds a result not fed back, and the rework goes round to closed', async (t) => {
  const supervisor = await loggedInContext(browser(), url, 'supervisor');
  t.after(() => supervisor.close());
  const page = await supervisor.newPage();
  await page.goto('/work/supervision');
  await page.locator('#nav-supervision').waitFor();
  const waiting = Number(await page.locator('#count-waiting b').innerText());
  assert.ok(waiting > 0, 'the demo sample has callbacks waiting');

  // The queue shows no numbers; the workspace shows the one being called.
  await page.goto('/work/supervision/callbacks');
  assert.doesNotMatch(await page.locator('main').innerText(), /1[3-9]\d{9}/);
  await page.locator('#start').waitFor();
  // A request a unit handled: one answered at intake (its row names the place) has no
  // unit to send a rework to, and goes back to dispatch instead.
  const waitingItems = (await (await supervisor.request.get('/api/v1/supervision/callbacks?limit=500')).json()).items;
  const handled = new Set();
  for (const item of waitingItems) {
    const request = await (await supervisor.request.get(`/api/v1/requests/${item.request_id}`)).json();
    if (request.assignee_unit_id !== null) handled.add(item.id);
  }
  const rows = page.locator('#callback-queue tbody tr a');
  let pick = null;
  for (let i = 0; i < (await rows.count()) && !pick; i++) {
    const item = Number((await rows.nth(i).getAttribute('href')).split('/').pop());
    if (handled.has(item)) pick = rows.nth(i);
  }
  assert.ok(pick, 'the sample holds a request a unit handled');
  await Promise.all([page.waitForNavigation(), pick.click()]);
  const workspace = page.url();
  const phone = (await page.locator('#callback-phone').innerText()).trim();
  assert.match(phone, /^1[3-9]\d{9}$/, 'the real number, to dial');
  const requestLink = await page.locator('main h2 a').first().getAttribute('href');

  // Nobody answers: tried again later.
  await page.fill('#missed-note', '无人接听');
  await submit(page, page.locator('#not-reached-form'));
  assert.equal(await page.locator('#callback-state').getAttribute('data-state'), 'retry');
  assert.match(await page.locator('#calls').innerText(), /未接通/);

  // Reached: from the public, measures known, but the result never fed back.
  for (const [question, answer] of [['from_public', 'yes'], ['measures_known', 'yes'], ['result_fed_back', 'no'], ['satisfied', 'yes']]) {
    await page.check(`#question-${question} input[value=${answer}]`);
  }
  await page.fill('#note', '诉求人表示没有人告诉过他处理结果');
  await saveScreenshot(page, 'callback');
  await submit(page, page.locator('#reached-form'));
  assert.equal(await page.locator('#callback-state').getAttribute('data-state'), 'reached');
  assert.equal(await page.locator('#reached-form').count(), 0, 'a finished callback takes no more calls');
  assert.ok(page.url().startsWith(workspace.split('?')[0]));

  // The rework order, sent to the unit that handled the request.
  await Promise.all([page.waitForNavigation(), page.locator('#rework-order').click()]);
  const order = page.url();
  assert.equal(await page.locator('#order-status').getAttribute('data-status'), 'open');
  assert.match(await page.locator('#order-reason').innerText(), /结果已反馈？否/);
  const unitId = Number(await page.locator('#order-unit').getAttribute('data-unit-id'));

  // Elsewhere the supervisor sees the number masked.
  await page.goto(requestLink);
  assert.match(await page.locator('#phone').innerText(), /\*\*\*\*/);
  assert.match(await page.locator('#timeline').innerText(), /回炉/);

  // The unit's handler answers in writing.
  const handler = await loggedInContext(browser(), url, await handlerOf(supervisor, unitId));
  t.after(() => handler.close());
  const unit = await handler.newPage();
  await unit.goto(order);
  await unit.fill('#answer', '已上门向诉求人反馈办理结果，诉求人表示认可');
  await submit(unit, unit.locator('#answer-form'));
  assert.equal(await unit.locator('#order-status').getAttribute('data-status'), 'answered');

  // 销号 waits until the request is resolved again: the page says so.
  await page.goto(order);
  assert.equal(await page.locator('#close-form').count(), 0);
  assert.match(await page.locator('#rework-unfinished').innerText(), /重新办结/);

  // The handler resolves it again on the request's page, by the rework's own deadline.
  await unit.goto(requestLink);
  const resolve = unit.locator('#action-resolve');
  await resolve.locator('textarea[name=reply]').fill('已上门当面向诉求人反馈办理结果');
  await resolve.locator('input[name=contacted]').first().check();
  await submit(unit, resolve);
  assert.equal(await unit.locator('#action-error').count(), 0, await unit.locator('main').innerText());
  assert.match(await unit.locator('#status').innerText(), /已办结/);

  // The supervisor accepts the answer and closes the order.
  await page.goto(order);
  await page.fill('#close-note', '经再次回访核实');
  await submit(page, page.locator('#close-form'));
  assert.equal(await page.locator('#order-status').getAttribute('data-status'), 'closed');
  await page.goto(requestLink);
  const timeline = await page.locator('#timeline').innerText();
  for (const step of ['抽中回访', '回访', '回炉', '单位答复', '督查销号']) assert.ok(timeline.includes(step), step);
});
