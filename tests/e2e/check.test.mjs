// The checker in the browser, against the loopback fakes: a healthy domain, a broken one, one
// whose policy host sends no CORS header (through the relay, and without it: the paste box and
// the curl command), a permalink opened directly, the local history's "policy changed, id did
// not" warning, the whole flow with the keyboard alone, and "Try again" after the check engine
// failed to load. Screenshots of the home page and of results go to target/e2e/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, appReady, screenshot } from './harness.mjs';

const ID = '20240101T000000';
const policy = (mx) => `version: STSv1\nmode: enforce\nmx: ${mx}\nmax_age: 604800\n`;

/** One deployed domain: MX, `_mta-sts` and `_smtp._tls` records, an address for its policy host. */
function domainRecords(domain) {
  return [
    { name: domain, type: 'MX', preference: 10, exchange: `mx.${domain}` },
    { name: `_mta-sts.${domain}`, type: 'TXT', strings: [`v=STSv1; id=${ID};`] },
    { name: `_smtp._tls.${domain}`, type: 'TXT', strings: [`v=TLSRPTv1; rua=mailto:tlsrpt@${domain}`] },
    { name: `mta-sts.${domain}`, type: 'A', address: '127.0.0.1' },
  ];
}

// good.test: healthy, policy readable by pages (CORS). broken.test: its policy names an MX host
// the domain does not use. nocors.test: healthy, but its policy host sends no CORS header, as
// most real ones do.
const SCENARIO = {
  zone: { records: ['good.test', 'broken.test', 'nocors.test'].flatMap(domainRecords) },
  policy_sites: {
    'good.test': { answer: { kind: 'policy', body: policy('mx.good.test'), content_type: 'text/plain' }, cors: true },
    'broken.test': { answer: { kind: 'policy', body: policy('mail.elsewhere.test'), content_type: 'text/plain' }, cors: true },
    'nocors.test': { answer: { kind: 'policy', body: policy('mx.nocors.test'), content_type: 'text/plain' }, cors: false },
  },
  smtp: {
    'mx.good.test': { kind: 'healthy' },
    'mx.broken.test': { kind: 'healthy' },
    'mx.nocors.test': { kind: 'healthy' },
  },
};

/** Waits for the verdict card and returns its heading ("Enforced", "Broken", ...). */
async function verdict(page) {
  await page.waitForSelector('#verdict-h', { timeout: 20000 });
  return (await page.locator('#verdict-h').innerText()).trim();
}

/** Opens `/check/<domain>` and waits for the verdict. */
async function check(stack, domain) {
  await stack.page.goto(`${stack.origin}/check/${domain}`);
  await appReady(stack.page);
  return verdict(stack.page);
}

test('home page and a healthy domain checked through the relay (light/dark, desktop/mobile)', async () => {
  for (const scheme of ['light', 'dark']) {
    for (const [label, viewport] of [['desktop', { width: 1280, height: 900 }], ['mobile', { width: 390, height: 844 }]]) {
      const stack = await startStack({ scenario: SCENARIO, relay: true, colorScheme: scheme, viewport });
      const { page } = stack;
      try {
        await page.goto(stack.origin + '/');
        await appReady(page);
        assert.equal((await page.locator('h1').innerText()).trim(), "Check a domain's MTA-STS");
        await screenshot(page, `home-${scheme}-${label}`);

        await page.fill('#domain', 'https://good.test/some/path');
        await page.click('button[type=submit]');
        await page.waitForURL('**/check/good.test');
        assert.equal(await verdict(page), 'Enforced');
        const mx = page.locator('.mx-table tbody tr');
        assert.equal(await mx.count(), 1);
        const row = await mx.first().innerText();
        assert.match(row, /mx\.good\.test/);
        assert.match(row, /TLSv?1\.3|TLS 1\.3/, `the relay's probe reached the SMTP fake: ${row}`);
        const progress = await page.locator('.progress-summary').innerText();
        assert.match(progress, /Check finished/);
        assert.equal(await page.locator('.progress-summary').getAttribute('aria-live'), 'polite');
        assert.equal(await page.locator('#paste').count(), 0, 'no paste box when the browser read the policy');
        await screenshot(page, `check-healthy-${scheme}-${label}`);

        // The result is remembered in this browser and listed on the home page.
        await page.click('header a.brand');
        await page.waitForSelector('.recent');
        assert.match(await page.locator('.recent').innerText(), /good\.test/);
        assert.deepEqual(stack.consoleErrors, [], 'no console errors (CSP violations show up here)');
      } finally {
        await stack.close();
      }
    }
  }
});

