import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { copySampleImages, e2eAvailable, launchBrowser, openPage, screenshot, startStudio, type Studio } from './helpers';

describe.skipIf(!e2eAvailable())('first screen and import from the UI (browser mode)', () => {
  let studio: Studio;
  let browser: Browser;

  beforeAll(async () => {
    studio = await startStudio({ noProject: true });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('creates a project from a typed folder, imports a folder and reports the skipped files', async () => {
    const source = copySampleImages(join(studio.root, 'to-import'), { perClass: 4, layout: 'classes' });
    writeFileSync(join(source, 'cats', 'notes.jpg'), 'this is text, not a JPEG');
    writeFileSync(join(source, 'dogs', 'empty.png'), '');

    const page = await openPage(browser, studio.url);
    await page.waitForSelector('#project-dir');
    await screenshot(page, 'first-screen');

    await page.fill('#project-dir', studio.workspace);
    await page.click('button[type="submit"]:has-text("Create project")');
    await page.waitForSelector('[data-testid="import-panel"]');
    await screenshot(page, 'library-empty');

    await page.fill('[aria-label="Folder to import"]', source);
    await page.click('[data-testid="import-panel"] button[type="submit"]');
    const report = await page.waitForSelector('[data-testid="import-report"]');
    const text = (await report.textContent()) ?? '';
    expect(text).toContain('8 new images');
    expect(text).toContain('2 files skipped');
    expect(text).toContain('notes.jpg');
    expect(text).toContain('empty.png');
    await screenshot(page, 'import-report');

    await page.click('[data-testid="import-report"] button:has-text("Dismiss")');
    await page.waitForSelector('[data-image-id]');
    expect(await page.$$eval('[data-testid="class-row"] .name', (els) => els.map((e) => e.textContent))).toEqual(['cats', 'dogs']);
    expect(await page.textContent('[data-testid="counts"]')).toContain('8 images');

    const state = await studio.engine.call('project.state', {});
    expect(state.project?.dir).toBe(studio.workspace);
    expect(state.recent.map((r) => r.dir)).toContain(studio.workspace);
    await page.close();
  });

  it('closes the project, lists it under Recent, and opens the sample project', async () => {
    const page = await openPage(browser, studio.url);
    await page.waitForSelector('[data-image-id="1"] img');
    const before = await page.getAttribute('[data-image-id="1"] img', 'src');
    await page.click('button:has-text("Close")');
    await page.waitForSelector('#project-dir');
    expect(await page.textContent('#recent-heading + ul')).toContain(studio.workspace);
    await screenshot(page, 'first-screen-recent');

    await page.click('button:has-text("Try the sample project")');
    await page.waitForSelector('[data-image-id]', { timeout: 60_000 });
    const status = await studio.engine.call('library.status', {});
    expect(status.images).toBeGreaterThan(0);
    await expect.poll(() => page.textContent('[data-testid="counts"]')).toContain(`${status.images} images`);
    expect(await page.textContent('.topbar')).toContain('sample');
    // Ids restart in every project: the same id must not reuse the other project's cached picture.
    await page.waitForSelector('[data-image-id="1"] img');
    expect(await page.getAttribute('[data-image-id="1"] img', 'src')).not.toBe(before);
    await screenshot(page, 'sample-library');
    await page.close();
  });

  it('a new project can crop pictures to their centre square, and Augment says so', async () => {
    const page = await openPage(browser, studio.url);
    await page.waitForSelector('.topbar');
    await page.click('button:has-text("Close")');
    await page.waitForSelector('#project-dir');
    expect(await page.isChecked('[data-testid="resize-mode"] input[value="stretch"]')).toBe(true);
    const dir = join(studio.root, 'crop-project');
    await page.fill('#project-dir', dir);
    await page.check('[data-testid="resize-mode"] input[value="centre-crop"]');
    await page.click('button[type="submit"]:has-text("Create project")');
    await page.waitForSelector('[data-testid="import-panel"]');
    expect((await studio.engine.call('project.state', {})).project).toMatchObject({ dir, resizeMode: 'centre-crop' });
    await page.click('.rail button[title="Augment"]');
    await page.waitForSelector('[data-testid="augment-resize-mode"]');
    expect(await page.getAttribute('[data-testid="augment-resize-mode"]', 'data-mode')).toBe('centre-crop');
    expect(await page.textContent('[data-testid="augment-resize-mode"]')).toMatch(/centre square/);
    await page.close();
  });
});
