import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../host/paths.ts';
import { renderHtml } from './render-html.ts';
import { loadFixtureReport } from './test/pipeline-fixture.ts';

const CHROMIUM = '/usr/bin/chromium'; // Debian's package (harness/setup/apt-packages.txt)
const FAILING = 'ubuntu-24.04-1.34.4-containerd-cilium-ha-3cp-deploy';
const REASON = 'pod kvmatrix-probe-7d9 on node-2 cannot reach 10.244.1.12:8080 on node-3';

describe('renderHtml', () => {
  it('is one self-contained file: inline CSS, no script, nothing loaded from elsewhere', async () => {
    const html = renderHtml(await loadFixtureReport());
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link[^>]+stylesheet/i);
    expect(html).not.toMatch(/\b(src|srcset)=/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes text from the records', async () => {
    const report = await loadFixtureReport();
    const cell = report.cells.find((c) => c.name === FAILING);
    if (!cell?.firstFailure) throw new Error('fixture cell missing');
    cell.firstFailure.reason = '<img src=x onerror=alert(1)>';
    expect(renderHtml(report)).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('shows the grid, a failing cell and its reason in headless Chromium, without touching the network', async () => {
    const html = renderHtml(await loadFixtureReport());
    const outDir = path.join(repoRoot, 'artifacts', 'report');
    await mkdir(outDir, { recursive: true });
    const file = path.join(outDir, 'matrix-report.html');
    await writeFile(file, html);
    const profile = await mkdtemp(path.join(tmpdir(), 'kvm-report-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1600, height: 1000 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      await page.goto(pathToFileURL(file).href);

      const grid = page.locator('table.grid');
      await expect.poll(() => grid.isVisible()).toBe(true);
      expect(await grid.locator('a.chip').count()).toBe(36);
      const failing = grid.locator(`a.chip[href="#cell-${FAILING}"]`);
      expect(await failing.isVisible()).toBe(true);
      expect(await failing.textContent()).toContain('failed');
      expect(await failing.textContent()).toContain(REASON);
      // Runs in the page; the cast stands in for the DOM types this project does not load.
      type Styles = { getComputedStyle(el: unknown): { backgroundColor: string } };
      const colour = await failing.evaluate(
        (el) => (globalThis as unknown as Styles).getComputedStyle(el).backgroundColor,
      );
      expect(colour).toBe('rgb(207, 34, 46)');
      expect(await page.getByText(REASON).first().isVisible()).toBe(true);
      expect(await page.locator('header').textContent()).toContain('6 of 36 cells failing');
      expect(await page.locator(`tr[id="cell-${FAILING}"] .bar .seg`).count()).toBeGreaterThan(1);

      await page.screenshot({ path: path.join(outDir, 'matrix-report.png'), fullPage: true });
      expect(requested).toEqual([pathToFileURL(file).href]);
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  }, 90_000);
});