test('a broken domain: the verdict, grouped findings and a copyable fix', async () => {
  const stack = await startStack({ scenario: SCENARIO, relay: true });
  const { page } = stack;
  try {
    assert.equal(await check(stack, 'broken.test'), 'Broken');
    assert.match(await page.locator('.verdict-summary').innerText(), /policy-mx-not-covered|not covered|refuse/i);
    const groups = await page.locator('#findings h3').allInnerTexts();
    assert.ok(groups.some((g) => /polic/i.test(g)), `findings are grouped under headings: ${groups.join(', ')}`);
    const codes = await page.locator('#findings .finding .code').allInnerTexts();
    assert.ok(codes.includes('policy-mx-not-covered'), `codes: ${codes.join(', ')}`);
    const fix = page.locator('#findings .finding', { hasText: 'policy-mx-not-covered' }).locator('.fix');
    assert.match(await fix.locator('.fix-body').innerText(), /mx/);
    assert.equal(await fix.locator('button').count(), 1, 'the fix has a Copy button');
    await screenshot(page, 'check-broken-light-desktop');
    assert.deepEqual(stack.consoleErrors, []);
  } finally {
    await stack.close();
  }
});

test('a policy host without CORS: the relay fetches the policy', async () => {
  const stack = await startStack({ scenario: SCENARIO, relay: true });
  const { page } = stack;
  try {
    assert.equal(await check(stack, 'nocors.test'), 'Enforced');
    assert.equal(await page.locator('#paste').count(), 0, 'no paste box with a relay');
    // The step list is folded away once the result is in: read its text, not what is shown.
    const steps = await page.locator('.steps').textContent();
    assert.match(steps, /through the relay/, steps);
    assert.match(await page.locator('#raw').innerText(), /relay/i);
    assert.ok(stack.requests.some((r) => r.url.includes('/api/v1/policy?domain=nocors.test')), 'the page asked the relay');
  } finally {
    await stack.close();
  }
});

test('a policy host without CORS and no relay: plain words, the curl command and the paste box', async () => {
  const stack = await startStack({ scenario: SCENARIO, relay: false });
  const { page } = stack;
  try {
    assert.equal(await check(stack, 'nocors.test'), 'Unknown', 'without the policy the mode cannot be known');
    const paste = page.locator('#paste');
    await paste.waitFor();
    assert.match(await paste.innerText(), /not allowed to read/);
    const curl = (await page.locator('#paste-curl').innerText()).trim();
    assert.match(curl, /^curl /);
    assert.match(curl, /https:\/\/mta-sts\.nocors\.test\/\.well-known\/mta-sts\.txt/);
    await screenshot(page, 'check-paste-light-desktop');

    await page.fill('#paste-text', `HTTP/2 200\ncontent-type: text/plain\n\n${policy('mx.nocors.test')}`);
    await page.click('#paste button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#verdict-h')?.textContent.trim() === 'Enforced');
    assert.match(await paste.innerText(), /uses the response you pasted/);
    assert.match(await page.locator('.mx-table tbody').innerText(), /mx\.nocors\.test/);
    // Chromium logs the refused fetch twice: the CORS message naming the URL, and net::ERR_FAILED.
    assert.deepEqual(stack.consoleErrors.filter((e) => !/mta-sts\.nocors\.test|net::ERR_FAILED/.test(e)), [],
      'the only console errors are the browser reporting the CORS refusal');
  } finally {
    await stack.close();
  }
});

