import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { e2eAvailable, launchBrowser, openPage, screenshot, startStudio, type Studio } from './helpers';

// Issue 16 items 4, 7 and the Library parts of 17 (split counts under a class filter).
describe.skipIf(!e2eAvailable())('library polish in chromium (browser mode)', () => {
  let studio: Studio;
  let browser: Browser;
  let tallId = 0;

  beforeAll(async () => {
    studio = await startStudio({ images: 4, layout: 'classes' });
    // A portrait picture the size the issue saw cropped (253×399), in its own class folder.
    const dir = join(studio.root, 'tall', 'cats');
    mkdirSync(dir, { recursive: true });
    const stripes = Buffer.alloc(253 * 399 * 3);
    for (let y = 0; y < 399; y++) for (let x = 0; x < 253; x++) stripes.fill(y < 200 ? 200 : 40, (y * 253 + x) * 3, (y * 253 + x) * 3 + 3);
    await sharp(stripes, { raw: { width: 253, height: 399, channels: 3 } })
      .jpeg()
      .toFile(join(dir, 'tall-portrait.jpg'));
    const { jobId } = await studio.engine.call('library.import', { paths: [join(studio.root, 'tall')] });
    await studio.engine.jobs.wait(jobId);
    tallId = (await studio.engine.call('library.list', {})).find((i) => i.name === 'tall-portrait.jpg')!.id;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  const openLibrary = async (theme: 'light' | 'dark' = 'light'): Promise<Page> => {
    const page = await openPage(browser, studio.url, { theme });
    await page.waitForSelector('[data-testid="grid"] [role="option"]');
    return page;
  };

  it('Space preview fits a tall picture whole inside the window', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const page = await openLibrary(theme);
      await page.click(`#tile-${tallId}`);
      await page.keyboard.press(' ');
      await page.waitForSelector('[data-testid="preview-image"]');
      await page.waitForFunction(() => (document.querySelector('[data-testid="preview-image"]') as HTMLImageElement | null)?.complete);
      const fit = await page.$eval('[data-testid="preview-image"]', (el) => {
        const img = el as HTMLImageElement;
        const box = img.getBoundingClientRect();
        const style = getComputedStyle(img);
        const innerW = box.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        const innerH = box.height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
        // object-fit: contain draws the picture at this scale inside the content box.
        const scale = Math.min(innerW / img.naturalWidth, innerH / img.naturalHeight);
        const stage = img.parentElement!.getBoundingClientRect();
        return {
          bottom: box.bottom,
          stageBottom: stage.bottom,
          windowHeight: innerHeight,
          drawnH: img.naturalHeight * scale,
          innerH,
          natural: [img.naturalWidth, img.naturalHeight],
        };
      });
      expect(fit.natural).toEqual([253, 399]);
      // The element stays inside the stage and the window, and the whole picture's height fits in it.
      expect(fit.bottom).toBeLessThanOrEqual(fit.stageBottom + 0.5);
      expect(fit.stageBottom).toBeLessThanOrEqual(fit.windowHeight);
      expect(fit.drawnH).toBeLessThanOrEqual(fit.innerH + 0.5);
      await screenshot(page, `library-preview-tall-${theme}`);
      await page.context().close();
    }
  });

  it('"+ Add a class" puts the cursor in the new field, and typing "e" there moves no image to test', async () => {
    const page = await openLibrary();
    const first = Number(await page.getAttribute('[data-testid="grid"] [role="option"]', 'data-image-id'));
    await page.click(`#tile-${first}`);
    const splitBefore = (await studio.engine.call('library.image', { id: first })).split;
    expect(splitBefore).not.toBe('test');
    await page.click('button[aria-label="Add a class"]');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('new-class-field');
    await page.keyboard.type('eel');
    expect(await page.inputValue('[data-testid="new-class-field"]')).toBe('eel');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await studio.engine.call('library.classes', {})).map((c) => c.name)).toContain('eel');
    expect((await studio.engine.call('library.image', { id: first })).split).toBe(splitBefore);
    await page.context().close();
  });

  it('split counts follow the class filter and "All images" is not highlighted while a class is', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const page = await openLibrary(theme);
      const classes = await studio.engine.call('library.classes', {});
      const cats = classes.find((c) => c.name === 'cats')!;
      const catImages = await studio.engine.call('library.list', { classId: cats.id });
      const expected = { train: 0, validation: 0, test: 0, unassigned: 0 };
      for (const image of catImages) expected[image.split]++;
      const count = (split: string) =>
        page.textContent(`[data-testid="split-count-${split}"]`).then((t) => Number(t?.replace(/\D/g, '') ?? NaN));

      expect(await page.getAttribute('[data-testid="filter-all"]', 'aria-pressed')).toBe('true');
      await page.click('[data-testid="class-row"] button.main:has-text("cats")');
      await expect.poll(() => page.getAttribute('[data-testid="filter-all"]', 'aria-pressed')).toBe('false');
      await expect.poll(() => count('train')).toBe(expected.train);
      expect(await count('validation')).toBe(expected.validation);
      // With a split chosen as well, the other splits still count the class's images.
      await page.click('.segmented button:has-text("Validation")');
      await expect.poll(() => page.textContent('[data-testid="shown-count"]')).toBe(String(expected.validation));
      expect(await count('train')).toBe(expected.train);
      await screenshot(page, `library-class-filter-${theme}`);

      // "All images" clears the class filter and lights up again.
      await page.click('[data-testid="filter-all"]');
      await expect.poll(() => page.getAttribute('[data-testid="filter-all"]', 'aria-pressed')).toBe('true');
      const all = await studio.engine.call('library.list', {});
      await expect.poll(() => count('train')).toBe(all.filter((i) => i.split === 'train').length);
      await page.context().close();
    }
  });
});
