import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { copySampleImages, e2eAvailable, launchBrowser, openPage, screenshot, startStudio, type Studio } from './helpers';

/** Tiles in the viewport whose picture has arrived, and all tiles in the viewport. */
async function visibleTiles(page: Page): Promise<{ shown: number; total: number }> {
  return page.$eval('[data-testid="grid"]', (grid) => {
    const view = grid.getBoundingClientRect();
    const tiles = [...grid.querySelectorAll<HTMLElement>('[role="option"]')].filter((t) => {
      const r = t.getBoundingClientRect();
      return r.bottom > view.top && r.top < view.bottom;
    });
    const shown = tiles.filter((t) => {
      const img = t.querySelector('img');
      return img && img.complete && img.naturalWidth > 0;
    }).length;
    return { shown, total: tiles.length };
  });
}

// Issue 16 item 11 (thumbnails), item 8 (offline backbone download) and the job parts of 17
// (import dialog, top-bar progress, the job chip).
describe.skipIf(!e2eAvailable())('jobs, import and thumbnails polish in chromium (browser mode)', () => {
  let studio: Studio;
  let browser: Browser;
  let folder = '';

  beforeAll(async () => {
    studio = await startStudio({ images: 0 });
    // Enough real pictures that the import runs for a while and the grid is many screens tall.
    folder = copySampleImages(mkdtempSync(join(studio.root, 'many-')), { perClass: 600, layout: 'classes' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    delete process.env.LDS_KERAS_WEIGHTS_BASE;
    await browser?.close();
    await studio?.close();
  });

  it('import: Escape in the path field closes the dialog, progress shows once, tiles appear while it runs, the chip leads back, and a clean import closes the dialog', async () => {
    const page = await openPage(browser, studio.url);
    // The empty Library's own panel, then the toolbar's dialog: Escape in its path field closes it.
    await page.waitForSelector('[data-testid="import-panel"]');
    await page.fill('[data-testid="import-path"]', folder);
    await page.press('[data-testid="import-path"]', 'Enter');
    await page.waitForSelector('[role="dialog"][aria-label="Import images"]');
    // One progress display in the Library (the dialog's), not a second one behind it.
    await page.waitForSelector('[data-testid="import-panel"] [role="progressbar"]');
    expect(await page.$$eval('[data-testid="import-panel"]', (p) => p.length)).toBe(1);
    await screenshot(page, 'import-running-light');

    // Tiles appear while the import is still running.
    await page.press('[data-testid="import-path"]', 'Escape');
    await page.waitForSelector('[role="dialog"][aria-label="Import images"]', { state: 'detached' });
    // Checked in one look at the page: a thumbnail drawn while the import's chip is still in the top bar.
    await page.waitForFunction(
      () =>
        !!document.querySelector('[data-testid="job-chip"][data-kind="import"]') &&
        [...document.querySelectorAll<HTMLImageElement>('[data-testid="grid"] [role="option"] img')].some(
          (i) => i.complete && i.naturalWidth > 0,
        ),
      undefined,
      { timeout: 60_000, polling: 100 },
    );
    const running = (await studio.engine.call('jobs.list', {})).filter((j) => j.kind === 'import' && j.status === 'running');
    expect(running).toHaveLength(1);

    // The chip in the top bar goes to the place that shows the job.
    await page.click('.rail button[title="Settings"]');
    await page.click('[data-testid="job-chip"][data-kind="import"] [data-testid="job-chip-open"]');
    await expect.poll(() => page.getAttribute('.rail [aria-current="page"]', 'title')).toBe('Library');
    await screenshot(page, 'import-tiles-while-importing-light');
    await studio.engine.jobs.wait(running[0]!.id);

    // Re-importing the same folder from the toolbar: clean, so the dialog closes itself and a notice says what happened.
    await page.click('.toolbar button:has-text("Import")');
    await page.waitForSelector('[role="dialog"][aria-label="Import images"]');
    await page.fill('[data-testid="import-path"]', folder);
    await page.press('[data-testid="import-path"]', 'Enter');
    await page.waitForSelector('[role="dialog"][aria-label="Import images"]', { state: 'detached', timeout: 60_000 });
    await expect.poll(() => page.textContent('.notices')).toMatch(/Imported 0 new images, 1\D?200 unchanged/);
    await page.context().close();
  }, 240_000);

  it('thumbnails: after a fast scroll to the end and a jump to the middle, the visible tiles fill in', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const page = await openPage(browser, studio.url, { theme });
      await page.waitForSelector('[data-testid="grid"] [role="option"] img');
      // A fling: many scroll steps in quick succession, mounting and unmounting rows on the way.
      const flung = Date.now();
      await page.$eval('[data-testid="grid"]', async (grid) => {
        for (let i = 1; i <= 20; i++) {
          grid.scrollTop = (grid.scrollHeight * i) / 20;
          await new Promise((r) => requestAnimationFrame(r));
        }
      });
      await expect
        .poll(
          async () => {
            const { shown, total } = await visibleTiles(page);
            return total > 0 && shown === total;
          },
          { timeout: 30_000, interval: 50 },
        )
        .toBe(true);
      // Measured for the report; the target (≤ 1 s) is the bench's to check.
      console.info(`[thumbs] ${theme}: visible tiles complete ${Date.now() - flung} ms after a 20-step fling to the end`);
      const jumped = Date.now();
      await page.$eval('[data-testid="grid"]', (grid) => (grid.scrollTop = grid.scrollHeight / 2));
      await expect
        .poll(
          async () => {
            const { shown, total } = await visibleTiles(page);
            return total > 0 && shown === total;
          },
          { timeout: 30_000, interval: 50 },
        )
        .toBe(true);
      console.info(`[thumbs] ${theme}: visible tiles complete ${Date.now() - jumped} ms after a jump to the middle`);
      await screenshot(page, `library-grid-middle-${theme}`);
      await page.context().close();
    }
  }, 120_000);

  it('an offline backbone download: the error sits in its row, the button offers a retry (nothing was fetched), no toast repeats it', async () => {
    // Nothing listens on port 9: the download fails at once, as it does offline.
    process.env.LDS_KERAS_WEIGHTS_BASE = 'http://127.0.0.1:9/';
    for (const theme of ['light', 'dark'] as const) {
      const page = await openPage(browser, studio.url, { theme });
      await page.click('.rail button[title="Settings"]');
      const row = page.locator('[data-testid="download-row"]').first();
      await row.locator('[data-testid="download-button"]').click();
      await row.locator('[data-testid="download-error"]').waitFor({ timeout: 30_000 });
      expect(await row.locator('[data-testid="download-button"]').textContent()).toBe('Try again');
      // The error is inside its row and the next row starts below it.
      const errorBox = (await row.locator('[data-testid="download-error"]').boundingBox())!;
      const rowBox = (await row.boundingBox())!;
      const next = (await page.locator('[data-testid="download-row"]').nth(1).boundingBox())!;
      expect(errorBox.y + errorBox.height).toBeLessThanOrEqual(rowBox.y + rowBox.height + 0.5);
      // Its text fits its own box (a fixed-height box would let it spill over the rows below).
      expect(await row.locator('[data-testid="download-error"]').evaluate((el) => el.scrollHeight <= el.clientHeight + 1)).toBe(true);
      expect(next.y).toBeGreaterThanOrEqual(rowBox.y + rowBox.height);
      expect(errorBox.x + errorBox.width).toBeLessThanOrEqual((await page.viewportSize())!.width);
      // The job's failure is said once, in the row: no toast with the same words.
      await page.waitForTimeout(500);
      expect(await page.$$eval('.notices .notice', (n) => n.map((e) => e.textContent ?? '').filter((t) => /failed/i.test(t)))).toEqual([]);
      await row.scrollIntoViewIfNeeded();
      await screenshot(page, `settings-download-offline-${theme}`);
      await page.context().close();
    }
  });
});
