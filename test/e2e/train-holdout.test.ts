import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { copySampleImages, e2eAvailable, launchBrowser, openPage, screenshot, startStudio, type Studio } from './helpers';

describe.skipIf(!e2eAvailable())('train view without validation images (browser mode)', () => {
  let studio: Studio;
  let browser: Browser;

  beforeAll(async () => {
    studio = await startStudio({});
    // valFraction 0: every image lands in train, as when a folder holds only train/.
    const photos = copySampleImages(join(studio.root, 'photos'), { perClass: 10, layout: 'classes' });
    const { jobId } = await studio.engine.call('library.import', { paths: [photos], valFraction: 0 });
    expect((await studio.engine.jobs.wait(jobId)).status).toBe('succeeded');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('says before and during the run that 15% of train is held out, and shows the accuracy on it', async () => {
    const page = await openPage(browser, studio.url);
    await page.click('.rail button[title="Train"]');
    await page.waitForSelector('[data-testid="train-holdout-plan"]');
    expect(await page.textContent('[data-testid="train-holdout-plan"]')).toMatch(
      /no validation images in the catalogue: each run holds out 15% of train \(4 images, stratified by class\)/,
    );
    await page.click('[data-testid="train-mode-bottleneck"]');
    await page.click('details.advanced summary');
    await page.fill('[data-testid="train-epochs"]', '2');
    await page.click('[data-testid="train-start"]');
    await page.waitForSelector('[data-testid="train-holdout"]');
    expect(await page.textContent('[data-testid="train-holdout"]')).toMatch(
      /holding out 15% of train \(4 images, stratified by class, seed 42\) to measure accuracy/,
    );
    await expect.poll(() => page.getAttribute('[data-testid="train-live"]', 'data-status'), { timeout: 90_000 }).toBe('succeeded');
    expect(await page.textContent('[data-testid="train-result"]')).toMatch(/validation accuracy \d+\.\d%/);
    await screenshot(page, 'train-holdout');
  });
});
