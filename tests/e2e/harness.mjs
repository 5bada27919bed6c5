// The end-to-end harness: starts the loopback fakes (`stslens-fakes`), `stslens serve` with the
// built site, and a headless Chromium that reaches the fakes by name, then hands a test a page.
//
// How the browser reaches the fakes without real DNS or privileged ports:
// - `--host-resolver-rules` maps `doh.test` and `mta-sts.*.test` to the fakes' loopback ports
//   (the rules may rewrite the port too) and every other `*.test` name to nothing.
// - The fakes' test CA is trusted through a throwaway NSS database in a temporary HOME, which is
//   where Chromium on Linux looks: certificates are checked for real (expiry, names), only the root
//   is ours.
// - The app's settings (resolver, relay) are put into localStorage before the app starts.
//
// Environment (set by `cargo xtask test`): STSLENS_BIN, STSLENS_FAKES_BIN, STSLENS_DIST, E2E_OUT.

import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(import.meta.dirname, '../..');
export const STSLENS_BIN = process.env.STSLENS_BIN ?? join(ROOT, 'target/debug/stslens');
export const FAKES_BIN = process.env.STSLENS_FAKES_BIN ?? join(ROOT, 'target/debug/stslens-fakes');
export const DIST = process.env.STSLENS_DIST ?? join(ROOT, 'dist');
export const OUT = process.env.E2E_OUT ?? join(ROOT, 'target/e2e');
export const FIXTURES = join(ROOT, 'tests/fixtures');
export const DOH_HOST = 'doh.test';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Reads lines of a child's stream until `match` returns a value; rejects on exit or timeout. */
function waitForLine(child, stream, match, what, timeoutMs = 20000) {
  return new Promise((resolvePromise, reject) => {
    const lines = [];
    const rl = createInterface({ input: stream });
    const timer = setTimeout(() => reject(new Error(`${what}: no ready line in ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
    rl.on('line', (line) => {
      lines.push(line);
      const found = match(line);
      if (found !== undefined) {
        clearTimeout(timer);
        resolvePromise(found);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before it was ready:\n${lines.join('\n')}`));
    });
  });
}

/** Starts the fakes of `scenario`; resolves to { endpoints, stop }. */
export async function startFakes(scenario, dir) {
  const file = join(dir, 'scenario.json');
  writeFileSync(file, JSON.stringify(scenario));
  const child = spawn(FAKES_BIN, [file], { stdio: ['pipe', 'pipe', 'inherit'] });
  const endpoints = await waitForLine(child, child.stdout, (line) => {
    try { return JSON.parse(line); } catch { return undefined; }
  }, 'stslens-fakes');
  return { endpoints, stop: () => { child.stdin.end(); child.kill(); } };
}

/** Starts `stslens serve`; resolves to { origin, stop, logs }. */
export async function startServe(extraArgs = []) {
  const args = ['serve', '--addr', '127.0.0.1:0', '--dist', DIST, ...extraArgs];
  const child = spawn(STSLENS_BIN, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', RUST_LOG: process.env.RUST_LOG ?? 'info' },
  });
  const logs = [];
  const ready = (line) => {
    const m = /listening on (http:\/\/[0-9.:]+)/.exec(line);
    return m ? m[1] : undefined;
  };
  const origin = await Promise.race([
    waitForLine(child, child.stdout, ready, 'stslens serve'),
    waitForLine(child, child.stderr, ready, 'stslens serve'),
  ]);
  for (const s of [child.stdout, child.stderr]) createInterface({ input: s }).on('line', (l) => logs.push(l));
  return { origin, logs, stop: () => child.kill('SIGTERM') };
}

