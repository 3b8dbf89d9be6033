/**
 * Issue 16 in the Runs view: Try it (pick, folder, drop, paste, keyboard) on pictures the browser
 * uploads; a bad export folder in words with no stale "Exported to"; Ctrl+Z in the review queue;
 * per-fold k-fold progress.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { e2eAvailable, launchBrowser, openPage, REPO_ROOT, screenshotBothThemes, startStudio, type Studio } from './helpers';

const SAMPLE = join(REPO_ROOT, 'resources', 'sample', 'validation');

const tour = (page: Page, name: string): Promise<void> => screenshotBothThemes(page, `path-${name}`);

describe.skipIf(!e2eAvailable())('Try it, export errors, review undo and k-fold progress in chromium (issue 16)', () => {
  let studio: Studio;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    studio = await startStudio({ noProject: true });
    await studio.engine.call('project.openSample', {});
    const started = await studio.engine.call('train.start', { mode: 'bottleneck', epochs: 8 });
    const job = await studio.engine.jobs.wait(started.jobId);
    if (job.status !== 'succeeded') throw new Error(job.error ?? 'training failed');
    browser = await launchBrowser();
    page = await openPage(browser, studio.url);
    await page.click('.rail button[title="Runs"]');
    await page.waitForSelector('[data-testid="try-panel"]');
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('2: the selected run shows its evaluation without a click', async () => {
    await page.waitForSelector('[data-testid="eval-summary"]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid="eval-accuracy"]')).toMatch(/%$/);
    expect(await page.isVisible('[data-testid="mistakes-gallery"]')).toBe(true);
  });

  it('3: pictures picked with the file chooser (keyboard: Enter on the box) get class, confidence and top classes', async () => {
    const files = join(studio.root, 'try');
    mkdirSync(files, { recursive: true });
    copyFileSync(join(SAMPLE, 'circles', 'circle-001.jpg'), join(files, 'a circle.jpg'));
    copyFileSync(join(SAMPLE, 'squares', 'square-001.jpg'), join(files, 'square.jpg'));
    writeFileSync(join(files, 'broken.jpg'), 'not really a picture');
    await page.focus('[data-testid="try-drop"]');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
    await chooser.setFiles([join(files, 'a circle.jpg'), join(files, 'square.jpg'), join(files, 'broken.jpg')]);
    await expect.poll(() => page.$$eval('[data-testid="try-result"][data-status="waiting"]', (r) => r.length), { timeout: 60_000 }).toBe(0);
    const results = await page.$$eval('[data-testid="try-result"]', (rows) =>
      rows.map((r) => ({
        name: r.querySelector('.name')?.textContent,
        status: r.getAttribute('data-status'),
        cls: r.getAttribute('data-class'),
        text: r.textContent ?? '',
        bars: r.querySelectorAll('.bar').length,
      })),
    );
    expect(results).toHaveLength(3);
    const circle = results.find((r) => r.name === 'a circle.jpg')!;
    expect(circle.status).toBe('done');
    expect(circle.cls).toBe('circles');
    expect(circle.text).toMatch(/circles \d+\.\d%/);
    expect(circle.bars).toBe(3);
    expect(results.find((r) => r.name === 'square.jpg')!.cls).toBe('squares');
    const broken = results.find((r) => r.name === 'broken.jpg')!;
    expect(broken.status).toBe('skipped');
    expect(broken.text).toMatch(/not an image/);
    await page.locator('[data-testid="try-panel"]').scrollIntoViewIfNeeded();
    await tour(page, 'runs-try-it');
  });

  it('3: a folder, a drop and a paste work too', { timeout: 180_000 }, async () => {
    await page.click('[data-testid="try-clear"]');
    const folder = join(studio.root, 'try-folder');
    mkdirSync(join(folder, 'inner'), { recursive: true });
    copyFileSync(join(SAMPLE, 'triangles', 'triangle-001.jpg'), join(folder, 'triangle-001.jpg'));
    copyFileSync(join(SAMPLE, 'triangles', 'triangle-002.jpg'), join(folder, 'inner', 'triangle-002.jpg'));
    writeFileSync(join(folder, 'readme.txt'), 'not a picture');
    await page.setInputFiles('[data-testid="try-folder"]', folder);
    await expect.poll(() => page.$$eval('[data-testid="try-result"][data-status="done"]', (r) => r.length), { timeout: 60_000 }).toBe(2);
    expect(await page.textContent('[data-testid="try-note"]')).toMatch(/1 file is not a picture/);

    const bytes = [...readFileSync(join(SAMPLE, 'circles', 'circle-002.jpg'))];
    const send = (kind: 'drop' | 'paste') =>
      page.evaluate(
        ({ bytes, kind }) => {
          const dt = new DataTransfer();
          dt.items.add(new File([new Uint8Array(bytes)], `${kind}.jpg`, { type: 'image/jpeg' }));
          const box = document.querySelector('[data-testid="try-drop"]')!;
          if (kind === 'drop') box.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
          else box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
        },
        { bytes, kind },
      );
    await send('drop');
    await send('paste');
    await expect.poll(() => page.$$eval('[data-testid="try-result"][data-status="done"]', (r) => r.length), { timeout: 60_000 }).toBe(4);
    const classes = await page.$$eval('[data-testid="try-result"]', (rows) =>
      rows.map((r) => `${r.querySelector('.name')?.textContent}=${r.getAttribute('data-class')}`),
    );
    expect(classes).toContain('drop.jpg=circles');
    expect(classes).toContain('paste.jpg=circles');
  });

  it('14: a bad export folder is said in words at the field, and a stale "Exported to" goes', async () => {
    await page.fill('[data-testid="export-dir"]', join(studio.root, 'export-ok'));
    await page.click('[data-testid="export-run"]');
    await page.waitForSelector('[data-testid="export-done"]', { timeout: 60_000 });
    const file = join(studio.root, 'a-file');
    writeFileSync(file, 'x');
    await page.fill('[data-testid="export-dir"]', join(file, 'model'));
    await page.click('[data-testid="export-run"]');
    await page.waitForSelector('[data-testid="export-error"]');
    expect(await page.textContent('[data-testid="export-error"]')).toBe(
      `${file} is a file, so ${join(file, 'model')} cannot be a folder inside it: choose a folder`,
    );
    expect(await page.$('[data-testid="export-done"]')).toBeNull();
    expect(await page.getAttribute('[data-testid="export-dir"]', 'aria-invalid')).toBe('true');
    expect(await page.textContent('body')).not.toMatch(/ENOTDIR|unlink/);
    await page.locator('[data-testid="export-error"]').scrollIntoViewIfNeeded();
    await tour(page, 'runs-export-error');
  });

  it('17: Ctrl+Z undoes a review-queue decision', async () => {
    const classes = await studio.engine.call('library.classes', {});
    const images = await studio.engine.call('library.list', {});
    const [a, b] = images.filter((i) => i.split === 'train').slice(0, 2);
    const squares = classes.find((c) => c.name === 'squares')!;
    await studio.engine.call('library.applyLabels', {
      entries: [
        { imageId: a!.id, classId: squares.id, source: 'predicted', confidence: 0.41 },
        { imageId: b!.id, classId: squares.id, source: 'predicted', confidence: 0.52 },
      ],
    });
    await page.click('.rail button[title="Library"]');
    await page.click('.rail button[title="Runs"]');
    await expect.poll(() => page.getAttribute('[data-testid="review-queue"]', 'data-count'), { timeout: 20_000 }).toBe('2');
    const first = Number(await page.getAttribute('[data-testid="review-current"]', 'data-image'));
    expect(first).toBe(a!.id);
    await page.click('[data-testid="review-accept"]');
    await expect.poll(() => page.getAttribute('[data-testid="review-queue"]', 'data-count')).toBe('1');
    expect((await studio.engine.call('library.list', {})).find((i) => i.id === a!.id)?.labelSource).toBe('manual');
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.getAttribute('[data-testid="review-queue"]', 'data-count')).toBe('2');
    expect(Number(await page.getAttribute('[data-testid="review-current"]', 'data-image'))).toBe(a!.id);
    const back = (await studio.engine.call('library.list', {})).find((i) => i.id === a!.id)!;
    expect(back.labelSource).toBe('predicted');
    expect(back.confidence).toBeCloseTo(0.41, 5);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => page.getAttribute('[data-testid="review-queue"]', 'data-count')).toBe('1');
    expect((await studio.engine.call('library.list', {})).find((i) => i.id === a!.id)?.labelSource).toBe('manual');
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.getAttribute('[data-testid="review-queue"]', 'data-count')).toBe('2');
    await page.locator('[data-testid="review-queue"]').scrollIntoViewIfNeeded();
    await tour(page, 'runs-review-undone');
  });

  it('17: k-fold shows which fold and epoch it is on', { timeout: 180_000 }, async () => {
    await page.evaluate(() => {
      const seen = new Set<string>();
      (window as unknown as { kfold: Set<string> }).kfold = seen;
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid="kfold-progress-text"]');
        if (el?.textContent) seen.add(el.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.fill('[data-testid="kfold-k"]', '3');
    await page.click('[data-testid="kfold-run"]');
    await page.waitForSelector('[data-testid="kfold-progress"]');
    await page.locator('[data-testid="kfold-panel"]').scrollIntoViewIfNeeded();
    await tour(page, 'runs-kfold-progress');
    await page.waitForSelector('[data-testid="kfold-result"]', { timeout: 120_000 });
    const seen = await page.evaluate(() => [...(window as unknown as { kfold: Set<string> }).kfold]);
    expect(seen.some((t) => /^Fold [123] of 3 · epoch \d+ of \d+$/.test(t))).toBe(true);
    expect(seen).not.toContain('Running…');
  });
});
