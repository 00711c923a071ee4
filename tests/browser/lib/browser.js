// Debian's Chromium driven by playwright-core. No browser is downloaded: CHROMIUM, or
// /usr/bin/chromium, is launched headless with a fresh profile (playwright gives every
// `launch()` its own temporary user-data-dir and removes it on close).

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

import { DEMO_PASSWORD, repoRoot } from './server.js';

/** A phone held upright (iPhone 12-15 size), for the resident's pages. */
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** Screenshots for the documentation go here, as NAME.png. */
export const SCREENSHOTS_DIR = resolve(repoRoot, 'docs/screenshots');

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Starts the browser for a test file and closes it after the file's tests. Pass
 * node:test's `before` and `after`; the returned getter gives the browser inside tests.
 */
export function useBrowser(before, after) {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser;
}

/**
 * A browser context logged in as a demo user: POST /api/v1/login through the context's
 * own request client, so the HttpOnly session cookie lands in the context's cookie jar
 * and every page opened from it is logged in. `options` go to `browser.newContext`.
 */
export async function loggedInContext(browser, baseURL, login, options = {}) {
  const context = await browser.newContext({ baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options });
  await logIn(context, login);
  return context;
}

/** Logs an existing context in as `login` (demo password unless given). */
export async function logIn(context, login, password = DEMO_PASSWORD) {
  const response = await context.request.post('/api/v1/login', { data: { login, password } });
  if (response.status() !== 200) {
    throw new Error(`login as ${login} answered ${response.status()}: ${await response.text()}`);
  }
  return response.json();
}

/**
 * Saves a full-page screenshot as NAME.png in docs/screenshots (or `dir`) and returns
 * its path. Names are kebab-case words, e.g. `track-phone`.
 */
export async function saveScreenshot(page, name, { dir = SCREENSHOTS_DIR, fullPage = true } = {}) {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`screenshot name ${JSON.stringify(name)}: use lowercase words and dashes`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage, animations: 'disabled' });
  return path;
}

/** A temporary folder, removed by the `after` hook given (node:test's or `t.after`), for
 * files a test only checks. */
export function scratchDir(after) {
  const dir = mkdtempSync(join(tmpdir(), 'gongzhi-browser-scratch-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
