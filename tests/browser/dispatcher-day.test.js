// A dispatcher's day at a desk and on a phone: the unit picker is grouped by level and
// found by name, names are whole at 200% zoom; a dispatch with instructions comes back
// where it was with a line saying what went to whom, and the receiving unit reads the
// instructions on the request page; requests that waited long are marked, and the page
// says after how long.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertAccessible } from './lib/a11y.js';
import { loggedInContext, PHONE, saveScreenshot, useBrowser } from './lib/browser.js';
import { communityHandler } from './lib/requests.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

const DESKTOP = { viewport: { width: 1366, height: 900 } };

/** The request id of a desk row's id attribute (`waiting-42` → 42). */
const idOf = (attribute) => Number(attribute.split('-').pop());

test('a dispatcher finds a unit by name, dispatches with instructions and stays in place', async (t) => {
  const context = await loggedInContext(browser(), url, 'dispatcher', DESKTOP);
  t.after(() => context.close());
  const desk = await context.newPage();
  const errors = [];
  desk.on('pageerror', (error) => errors.push(error.message));
  await desk.goto('/work/dispatch');
  await assertAccessible(desk, assert, 'the dispatch desk');

  // The picker is grouped: departments, subdistricts and towns, each one's communities.
  const rows = desk.locator('tr[id^="waiting-"]');
  assert.ok((await rows.count()) >= 3, 'the demo desk has requests waiting');
  const groups = await rows.first().locator('select[name=unit_id] optgroup').evaluateAll((gs) => gs.map((g) => g.label));
  assert.equal(groups[0], '区直部门');
  assert.equal(groups[1], '街道、镇');
  assert.ok(groups.slice(2).every((g) => g.endsWith('的社区、村')), groups.join(' | '));
  assert.ok(groups.length > 3);

  // The third row: found by typing part of a community's name.
  const row = rows.nth(2);
  const id = idOf(await row.getAttribute('id'));
  const { number } = await (await context.request.get(`/api/v1/requests/${id}`)).json();
  const { items: units } = await (await context.request.get('/api/v1/units')).json();
  const community = units.filter((u) => u.kind === 'community')[3];
  await row.locator('input[data-filter]').fill(community.name);
  const visible = await row
    .locator('select[name=unit_id] option')
    .evaluateAll((os) => os.filter((o) => !o.hidden).map((o) => o.textContent));
  assert.deepEqual(visible, [community.name], 'typing the name leaves that unit alone');
  assert.equal(await row.locator('select[name=unit_id]').inputValue(), String(community.id), 'and chooses it');
  const instructions = '请先电话联系诉求人核实具体位置，再安排人员到场。';
  await row.getByLabel('派单说明').fill(instructions);
  await row.getByRole('button', { name: '派单', exact: true }).click();
  await desk.waitForURL(/\/work\/dispatch\?.*#sent$/);

  // What went to whom, where the row was; the page did not jump to the top.
  const sent = desk.locator('#sent');
  assert.equal((await sent.innerText()).trim(), `已将 ${number} 派给 ${community.name}`);
  const box = await sent.boundingBox();
  assert.ok(box.y >= 0 && box.y < 900, `the confirmation is in view (${box.y})`);
  assert.ok((await desk.evaluate(() => window.scrollY)) > 0, 'the page kept its place down the list');
  assert.equal(await desk.locator(`#waiting-${id}`).count(), 0, 'the request left the desk');
  await assertAccessible(desk, assert, 'the desk after a dispatch');

  // The instructions are in the audit event and on the unit's request page.
  const dispatched = await (await context.request.get(`/api/v1/requests/${id}`)).json();
  assert.equal(dispatched.assignee_unit_id, community.id);
  const event = dispatched.timeline.filter((e) => e.action === 'dispatch').pop();
  assert.equal(event.note, instructions);
  const handler = await loggedInContext(browser(), url, await communityHandler(context, community.id), DESKTOP);
  t.after(() => handler.close());
  const work = await handler.newPage();
  await work.goto(`/work/requests/${id}`);
  assert.match(await work.locator('#timeline').innerText(), new RegExp(instructions));
  assert.deepEqual(errors, []);
});

test('the desk marks long waits and says after how many working hours', async (t) => {
  const context = await loggedInContext(browser(), url, 'dispatcher', DESKTOP);
  t.after(() => context.close());
  const desk = await context.newPage();
  await desk.goto('/work/dispatch');
  assert.match(await desk.locator('#long-wait-note').innerText(), /超过 4 个工作小时（工作日 9:00–17:00 计）仍未派单/);
  const waits = await desk.locator('tr[id^="waiting-"]').evaluateAll((trs) =>
    trs.map((tr) => ({
      hours: Number(tr.querySelector('td.waited').textContent.trim().split(' ')[0]),
      marked: tr.classList.contains('long-wait') && !!tr.querySelector('td.waited .badge'),
    })),
  );
  assert.ok(waits.length > 0);
  for (const w of waits) assert.equal(w.marked, w.hours >= 4, JSON.stringify(w));
  assert.ok(waits.some((w) => w.marked), 'the demo has requests that waited long');
  await saveScreenshot(desk, 'dispatcher-desktop', { fullPage: false });
});

test('unit names stay whole at 200% zoom and on a phone', async (t) => {
  // 1366 px at 200% is 683 CSS pixels across.
  for (const [name, options] of [
    ['zoom', { viewport: { width: 683, height: 450 }, deviceScaleFactor: 2 }],
    ['phone', PHONE],
  ]) {
    const context = await loggedInContext(browser(), url, 'dispatcher', options);
    t.after(() => context.close());
    const desk = await context.newPage();
    await desk.goto('/work/dispatch');
    const width = options.viewport.width;
    assert.ok((await desk.evaluate(() => document.documentElement.scrollWidth)) <= width, `${name}: no sideways scroll`);
    const fit = await desk.locator('select[name=unit_id]').first().evaluate((select) => {
      const context2d = document.createElement('canvas').getContext('2d');
      context2d.font = getComputedStyle(select).font;
      const longest = Math.max(...[...select.options].map((o) => context2d.measureText(o.textContent).width));
      return { longest, room: select.clientWidth - 28 };
    });
    assert.ok(fit.longest <= fit.room, `${name}: the longest unit name (${fit.longest}px) fits (${fit.room}px)`);
    await assertAccessible(desk, assert, `the desk (${name})`);
    if (name === 'phone') await saveScreenshot(desk, 'dispatcher-phone', { fullPage: false });
  }
});
