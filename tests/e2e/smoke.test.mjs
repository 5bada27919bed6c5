// Every page renders under the strict CSP with no console error, in light and dark mode, on a
// desktop and a phone; the site is usable with the keyboard alone.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, appReady, screenshot } from './harness.mjs';

const PAGES = [
  ['about', '/about', 'About StsLens'],
  ['settings', '/settings', 'Settings'],
  ['generate', '/generate', 'Generate MTA-STS and TLS-RPT records'],
  ['not-found', '/no/such/page', 'Page not found'],
];

for (const scheme of ['light', 'dark']) {
  for (const [label, viewport] of [['desktop', { width: 1280, height: 900 }], ['mobile', { width: 390, height: 844 }]]) {
    test(`every page renders (${scheme}, ${label})`, async () => {
      const stack = await startStack({ colorScheme: scheme, viewport });
      try {
        for (const [name, path, heading] of PAGES) {
          await stack.page.goto(stack.origin + path);
          await appReady(stack.page);
          assert.equal((await stack.page.locator('h1').first().innerText()).trim(), heading, path);
          await screenshot(stack.page, `${name}-${scheme}-${label}`);
        }
        assert.deepEqual(stack.consoleErrors, [], 'no console errors (CSP violations show up here)');
      } finally {
        await stack.close();
      }
    });
  }
}

test('the navigation works with the keyboard alone, with a visible focus', async () => {
  const stack = await startStack();
  const { page } = stack;
  try {
    await page.goto(stack.origin + '/settings');
    await appReady(page);
    // Tab order: the skip link first, then the brand, then the navigation.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Skip to content');
    const seen = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      seen.push(await page.evaluate(() => document.activeElement.textContent.trim()));
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      assert.notEqual(outline, 'none', `focus is visible on ${seen.at(-1)}`);
      if (seen.at(-1) === 'About') break;
    }
    assert.equal(seen.at(-1), 'About', `reached About by Tab: ${seen.join(' → ')}`);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/about');
    assert.equal((await page.locator('h1').innerText()).trim(), 'About StsLens');
    assert.deepEqual(stack.consoleErrors, []);
  } finally {
    await stack.close();
  }
});

test('the served pages carry the strict CSP', async () => {
  const stack = await startStack();
  try {
    const res = await stack.page.goto(stack.origin + '/about');
    const csp = res.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    const inline = await stack.page.evaluate(() => [...document.scripts].filter((s) => !s.src).length);
    assert.equal(inline, 0, 'no inline scripts in the page');
  } finally {
    await stack.close();
  }
});
