/**
 * Issue 18, item 3 in chromium: H shows what the newest run looks at (Grad-CAM) over the Library's
 * Space preview, the mistakes gallery and Try it; the ? help lists the key.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  CATS_AND_DOGS,
  e2eAvailable,
  launchBrowser,
  openPage,
  screenshot,
  splitFirstPerClass,
  startStudio,
  trainRun,
  type Studio,
} from './helpers';

/** Pixels of a drawn heatmap canvas that are not transparent, and how many of them lean red. */
const painted = (page: Page, selector: string): Promise<{ opaque: number; warm: number; total: number }> =>
  page.$eval(selector, (el) => {
    const canvas = el as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let opaque = 0;
    let warm = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! > 0) opaque++;
      if (data[i]! > 200 && data[i + 2]! < 100) warm++;
    }
    return { opaque, warm, total: data.length / 4 };
  });

describe.skipIf(!e2eAvailable())('Grad-CAM heatmaps in chromium (issue 18, item 3)', () => {
  let studio: Studio;
  let browser: Browser;
  let page: Page;
  let runId = '';

  beforeAll(async () => {
    studio = await startStudio({ images: 8, layout: 'classes' });
    await splitFirstPerClass(studio, 3);
    // One epoch: an unsure model, so the mistakes gallery has pictures to show.
    runId = await trainRun(studio, { mode: 'bottleneck', epochs: 1, seed: 3 });
    browser = await launchBrowser();
    page = await openPage(browser, studio.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('the Library’s ? help lists H', async () => {
    await page.click('.rail button:has-text("Library")');
    await page.waitForSelector('[data-image-id]');
    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid="help"]');
    expect(await page.textContent('[data-testid="help"]')).toMatch(/In the preview: heatmap of what the newest run looks at/);
    await page.keyboard.press('Escape');
  });

  it(
    'Space preview: H draws the heatmap over the picture with a caption naming the run and class; H again hides it',
    { timeout: 240_000 },
    async () => {
      const first = await page.getAttribute('[data-image-id]', 'data-image-id');
      await page.click(`[data-image-id="${first}"]`);
      await page.keyboard.press(' ');
      await page.waitForSelector('[data-testid="preview"] img');
      expect(await page.textContent('[data-testid="heatmap-caption"]')).toMatch(new RegExp(`H\\s*shows where run ${runId} looks`));
      await page.keyboard.press('h');
      const layer = '[data-testid="preview"] canvas[data-testid="heatmap-layer"]';
      await page.waitForSelector(layer, { timeout: 200_000 });
      const pixels = await painted(page, layer);
      expect(pixels.opaque).toBe(pixels.total);
      expect(pixels.warm).toBeGreaterThan(0);
      // The canvas covers the picture's box exactly as the <img> does.
      const [img, canvas] = await Promise.all([
        page.locator('[data-testid="preview-image"]').boundingBox(),
        page.locator(layer).boundingBox(),
      ]);
      expect(canvas).toEqual(img);
      expect(await page.textContent('[data-testid="heatmap-caption"]')).toMatch(
        new RegExp(`where run ${runId} sees “(cats|dogs)” \\(predicted (cats|dogs) \\d+%\\)`),
      );
      await screenshot(page, 'heatmap-preview');
      await page.keyboard.press('H');
      await expect.poll(() => page.locator(layer).count()).toBe(0);
      await page.keyboard.press('Escape');
    },
  );

  it('mistakes gallery: H on a focused picture shows a heatmap on every picture, with a legend', { timeout: 240_000 }, async () => {
    await page.click('.rail button[title="Runs"]');
    await page.waitForSelector(`[data-testid="run-detail"][data-run="${runId}"]`);
    await page.waitForSelector('[data-testid="mistake-tile"]', { timeout: 120_000 });
    const tiles = await page.locator('[data-testid="mistake-tile"]').count();
    expect(tiles).toBeGreaterThan(0);
    await page.focus('[data-testid="mistake-tile"]');
    await page.keyboard.press('h');
    await expect
      .poll(() => page.locator('[data-testid="mistake-tile"] canvas[data-testid="heatmap-layer"]').count(), { timeout: 200_000 })
      .toBe(tiles);
    expect(await page.textContent('[data-testid="mistakes-heatmap-legend"]')).toMatch(new RegExp(`Where run ${runId} sees`));
    const pixels = await painted(page, '[data-testid="mistake-tile"] canvas[data-testid="heatmap-layer"]');
    expect(pixels.opaque).toBeGreaterThan(0);
    await page.$eval('[data-testid="mistakes-gallery"]', (el) => el.scrollIntoView());
    await screenshot(page, 'heatmap-mistakes');
  });

  it('Try it: with heatmaps on, a picture tried gets its heatmap and the legend names the run', { timeout: 240_000 }, async () => {
    const dir = join(studio.root, 'try');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(CATS_AND_DOGS, 'validation', 'cats', 'cat.2000.jpg'), join(dir, 'my cat.jpg'));
    // Straight into the file input: the chooser itself is try-it.test.ts's business.
    await page.setInputFiles('[data-testid="try-files"]', [join(dir, 'my cat.jpg')]);
    await page.waitForSelector('[data-testid="try-result"][data-status="done"]', { timeout: 120_000 });
    await page.waitForSelector('[data-testid="try-result"] canvas[data-testid="heatmap-layer"]', { timeout: 200_000 });
    expect(await page.textContent('[data-testid="try-heatmap-legend"]')).toMatch(new RegExp(`where run ${runId} sees`));
    expect(await page.getAttribute('[data-testid="try-heatmap-toggle"]', 'aria-pressed')).toBe('true');
    await page.locator('[data-testid="try-panel"]').scrollIntoViewIfNeeded();
    await screenshot(page, 'heatmap-try-it');
    // H in the panel turns them off everywhere.
    await page.focus('[data-testid="try-drop"]');
    await page.keyboard.press('h');
    await expect.poll(() => page.locator('canvas[data-testid="heatmap-layer"]').count()).toBe(0);
  });
});
