// First visit of a chart page, as a browser on a slow link makes it: a fresh profile
// (nothing cached), Chromium's own Accept-Encoding, and the link throttled to 10 Mbit/s
// with 40 ms of latency. Prints the page's load time, the bytes that crossed the link
// for ECharts, and a second visit's load time (the cache at work).
//
//   GONGZHI_BIN=target/debug/gongzhi node scripts/first-visit.mjs [/stats]

import { launchBrowser } from '../tests/browser/lib/browser.js';
import { startServer } from '../tests/browser/lib/server.js';

const path = process.argv[2] || '/stats';
const server = await startServer();
const browser = await launchBrowser();
try {
  const visits = [];
  for (let run = 0; run < 5; run++) {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 40,
      downloadThroughput: (10 * 1024 * 1024) / 8,
      uploadThroughput: (10 * 1024 * 1024) / 8,
    });
    let echartsBytes = 0;
    let echartsEncoding = '';
    cdp.on('Network.responseReceived', (e) => {
      if (e.response.url.includes('echarts')) echartsEncoding = e.response.headers['content-encoding'] || 'none';
    });
    const urls = new Map();
    cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
    cdp.on('Network.loadingFinished', (e) => {
      if ((urls.get(e.requestId) || '').includes('echarts')) echartsBytes = e.encodedDataLength;
    });
    const started = Date.now();
    await page.goto(server.url + path, { waitUntil: 'load' });
    const first = Date.now() - started;
    const again = Date.now();
    await page.goto(server.url + path, { waitUntil: 'load' });
    const second = Date.now() - again;
    visits.push({ first, second, echartsBytes, echartsEncoding });
    await context.close();
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    JSON.stringify({
      path,
      first_visit_ms_median: median(visits.map((v) => v.first)),
      second_visit_ms_median: median(visits.map((v) => v.second)),
      echarts_transfer_bytes: visits[0].echartsBytes,
      echarts_encoding: visits[0].echartsEncoding,
      visits,
    }),
  );
} finally {
  await browser.close();
  await server.stop();
}
