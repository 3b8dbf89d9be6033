import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CATS_AND_DOGS, e2eAvailable, launchBrowser, openPage, screenshot, startStudio, type Studio } from './helpers';

/** The same cat photo under cats/ and dogs/ (a label conflict), plus one plain image in each folder. */
function writeConflictedFolder(root: string): string {
  const pets = join(root, 'pets');
  for (const cls of ['cats', 'dogs']) mkdirSync(join(pets, cls), { recursive: true });
  const from = (cls: string, name: string) => join(CATS_AND_DOGS, 'train', cls, name);
  copyFileSync(from('cats', 'cat.0.jpg'), join(pets, 'cats', 'cat.0.jpg'));
  copyFileSync(from('cats', 'cat.0.jpg'), join(pets, 'dogs', 'cat.0.jpg'));
  copyFileSync(from('cats', 'cat.1.jpg'), join(pets, 'cats', 'cat.1.jpg'));
  copyFileSync(from('dogs', 'dog.0.jpg'), join(pets, 'dogs', 'dog.0.jpg'));
  return pets;
}

describe.skipIf(!e2eAvailable())('label conflicts in chromium (issue 13, item 5)', () => {
  let studio: Studio;
  let browser: Browser;

  beforeAll(async () => {
    studio = await startStudio({});
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('the import report names the conflict, the Library filter shows it, and labelling resolves it', async () => {
    const pets = writeConflictedFolder(studio.root);
    const page = await openPage(browser, studio.url);
    await page.fill('[data-testid="import-panel"] input[aria-label="Folder to import"]', pets);
    await page.click('[data-testid="import-panel"] button[type="submit"]');
    const report = page.locator('[role="dialog"] [data-testid="import-conflicts"]');
    await report.waitFor();
    expect(await report.textContent()).toContain('cats and dogs');
    await screenshot(page, 'import-label-conflict');

    await report.locator('button:has-text("Show label conflicts")').click();
    await page.waitForSelector('[role="dialog"]', { state: 'detached' });
    const status = await studio.engine.call('library.status', {});
    expect(status.conflicts).toBe(1);
    const [conflicted] = await studio.engine.call('library.list', { filter: 'conflict' });
    expect(conflicted).toMatchObject({ classId: null, conflict: true });
    const id = conflicted?.id as number;
    await expect
      .poll(() => page.$$eval('[data-image-id]', (tiles) => tiles.map((t) => Number((t as HTMLElement).dataset.imageId))))
      .toEqual([id]);
    expect(await page.textContent(`[data-image-id="${id}"] .badge.issue`)).toBe('conflict');
    expect(await page.textContent('.filter[aria-pressed="true"]')).toMatch(/Label conflicts\s*1/);

    // The preview says which folders disagree.
    await page.click(`[data-image-id="${id}"]`);
    await page.keyboard.press(' ');
    expect(await page.textContent('[data-testid="conflict-note"]')).toMatch(/Found under cats and dogs/);
    await screenshot(page, 'library-label-conflict');
    await page.keyboard.press('Escape');

    // Labelling it (dogs is class 2) settles the conflict; the filter empties.
    await page.click(`[data-image-id="${id}"]`);
    await page.keyboard.press('2');
    await expect.poll(async () => (await studio.engine.call('library.status', {})).conflicts).toBe(0);
    const image = await studio.engine.call('library.image', { id });
    expect(image).toMatchObject({ labelSource: 'manual', conflict: false });
    await expect.poll(() => page.$$eval('[data-image-id]', (tiles) => tiles.length)).toBe(0);
    await page.close();
  });
});
