// Runs the browser tests against one shared server: starts gongzhi (lib/server.js), then
// `node --test` on the given test files (default: every *.test.js here) with the server's
// address in GONGZHI_URL, stops the server and exits with node --test's status.
//
//   node tests/browser/run.js [FILE.test.js …] [-- NODE_TEST_OPTIONS …]
//
// node --test runs each file in its own process, so the server is started here, once,
// rather than in a test file.

import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startServer } from './lib/server.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const split = args.indexOf('--');
const given = split < 0 ? args : args.slice(0, split);
const nodeOptions = split < 0 ? [] : args.slice(split + 1);
const files = given.length
  ? given.map((file) => resolve(file))
  : readdirSync(here).filter((name) => name.endsWith('.test.js')).sort().map((name) => join(here, name));

const started = Date.now();
const server = await startServer().catch((error) => {
  console.error(`# ${error.message.replaceAll('\n', '\n# ')}`);
  process.exit(1);
});
console.log(`# gongzhi serve --demo at ${server.url} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s, data ${server.dataDir})`);

const tests = spawn(process.execPath, ['--test', ...nodeOptions, ...files], {
  stdio: 'inherit',
  env: { ...process.env, GONGZHI_URL: server.url },
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => tests.kill(signal));
}
const status = await new Promise((ok) => tests.on('exit', (code, signal) => ok(code ?? (signal ? 1 : 0))));
await server.stop();
process.exit(status);
