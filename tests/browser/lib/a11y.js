// Automated accessibility checks with axe-core, run inside the page under test. The
// script is evaluated through the debugging protocol, so the pages' Content-Security-
// Policy (no inline script) needs no exception for it.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Impacts that fail a test: what keeps someone from using the page at all. */
const FAILING = new Set(['serious', 'critical']);

/**
 * Runs axe-core on the page as it is now and returns the serious and critical
 * violations, each as "rule: help (selector, …)".
 */
export async function accessibilityProblems(page) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const run = await axe.run(document, { resultTypes: ['violations'] });
    return run.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return result
    .filter((v) => FAILING.has(v.impact))
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 5).join(', ')}`);
}

/** Fails with every serious or critical violation listed, naming the page. */
export async function assertAccessible(page, assert, what = page.url()) {
  const problems = await accessibilityProblems(page);
  assert.deepEqual(problems, [], `accessibility problems on ${what}:\n${problems.join('\n')}`);
}
