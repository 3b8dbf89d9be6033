import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { e2eAvailable, launchBrowser, openPage, screenshot, startStudio, type Studio } from './helpers';

async function variantSources(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid="augment-variant"]', (imgs) => imgs.map((img) => (img as HTMLImageElement).src));
}

describe.skipIf(!e2eAvailable())('augment view in chromium (browser mode)', () => {
  let studio: Studio;
  let browser: Browser;

  beforeAll(async () => {
    studio = await startStudio({ images: 3, layout: 'classes' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('shows 9 variants per sample image, and moving a slider changes the grid', async () => {
    const page = await openPage(browser, studio.url);
    await page.click('.rail button[title="Augment"]');
    await page.waitForSelector('[data-testid="augment-grid"]');
    // Random images per class (cats, dogs: two each to fill 4 samples), each with the original and 9 variants.
    await expect.poll(async () => (await variantSources(page)).length).toBe(36);
    expect(await page.$$eval('[data-testid="augment-grid"] figure.original', (f) => f.length)).toBe(4);
    const before = await variantSources(page);
    expect(new Set(before).size).toBe(36);

    // The rotation slider: fill it to its far right, as a drag would end.
    const slider = page.locator('[data-testid="slider-rotation_range"]');
    await slider.focus();
    await slider.press('End');
    await expect.poll(() => page.inputValue('#rotation_range')).toBe('180');
    await expect.poll(async () => (await variantSources(page)).join() !== before.join(), { timeout: 15_000 }).toBe(true);
    const latency = await page.textContent('[data-testid="augment-latency"]');
    expect(latency).toMatch(/variants in \d+ ms/);
    await screenshot(page, 'augment');

    // Re-seed draws other variants again.
    const rotated = await variantSources(page);
    await page.click('[data-testid="augment-reseed"]');
    await expect.poll(async () => (await variantSources(page)).join() !== rotated.join(), { timeout: 15_000 }).toBe(true);
  });
});
