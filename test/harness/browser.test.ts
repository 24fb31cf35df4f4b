import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExperiment } from '../../harness/experiment/config.ts';
import { runExperiment } from '../../harness/experiment/runner.ts';
import { writeReport } from '../../harness/report/write.ts';
import { writeFixtureResults } from './report-fixture.ts';

/** Debian's chromium (`.ci/run` installs it); the test runs wherever it is, and CI must have it. */
const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);

/** What a person sees when opening the report: every chart drawn, no error, nothing fetched from the network. */
async function openReport(
  browser: Browser,
  dir: string,
): Promise<{ state: string; marks: Record<string, number>; errors: string[]; remote: string[]; tableOverflow: number }> {
  // A laptop's window: the results table must fit it without scrolling sideways.
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  const remote: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => !r.url().startsWith('file://') && !r.url().startsWith('data:') && remote.push(r.url()));
  await page.goto(pathToFileURL(join(dir, 'index.html')).href);
  // Page code as strings: the project's TypeScript has no DOM types.
  await page.waitForFunction('document.body.dataset.rendered !== undefined', null, { timeout: 60_000 });
  const state = await page.evaluate<string>("document.body.dataset.rendered ?? ''");
  const names = JSON.parse(readFileSync(join(dir, 'charts.json'), 'utf8')) as string[];
  const marks: Record<string, number> = {};
  for (const name of names) {
    marks[name] = await page.evaluate<number>(`document.querySelectorAll(${JSON.stringify(`#view-${name} svg .role-mark > *`)}).length`);
  }
  const tableOverflow = await page.evaluate<number>(
    "(() => { const w = document.querySelector('#results').closest('.table-wrap'); return w.scrollWidth - w.clientWidth; })()",
  );
  await page.close();
  return { state, marks, errors, remote, tableOverflow };
}

describe.skipIf(!available && !process.env.CI)('index.html in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('draws every chart of a report over every family, offline, with no console error', async () => {
    const { dir } = writeFixtureResults();
    const { charts } = await writeReport(dir);
    const seen = await openReport(browser, dir);
    expect(seen.state).toBe('true');
    expect(seen.errors).toEqual([]);
    expect(seen.remote).toEqual([]);
    expect(Object.keys(seen.marks)).toEqual(charts.map((c) => c.name));
    for (const [name, n] of Object.entries(seen.marks)) expect(n, name).toBeGreaterThan(0);
    expect(seen.tableOverflow).toBe(0);
  });

  it('draws the report of a real run', async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'pb-browser-'));
    const path = join(configDir, 'real.json');
    const config = { corpora: ['ship'], models: [{ plugin: 'unigram', hyperParameters: { alpha: [0.5, 2] } }] };
    writeFileSync(path, JSON.stringify(config));
    const out = mkdtempSync(join(tmpdir(), 'pb-browser-out-'));
    await runExperiment({ name: 'real', path, config: parseExperiment(config, path) }, { outDir: out });
    const { charts } = await writeReport(out);
    expect(charts.length).toBeGreaterThanOrEqual(5);
    const seen = await openReport(browser, out);
    expect(seen.state).toBe('true');
    expect(seen.errors).toEqual([]);
    for (const [name, n] of Object.entries(seen.marks)) expect(n, name).toBeGreaterThan(0);
  });
});
