import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { e2eAvailable, launchBrowser, openPage, screenshot, startStudio, type Studio } from './helpers';

/** Class name per image id, as the catalogue has it now. */
async function labels(studio: Studio): Promise<Map<number, string | null>> {
  const [classes, images] = await Promise.all([studio.engine.call('library.classes', {}), studio.engine.call('library.list', {})]);
  const names = new Map(classes.map((c) => [c.id, c.name]));
  return new Map(images.map((im) => [im.id, im.classId === null ? null : (names.get(im.classId) ?? '?')]));
}

async function tileIds(page: Page): Promise<number[]> {
  return page.$$eval('[data-image-id]', (tiles) => tiles.map((t) => Number((t as HTMLElement).dataset.imageId)));
}

async function tileClass(page: Page, id: number): Promise<string> {
  return page.$eval(`[data-image-id="${id}"]`, (t) => (t as HTMLElement).dataset.class ?? '');
}

describe.skipIf(!e2eAvailable())('library in chromium (browser mode)', () => {
  let studio: Studio;
  let browser: Browser;

  beforeAll(async () => {
    studio = await startStudio({ images: 12, layout: 'flat', classes: ['cat', 'dog'] });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('labels by keyboard, undoes one, and the labels survive a reload', async () => {
    const page = await openPage(browser, studio.url);
    await page.waitForSelector('[data-image-id]');
    const ids = await tileIds(page);
    expect(ids.length).toBeGreaterThanOrEqual(12);
    const [a, b, c] = ids as [number, number, number];

    // The first tile has the cursor; each key labels it and steps to the next one.
    await page.click(`[data-image-id="${a}"]`);
    await page.keyboard.press('1');
    await page.keyboard.press('2');
    await page.keyboard.press('1');
    await expect.poll(async () => (await labels(studio)).get(c)).toBe('cat');
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await labels(studio)).get(c)).toBe(null);

    // The sidebar's counts follow the catalogue.
    await expect
      .poll(() => page.$$eval('[data-testid="class-row"] .count', (els) => els.map((e) => e.textContent?.trim())))
      .toEqual(['1', '1']);
    const now = await labels(studio);
    expect([now.get(a), now.get(b), now.get(c)]).toEqual(['cat', 'dog', null]);
    await screenshot(page, 'library');

    await page.reload();
    await page.waitForSelector(`[data-image-id="${a}"]`);
    await expect.poll(() => tileClass(page, a)).toBe('cat');
    expect(await tileClass(page, b)).toBe('dog');
    expect(await tileClass(page, c)).toBe('');
    expect(await page.textContent('[data-testid="counts"]')).toContain('24 images');
    await page.close();
  });

  it('selects a range, bulk-assigns it, and redoes an undone change', async () => {
    const page = await openPage(browser, studio.url);
    await page.waitForSelector('[data-image-id]');
    const ids = await tileIds(page);
    await page.click(`[data-image-id="${ids[4]}"]`);
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    expect(await page.textContent('[data-testid="status-line"]')).toContain('3 selected');
    await page.keyboard.press('2');
    await expect.poll(async () => (await labels(studio)).get(ids[6]!)).toBe('dog');
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await labels(studio)).get(ids[5]!)).toBe(null);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(async () => (await labels(studio)).get(ids[5]!)).toBe('dog');
    expect((await labels(studio)).get(ids[4]!)).toBe('dog');

    // History survives a visit to another place.
    await page.click('.rail button:has-text("Runs")');
    await page.click('.rail button:has-text("Library")');
    await page.waitForSelector('[data-image-id]');
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await labels(studio)).get(ids[5]!)).toBe(null);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(async () => (await labels(studio)).get(ids[5]!)).toBe('dog');

    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid="help"]');
    await screenshot(page, 'library-help');
    await page.keyboard.press('Escape');

    await page.keyboard.press(' ');
    await page.waitForSelector('[data-testid="preview"] img');
    await screenshot(page, 'library-preview');
    await page.keyboard.press('Escape');
    await page.close();
  });

  it('looks right in the dark theme too', async () => {
    const page = await openPage(browser, studio.url, { theme: 'dark' });
    await page.waitForSelector('[data-image-id]');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await screenshot(page, 'library-dark');
    // The toggle overrides the system preference and is remembered.
    await page.click('button[aria-label="Switch to light theme"]');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page.reload();
    await page.waitForSelector('[data-image-id]');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page.close();
  });
});
