// The viewer's browser budget (design §7), measured through the real site: `stslens serve` with
// the built dist/, headless Chromium, /reports, and every `.gz` file of DIR chosen in the file
// picker at once. Run by `cargo xtask bench` (xtask/src/bench/browser_reports.rs), which
// generates DIR and checks the counts printed here against what it wrote.
//
// Usage: node reports-bench.mjs DIR [RUNS]
// Prints one JSON line: { files, runs: [{ ms, longest_frame_ms, long_tasks }], cards, floor_ms }.
//
// What is timed, in the page's own clock: from the file input's `change` event (the files are
// handed to the page) to the moment the page announces "Read N files: …", which it does when
// the worker's final results (numbers, chart, tables) are in the document. Responsiveness is
// measured beside it: the longest gap between two animation frames on the page's thread while
// reading, and the main-thread long tasks (> 50 ms) the browser reports.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, appReady } from './harness.mjs';

const dir = process.argv[2];
const runs = Number(process.argv[3] ?? 3);
if (!dir) throw new Error('usage: node reports-bench.mjs DIR [RUNS]');
const files = readdirSync(dir).filter((n) => n.endsWith('.gz')).sort().map((n) => join(dir, n));
const expectLine = `Read ${files.length.toLocaleString('en-US')} files:`;

const stack = await startStack();
const { page } = stack;
try {
  await page.goto(stack.origin + '/reports');
  await appReady(page);
  await page.waitForSelector('#try-samples:not([disabled])', { timeout: 20000 });
  const results = [];
  let cards = null;
  for (let run = 0; run < runs; run++) {
    await page.evaluate((line) => {
      const b = { start: 0, end: 0, longestFrame: 0, longTasks: 0, longTaskMs: [] };
      window.__bench = b;
      new PerformanceObserver((list) => {
        if (!b.start || b.end) return;
        for (const t of list.getEntries()) {
          b.longTasks += 1;
          b.longTaskMs.push(Math.round(t.duration));
        }
      }).observe({ type: 'longtask' });
      document.querySelector('input[type=file]').addEventListener('change', () => {
        b.start = performance.now();
        let last = b.start;
        const frame = () => {
          const now = performance.now();
          b.longestFrame = Math.max(b.longestFrame, now - last);
          last = now;
          if (!b.end) requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      }, { capture: true, once: true });
      const status = document.querySelector('#reports-status');
      new MutationObserver((_, observer) => {
        if (b.start && status.textContent.startsWith(line)) {
          b.end = performance.now();
          observer.disconnect();
        }
      }).observe(status, { subtree: true, childList: true, characterData: true });
    }, expectLine);
    await page.setInputFiles('input[type=file]', files);
    await page.waitForFunction(() => window.__bench.end > 0, null, { timeout: 120000, polling: 100 });
    const b = await page.evaluate(() => window.__bench);
    const html = await page.evaluate(() => document.querySelector('.results').innerHTML.length);
    results.push({
      ms: b.end - b.start, longest_frame_ms: b.longestFrame, long_tasks: b.longTasks,
      long_task_ms: b.longTaskMs, results_html_bytes: html,
    });
    cards = await page.$$eval('.stats .stat', (els) => Object.fromEntries(els.map((e) => [
      e.querySelector('.label').textContent.trim(), e.querySelector('.value').textContent.trim(),
    ])));
    // Forget them, so the next run reads the same files into an empty engine.
    await page.click('#forget');
    await page.waitForFunction(() => !document.querySelector('.stats'));
  }
  // The browser's own floor: what Chromium costs before any page can read or hand over a picked
  // file. Fresh `File`s from a second, hidden picker (each pick makes new ones); asking each its
  // size makes Chromium fetch the file's size and date from the browser process, once per file.
  const floor = [];
  for (let run = 0; run < runs; run++) {
    await page.evaluate(() => {
      const input = document.createElement('input');
      Object.assign(input, { type: 'file', multiple: true, id: 'bench-floor', hidden: true });
      document.body.append(input);
    });
    await page.setInputFiles('#bench-floor', files);
    floor.push(await page.evaluate(() => {
      const input = document.getElementById('bench-floor');
      const start = performance.now();
      let bytes = 0;
      for (const file of input.files) bytes += file.size;
      const ms = performance.now() - start;
      input.remove();
      return bytes > 0 ? ms : -1;
    }));
  }
  if (stack.consoleErrors.length) throw new Error(`console errors: ${stack.consoleErrors.join('\n')}`);
  console.log(JSON.stringify({ files: files.length, runs: results, cards, floor_ms: Math.min(...floor) }));
} finally {
  await stack.close();
}
