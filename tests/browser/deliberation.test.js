// 小板凳议事会 in a browser. A resident on a phone puts a wish forward from the portal's
// home, the community cadre calls and confirms it (no SMS gateway on the shared server),
// and a neighbour supports it; a community cadre records a meeting with a photo and two
// decisions — one adopted, becoming work at the chosen unit with the person and the
// deadline, one declined with its reason — and the declined proposal's public page shows
// the reason; the 共同缔造 page shows its five stages with figures. On a server with an
// SMS gateway, a resident confirms the number by the code texted to it. Every page is
// photographed on a phone and on a desktop.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';

import { assertAccessible } from './lib/a11y.js';
import { PHONE, loggedInContext, saveScreenshot, useBrowser } from './lib/browser.js';
import { serverUrl, startServer } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);
const DESKTOP = { viewport: { width: 1280, height: 800 } };
// A 2×2 red PNG: the meeting's photo.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==',
  'base64',
);

/** A resident's browser: no account. */
async function residentContext(options) {
  return browser().newContext({ baseURL: url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options });
}

/** The community of the demo's cadre `handler_c001`, read from their page. */
async function cadreUnit(page) {
  await page.goto('/work/deliberation');
  return new URL(await page.locator('#new-meeting').getAttribute('href'), url).searchParams.get('unit');
}

/** Puts a proposal forward through the form on `page`; without an SMS gateway it waits
 *  for the community's cadre, who confirms it on `cadre` (their page). Returns its id. */
async function propose(page, cadre, { unit, kind = 'suggestion', title, content, phone }) {
  await page.goto(`/proposals/new?unit=${unit}`);
  if (kind === 'wish') await page.locator('input[name=kind][value=wish]').check();
  await page.locator('#title').fill(title);
  await page.locator('#content').fill(content);
  await page.locator('#name').fill('王阿姨');
  await page.locator('#phone').fill(phone);
  await page.locator('#send').click();
  await page.waitForURL(/\/communities\/\d+\?done=waiting$/);
  return confirm(cadre, unit, title);
}

/** The cadre confirms the waiting proposal called `title`; returns its id. */
async function confirm(cadre, unit, title) {
  await cadre.goto(`/work/deliberation?unit=${unit}`);
  const entry = cadre.locator('#waiting li', { hasText: title });
  const id = Number((await entry.getAttribute('id')).replace('waiting-', ''));
  await entry.locator(`#confirm-${id}`).click();
  await cadre.waitForURL(/done=confirmed$/);
  return id;
}

