// The dispatch desk on the demo data: every waiting request shows what intake suggested —
// category, unit, confidence and the words behind it — and the requests it may duplicate;
// the dispatcher accepts a suggestion in one click and merges a duplicate in another.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { loggedInContext, saveScreenshot, useBrowser } from './lib/browser.js';
import { communityHandler } from './lib/requests.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

/** The request id of a desk row's id attribute (`suggested-42` → 42). */
const idOf = (attribute) => Number(attribute.split('-').pop());

test('a dispatcher accepts a suggestion in one click and merges a duplicate', async (t) => {
  const context = await loggedInContext(browser(), url, 'dispatcher', { viewport: { width: 1440, height: 1000 } });
  t.after(() => context.close());
  const desk = await context.newPage();
  const errors = [];
  desk.on('pageerror', (error) => errors.push(error.message));
  await desk.goto('/work/dispatch');

  // The demo's waiting requests come with suggestions, and some with duplicates.
  const suggested = desk.locator('tr.suggested');
  assert.ok((await suggested.count()) > 0, 'the desk shows suggestions');
  assert.ok((await desk.locator('.suggestion form.accept').count()) > 0, 'a suggestion can be accepted');
  const duplicates = desk.locator('li.duplicate');
  assert.ok((await duplicates.count()) > 0, 'the desk shows possible duplicates');
  const firstDuplicate = duplicates.first();
  assert.match(await firstDuplicate.innerText(), /相似度 \d+%/);
  assert.equal(await firstDuplicate.locator('a[href^="/work/requests/"]').count(), 1, 'the duplicate is a link');
  assert.match(await desk.locator('.suggestion').first().innerText(), /置信度 \d+%/);
  await saveScreenshot(desk, 'desk');

  // Accept a suggestion on a row without duplicates (the merge below takes another).
  const rows = await suggested.evaluateAll((trs) =>
    trs.map((tr) => ({ id: tr.id, accept: !!tr.querySelector('form.accept'), duplicates: tr.querySelectorAll('li.duplicate').length })),
  );
  const target = rows.find((r) => r.accept && r.duplicates === 0) ?? rows.find((r) => r.accept);
  const id = idOf(target.id);
  const form = desk.locator(`#${target.id} form.accept`);
  const unit = await form.locator('input[name=unit_id]').getAttribute('value');
  await form.getByRole('button').click();
  await desk.waitForURL(/\/work\/dispatch\?.*sent=\d+/);
  assert.equal(await desk.locator(`#waiting-${id}`).count(), 0, 'it left the desk');
  const dispatched = await (await context.request.get(`/api/v1/requests/${id}`)).json();
  assert.equal(dispatched.status, 'dispatched');
  assert.equal(String(dispatched.assignee_unit_id), unit, 'dispatched to the suggested unit');
  assert.equal(String(dispatched.suggestion.unit_id), unit);

  // Merge a duplicate: the browser asks first, then the request joins the earlier one.
  const withDuplicate = desk.locator('tr.suggested:has(li.duplicate)').first();
  if ((await withDuplicate.count()) === 0) return t.skip('no duplicate left after the accept');
  const child = idOf(await withDuplicate.getAttribute('id'));
  const merge = withDuplicate.locator('form.merge').first();
  const parent = Number(await merge.locator('input[name=into]').getAttribute('value'));
  let asked = '';
  desk.once('dialog', (dialog) => {
    asked = dialog.message();
    dialog.accept();
  });
  await merge.getByRole('button').click();
  await desk.waitForURL('**/work/dispatch');
  assert.match(asked, /合并/, 'the merge was confirmed first');
  const merged = await (await context.request.get(`/api/v1/requests/${child}`)).json();
  assert.equal(merged.status, 'merged');
  assert.equal(merged.merged_into, parent);
  assert.deepEqual(errors, []);
});

test('a dispatcher names co-units on the desk and a co-unit finds the work', async (t) => {
  const context = await loggedInContext(browser(), url, 'dispatcher', { viewport: { width: 1440, height: 1000 } });
  t.after(() => context.close());
  const desk = await context.newPage();
  await desk.goto('/work/dispatch');
  const row = desk.locator('tr[id^="waiting-"]').first();
  const id = idOf(await row.getAttribute('id'));
  const form = row.locator('form').first();
  const lead = await form.locator('select[name=unit_id]').inputValue();

  // 主办 as chosen, and two communities to help (协办), from the row's multiple select.
  const { items: units } = await (await context.request.get('/api/v1/units')).json();
  const helpers = units.filter((u) => u.kind === 'community' && String(u.id) !== lead).slice(0, 2);
  await form.locator('details.co-units summary').click();
  await form.locator('select[name=co_unit_ids]').selectOption(helpers.map((u) => String(u.id)));
  await form.getByRole('button', { name: '派单' }).click();
  await desk.waitForURL(/\/work\/dispatch\?.*sent=\d+/);
  const dispatched = await (await context.request.get(`/api/v1/requests/${id}`)).json();
  assert.equal(String(dispatched.assignee_unit_id), lead);
  assert.deepEqual(dispatched.co_unit_ids, helpers.map((u) => u.id));

  // The first helper's handler finds it in the 协办 queue and on the request page.
  const helper = await loggedInContext(browser(), url, await communityHandler(context, helpers[0].id));
  t.after(() => helper.close());
  const work = await helper.newPage();
  await work.goto('/work?queue=co_unit');
  await work.getByRole('link', { name: dispatched.number }).click();
  await work.waitForURL(`**/work/requests/${id}`);
  assert.match(await work.locator('#co-units').innerText(), new RegExp(helpers[0].name));
});
