// The intake desk (受理台) on the demo data, keyboard only, as a hotline operator takes
// five calls in a row: an ordinary complaint; the same caller again, recognised by the
// number and counted as a repeat call; a consultation answered at once; a neighbour about
// the same problem, found among the possible duplicates and counted on it too; and a call
// saved with Enter before its place was chosen, which comes back with everything typed.
// Each call takes at most 8 actions: a field typed and left with Tab is one, a key is one.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertAccessible } from './lib/a11y.js';
import { loggedInContext, PHONE, saveScreenshot, useBrowser } from './lib/browser.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);
const DESKTOP = { viewport: { width: 1280, height: 800 } };

/** Mobile numbers no demo requester has: 199, then the time, then the caller's digit. */
const stamp = String(Date.now()).slice(-7);
const numberOf = (caller) => `199${stamp}${caller}`;
/** An estate's name of this run, so that its lamp is not another run's. */
const FLOWERS = ['紫藤', '海棠', '丁香', '玉兰', '木槿', '合欢', '凌霄', '石榴'];
const estate = `${[...stamp.slice(-3)].map((d) => FLOWERS[Number(d) % 8]).join('')}花园`;

/** Counts what the operator does: a field typed and left, or a key. */
function keyboard(page) {
  const done = { actions: 0 };
  return {
    done,
    /** Types into the focused field and moves on with Tab: one action. */
    fill: async (text) => {
      await page.keyboard.type(text);
      await page.keyboard.press('Tab');
      done.actions += 1;
    },
    /** Types into the focused field and stays: one action. */
    type: async (text) => {
      await page.keyboard.type(text);
      done.actions += 1;
    },
    press: async (key) => {
      await page.keyboard.press(key);
      done.actions += 1;
    },
    /** Starts counting a new call. */
    next: () => {
      done.actions = 0;
    },
  };
}

const focused = (page) => page.evaluate(() => document.activeElement.id);

/** The desk again, empty, the caret in the number: ready for the next call. */
async function nextCall(page) {
  await page.waitForURL(/\/work\/intake\?channel=hotline$/);
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'phone');
}

/** A village of the operator's scope that its name alone picks in the place box. */
async function villageOf(page) {
  const names = await page.locator('#unit_id option').allInnerTexts();
  const village = names.find((n) => n.endsWith('村') && names.filter((m) => m.includes(n)).length === 1);
  assert.ok(village, 'the demo district has a village');
  return village;
}

