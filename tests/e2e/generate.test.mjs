// A user generates records, and what the page gives them lints clean with `stslens lint`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, appReady, screenshot, stslens } from './harness.mjs';

test('generated policy and records lint clean', async () => {
  const stack = await startStack();
  const { page } = stack;
  try {
    await page.goto(stack.origin + '/generate');
    await appReady(page);
    await page.fill('#gen-domain', 'mail-admin.example.org');
    await page.fill('#gen-mx', 'mx1.mail-provider.net\nmx2.mail-provider.net');
    await page.getByLabel('enforce', { exact: false }).first().check();
    await page.fill('#gen-rua', 'mailto:tlsrpt@mail-admin.example.org');
    const policy = await page.locator('#gen-out-policy').innerText();
    assert.match(policy, /^version: STSv1$/m);
    assert.match(policy, /^mode: enforce$/m);
    assert.match(policy, /^mx: mx1\.mail-provider\.net$/m);
    assert.match(policy, /^mx: mx2\.mail-provider\.net$/m);

    const lintPolicy = stslens(['lint', 'policy', '-', '--json'], policy + (policy.endsWith('\n') ? '' : '\n'));
    assert.equal(lintPolicy.code, 0, lintPolicy.stdout + lintPolicy.stderr);
    const parsed = JSON.parse(lintPolicy.stdout);
    assert.equal(parsed.valid, true);
    assert.deepEqual(parsed.parsed.mx, ['mx1.mail-provider.net', 'mx2.mail-provider.net']);

    assert.equal((await page.locator('#gen-out-sts-name').innerText()).trim(), '_mta-sts.mail-admin.example.org');
    const sts = (await page.locator('#gen-out-sts-value').innerText()).trim();
    const lintSts = stslens(['lint', 'sts-record', sts, '--json']);
    assert.equal(lintSts.code, 0, lintSts.stdout);
    assert.equal(JSON.parse(lintSts.stdout).valid, true);

    const rpt = (await page.locator('#gen-out-rpt-value').innerText()).trim();
    const lintRpt = stslens(['lint', 'tlsrpt-record', rpt, '--json']);
    assert.equal(lintRpt.code, 0, lintRpt.stdout);
    assert.deepEqual(JSON.parse(lintRpt.stdout).parsed.rua, ['mailto:tlsrpt@mail-admin.example.org']);

    await screenshot(page, 'generate-filled');
    assert.deepEqual(stack.consoleErrors, []);
  } finally {
    await stack.close();
  }
});
