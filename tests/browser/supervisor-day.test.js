// A supervisor's day at a desk and on a phone: a reminder talk recorded with a cadre
// found by name and unit, nobody chosen beforehand, and the list afterwards saying what
// it shows; filters with labels and an orders table whose columns say what they hold;
// the three lists keep their unit from tab to tab and print with whole words; the
// public bulletin fits a phone and keeps its headings with what they head on A4.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertAccessible } from './lib/a11y.js';
import { loggedInContext, PHONE, saveScreenshot, useBrowser } from './lib/browser.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

const DESKTOP = { viewport: { width: 1366, height: 900 } };

test('a reminder talk: the cadre found by name with their unit, nobody chosen first', async (t) => {
  const context = await loggedInContext(browser(), url, 'supervisor', DESKTOP);
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/work/supervision/talks');
  await assertAccessible(page, assert, 'the talks page');
  const cadre = page.locator('#cadre');
  assert.equal(await cadre.inputValue(), '', 'nobody is chosen');

  // Every person is shown with their unit, so people of one name are told apart.
  const people = await cadre.locator('option').evaluateAll((os) => os.filter((o) => o.value).map((o) => o.textContent));
  assert.ok(people.length > 20);
  assert.ok(people.every((p) => /^.+（.+）$/.test(p)), people.slice(0, 3).join(' '));
  assert.equal(new Set(people).size, people.length, 'no two entries read the same');

  // Saving without choosing is refused by the form itself.
  await page.fill('#reason', '多件诉求超期未办结');
  await page.locator('#talk-form button[type=submit]').click();
  assert.equal(await page.locator('#saved').count(), 0, 'nothing saved without a cadre');

  const chosen = people[5];
  await page.locator('#cadre-filter').fill(chosen);
  assert.equal(await cadre.inputValue() !== '', true, 'typing the whole entry chooses it');
  await Promise.all([page.waitForNavigation(), page.locator('#talk-form button[type=submit]').click()]);
  assert.match(await page.locator('#saved').innerText(), new RegExp(`已记录与 ${chosen.replace(/[()（）]/g, '.')} 的谈话提醒`));
  assert.equal(await page.locator('#talks-filter').count(), 0, 'the list is not filtered behind one’s back');
  assert.equal(await page.locator('#cadre').inputValue(), '', 'nobody chosen for the next talk');
  await saveScreenshot(page, 'supervisor-desktop', { fullPage: false });

  // A filtered list says so and clears in one click.
  const id = await page.locator('#cadre option').nth(6).getAttribute('value');
  await page.goto(`/work/supervision/talks?cadre=${id}`);
  assert.match(await page.locator('#talks-filter').innerText(), /当前只显示与 .+（.+） 的谈话记录/);
  await page.locator('#clear-filter').click();
  await page.waitForURL(/\/work\/supervision\/talks$/);
  assert.equal(await page.locator('#talks-filter').count(), 0);
});

test('order and stale filters are labelled; the orders table heads each column apart', async (t) => {
  const context = await loggedInContext(browser(), url, 'supervisor', DESKTOP);
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/work/supervision/orders');
  await page.locator('#filter-kind').selectOption('press');
  await Promise.all([page.waitForNavigation(), page.locator('#orders-filter button').click()]);
  assert.match(page.url(), /kind=press/);
  await page.goto('/work/supervision/orders');
  const heads = await page.locator('#orders thead th').allInnerTexts();
  assert.ok(heads.length > 0, 'the demo has orders');
  assert.equal(new Set(heads).size, heads.length, heads.join(' | '));
  assert.ok(heads.includes('督办单号') && heads.includes('诉求编号'), heads.join(' | '));
  await assertAccessible(page, assert, 'the orders page');
  for (const path of ['/work/supervision/orders', '/work/supervision/late', '/work/supervision/unsatisfied']) {
    await page.goto(path);
    const unlabelled = await page.locator('form.filters').evaluate((form) =>
      [...form.querySelectorAll('select, input:not([type=hidden])')].filter((e) => !e.labels || e.labels.length === 0).length,
    );
    assert.equal(unlabelled, 0, `${path}: every filter has a label`);
    await assertAccessible(page, assert, path);
  }
});

