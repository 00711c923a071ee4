// The map and the big screen, on a server of their own whose base map comes from a tile
// server this file starts (nothing is fetched from outside): a subdistrict leader sees
// the open requests of their area clustered, zooms in by clicking a cluster and opens a
// request by clicking its point; the operator's pin fills the coordinates; the big
// screen's counter goes up when a resident reports something, without a reload.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';

import { loggedInContext, PHONE, saveScreenshot, useBrowser } from './lib/browser.js';
import { freePort, startServer } from './lib/server.js';

/** A 1×1 pale PNG: every tile the same plain colour, enough to see tiles were drawn. */
const TILE = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4/+sVAAXUAumGyxVQAAAAAElFTkSuQmCC',
  'base64',
);

const tiles = { asked: 0 };
const tileServer = createServer((request, response) => {
  if (/^\/\d+\/\d+\/\d+\.png$/.test(request.url)) {
    tiles.asked += 1;
    response.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' });
    response.end(TILE);
  } else {
    response.writeHead(404).end();
  }
});
const tilePort = await freePort();
await new Promise((ok) => tileServer.listen(tilePort, '127.0.0.1', ok));
after(() => tileServer.close());

const server = await startServer({
  args: ['--demo-requests', '400', '--map-tiles', `http://127.0.0.1:${tilePort}/{z}/{x}/{y}.png`, '--map-attribution', '测试底图'],
});
after(() => server.stop());
const url = server.url;
const browser = useBrowser(before, after);

/** The leader's subdistrict and its communities. */
async function area(context) {
  const me = await (await context.request.get('/api/v1/me')).json();
  const { items: units } = await (await context.request.get('/api/v1/units')).json();
  const communities = units.filter((u) => u.parent_id === me.unit_id && u.kind === 'community');
  assert.ok(communities.length > 0, 'the leader has communities');
  return communities;
}

/** `count` located requests round one spot of the leader's area, made by a resident. */
async function located(context, communities, count) {
  const made = [];
  for (let start = 0; start < count; start += 20) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + 20); i++) {
      const community = communities[i % communities.length];
      batch.push(
        context.request
          .post('/api/v1/requests', {
            data: {
              kind: 'complaint',
              title: `地图测试${i}号井盖`,
              content: `井盖松动第${i}处，车辆经过时响声很大。`,
              unit_id: community.id,
              requester_phone: '13900002222',
              location: { lat: 28.2 + ((i * 37) % 200) / 10000, long: 112.9 + ((i * 53) % 300) / 10000 },
            },
          })
          .then(async (r) => {
            assert.equal(r.status(), 201, await r.text());
            made.push((await r.json()).id);
          }),
      );
    }
    await Promise.all(batch);
  }
  return made;
}

test("a leader's map clusters their area's open requests and a point opens its request", async (t) => {
  const context = await loggedInContext(browser(), url, 'leader_s01', { viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  const resident = await browser().newContext({ baseURL: url, locale: 'zh-CN' });
  t.after(() => resident.close());
  await located(resident, await area(context), 360);

  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await page.goto('/work/overview');
  await page.click('#overview-map');
  await page.waitForSelector('#map[data-kind]');
  assert.equal(await page.locator('#map').getAttribute('data-kind'), 'clusters');
  assert.ok((await page.locator('.map-cluster').count()) >= 1, 'clusters are drawn');
  assert.ok(Number(await page.locator('#map').getAttribute('data-requests')) >= 360);
  await page.waitForFunction(() => document.querySelectorAll('.leaflet-tile-loaded').length > 0);
  assert.ok(tiles.asked > 0, 'the base map came from the configured tile server');
  assert.equal(await page.locator('#map-no-tiles').count(), 0);
  assert.match(await page.locator('.leaflet-control-attribution').innerText(), /测试底图/);
  await saveScreenshot(page, 'map-leader', { fullPage: false });

  // A click on the biggest cluster zooms in, until the requests show one by one.
  for (let i = 0; i < 8 && (await page.locator('#map').getAttribute('data-kind')) === 'clusters'; i++) {
    const before = await page.locator('#map').getAttribute('data-drawn');
    const clusters = page.locator('.map-cluster');
    let biggest = 0;
    let best = 0;
    for (let c = 0; c < (await clusters.count()); c++) {
      const n = Number(await clusters.nth(c).innerText());
      if (n > best) [best, biggest] = [n, c];
    }
    await clusters.nth(biggest).click();
    await page.waitForFunction((b) => document.getElementById('map').getAttribute('data-drawn') !== b, before);
  }
  assert.equal(await page.locator('#map').getAttribute('data-kind'), 'points');
  const point = page.locator('path.map-point').first();
  const id = await point.getAttribute('data-id');
  await point.click({ force: true });
  await page.waitForURL(`**/work/requests/${id}`);
  assert.ok(await page.locator('#request-map').isVisible(), 'the request page shows where it is');
  assert.deepEqual(errors, [], 'no script errors');
});

test('the map on a phone', async (t) => {
  const context = await loggedInContext(browser(), url, 'leader_s01', PHONE);
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/work/map');
  await page.waitForSelector('#map[data-kind]');
  const box = await page.locator('#map').boundingBox();
  assert.ok(box.width <= 390 && box.height > 300, `the map fits the phone (${box.width}×${box.height})`);
  await saveScreenshot(page, 'map-phone');
});

test("the operator's pin fills the coordinates, and typed coordinates move it", async (t) => {
  const context = await loggedInContext(browser(), url, 'operator', { viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/work/intake');
  await page.waitForSelector('#intake-map[data-drawn]');
  await page.locator('#intake-map').scrollIntoViewIfNeeded();
  await page.locator('#intake-map').click({ position: { x: 120, y: 100 } });
  const lat = Number(await page.inputValue('#lat'));
  const long = Number(await page.inputValue('#long'));
  assert.ok(Number.isFinite(lat) && lat !== 0 && Number.isFinite(long) && long !== 0, `filled ${lat}, ${long}`);
  assert.ok(await page.locator('#intake-map path.map-point.pin').count(), 'a pin is dropped');
  await page.fill('#lat', '28.228300');
  await page.fill('#long', '112.938800');
  await page.waitForFunction(() => document.getElementById('intake-map').dataset.pin === '28.228300,112.938800');
});

test('the big screen counts a new request without reloading', async (t) => {
  const context = await loggedInContext(browser(), url, 'leader_s01', { viewport: { width: 1920, height: 1080 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/work/overview');
  await page.click('#overview-screen');
  await page.waitForSelector('#screen-trend[data-drawn]');
  await page.waitForSelector('#map[data-kind]');
  const counter = page.locator('#today-intake b');
  const before = Number(await counter.innerText());
  await page.evaluate(() => { window.notReloaded = true; });

  const resident = await browser().newContext({ baseURL: url, locale: 'zh-CN' });
  t.after(() => resident.close());
  await located(resident, await area(context), 1);
  await page.waitForFunction((n) => Number(document.querySelector('#today-intake b').textContent) === n + 1, before, { timeout: 30_000 });
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
  const stats = await (await context.request.get(`/api/v1/stats?from=${await page.evaluate(() => JSON.parse(document.getElementById('screen-data').textContent).today)}&to=${await page.evaluate(() => JSON.parse(document.getElementById('screen-data').textContent).today)}`)).json();
  assert.equal(Number(await counter.innerText()), stats.measures.intake, 'the screen says what /api/v1/stats says');
  await saveScreenshot(page, 'big-screen', { fullPage: false });
  assert.deepEqual(errors, []);
});
