// Every page, checked with axe-core for serious and critical problems: each role's
// pages are found by following the links from where that role starts, one page for
// each kind of address (a request page stands for all request pages), at a desk; the
// start pages also on a phone.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { accessibilityProblems } from './lib/a11y.js';
import { loggedInContext, PHONE, useBrowser } from './lib/browser.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

/** Pages a role's walk visits at most. */
const LIMIT = 80;

/** `/work/requests/42?page=2` → `/work/requests/#?page`: one visit for each kind of page. */
function kind(address) {
  const u = new URL(address);
  return `${u.pathname.replace(/\d+/g, '#')}?${[...u.searchParams.keys()].sort().join('&')}`;
}

/** Links worth visiting: our own pages, not downloads, not the way out. */
function visitable(href) {
  const u = new URL(href);
  return (
    u.origin === url &&
    !/\.(xlsx|csv|png|jpe?g|js|css)$/.test(u.pathname) &&
    !u.pathname.startsWith('/lang/') &&
    !u.pathname.startsWith('/api/') &&
    !u.pathname.startsWith('/assets/') &&
    !u.pathname.includes('/photos/') &&
    !u.pathname.includes('/files/') &&
    u.pathname !== '/metrics'
  );
}

/** Follows links breadth-first from `start`, checking each new kind of page. */
async function walk(page, start) {
  const seen = new Set();
  const checked = [];
  const queue = start.map((p) => new URL(p, url).href);
  const problems = [];
  while (queue.length > 0 && seen.size < LIMIT) {
    const address = queue.shift();
    if (seen.has(kind(address))) continue;
    seen.add(kind(address));
    const response = await page.goto(address);
    if (!response || response.status() >= 400 || !response.headers()['content-type']?.startsWith('text/html')) continue;
    checked.push(new URL(address).pathname);
    for (const p of await accessibilityProblems(page)) problems.push(`${new URL(address).pathname}: ${p}`);
    const links = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.href.split('#')[0]));
    for (const link of links) if (visitable(link) && !seen.has(kind(link))) queue.push(link);
  }
  return { problems, visited: checked.length, checked };
}

const ROLES = [
  ['dispatcher', ['/work', '/work/dispatch']],
  ['handler_c001', ['/work', '/work/lists']],
  ['leader_s01', ['/work/overview', '/work/dashboard', '/work/lists', '/work/hot']],
  ['supervisor', ['/work/supervision', '/work/supervision/talks', '/work/supervision/orders', '/work/bulletins']],
  ['admin', ['/admin/units', '/admin/users', '/admin/categories', '/admin/calendar', '/admin/settings', '/admin/changes']],
  ['operator', ['/work', '/work/search']],
];

for (const [login, start] of ROLES) {
  test(`${login}: every page reachable has no serious accessibility problem`, async (t) => {
    const context = await loggedInContext(browser(), url, login, { viewport: { width: 1366, height: 900 } });
    t.after(() => context.close());
    const page = await context.newPage();
    const { problems, visited, checked } = await walk(page, start);
    t.diagnostic(`${visited} kinds of page checked: ${checked.join(' ')}`);
    assert.ok(visited >= 10, `${visited} kinds of page checked`);
    assert.deepEqual(problems, []);

    const phone = await (await loggedInContext(browser(), url, login, PHONE)).newPage();
    t.after(() => phone.context().close());
    for (const path of start) {
      await phone.goto(path);
      assert.deepEqual(await accessibilityProblems(phone), [], `${path} on a phone`);
    }
  });
}

test('the public pages have no serious accessibility problem', async (t) => {
  for (const options of [{ viewport: { width: 1366, height: 900 } }, PHONE]) {
    const context = await browser().newContext({ baseURL: url, locale: 'zh-CN', ...options });
    t.after(() => context.close());
    // A request of one's own to follow, as a resident has after submitting.
    const { items: units } = await (await context.request.get('/api/v1/units')).json();
    const made = await context.request.post('/api/v1/requests', {
      data: {
        kind: 'complaint',
        title: '楼道灯不亮',
        content: '5栋3单元楼道灯坏了两周，晚上上下楼看不见。',
        unit_id: units.find((u) => u.kind === 'community').id,
        requester_name: '周女士',
        requester_phone: '13700001234',
      },
    });
    const { tracking_code: code } = await made.json();
    const page = await context.newPage();
    const start = ['/', '/submit', '/track', `/track/${code}`, '/stats', '/bulletins', '/login'];
    const { problems, visited } = await walk(page, start);
    t.diagnostic(`${visited} kinds of public page checked`);
    assert.deepEqual(problems, []);
  }
});
