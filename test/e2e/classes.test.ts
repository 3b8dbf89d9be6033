import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { e2eAvailable, launchBrowser, openPage, screenshot, startStudio, type Studio } from './helpers';

describe.skipIf(!e2eAvailable())('class management in the sidebar (browser mode)', () => {
  let studio: Studio;
  let browser: Browser;

  beforeAll(async () => {
    studio = await startStudio({ images: 3, layout: 'flat', classes: ['cat', 'dog'] });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  const classNames = async (): Promise<string[]> =>
    (await studio.engine.call('library.classes', {})).sort((a, b) => a.position - b.position).map((c) => c.name);

  it('adds, renames, recolours, reorders and deletes classes, asking what becomes of the labels', async () => {
    const images = await studio.engine.call('library.list', {});
    const classes = await studio.engine.call('library.classes', {});
    const cat = classes.find((c) => c.name === 'cat')!;
    await studio.engine.call('library.applyLabels', { entries: images.slice(0, 2).map((im) => ({ imageId: im.id, classId: cat.id })) });

    const page = await openPage(browser, studio.url);
    await page.waitForSelector('[data-testid="class-row"]');

    await page.click('button[aria-label="Add a class"]');
    await page.fill('input[aria-label="New class name"]', 'bird');
    await page.keyboard.press('Enter');
    await expect.poll(classNames).toEqual(['cat', 'dog', 'bird']);

    await page.click('button[aria-label="Actions for bird"]');
    await page.click('[role="menuitem"]:has-text("Rename")');
    await page.fill('input[aria-label="New name for bird"]', 'parrot');
    await page.keyboard.press('Enter');
    await expect.poll(classNames).toEqual(['cat', 'dog', 'parrot']);

    await page.click('button[aria-label="Actions for parrot"]');
    await page.click('[role="menuitem"]:has-text("Move up")');
    await expect.poll(classNames).toEqual(['cat', 'parrot', 'dog']);

    // The colour picker is the platform's; set its value as the picker would.
    await page.$eval('[data-testid="class-row"]:has-text("parrot") input[type="color"]', (input) => {
      (input as HTMLInputElement).value = '#123456';
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await expect
      .poll(async () => (await studio.engine.call('library.classes', {})).find((c) => c.name === 'parrot')?.colour)
      .toBe('#123456');

    await page.click('button[aria-label="Actions for cat"]');
    await page.click('[role="menuitem"]:has-text("Delete")');
    await page.waitForSelector('[role="dialog"]:has-text("2 images carry this label")');
    await page.check('input[type="radio"][value="move"]');
    await page.selectOption('select[aria-label="Class to move the labels to"]', { label: 'dog' });
    await screenshot(page, 'delete-class');
    await page.click('[role="dialog"] button:has-text("Delete class")');
    await expect.poll(classNames).toEqual(['parrot', 'dog']);
    const dog = (await studio.engine.call('library.classes', {})).find((c) => c.name === 'dog')!;
    expect(dog.count).toBe(2);
    await expect
      .poll(() => page.$$eval('[data-testid="class-row"] .name', (els) => els.map((e) => e.textContent)))
      .toEqual(['parrot', 'dog']);
    await page.close();
  });
});