test('an operator takes five calls by keyboard alone, at most 8 actions each', async (t) => {
  const context = await loggedInContext(browser(), url, 'operator', DESKTOP);
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const keys = keyboard(page);
  const { fill, type, press } = keys;

  // The desk is the operator's first link, and opens on the caller's number.
  await page.goto('/work');
  const first = page.locator('header.top a').nth(1);
  assert.equal(await first.getAttribute('id'), 'nav-intake');
  await page.goto('/work/intake');
  assert.equal(await focused(page), 'phone');
  assert.equal(await page.inputValue('#kind'), '', 'no kind is chosen for the operator');
  const village = await villageOf(page);
  await assertAccessible(page, assert, 'the intake desk');

  // 1. A complaint from a new caller: number, kind by its digit, title, details, place,
  // the suggested category with Alt+S, Enter. Then Enter for the next call.
  keys.next();
  await fill(numberOf(1));
  await page.locator('#caller-new').waitFor();
  assert.equal(await focused(page), 'kind', 'Tab goes from the number straight to the call');
  await fill('3');
  assert.equal(await page.inputValue('#kind'), 'complaint');
  await fill(`${estate}7栋东侧路灯不亮`);
  await fill(`${estate}7栋东侧的路灯坏了半个月，晚上老人出门看不见路，请尽快修好。`);
  assert.equal(await focused(page), 'place-filter', 'the answer box is for consultations only');
  await type(village);
  assert.notEqual(await page.inputValue('#unit_id'), '', 'the place is chosen by its name');
  const suggestion = page.locator('#desk-suggestion');
  await suggestion.waitFor();
  const category = await suggestion.getAttribute('data-category');
  assert.ok(category, 'the routing suggestion names a category');
  await press('Alt+S');
  assert.equal(await page.inputValue('#desk-category'), category);
  await press('Enter');
  await page.locator('#tracking-code').waitFor();
  assert.equal(await page.locator('#saved-title').innerText(), '已受理');
  assert.equal(await page.locator('#saved-status').innerText(), '待派单');
  const lamp = (await page.locator('#number').innerText()).trim();
  assert.match((await page.locator('#tracking-code').innerText()).trim(), /^[0-9A-Z]{10}$/);
  assert.equal(await focused(page), 'next-call', 'the next call is one key away');
  await saveScreenshot(page, 'intake-desk-saved');
  await press('Enter');
  await nextCall(page);
  t.diagnostic(`call 1: ${keys.done.actions} actions`);
  assert.ok(keys.done.actions <= 8, `call 1 took ${keys.done.actions} actions`);
  const lampId = (await (await context.request.get(`/api/v1/requests?q=${encodeURIComponent(`${estate}7栋东侧路灯`)}`)).json()).items[0].id;

  // 2. The same caller again: recognised by the number, the call is counted on the
  // open request with Alt+R and what they said.
  keys.next();
  assert.equal(await focused(page), 'phone');
  await type(numberOf(1));
  await page.locator('#caller-known').waitFor();
  assert.match(await page.locator('#caller-known').innerText(), /此前在本辖区反映过 1 件/);
  await page.locator(`#callers [data-repeat="${lampId}"]`).waitFor();
  await press('Alt+R');
  assert.equal(await focused(page), 'repeat-note');
  assert.equal(await page.inputValue('#repeat-of'), String(lampId));
  await type('路灯还是不亮，第二次打来');
  await press('Enter');
  await page.locator('#repeat-count').waitFor();
  assert.equal(await page.locator('#repeat-count').innerText(), '这件诉求已重复来电 1 次，没有新建诉求。');
  assert.equal(await page.locator('#tracking-code').count(), 0, 'an earlier code is never shown again');
  await press('Enter');
  await nextCall(page);
  t.diagnostic(`call 2: ${keys.done.actions} actions`);
  assert.ok(keys.done.actions <= 8, `call 2 took ${keys.done.actions} actions`);

  // 3. A consultation answered at once: the answer box opens for the kind, and saving
  // resolves it with the answer.
  keys.next();
  await fill(numberOf(2));
  await page.locator('#caller-new').waitFor();
  await fill('1');
  assert.equal(await page.inputValue('#kind'), 'consult');
  await fill('老年人乘车卡在哪里办理');
  await fill('家里老人满65岁了，想问问老年人乘车卡去哪里办，要带什么材料。');
  assert.equal(await focused(page), 'answer', 'a consultation goes on to its answer');
  const answer = '带身份证和一寸照片到村便民服务站办理，当场受理，7个工作日后领卡。';
  await fill(answer);
  await type(village);
  await press('Enter');
  await page.locator('#tracking-code').waitFor();
  assert.equal(await page.locator('#saved-title').innerText(), '已即时办结');
  assert.equal(await page.locator('#saved-status').innerText(), '已办结（待评价）');
  const consultId = Number((await page.locator('#saved-request').getAttribute('href')).split('/').pop());
  await press('Enter');
  await nextCall(page);
  t.diagnostic(`call 3: ${keys.done.actions} actions`);
  assert.ok(keys.done.actions <= 8, `call 3 took ${keys.done.actions} actions`);

  // 4. A neighbour about the same lamp: the possible duplicates show the open request,
  // and Alt+R counts the call on it, with the details as its note.
  keys.next();
  await fill(numberOf(3));
  await page.locator('#caller-new').waitFor();
  await fill('3');
  await fill(`${estate}7栋东侧路灯坏了`);
  await fill(`${estate}7栋东侧路灯一直不亮，晚上很黑，请派人来修路灯。`);
  await type(village);
  await page.locator(`#desk-duplicates [data-repeat="${lampId}"]`).waitFor();
  await saveScreenshot(page, 'intake-desk');
  await press('Alt+R');
  assert.equal(await page.inputValue('#repeat-of'), String(lampId), 'the first open duplicate');
  assert.match(await page.inputValue('#repeat-note'), /路灯一直不亮/);
  await press('Enter');
  await page.locator('#repeat-count').waitFor();
  assert.equal(await page.locator('#repeat-count').innerText(), '这件诉求已重复来电 2 次，没有新建诉求。');
  await press('Enter');
  await nextCall(page);
  t.diagnostic(`call 4: ${keys.done.actions} actions`);
  assert.ok(keys.done.actions <= 8, `call 4 took ${keys.done.actions} actions`);

  // 5. Enter before the place is chosen: the form comes back with the refusal beside
  // the place, everything typed kept, the caret in the place box.
  keys.next();
  await fill(numberOf(4));
  await page.locator('#caller-new').waitFor();
  await fill('2');
  await fill(`${estate}独居老人家中水管爆裂`);
  await fill('隔壁独居老人家里水管爆了，水流到楼道里，老人自己处理不了。');
  await press('Enter');
  await page.locator('#error-unit_id').waitFor();
  assert.equal(await page.locator('#error-unit_id').innerText(), '请选择问题所在地');
  assert.equal(await page.inputValue('#phone'), numberOf(4));
  assert.equal(await page.inputValue('#kind'), 'help');
  assert.equal(await page.inputValue('#title'), `${estate}独居老人家中水管爆裂`);
  assert.match(await page.inputValue('#content'), /水流到楼道里/);
  assert.equal(await focused(page), 'place-filter');
  await type(village);
  await press('Enter');
  await page.locator('#tracking-code').waitFor();
  assert.equal(await page.locator('#saved-title').innerText(), '已受理');
  await press('Enter');
  await nextCall(page);
  t.diagnostic(`call 5: ${keys.done.actions} actions`);
  assert.ok(keys.done.actions <= 8, `call 5 took ${keys.done.actions} actions`);

  // What the five calls left: three requests, the lamp with two repeat calls and its
  // state unchanged, the consultation answered with the operator's words.
  const lampNow = await (await context.request.get(`/api/v1/requests/${lampId}`)).json();
  assert.equal(lampNow.number, lamp);
  assert.equal(lampNow.repeat_calls, 2);
  assert.equal(lampNow.status, 'pending_dispatch');
  assert.equal(lampNow.channel, 'hotline');
  const calls = lampNow.timeline.filter((e) => e.action === 'repeat-call');
  assert.equal(calls.length, 2);
  const consult = await (await context.request.get(`/api/v1/requests/${consultId}`)).json();
  assert.equal(consult.status, 'resolved');
  assert.equal(consult.reply, answer);
  const mine = await (await context.request.get(`/api/v1/requests?q=${encodeURIComponent(`${estate}独居老人家中水管爆裂`)}`)).json();
  assert.equal(mine.items.length, 1, 'the refused save made nothing; the second made one');
  assert.deepEqual(errors, []);
});