test('a resident on a phone puts a wish forward, the cadre confirms it, and a neighbour supports it', async (t) => {
  const context = await residentContext(PHONE);
  t.after(() => context.close());
  const page = await context.newPage();
  const word = `扶手${Date.now() % 100000}`;
  const staff = await loggedInContext(browser(), url, 'handler_c001', PHONE);
  t.after(() => staff.close());
  const cadre = await staff.newPage();
  const unit = await cadreUnit(cadre);

  await page.goto('/');
  await page.locator('#home-proposals').click();
  await page.waitForURL(/\/proposals$/);
  await saveScreenshot(page, 'proposals-index-phone');
  await page.locator('#propose').click();
  await page.waitForURL(/\/proposals\/new$/);

  // A missing number is said in Chinese, and what was typed stays.
  await page.locator('input[name=kind][value=wish]').check();
  await page.locator('#unit_id').selectOption(unit);
  await page.locator('#title').fill(`楼道装${word}`);
  await page.locator('#content').fill('三号楼楼道没有扶手，老人上下楼不方便。');
  await page.locator('#phone').fill('12');
  await page.locator('#send').click();
  assert.match(await page.locator('#form-error').innerText(), /手机号码/);
  assert.equal(await page.locator('#title').inputValue(), `楼道装${word}`);
  await saveScreenshot(page, 'proposal-submit-error-phone');
  await assertAccessible(page, assert);

  // Sent, it waits for the cadre's call: the resident is told so, the list does not show it.
  await page.locator('#phone').fill('13800007001');
  await page.locator('#send').click();
  await page.waitForURL(/\/communities\/\d+\?done=waiting$/);
  assert.match(await page.locator('#notice').innerText(), /打电话/);
  assert.doesNotMatch(await page.locator('main').innerText(), new RegExp(word));
  await saveScreenshot(page, 'proposal-waiting-phone');
  // The cadre sees it with the number to call, and confirms it.
  await cadre.goto(`/work/deliberation?unit=${unit}`);
  assert.match(await cadre.locator('#waiting').innerText(), /13800007001/);
  await saveScreenshot(cadre, 'deliberation-waiting-phone');
  await assertAccessible(cadre, assert);
  const id = await confirm(cadre, unit, `楼道装${word}`);
  assert.match(await cadre.locator('#notice').innerText(), /已公开/);
  await page.goto(`/proposals/${id}?done=submitted`);
  assert.match(await page.locator('#notice').innerText(), /已提交/);
  assert.equal(await page.locator('#kind').innerText(), '微心愿');
  assert.equal(await page.locator('#support-count').innerText(), '0');

  // A neighbour opens the shared page and supports it; the same number twice counts once.
  const neighbour = await residentContext(PHONE);
  t.after(() => neighbour.close());
  const other = await neighbour.newPage();
  await other.goto(`/proposals/${id}`);
  await other.locator('#support-phone').fill('13700007002');
  await other.locator('#support').click();
  await other.waitForURL(/done=supported/);
  assert.match(await other.locator('#notice').innerText(), /附议成功/);
  assert.equal(await other.locator('#support-count').innerText(), '1');
  await other.locator('#support-phone').fill('13700007002');
  await other.locator('#support').click();
  await other.waitForURL(/done=again/);
  assert.equal(await other.locator('#support-count').innerText(), '1');
  await other.locator('#comment-body').fill('我家老人也需要，支持！');
  await other.locator('#comment-phone').fill('13700007002');
  await other.locator('#send-comment').click();
  await other.waitForURL(/done=commented/);
  assert.match(await other.locator('#comments').innerText(), /我家老人也需要/);
  const text = await other.locator('main').innerText();
  assert.doesNotMatch(text, /1380000|1370000/, 'no phone number is shown');
  await saveScreenshot(other, 'proposal-phone');
  await assertAccessible(other, assert);

  // The community's page lists it.
  await other.locator('#community').click();
  await other.waitForURL(/\/communities\/\d+$/);
  assert.match(await other.locator('#proposal-list').innerText(), new RegExp(word));
  await saveScreenshot(other, 'community-proposals-phone');
  await assertAccessible(other, assert);
});

