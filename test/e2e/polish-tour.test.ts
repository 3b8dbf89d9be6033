import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { e2eAvailable, launchBrowser, openPage, screenshot, splitFirstPerClass, startStudio, trainRun, type Studio } from './helpers';

const PLACES = ['Library', 'Augment', 'Train', 'Runs', 'Settings'] as const;

// The screenshot tour of issue 16: every place in both themes, saved under test-results/screenshots/
// as tour-<place>-<theme>.png (CI keeps them as artifacts), with one finished run so Runs has content.
describe.skipIf(!e2eAvailable())('screenshot tour of every place in both themes', () => {
  let studio: Studio;
  let browser: Browser;

  beforeAll(async () => {
    studio = await startStudio({ images: 6, layout: 'classes' });
    await splitFirstPerClass(studio, 2);
    await trainRun(studio, { mode: 'bottleneck', epochs: 3, seed: 5 });
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('visits Library, Augment, Train, Runs and Settings in light and dark', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const page = await openPage(browser, studio.url, { theme });
      for (const place of PLACES) {
        await page.click(`.rail button[title="${place}"]`);
        await expect.poll(() => page.getAttribute('.rail [aria-current="page"]', 'title')).toBe(place);
        if (place === 'Augment') await page.waitForSelector('[data-testid="augment-grid"][data-stale="false"]', { timeout: 60_000 });
        if (place === 'Runs') await page.waitForSelector('[data-testid="runs-workbench"]', { timeout: 60_000 });
        const path = await screenshot(page, `tour-${place.toLowerCase()}-${theme}`);
        expect(path).toMatch(/\.png$/);
      }
      await page.context().close();
    }
  }, 240_000);
});
