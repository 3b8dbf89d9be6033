import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { copySampleImages, e2eAvailable, launchBrowser, openPage, screenshot, startStudio, type Studio } from './helpers';

describe.skipIf(!e2eAvailable())('labels from a CSV in the import dialog (browser mode, issue 17 item 4)', () => {
  let studio: Studio;
  let browser: Browser;

  beforeAll(async () => {
    studio = await startStudio({ images: 0 });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  // First: while the library is empty its import panel is on screen.
  it('says before importing when the CSV has no label column', async () => {
    const csv = join(studio.root, 'sizes.csv');
    writeFileSync(csv, 'file,width,height\ncat.0.jpg,10,10\n');
    const page = await openPage(browser, studio.url);
    await page.waitForSelector('[data-testid="import-panel"]');
    await page.fill('[aria-label="Folder to import"]', studio.root);
    await page.click('[data-testid="csv-open"]');
    await page.fill('[aria-label="Labels CSV file"]', csv);
    await page.press('[aria-label="Labels CSV file"]', 'Enter');
    await expect
      .poll(() => page.textContent('[data-testid="csv-labels"] [role="alert"]'))
      .toMatch(/no column holds the labels \(its columns are "file", "width", "height"\)/);
    expect(await page.isDisabled('[data-testid="import-panel"] button[type="submit"]')).toBe(true);
  });

  it('reads the columns, lets the user pick them, imports and lists the rows it could not use', async () => {
    const source = copySampleImages(join(studio.root, 'flat'), { perClass: 3, layout: 'flat' });
    // Kaggle style: ids without extension in a column named "id", the class in "breed", a column we do not use.
    const csv = join(studio.root, 'labels.csv');
    writeFileSync(
      csv,
      '\uFEFFid,breed,kind\r\ncat.0,tabby,cat\r\ncat.1,tabby,cat\r\ndog.0,collie,dog\r\ndog.1,collie,dog\r\nnobody,collie,dog\r\n',
    );

    const page = await openPage(browser, studio.url);
    await page.waitForSelector('[data-testid="import-panel"]');
    await page.fill('[aria-label="Folder to import"]', source);
    await page.click('[data-testid="csv-open"]');
    await page.fill('[aria-label="Labels CSV file"]', csv);
    await page.press('[aria-label="Labels CSV file"]', 'Enter');
    await page.waitForSelector('[data-testid="csv-columns"]');
    expect(await page.inputValue('[aria-label="File column"]')).toBe('id');
    expect(await page.inputValue('[aria-label="Label column"]')).toBe('breed');
    expect(await page.inputValue('[aria-label="Split column"]')).toBe('');
    // The user prefers the coarser column.
    await page.selectOption('[aria-label="Label column"]', 'kind');
    await screenshot(page, 'import-csv-columns');

    await page.click('[data-testid="import-panel"] button[type="submit"]');
    const report = await page.waitForSelector('[data-testid="import-csv-report"]');
    // The counts have landed with the report, the dialog still open: the grid says 6, not "All images 0".
    expect(await page.textContent('[data-testid="shown-count"]')).toBe('6');
    expect(await page.textContent('[data-testid="filter-all"] .count')).toBe('6');
    expect(await report.textContent()).toMatch(/Labels from labels\.csv: 4 images labelled, 2 images without a row\./);
    const details = (await page.textContent('[data-testid="import-report"]')) ?? '';
    expect(details).toContain('1 row of the CSV not used, and why');
    expect(details).toContain('line 6');
    expect(details).toContain('nobody: no such file among the imported images');
    await screenshot(page, 'import-csv-report');

    const classes = await studio.engine.call('library.classes', {});
    expect(classes.map((c) => [c.name, c.count])).toEqual([
      ['cat', 2],
      ['dog', 2],
    ]);
  });
});