test('on a phone the desk is one column: the caller and their earlier requests first', async (t) => {
  const context = await loggedInContext(browser(), url, 'operator', PHONE);
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/work/intake');
  // A resident's request: rectifications found by inspectors have no caller to recognise.
  const { items: all } = await (await context.request.get('/api/v1/requests?status=in_progress&limit=50')).json();
  const items = all.filter((r) => r.channel !== 'inspection' && /^\d{5,20}$/.test(r.requester?.phone ?? ''));
  assert.ok(items.length > 0, 'an in-progress request from a resident with a number');
  await page.locator('#phone').fill(items[0].requester.phone);
  await page.locator('#caller-known').waitFor();
  await page.locator('#kind').selectOption('complaint');
  await page.locator('#title').fill(items[0].title);
  await page.locator('#content').fill(`${items[0].title}，又来反映`);
  await page.locator('#suggestion-box').waitFor();
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(fits, 'nothing runs off the side of the phone');
  const caller = await page.locator('section.caller').boundingBox();
  const call = await page.locator('section.call').boundingBox();
  assert.ok(caller.y + caller.height <= call.y, 'the caller above the call');
  await assertAccessible(page, assert, 'the desk on a phone');
  await saveScreenshot(page, 'intake-desk-phone');

  // A word finds its categories, each under its parents; arrows and Enter take one.
  await page.locator('#desk-category').fill('噪音');
  const matches = page.locator('#desk-category-matches');
  await matches.locator('button.match').first().waitFor();
  assert.ok((await matches.locator('p.group').count()) > 0, 'grouped under their parents');
  const noise = matches.locator('button.match', { hasText: '噪音污染' }).first();
  const path = await noise.getAttribute('data-path');
  assert.match(path, / \/ 噪音污染$/);
  await page.locator('#desk-category').focus();
  await page.keyboard.press('ArrowDown');
  while ((await page.evaluate(() => document.activeElement.dataset.path)) !== path) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  assert.equal(await page.inputValue('#desk-category'), path);
  assert.ok(await matches.isHidden());
});