test('the three lists keep their unit across tabs and print whole words', async (t) => {
  const context = await loggedInContext(browser(), url, 'leader_s01', DESKTOP);
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/work/lists');
  const unit = await page.locator('#lists-form select[name=unit] option').nth(2).getAttribute('value');
  await page.locator('#lists-form select[name=unit]').selectOption(unit);
  const cadre = await page.locator('#lists-form select[name=cadre] option').nth(1).getAttribute('value');
  await page.locator('#lists-form select[name=cadre]').selectOption(cadre);
  await page.locator('#lists-form button').click();
  await page.waitForURL(/\/work\/lists\?/);
  for (const tab of ['task', 'outcome', 'problem']) {
    await page.locator(`#tab-${tab}`).click();
    await page.waitForURL(new RegExp(`list=${tab}`));
    assert.equal(await page.locator('#lists-form select[name=unit]').inputValue(), unit, `${tab} keeps the unit`);
    assert.equal(await page.locator('#lists-form select[name=cadre]').inputValue(), cadre, `${tab} keeps the cadre`);
  }
  await assertAccessible(page, assert, 'the three lists');

  // On paper no short cell breaks a character a line.
  const history = new Date(Date.now() - 120 * 86400e3).toISOString().slice(0, 10);
  await page.goto(`/work/lists/print?from=${history}`);
  await page.emulateMedia({ media: 'print' });
  const broken = await page.locator('table.list td.short, table.list th.short').evaluateAll((cells) =>
    cells
      .filter((cell) => cell.textContent.trim().length > 1)
      .filter((cell) => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        return tops.size > 1;
      })
      .map((cell) => cell.textContent.trim()),
  );
  assert.deepEqual(broken, [], 'short cells keep to one line');
  assert.ok((await page.locator('table.list td.short').count()) > 0, 'the print view has rows');
});

test('the public bulletin fits a phone and keeps headings with their content on A4', async (t) => {
  const supervisor = await loggedInContext(browser(), url, 'supervisor', DESKTOP);
  t.after(() => supervisor.close());
  const staff = await supervisor.newPage();
  staff.on('dialog', (dialog) => dialog.accept());
  await staff.goto('/work/bulletins');
  await staff.locator('#generate-form select[name=kind]').selectOption('monthly');
  await staff.locator('#generate-form').getByRole('button').click();
  await staff.waitForURL(/\/work\/bulletins\/\d+$/);
  const id = staff.url().split('/').pop();
  await staff.locator('#publish-form button').click();
  await staff.waitForURL(/\/work\/bulletins\/\d+$/);

  const visitor = await browser().newContext({ baseURL: url, locale: 'zh-CN', ...PHONE });
  t.after(() => visitor.close());
  const phone = await visitor.newPage();
  await phone.goto(`/bulletins/${id}`);
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the bulletin is ${width}px wide on a 390px phone`);
  await assertAccessible(phone, assert, 'the public bulletin on a phone');
  await saveScreenshot(phone, 'bulletin-phone', { fullPage: false });

  await phone.goto(`/bulletins/${id}/print`);
  await phone.emulateMedia({ media: 'print' });
  const styles = await phone.evaluate(() => ({
    headings: [...document.querySelectorAll('h2, h3')].map((h) => getComputedStyle(h).breakAfter),
    kept: [...document.querySelectorAll('.keep')].map((s) => getComputedStyle(s).breakInside),
    keptHeadings: [...document.querySelectorAll('.keep > h2, .keep > h3')].length,
  }));
  assert.ok(styles.headings.every((b) => b === 'avoid'), 'no page break right after a heading');
  assert.ok(styles.kept.every((b) => b === 'avoid') && styles.keptHeadings >= 4, 'short sections stay whole');
  await assertAccessible(phone, assert, 'the bulletin print view');
});

test("a supervisor's pages fit a phone", async (t) => {
  const context = await loggedInContext(browser(), url, 'supervisor', PHONE);
  t.after(() => context.close());
  const page = await context.newPage();
  for (const path of ['/work/supervision', '/work/supervision/talks', '/work/supervision/orders', '/work/supervision/late']) {
    await page.goto(path);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${path} is ${width}px wide`);
  }
  await page.goto('/work/supervision/talks');
  await saveScreenshot(page, 'supervisor-phone', { fullPage: false });
});
