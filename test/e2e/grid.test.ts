import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { e2eAvailable, launchBrowser, openPage, screenshot, startStudio, type Studio } from './helpers';

describe.skipIf(!e2eAvailable())('virtualised grid (browser mode)', () => {
  let studio: Studio;
  let browser: Browser;

  beforeAll(async () => {
    studio = await startStudio({ images: 120, layout: 'classes' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('keeps only the visible rows in the DOM and follows the cursor to the end', async () => {
    const page = await openPage(browser, studio.url, { width: 1100, height: 700 });
    await page.waitForSelector('[data-image-id]');
    expect(await page.textContent('[data-testid="shown-count"]')).toBe('240');
    const rendered = await page.$$eval('[data-image-id]', (tiles) => tiles.length);
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(100);

    // The grid has the keyboard on arrival; extending from the first image includes it.
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    expect(await page.textContent('[data-testid="status-line"]')).toContain('3 selected');

    await page.click('[data-image-id]');
    await page.keyboard.press('End');
    const last = (await studio.engine.call('library.list', {})).at(-1)!.id;
    await page.waitForSelector(`[data-image-id="${last}"].cursor`);
    expect(await page.$$eval('[data-image-id]', (tiles) => tiles.length)).toBeLessThan(100);

    // Filters: only dogs, then only validation dogs.
    await page.click('[data-testid="class-row"]:has-text("dogs") button.main');
    await expect.poll(() => page.textContent('[data-testid="shown-count"]')).toBe('120');
    await page.click('[role="radio"]:has-text("Validation")');
    const validationDogs = (await studio.engine.call('library.list', { classId: null, split: 'validation' })).length;
    expect(validationDogs).toBeGreaterThan(0);
    await expect.poll(async () => Number(await page.textContent('[data-testid="shown-count"]'))).toBeLessThan(120);
    await screenshot(page, 'library-filtered');
    await page.close();
  });
});
