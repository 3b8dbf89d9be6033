import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { e2eAvailable, launchBrowser, openPage, screenshot, startStudio, type Studio } from './helpers';

const PLACES = ['Library', 'Augment', 'Train', 'Runs', 'Settings'] as const;

// The screenshot tour of issue 16: every place in both themes, saved under test-results/screenshots/
// as tour-<place>-<theme>.png (CI keeps them as artifacts), with one finished run so Runs has content.
describe.skipIf(!e2eAvailable())('screenshot tour of every place in both themes', () => {
  let studio: Studio;
  let browser: Browser;

  beforeAll(async () => {
    studio = await startStudio({ images: 6, layout: 'classes' });
    const entries: { imageId: number; split: 'train' | 'validation' }[] = [];
    for (const c of await studio.engine.call('library.classes', {})) {
      const images = await studio.engine.call('library.list', { classId: c.id });
      images.forEach((im, i) => entries.push({ imageId: im.id, split: i < 2 ? 'validation' : 'train' }));
    }
    await studio.engine.call('library.applySplits', { entries });
    const started = await studio.engine.call('train.start', { mode: 'bottleneck', epochs: 3, seed: 5 });
    await studio.engine.jobs.wait(started.jobId);
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
