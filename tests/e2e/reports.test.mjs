// The report viewer (/reports) end to end: the real corpus read in the browser gives the same
// numbers and the same CSV as `stslens report` on the same files; the sample button; the list of
// files that could not be read; filters; and no network request at all while reports are read.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startStack, appReady, screenshot, FIXTURES, DIST, STSLENS_BIN, FAKES_BIN, OUT } from './harness.mjs';

const CORPUS_DIR = join(FIXTURES, 'tlsrpt');
// Every real report of the corpus and the three synthetic negatives (which must be listed as
// unreadable without losing the others); not the provenance note nor dotfiles (.gitattributes).
const CORPUS = readdirSync(CORPUS_DIR).filter((n) => n !== 'PROVENANCE.md' && !n.startsWith('.')).sort();
const SAMPLES_DIR = join(DIST, 'samples');

/** `stslens report ARGS` over `names` in `dir` (bare names, so its sources match the page's). */
function cli(dir, names, format) {
  const r = stslensIn(dir, ['report', format, ...names]);
  assert.ok(r.stdout.length > 0, `stslens report ${format} printed nothing: ${r.stderr}`);
  return r.stdout;
}

function stslensIn(dir, args) {
  try {
    const stdout = execFileSync(STSLENS_BIN, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    // Exit status 1 means some files could not be read; the output is still complete.
    return { code: e.status, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The page's number format (app/src/numbers.rs `count`). */
const count = (n) => n.toLocaleString('en-US');

/** Opens /reports and waits until the report engine (the worker) is ready. */
async function openViewer(stack) {
  await stack.page.goto(stack.origin + '/reports');
  await appReady(stack.page);
  await stack.page.waitForSelector('#try-samples:not([disabled])', { timeout: 15000 });
}

/** Chooses `paths` in the file picker and waits until all are read and the results are shown. */
async function addFiles(page, paths) {
  await page.setInputFiles('input[type=file]', paths);
  await waitRead(page, paths.length);
}

/** Waits for the screen reader's "Read N files: …" line, said once every input is read; N counts
 * every input since the page opened (or since "Forget"). */
async function waitRead(page, files) {
  const line = `Read ${count(files)} ${files === 1 ? 'file' : 'files'}:`;
  await page.waitForFunction((l) => {
    const t = document.querySelector('#reports-status')?.textContent ?? '';
    return t.startsWith(l) && document.querySelector('.stats') !== null;
  }, line, { timeout: 30000 });
  await page.waitForSelector('.ingest-progress[data-done="true"]');
}

/** The headline cards as { label: value }. */
async function cards(page) {
  return page.$$eval('.stats .stat', (els) => Object.fromEntries(els.map((e) => [
    e.querySelector('.label').textContent.trim(), e.querySelector('.value').textContent.trim(),
  ])));
}

async function unreadable(page) {
  return page.$$eval('.unreadable li', (els) => els.map((e) => e.textContent.trim()));
}

/** Downloads what the button `selector` exports; returns its text and suggested file name. */
async function exported(page, selector) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

/** Adds `name` after the engine stopped: a new worker reads it, counts it as `stslens report`
 * does, and no error is shown any more. */
async function readByNewWorker(page, name) {
  await addFiles(page, [join(CORPUS_DIR, name)]);
  const expected = JSON.parse(cli(CORPUS_DIR, [name], '--json'));
  assert.ok(expected.reports === 1, `${name} holds one report`);
  assert.equal((await cards(page))['Reports'], count(expected.reports), 'a new worker read the file');
  assert.equal(await page.locator('.notice.error').count(), 0, 'the failure is gone once a worker runs');
}

test('the corpus read in the browser gives the numbers and the CSV of stslens report', async () => {
  const stack = await startStack();
  const { page } = stack;
  try {
    await openViewer(stack);
    await addFiles(page, CORPUS.map((n) => join(CORPUS_DIR, n)));
    const expected = JSON.parse(cli(CORPUS_DIR, CORPUS, '--json'));
    const shown = await cards(page);
    assert.equal(shown['Reports'], count(expected.reports));
    assert.equal(shown['Successful sessions'], count(expected.totals.successful_sessions));
    assert.equal(shown['Failed sessions'], count(expected.totals.failed_sessions));
    assert.equal(shown['Organizations'], count(expected.by_organization.length));
    assert.match(await page.locator('.stats').innerText(), new RegExp(`and ${expected.duplicates} duplicates`));

    // Every file the CLI could not read is listed with the same reason; the others were counted.
    assert.equal(expected.errors.length, 3, 'the corpus has its three negative files');
    const bad = await unreadable(page);
    assert.equal(bad.length, expected.errors.length);
    for (const e of expected.errors) {
      assert.ok(bad.includes(`${e.source}: ${e.message}`), `${e.source} listed as: ${bad.join(' | ')}`);
    }

    // One bar pair per reported day in the chart, one row per result type with its explanation.
    const days = expected.daily.filter((d) => d.date).length;
    assert.equal(await page.locator('svg.chart rect.bar-ok').count(), days);
    for (const t of expected.result_types) {
      const item = page.locator('.result-type', { has: page.locator(`code:text-is("${t.result_type}")`) });
      assert.equal(await item.count(), 1, t.result_type);
      assert.ok((await item.locator('.result-fix').innerText()).length > 10, `${t.result_type} has a fix`);
    }
    for (const id of ['by-organization', 'by-policy', 'by-mx', 'by-sending-ip']) {
      assert.equal(await page.locator(`#${id}`).count(), 1, id);
    }

    // The CSV is the CLI's, row for row (order aside), with formula cells defused in both.
    const csv = await exported(page, '#export-csv');
    assert.match(csv.name, /\.csv$/);
    const want = cli(CORPUS_DIR, CORPUS, '--csv').trimEnd().split('\n');
    const got = csv.text.trimEnd().split('\n');
    assert.equal(got[0], want[0], 'same header');
    assert.deepEqual(got.slice(1).sort(), want.slice(1).sort());
    assert.ok(got.length > 10, 'the corpus has failure rows');
    for (const line of got.slice(1)) assert.doesNotMatch(line, /(^|,)[=+@\-\t]/, `no cell starts a formula: ${line}`);

    const json = await exported(page, '#export-json');
    assert.match(json.name, /\.json$/);
    const summary = JSON.parse(json.text);
    assert.equal(summary.reports, expected.reports);
    assert.deepEqual(summary.totals, expected.totals);

    await screenshot(page, 'reports-corpus-light-desktop');
    assert.deepEqual(stack.consoleErrors, []);
  } finally {
    await stack.close();
  }
});

test('filters by result type, organization and date change the numbers', async () => {
  const stack = await startStack();
  const { page } = stack;
  try {
    await openViewer(stack);
    await addFiles(page, CORPUS.map((n) => join(CORPUS_DIR, n)));
    const expected = JSON.parse(cli(CORPUS_DIR, CORPUS, '--json'));
    const all = await cards(page);

    const type = expected.result_types[0];
    await page.selectOption('#filter-result-type', type.result_type);
    await page.waitForSelector('.filter-note');
    await page.waitForFunction(() => document.querySelector('#clear-filters:not([disabled])'));
    assert.match(await page.locator('.filter-note').innerText(), /Showing/);
    const filtered = await cards(page);
    assert.notEqual(filtered['Reports'], all['Reports'], 'fewer reports with one result type');
    assert.equal(await page.locator('.result-type').count(), 1, 'only the chosen result type');

    await page.click('#clear-filters');
    await page.waitForFunction(() => !document.querySelector('.filter-note'));
    assert.deepEqual(await cards(page), all);

    const org = expected.by_organization.find((o) => o.organization)?.organization;
    await page.selectOption('#filter-organization', org);
    await page.waitForFunction(() => document.querySelector('.filter-note'));
    const byOrg = await cards(page);
    assert.equal(byOrg['Organizations'], '1');

    await page.click('#clear-filters');
    await page.waitForFunction(() => !document.querySelector('.filter-note'));
    const first = expected.daily.find((d) => d.date).date;
    await page.fill('#filter-to', first);
    await page.dispatchEvent('#filter-to', 'change');
    await page.waitForFunction(() => document.querySelector('.filter-note'));
    const byDay = await cards(page);
    assert.equal(byDay['Period'], first);
    assert.deepEqual(stack.consoleErrors, []);
  } finally {
    await stack.close();
  }
});

test('the sample reports load with one click and match stslens report on the same files', async () => {
  const stack = await startStack();
  const { page } = stack;
  try {
    await openViewer(stack);
    const index = JSON.parse(readFileSync(join(SAMPLES_DIR, 'index.json'), 'utf8'));
    await page.click('#try-samples');
    await waitRead(page, index.files.length);
    const expected = JSON.parse(cli(SAMPLES_DIR, index.files, '--json'));
    const shown = await cards(page);
    assert.equal(shown['Reports'], count(expected.reports));
    assert.equal(shown['Failed sessions'], count(expected.totals.failed_sessions));
    assert.ok(expected.totals.failed_sessions > 0 && expected.reports > 20, 'the samples have a story to show');
    assert.equal((await unreadable(page)).length, expected.errors.length);
    assert.ok(await page.locator('.samples-notice').isVisible(), 'the samples are said to be synthetic');

    await page.click('#forget');
    await page.waitForFunction(() => !document.querySelector('.stats'));
    assert.ok(!(await page.locator('.samples-notice').isVisible()));
    assert.deepEqual(stack.consoleErrors, []);
  } finally {
    await stack.close();
  }
});

test('the report reader fails to load: the page says so, and "Try again" or the next files start a new one', async () => {
  const stack = await startStack();
  const { page } = stack;
  try {
    // The worker's loader is refused twice (a network error): each worker started from it is
    // dead, and posting files to it would lose them.
    let requested = 0;
    await page.route('**/stslens-reports_loader.js', async (route) => {
      requested += 1;
      if (requested <= 2) {
        await route.abort('connectionrefused');
      } else {
        await route.continue();
      }
    });
    await page.goto(stack.origin + '/reports');
    await appReady(page);
    const notice = page.locator('.notice.error', { hasText: 'could not start' });
    await notice.waitFor({ timeout: 20000 });
    assert.equal(requested, 1);
    assert.match(await notice.textContent(), /did not load\. If this persists/);
    assert.ok(await page.locator('#try-samples').isDisabled(), 'nothing is offered that cannot run');
    await screenshot(page, 'reports-engine-failed-light-desktop');

    // "Try again" really asks for the worker again (and is refused again).
    await notice.locator('button', { hasText: 'Try again' }).click();
    for (const until = Date.now() + 20000; requested < 2 && Date.now() < until;) {
      await page.waitForTimeout(50);
    }
    assert.equal(requested, 2, '"Try again" started a new worker');
    await notice.waitFor({ timeout: 20000 });

    // Files added now go to a new worker, not to the dead one: they are read and counted.
    const name = CORPUS.find((n) => n.endsWith('.json.gz')) ?? CORPUS.find((n) => n.endsWith('.json'));
    await readByNewWorker(page, name);
    assert.equal(requested, 3);
    assert.ok(!(await page.locator('#try-samples').isDisabled()));
    assert.deepEqual(stack.consoleErrors.filter((e) => !/stslens-reports_loader|net::ERR_CONNECTION_REFUSED/.test(e)), []);
  } finally {
    await stack.close();
  }
});

test('the report reader stops after reading: the page says so, and the next files go to a new one', async () => {
  const stack = await startStack();
  const { page } = stack;
  try {
    await openViewer(stack);
    const names = CORPUS.filter((n) => n.endsWith('.json')).slice(0, 2);
    await addFiles(page, names.map((n) => join(CORPUS_DIR, n)));
    const worker = page.workers().find((w) => w.url().includes('stslens-reports'));
    assert.ok(worker, `the report worker runs: ${page.workers().map((w) => w.url())}`);
    // An uncaught error in the worker, as a crash of the engine would raise.
    await worker.evaluate(() => { setTimeout(() => { throw new Error('engine crash for the test'); }, 0); });
    const notice = page.locator('.notice.error', { hasText: 'the report engine stopped' });
    await notice.waitFor({ timeout: 20000 });
    assert.match(await notice.textContent(), /engine crash for the test/);
    assert.doesNotMatch(await page.locator('.drop-zone').textContent(), /Reading/, 'nothing is said to be reading');

    await readByNewWorker(page, names[1]);
    assert.deepEqual(stack.consoleErrors.filter((e) => !/engine crash for the test/.test(e)), []);
  } finally {
    await stack.close();
  }
});

test('no request leaves the page while reports are read, filtered and exported', async () => {
  const stack = await startStack();
  const { page } = stack;
  try {
    await openViewer(stack);
    // Everything the page needs is loaded now (the app, the worker and its wasm); from here on,
    // every request the page or its worker makes is recorded.
    const loaded = stack.requests.map((r) => new URL(r.url).pathname);
    assert.ok(loaded.some((p) => p.endsWith('stslens-reports_bg.wasm')), `worker loaded: ${loaded.join(' ')}`);
    stack.requests.length = 0;
    await addFiles(page, CORPUS.map((n) => join(CORPUS_DIR, n)));
    await page.click('.paste-box summary');
    await page.fill('#paste-text', readFileSync(join(CORPUS_DIR, 'phi-ag-mta-sts-exporter_google.json'), 'utf8'));
    await page.click('.paste-box button');
    await waitRead(page, CORPUS.length + 1);
    await page.selectOption('#filter-result-type', { index: 1 });
    await page.waitForSelector('.filter-note');
    await exported(page, '#export-csv');
    await exported(page, '#export-json');
    const external = stack.requests.filter((r) => !r.url.startsWith('blob:'));
    assert.deepEqual(external, [], 'no network request while reports were handled');
    // Downloads are blob: URLs made in the page: they never reach the network either.
    for (const r of stack.requests) assert.ok(r.url.startsWith(`blob:${stack.origin}/`), r.url);
  } finally {
    await stack.close();
  }
});

for (const scheme of ['light', 'dark']) {
  for (const [label, viewport] of [['desktop', { width: 1280, height: 900 }], ['mobile', { width: 390, height: 844 }]]) {
    test(`/reports renders empty and loaded (${scheme}, ${label})`, async () => {
      const stack = await startStack({ colorScheme: scheme, viewport });
      const { page } = stack;
      try {
        await openViewer(stack);
        assert.equal((await page.locator('h1').innerText()).trim(), 'Read TLS-RPT reports');
        await screenshot(page, `reports-empty-${scheme}-${label}`);
        const index = JSON.parse(readFileSync(join(SAMPLES_DIR, 'index.json'), 'utf8'));
        await page.click('#try-samples');
        await waitRead(page, index.files.length);
        await screenshot(page, `reports-loaded-${scheme}-${label}`);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= viewport.width, `no sideways scrolling (${width} px wide)`);
        assert.deepEqual(stack.consoleErrors, [], 'no console errors (CSP violations show up here)');
      } finally {
        await stack.close();
      }
    });
  }
}

test('1,000 hostile files: every good report counted, every bad file listed with its reason', async () => {
  // The set of tests/src/hostile.rs: 900 good reports (JSON, gzip, zip, email, and gzip misnamed
  // .json) and 100 files corrupt, truncated, oversized (compression bombs) or mislabelled.
  const dir = join(OUT, 'hostile-set');
  const manifest = JSON.parse(execFileSync(FAKES_BIN, ['--hostile', dir, '1000'], { encoding: 'utf8', maxBuffer: 16 << 20 }));
  assert.equal(manifest.files.length, 1000);
  const stack = await startStack();
  const { page } = stack;
  try {
    await openViewer(stack);
    await page.setInputFiles('input[type=file]', manifest.files.map((n) => join(dir, n)));
    await waitRead(page, manifest.files.length);
    const shown = await cards(page);
    assert.equal(shown['Reports'], count(manifest.good.length));
    assert.equal(shown['Successful sessions'], count(manifest.successful));
    assert.equal(shown['Failed sessions'], count(manifest.failed));
    const bad = await unreadable(page);
    assert.equal(bad.length, manifest.bad.length, bad.join('\n'));
    for (const [name, damage] of manifest.bad) {
      const line = bad.find((l) => l.startsWith(name));
      assert.ok(line, `${name} (${damage}) is listed`);
      assert.ok(line.length > name.length + 10, `${name} (${damage}) has a reason: ${line}`);
    }
    // The same reasons as the CLI on the same files.
    const expected = JSON.parse(cli(dir, manifest.files, '--json'));
    for (const e of expected.errors) {
      assert.ok(bad.includes(`${e.source}: ${e.message}`), `${e.source} listed as the CLI says`);
    }
    assert.deepEqual(stack.consoleErrors, []);
  } finally {
    await stack.close();
  }
});

test('a report of millions of empty failure details is refused by name and the other files still count', async () => {
  // 20 MiB of `{}` (about 7 million elements, 20 KB gzipped): each element takes about 1 KiB
  // once read, so the engine refuses the report past 100,000 of them instead of growing past
  // what a tab may hold; the page goes on and the other file is counted.
  const dir = join(OUT, 'element-bomb');
  mkdirSync(dir, { recursive: true });
  const details = Math.floor((20 * 1024 * 1024 - 200) / 3);
  const json = '{"organization-name":"o","report-id":"bomb","policies":[{"failure-details":[{}' + ',{}'.repeat(details - 1) + ']}]}';
  writeFileSync(join(dir, 'bomb.json.gz'), gzipSync(json));
  const good = CORPUS.find((n) => n.endsWith('_google.json'));
  writeFileSync(join(dir, good), readFileSync(join(CORPUS_DIR, good)));
  const names = ['bomb.json.gz', good];
  const expected = JSON.parse(cli(dir, names, '--json'));
  assert.equal(expected.reports, 1);
  assert.equal(expected.errors.length, 1);
  assert.match(expected.errors[0].message, /more than 100,000 elements/);
  const stack = await startStack();
  const { page } = stack;
  try {
    await openViewer(stack);
    await addFiles(page, names.map((n) => join(dir, n)));
    assert.equal((await cards(page))['Reports'], count(expected.reports));
    assert.deepEqual(await unreadable(page), [`bomb.json.gz: ${expected.errors[0].message}`]);
    await screenshot(page, 'reports-element-bomb-light-desktop');
    assert.equal(await page.locator('.notice.error').count(), 0, 'the engine did not stop');
    assert.deepEqual(stack.consoleErrors, []);
  } finally {
    await stack.close();
  }
});
