import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { copySampleImages, e2eAvailable, launchBrowser, openPage, screenshot, startStudio, type Studio } from './helpers';

/** A real photo whose entropy-coded middle is overwritten: libjpeg warns "Corrupt JPEG data" and decodes on. */
function scrambled(jpeg: Buffer): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = Math.floor(out.length * 0.4); i < out.length * 0.6; i += 37) out[i] = (out[i] as number) ^ 0x5a;
  return out;
}

describe.skipIf(!e2eAvailable())('odd files in the Library (browser mode)', () => {
  let studio: Studio;
  let browser: Browser;

  beforeAll(async () => {
    studio = await startStudio({ images: 0 });
    const source = copySampleImages(join(studio.root, 'odd'), { perClass: 2, layout: 'flat' });
    const photo = readFileSync(join(source, 'cat.0.jpg'));
    writeFileSync(join(source, 'scrambled.jpg'), scrambled(photo));
    // A folder and a file named in Latin-1 (byte 0xE9 / 0xEF): not UTF-8.
    const folder = Buffer.concat([Buffer.from(join(source, 'caf')), Buffer.from('é', 'latin1')]);
    mkdirSync(folder);
    renameSync(join(source, 'dog.1.jpg'), Buffer.concat([folder, Buffer.from('/'), Buffer.from('naïve.jpg', 'latin1')]));
    const { jobId } = await studio.engine.call('library.import', { paths: [source] });
    const job = await studio.engine.jobs.wait(jobId);
    if (job.status !== 'succeeded') throw new Error(`import ${job.status}: ${job.error ?? ''}`);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('badges a damaged JPEG, filters to it, and shows a Latin-1 name with its thumbnail', async () => {
    const images = await studio.engine.call('library.list', {});
    const damaged = images.find((i) => i.name === 'scrambled.jpg');
    const latin = images.find((i) => i.name === 'na\uFFFDve.jpg');
    expect(damaged?.damaged).toBe(true);
    expect(latin).toBeDefined();

    const page = await openPage(browser, studio.url);
    await page.waitForSelector(`[data-image-id="${damaged?.id}"]`);
    expect(await page.textContent(`[data-image-id="${damaged?.id}"] .badge.issue`)).toBe('damaged');
    expect(await page.getAttribute(`[data-image-id="${latin?.id}"]`, 'aria-label')).toContain('na\uFFFDve.jpg');
    // The thumbnail of the Latin-1 file is served and decodes in the browser.
    await expect
      .poll(() => page.$eval(`[data-image-id="${latin?.id}"] img`, (img) => (img as HTMLImageElement).naturalWidth), { timeout: 15_000 })
      .toBeGreaterThan(0);

    const filter = page.locator('button.filter', { hasText: 'Damaged' });
    expect(await filter.locator('.count').textContent()).toBe('1');
    await filter.click();
    await expect.poll(() => page.$$eval('[data-image-id]', (tiles) => tiles.length)).toBe(1);
    expect(await page.$eval('[data-image-id]', (t) => Number((t as HTMLElement).dataset.imageId))).toBe(damaged?.id);
    await screenshot(page, 'library-damaged-filter');

    // The preview says what the decoder found, and that the user decides.
    await page.dblclick(`[data-image-id="${damaged?.id}"]`);
    await expect
      .poll(() => page.textContent('[data-testid="damage-note"]'))
      .toMatch(/damaged \(Corrupt JPEG data: .*\).*clear\s+its\s+label/s);
  });
});
