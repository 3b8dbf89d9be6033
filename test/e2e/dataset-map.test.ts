import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { e2eAvailable, launchBrowser, openPage, screenshot, startStudio, type Studio } from './helpers';

/** The canvas's box on the page. */
async function canvasBox(page: Page): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await page.locator('[data-testid="map-scatter"] iframe').boundingBox();
  if (!box) throw new Error('the map has no canvas on screen');
  return box;
}

describe.skipIf(!e2eAvailable())('dataset map in chromium (browser mode)', () => {
  let studio: Studio;
  let browser: Browser;

  beforeAll(async () => {
    // 10 cats and 10 dogs, unlabelled (flat folder), two classes to label them with.
    studio = await startStudio({ images: 10, layout: 'flat', classes: ['cat', 'dog'] });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('lays out every image, draws it with WebGL, and a lasso + 1 labels exactly the lassoed images (Ctrl+Z undoes)', async () => {
    const page = await openPage(browser, studio.url);
    await page.click('.rail button[title="Map"]');
    await page.click('[data-testid="map-compute"]');
    await expect.poll(() => page.getAttribute('[data-testid="map-scatter"]', 'data-drawn'), { timeout: 120_000, interval: 250 }).toBe('20');
    expect(await page.textContent('[data-testid="map-count"]')).toBe('20 images');
    expect(await page.textContent('[data-testid="map-legend"]')).toMatch(/unlabelled\s*20/);
    // WebGL really drew: the canvas holds more than one colour.
    const frame = page.frames().find((f) => f.url().endsWith('/map-frame.html'));
    if (!frame) throw new Error('the map frame did not load');
    const colours = await frame.evaluate(() => {
      const canvas = document.querySelector('canvas')!;
      const copy = document.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const ctx = copy.getContext('2d')!;
      ctx.drawImage(canvas, 0, 0);
      const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * 7) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      return seen.size;
    });
    expect(colours).toBeGreaterThan(1);

    // Hovering a point shows that image's thumbnail and name.
    const at = await frame.evaluate(
      () =>
        (window as unknown as { ldsMapFrame?: { screenPosition(i: number): [number, number] | undefined } }).ldsMapFrame?.screenPosition(
          0,
        ) ?? null,
    );
    if (!at) throw new Error('point 0 has no screen position');
    const frameBox = await canvasBox(page);
    await page.mouse.move(frameBox.x + at[0], frameBox.y + at[1]);
    await page.waitForSelector('[data-testid="map-hover"] img', { timeout: 10_000 });
    const layout = await studio.engine.call('map.get', {});
    const first = (await studio.engine.call('library.list', {})).find((i) => i.id === layout!.points[0]!.id)!;
    expect(await page.textContent('[data-testid="map-hover"]')).toContain(first.name);
    expect(await page.getAttribute('[data-testid="map-hover"] img', 'src')).toMatch(new RegExp(`/images/${first.id}/thumb`));
    await screenshot(page, 'map');

    // Lasso the whole left half of the canvas.
    await page.click('[data-testid="map-lasso"]');
    const box = await canvasBox(page);
    const corners: [number, number][] = [
      [box.x + 4, box.y + 4],
      [box.x + box.width / 2, box.y + 4],
      [box.x + box.width / 2, box.y + box.height - 4],
      [box.x + 4, box.y + box.height - 4],
      [box.x + 4, box.y + 8],
    ];
    await page.mouse.move(...corners[0]!);
    await page.mouse.down();
    for (const corner of corners.slice(1)) await page.mouse.move(...corner, { steps: 12 });
    await page.mouse.up();
    await expect
      .poll(() => page.getAttribute('[data-testid="map-selected"]', 'data-count').then(Number), { timeout: 10_000 })
      .toBeGreaterThan(0);
    const selected = Number(await page.getAttribute('[data-testid="map-selected"]', 'data-count'));
    expect(selected).toBeLessThan(20);
    await screenshot(page, 'map-lasso');

    await page.keyboard.press('1');
    const classes = await studio.engine.call('library.classes', {});
    const cat = classes.find((c) => c.name === 'cat')!.id;
    const catCount = async (): Promise<number> => (await studio.engine.call('library.list', { classId: cat })).length;
    await expect.poll(catCount, { timeout: 10_000 }).toBe(selected);
    await expect.poll(() => page.textContent('[data-testid="map-legend"]')).toMatch(new RegExp(`cat\\s*${selected}`));

    await page.keyboard.press('Control+z');
    await expect.poll(catCount, { timeout: 10_000 }).toBe(0);

    // Ctrl+A selects every point; 2 labels them all.
    await page.keyboard.press('Control+a');
    await page.keyboard.press('2');
    const dog = classes.find((c) => c.name === 'dog')!.id;
    await expect.poll(async () => (await studio.engine.call('library.list', { classId: dog })).length, { timeout: 10_000 }).toBe(20);
    await page.click('[data-testid="map-colour-split"]');
    await expect.poll(() => page.textContent('[data-testid="map-legend"]')).toMatch(/train|no split/);
    await screenshot(page, 'map-split');
  }, 180_000);
});