test('a community cadre records a meeting with two decisions, and the declined one shows its reason', async (t) => {
  const context = await loggedInContext(browser(), url, 'handler_c001', PHONE);
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/work');
  assert.equal(await page.locator('#nav-deliberation').count(), 1, 'the staff menu leads to the meetings');
  await page.goto('/work/deliberation');
  const unit = new URL(await page.locator('#new-meeting').getAttribute('href'), url).searchParams.get('unit');

  // Two proposals of the cadre's community, put forward on the portal and confirmed.
  const resident = await residentContext(PHONE);
  t.after(() => resident.close());
  const portal = await resident.newPage();
  const word = `议${Date.now() % 100000}`;
  const cadre = await context.newPage();
  const adopted = await propose(portal, cadre, { unit, title: `修路灯${word}`, content: '5栋后面的路灯坏了一个月。', phone: '13800007101' });
  const declined = await propose(portal, cadre, { unit, title: `门口放长椅${word}`, content: '希望在小区门口放两张长椅。', phone: '13800007102' });

  // The meeting, recorded on the phone.
  await page.goto(`/work/deliberation?unit=${unit}`);
  await saveScreenshot(page, 'deliberation-staff-phone');
  await page.locator('#new-meeting').click();
  await page.waitForURL(/\/meetings\/new/);
  await page.locator('#place').fill('社区活动室');
  await page.locator('#topic').fill(`五月议事会${word}`);
  await page.locator('#participants').fill('居民代表10人，社区书记，党员2人');
  await page.locator('#minutes').fill('路灯马上修；门口是消防通道，不放长椅。');
  await page.locator(`#agenda input[value="${adopted}"]`).check();
  await page.locator(`#agenda input[value="${declined}"]`).check();
  // The community's 下沉党员 took part, and a photo was taken.
  if (await page.locator('#volunteers input').count()) await page.locator('#volunteers input').first().check();
  await page.locator('#photos').setInputFiles({ name: 'meeting.png', mimeType: 'image/png', buffer: PNG });
  await saveScreenshot(page, 'meeting-new-phone');
  await assertAccessible(page, assert);
  await page.locator('#save-meeting').click();
  await page.waitForURL(/\/work\/deliberation\/meetings\/\d+$/);
  assert.equal(await page.locator('#photos img').count(), 1, 'the photo is kept');
  await saveScreenshot(page, 'meeting-decide-phone');
  await assertAccessible(page, assert);

  // Adopted, with the unit, the person and the deadline offered.
  const first = page.locator(`#p${adopted}`);
  await first.locator('input[name=decision][value=adopt]').check();
  await first.getByRole('button', { name: '保存决定' }).click();
  await page.waitForURL(new RegExp(`#p${adopted}$`));
  assert.match(await page.locator(`#p${adopted}`).innerText(), /采纳，转为工单办理/);

  // Declined: without a reason it is refused in Chinese; with one it is kept.
  const second = page.locator(`#p${declined}`);
  await second.locator('input[name=decision][value=decline]').check();
  await second.getByRole('button', { name: '保存决定' }).click();
  assert.match(await page.locator(`#p${declined} .error`).innerText(), /请填写理由/);
  await page.locator(`#p${declined} input[name=decision][value=decline]`).check();
  await page.locator(`#p${declined} textarea[name=reason]`).fill('小区门口是消防通道，不能放长椅；已在花园里加了两张。');
  await page.locator(`#p${declined}`).getByRole('button', { name: '保存决定' }).click();
  await page.waitForURL(new RegExp(`#p${declined}$`));
  assert.match(await page.locator(`#p${declined}`).innerText(), /不予采纳[\s\S]*消防通道/);
  await saveScreenshot(page, 'meeting-decided-phone');

  // The same meeting on a desktop.
  const desk = await loggedInContext(browser(), url, 'handler_c001', DESKTOP);
  t.after(() => desk.close());
  const wide = await desk.newPage();
  await wide.goto(page.url());
  await saveScreenshot(wide, 'meeting-decided-desktop');
  await wide.goto(`/work/deliberation?unit=${unit}`);
  await saveScreenshot(wide, 'deliberation-staff-desktop');

  // Residents read the reason on the declined proposal, and follow the adopted one.
  await portal.goto(`/proposals/${declined}`);
  assert.match(await portal.locator('#status').innerText(), /未采纳/);
  assert.match(await portal.locator('#decline-reason').innerText(), /消防通道/);
  assert.equal(await portal.locator('#support-form').count(), 0, 'no more supports once decided');
  await saveScreenshot(portal, 'proposal-declined-phone');
  await portal.goto(`/proposals/${adopted}`);
  assert.match(await portal.locator('#status').innerText(), /已采纳/);
  // Adopted to the community and taken on by the cadre at the meeting, due the day set.
  assert.match(await portal.locator('#work-state').innerText(), /正在办理/);
  assert.equal(await portal.locator('#percent').innerText(), '60%');
  assert.ok((await portal.locator('#work-responsible').innerText()).length > 0);
  assert.match(await portal.locator('#work-due').innerText(), /^\d{4}-\d{2}-\d{2}$/);
  await saveScreenshot(portal, 'proposal-adopted-phone');
  await portal.goto(`/meetings/${new URL(page.url()).pathname.split('/').pop()}`);
  assert.equal(await portal.locator('#photos img').count(), 1, 'residents see the meeting photo');
  await saveScreenshot(portal, 'meeting-public-phone');
});