/** A temporary HOME whose NSS database trusts `caPem` (Chromium on Linux reads $HOME/.pki/nssdb). */
function homeTrusting(caPem, dir) {
  const home = join(dir, 'home');
  const db = join(home, '.pki/nssdb');
  mkdirSync(db, { recursive: true });
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, caPem);
  execFileSync('certutil', ['-d', `sql:${db}`, '-N', '--empty-password']);
  execFileSync('certutil', ['-d', `sql:${db}`, '-A', '-t', 'C,,', '-n', 'stslens-test-ca', '-i', ca]);
  return { home, caFile: ca };
}

/**
 * Starts everything for one test.
 * Options: scenario (fakes; null for none), relay (bool: `serve --relay` wired to the fakes),
 * settings (object merged into the app's stored settings), colorScheme, viewport.
 * Resolves to { page, context, origin, endpoints, requests, consoleErrors, serveLogs, close }.
 */
export async function startStack({ scenario = null, relay = false, settings = {}, colorScheme = 'light', viewport = { width: 1280, height: 900 } } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'stslens-e2e-'));
  const stops = [];
  const cleanup = () => {
    for (const stop of stops.reverse()) { try { stop(); } catch { /* already gone */ } }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    let endpoints = null;
    let env = { ...process.env };
    const rules = [];
    const serveArgs = [];
    if (scenario) {
      const fakes = await startFakes({ doh_tls_names: [DOH_HOST], smtp_shared_port: true, ...scenario }, dir);
      stops.push(fakes.stop);
      endpoints = fakes.endpoints;
      const { home, caFile } = homeTrusting(endpoints.ca_pem, dir);
      env = { ...env, HOME: home };
      rules.push(`MAP ${DOH_HOST} ${endpoints.doh_tls_addr}`, `MAP mta-sts.*.test ${endpoints.policy_addr}`);
      if (relay) {
        const smtpPort = Object.values(endpoints.smtp)[0]?.split(':').pop();
        serveArgs.push('--relay', '--unsafe-allow-loopback-for-tests',
          '--unsafe-resolver-for-tests', endpoints.doh_url,
          '--unsafe-https-port-for-tests', endpoints.policy_addr.split(':').pop(),
          '--unsafe-test-ca', caFile);
        if (smtpPort) serveArgs.push('--unsafe-smtp-port-for-tests', smtpPort);
      }
    } else if (relay) {
      serveArgs.push('--relay');
    }
    rules.push('MAP *.test ~NOTFOUND');
    const serve = await startServe(serveArgs);
    stops.push(serve.stop);

    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS, `--host-resolver-rules=${rules.join(', ')}`],
      env,
    });
    stops.push(() => { browser.close().catch(() => {}); });
    const context = await browser.newContext({ viewport, colorScheme });
    const stored = {
      resolver: endpoints ? `https://${DOH_HOST}/dns-query` : 'https://cloudflare-dns.com/dns-query',
      relay: { kind: 'same-origin' },
      ...settings,
    };
    await context.addInitScript((value) => {
      if (!window.localStorage.getItem('stslens.settings.v1')) {
        window.localStorage.setItem('stslens.settings.v1', value);
      }
    }, JSON.stringify(stored));
    const requests = [];
    context.on('request', (r) => requests.push({ url: r.url(), method: r.method(), type: r.resourceType() }));
    const page = await context.newPage();
    const consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    return {
      page, context, browser, origin: serve.origin, endpoints, requests, consoleErrors,
      serveLogs: serve.logs,
      close: async () => { await browser.close().catch(() => {}); cleanup(); },
    };
  } catch (e) {
    cleanup();
    throw e;
  }
}

/** Waits until the wasm app has rendered (the header's brand link exists). */
export async function appReady(page) {
  await page.waitForSelector('.site-header .brand', { timeout: 15000 });
}

/** Saves a full-page screenshot as target/e2e/<name>.png. */
export async function screenshot(page, name) {
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}

/** Runs the stslens CLI with `input` on stdin; returns { code, stdout, stderr }. */
export function stslens(args, input) {
  try {
    const stdout = execFileSync(STSLENS_BIN, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    return { code: e.status, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
