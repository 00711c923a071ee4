// The gongzhi server the browser tests talk to: the release binary, started on a fresh
// data folder with demo data, on a free local port. Nothing is built here: the binary
// is GONGZHI_BIN (relative to the working folder), or target/release/gongzhi of this
// repository.
//
// One server serves the whole run: `run.js` starts it and hands its address to every
// test file in GONGZHI_URL. A test file run on its own (`node --test x.test.js`) starts
// its own server instead, through `serverUrl()`.

import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const DEMO_PASSWORD = 'gongzhi-demo';

/** Creating the demo district takes 10-40 s on a small machine; allow for a slow one. */
const START_TIMEOUT_MS = Number(process.env.GONGZHI_START_TIMEOUT_MS || 180_000);

export function binaryPath() {
  return process.env.GONGZHI_BIN ? resolve(process.env.GONGZHI_BIN) : resolve(repoRoot, 'target/release/gongzhi');
}

/** A port nobody listens on now. The OS picks it; the server binds it a moment later. */
export function freePort() {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

async function healthy(url) {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

function tail(text, lines = 30) {
  return text.trimEnd().split('\n').slice(-lines).join('\n') || '(no output)';
}

/**
 * Starts `gongzhi serve --demo` (with `args` after its own) on a fresh temporary data folder and waits until
 * GET /healthz answers 200. Resolves to `{ url, dataDir, log, stop }`; `stop()` sends
 * SIGINT (the server shuts down gracefully on it), kills it if it lingers, and removes
 * the data folder unless GONGZHI_KEEP_DATA is set.
 */
export async function startServer({ args = [] } = {}) {
  const bin = binaryPath();
  if (!existsSync(bin)) {
    throw new Error(`no gongzhi binary at ${bin}: run \`cargo build --release -p gongzhi\` or set GONGZHI_BIN`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'gongzhi-browser-'));
  const log = join(dataDir, 'server.log');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const output = createWriteStream(log);
  const child = spawn(bin, ['serve', '--demo', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
  });
  // The log keeps everything; the last lines are also kept here to explain a failed start.
  let recent = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk) => {
      output.write(chunk);
      recent = (recent + chunk).slice(-4_000);
    });
  }
  let exited = null;
  // 'close' comes after the output is read to its end, unlike 'exit'.
  const done = new Promise((ok) => child.on('close', (code, signal) => ok((exited = { code, signal }))));
  // Whatever happens to this process, the server must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    }
    process.off('exit', killOnExit);
    await new Promise((ok) => output.end(ok));
    if (!process.env.GONGZHI_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  };

  const started = Date.now();
  while (!(await healthy(url))) {
    if (exited) {
      const why = `gongzhi serve exited (${exited.signal || `status ${exited.code}`}) before it was healthy:\n${tail(recent)}`;
      await stop();
      throw new Error(why);
    }
    if (Date.now() - started > START_TIMEOUT_MS) {
      const why = `gongzhi serve was not healthy at ${url}/healthz after ${START_TIMEOUT_MS / 1000} s:\n${tail(recent)}`;
      await stop();
      throw new Error(why);
    }
    await sleep(250);
  }
  return { url, dataDir, log, stop };
}

/**
 * The address of the server for this test file: the shared one from GONGZHI_URL, or one
 * started for this file alone. Pass node:test's `after` so that a server started here is
 * stopped when the file's tests end.
 */
export async function serverUrl(after) {
  if (process.env.GONGZHI_URL) return process.env.GONGZHI_URL.replace(/\/$/, '');
  const server = await startServer();
  after(() => server.stop());
  return server.url;
}