test('a permalink runs the check on load; the history warns when the policy changed and its id did not', async () => {
  const earlier = {
    snapshots: [{
      domain: 'good.test', checked_at: 1700000000, sts_status: 'valid', id: ID,
      policy_sha256: '0'.repeat(64), mode: 'enforce', max_age: 604800, mx: ['mx.good.test'],
    }],
  };
  const stack = await startStack({ scenario: SCENARIO, relay: true });
  const { page, context } = stack;
  try {
    await context.addInitScript((value) => {
      if (!window.localStorage.getItem('stslens.history.v1')) window.localStorage.setItem('stslens.history.v1', value);
    }, JSON.stringify(earlier));
    assert.equal(await check(stack, 'good.test'), 'Enforced');
    const changes = page.locator('#changes');
    await changes.waitFor();
    assert.match(await changes.innerText(), /policy-changed-id-unchanged/);
    await screenshot(page, 'check-history-light-desktop');
  } finally {
    await stack.close();
  }
});

test('the check flow with the keyboard alone, with a visible focus', async () => {
  const stack = await startStack({ scenario: SCENARIO, relay: true });
  const { page } = stack;
  try {
    await page.goto(stack.origin + '/');
    await appReady(page);
    // Tab from the top of the page to the domain box.
    const active = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent.trim());
    let reached = false;
    for (let i = 0; i < 12 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await active()) === 'domain';
    }
    assert.ok(reached, 'the domain box is reachable with Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'focus is visible on the domain box');

    // A wrong entry: the error is announced and the focus stays in the box.
    await page.keyboard.type('not a domain');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#domain-error:not(:empty)');
    assert.equal(await page.locator('#domain').getAttribute('aria-invalid'), 'true');
    assert.equal(await active(), 'domain');

    await page.keyboard.press('Control+A');
    await page.keyboard.type('good.test');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/check/good.test');
    assert.equal(await verdict(page), 'Enforced');

    // From the verdict, Tab reaches "Check again", which runs the check again.
    await page.locator('#verdict-h').focus().catch(() => {});
    let again = false;
    for (let i = 0; i < 40 && !again; i++) {
      await page.keyboard.press('Tab');
      again = (await active()) === 'Check again';
    }
    assert.ok(again, '"Check again" is reachable with Tab');
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none');
    await page.keyboard.press('Enter');
    assert.equal(await verdict(page), 'Enforced');
    assert.deepEqual(stack.consoleErrors, []);
  } finally {
    await stack.close();
  }
});

test('the check engine fails to load: the page says so, and "Try again" starts a new one', async () => {
  const stack = await startStack({ scenario: SCENARIO, relay: true });
  const { page } = stack;
  try {
    // The worker's loader script is refused once (a network error): the worker that was
    // started is dead, and retrying with it would fail forever.
    let refused = 0;
    await page.route('**/stslens-check_loader.js', async (route) => {
      if (refused === 0) {
        refused += 1;
        await route.abort('connectionrefused');
      } else {
        await route.continue();
      }
    });
    await page.goto(`${stack.origin}/check/good.test`);
    await appReady(page);
    const notice = page.locator('.notice.error', { hasText: 'could not run in this browser' });
    await notice.waitFor({ timeout: 20000 });
    assert.equal(refused, 1, 'the loader was requested and refused');
    await screenshot(page, 'check-engine-failed-light-desktop');
    await notice.locator('button', { hasText: 'Try again' }).click();
    assert.equal(await verdict(page), 'Enforced', 'a new worker ran the check');
    assert.equal(await page.locator('.notice.error').count(), 0);
    assert.deepEqual(stack.consoleErrors.filter((e) => !/stslens-check_loader|net::ERR_CONNECTION_REFUSED/.test(e)), []);
  } finally {
    await stack.close();
  }
});