test('the 共同缔造 page shows all five stages with data', async (t) => {
  const context = await residentContext(DESKTOP);
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/');
  await page.locator('#home-co-creation').click();
  await page.waitForURL(/\/co-creation$/);
  for (const stage of ['co_plan', 'co_build', 'co_manage', 'co_evaluate', 'co_share']) {
    const section = page.locator(`#${stage}`);
    assert.equal(await section.count(), 1, stage);
    assert.ok((await section.locator('.counts b').count()) >= 3, `${stage} has figures`);
  }
  const figure = async (id) => Number((await page.locator(`#${id} b`).innerText()).replace(/[^\d.]/g, ''));
  assert.ok((await figure('co_plan-proposals')) >= 5, 'the demo proposals are counted');
  assert.ok((await figure('co_plan-meetings')) >= 1);
  assert.ok((await figure('co_build-adopted')) >= 1);
  assert.ok((await figure('co_plan-intake')) > 0, 'requests are counted');
  assert.ok((await figure('co_evaluate-evaluations')) > 0, 'verdicts are counted');
  await saveScreenshot(page, 'co-creation-desktop');
  await assertAccessible(page, assert);

  // Down to a community with proposals: its figures lead to its own lists.
  const phone = await residentContext(PHONE);
  t.after(() => phone.close());
  const small = await phone.newPage();
  await small.goto('/co-creation');
  await small.locator('#below a').first().click();
  await small.waitForURL(/\/co-creation\/\d+$/);
  await small.locator('#below a').first().click();
  await small.waitForURL(/\/co-creation\/\d+$/);
  assert.equal(await small.locator('.stage').count(), 5);
  await saveScreenshot(small, 'co-creation-phone');
  await small.locator('#co_build-adopted').click();
  await small.waitForURL(/\/communities\/\d+#results$/);
});

test('with an SMS gateway, a resident confirms the number by the code texted to it', async (t) => {
  // A gateway of our own that keeps every text it is sent, and a server that texts it.
  const texts = [];
  const gateway = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      texts.push(JSON.parse(body));
      res.writeHead(200).end('{"ok":true}');
    });
  });
  await new Promise((ok) => gateway.listen(0, '127.0.0.1', ok));
  t.after(() => gateway.close());
  const server = await startServer({ args: ['--sms-url', `http://127.0.0.1:${gateway.address().port}/sms`] });
  t.after(() => server.stop());
  const texting = await browser().newContext({ baseURL: server.url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...PHONE });
  t.after(() => texting.close());
  const page = await texting.newPage();

  // The form asks for the number first.
  await page.goto('/proposals/new?kind=wish');
  assert.equal(await page.locator('#propose-form').count(), 0);
  await saveScreenshot(page, 'proposal-confirm-first-phone');
  await page.locator('#confirm-phone').click();
  await page.waitForURL(/\/proposals\/phone\?next=/);
  await page.locator('#phone').fill('13800007301');
  await page.locator('#send-code').click();
  await page.waitForURL(/sent=1/);
  await saveScreenshot(page, 'proposal-code-phone');
  await assertAccessible(page, assert);

  // The text arrives, even in the quiet hours; a wrong code is said, the right one confirms.
  const started = Date.now();
  while (!texts.some((text) => text.phone === '13800007301')) {
    if (Date.now() - started > 20_000) throw new Error('no code was texted');
    await new Promise((ok) => setTimeout(ok, 100));
  }
  const text = texts.find((sent) => sent.phone === '13800007301').text;
  assert.match(text, /^【共治】您的验证码为\d{6}，10分钟内有效/);
  const code = text.match(/\d{6}/)[0];
  await page.locator('#code').fill(code === '000000' ? '000001' : '000000');
  await page.locator('#confirm-code').click();
  assert.match(await page.locator('#phone-error').innerText(), /验证码不对/);
  await saveScreenshot(page, 'proposal-code-wrong-phone');
  await page.locator('#code').fill(code);
  await page.locator('#confirm-code').click();
  await page.waitForURL(/\/proposals\/new\?/);
  assert.match(await page.locator('#phone-confirmed').innerText(), /138\*\*\*\*7301/);
  await page.locator('#unit_id').selectOption({ index: 1 });
  await page.locator('#title').fill('楼下装晾衣架');
  await page.locator('#content').fill('想在楼下空地装几个公共晾衣架。');
  await saveScreenshot(page, 'proposal-confirmed-form-phone');
  await page.locator('#send').click();
  await page.waitForURL(/\/proposals\/\d+\?done=submitted$/);
  // Listed at once, and supported with the confirmed number without typing it.
  assert.match(await page.locator('#support-as').innerText(), /138\*\*\*\*7301/);
  await page.locator('#support').click();
  await page.waitForURL(/done=supported/);
  assert.equal(await page.locator('#support-count').innerText(), '1');
  await saveScreenshot(page, 'proposal-confirmed-phone');

  const wide = await browser().newContext({ baseURL: server.url, locale: 'zh-CN', ...DESKTOP });
  t.after(() => wide.close());
  const desk = await wide.newPage();
  await desk.goto(page.url().replace(/\?.*$/, ''));
  assert.equal(await desk.locator('#support-confirm').count(), 1, 'another browser confirms its own number');
  await saveScreenshot(desk, 'proposal-unconfirmed-desktop');
});
