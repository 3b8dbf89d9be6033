import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { e2eAvailable, launchBrowser, openPage, screenshot, splitFirstPerClass, startStudio, trainRun, type Studio } from './helpers';

// 8 labelled cats and dogs each (folder layout, 3 of each in validation), a short bottleneck run,
// then 4 images made unlabelled for the model to pre-label.
describe.skipIf(!e2eAvailable())('pre-label, review queue and mistakes gallery in chromium', () => {
  let studio: Studio;
  let browser: Browser;
  let runId = '';
  let unlabelled: number[] = [];

  beforeAll(async () => {
    studio = await startStudio({ images: 8, layout: 'classes' });
    // Three validation images per class whatever the seeded split drew, so ROC has both classes.
    await splitFirstPerClass(studio, 3);
    runId = await trainRun(studio, { mode: 'bottleneck', epochs: 4, seed: 3 });
    const train = await studio.engine.call('library.list', { split: 'train' });
    unlabelled = [train[0]!.id, train[1]!.id, train.at(-1)!.id, train.at(-2)!.id];
    await studio.engine.call('library.applyLabels', { entries: unlabelled.map((imageId) => ({ imageId, classId: null })) });
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('pre-labels, then Enter accepts, a digit corrects and S skips; labels persist as manual', async () => {
    const page = await openPage(browser, studio.url);
    await page.click('.rail button[title="Runs"]');
    await page.waitForSelector(`[data-testid="run-detail"][data-run="${runId}"]`);
    await page.click('[data-testid="prelabel-run"]');
    await page.waitForSelector('[data-testid="review-queue"][data-count="4"]');
    const queue = await studio.engine.call('review.queue', {});
    expect(queue.map((q) => q.imageId).sort()).toEqual([...unlabelled].sort());
    for (const q of queue) expect((await studio.engine.call('library.image', { id: q.imageId })).labelSource).toBe('predicted');
    const classes = (await studio.engine.call('library.classes', {})).sort((a, b) => a.position - b.position);

    // Least confident first.
    const first = Number(await page.getAttribute('[data-testid="review-current"]', 'data-image'));
    expect(first).toBe(queue[0]!.imageId);
    await page.click('[data-testid="review-focus"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="review-queue"][data-count="3"]');
    const accepted = await studio.engine.call('library.image', { id: first });
    expect(accepted).toMatchObject({ classId: queue[0]!.classId, labelSource: 'manual', confidence: null });

    const second = Number(await page.getAttribute('[data-testid="review-current"]', 'data-image'));
    const wrongClass = classes.find((c) => c.id !== queue.find((q) => q.imageId === second)!.classId)!;
    await page.keyboard.press(String(classes.indexOf(wrongClass) + 1));
    await page.waitForSelector('[data-testid="review-queue"][data-count="2"]');
    expect(await studio.engine.call('library.image', { id: second })).toMatchObject({ classId: wrongClass.id, labelSource: 'manual' });

    const third = Number(await page.getAttribute('[data-testid="review-current"]', 'data-image'));
    await page.keyboard.press('s');
    await page.waitForFunction(
      (id) => document.querySelector('[data-testid="review-current"]')?.getAttribute('data-image') !== String(id),
      third,
    );
    expect((await studio.engine.call('library.image', { id: third })).labelSource).toBe('predicted');
    expect(await page.getAttribute('[data-testid="review-queue"]', 'data-count')).toBe('2');

    // Persisted: a fresh page shows the same queue, and the engine the same labels.
    await page.reload();
    await page.click('.rail button[title="Runs"]');
    await page.waitForSelector('[data-testid="review-queue"][data-count="2"]');
    expect((await studio.engine.call('library.status', {})).predicted).toBe(2);
  });

  it('evaluates the run and shows the confusion matrix, per-class metrics, ROC and the mistakes gallery', async () => {
    const page = await openPage(browser, studio.url);
    await page.click('.rail button[title="Runs"]');
    await page.waitForSelector(`[data-testid="run-detail"][data-run="${runId}"]`);
    await page.click('[data-testid="eval-run"]');
    await page.waitForSelector('[data-testid="eval-summary"]', { timeout: 30_000 });
    const report = await studio.engine.call('eval.get', { runId, split: 'validation' });
    expect(report).not.toBeNull();
    expect(await page.textContent('[data-testid="eval-accuracy"]')).toBe(`${(report!.accuracy * 100).toFixed(1)}%`);
    expect(await page.$$eval('[data-testid="eval-confusion"] tbody tr', (rows) => rows.length)).toBe(2);
    expect(await page.$$eval('[data-testid="eval-per-class"] tbody tr', (rows) => rows.length)).toBe(2);
    await page.waitForSelector('[data-testid="eval-roc"]');
    const tiles = await page.$$('[data-testid="mistake-tile"]');
    const expected = report!.items.filter((it) => it.predictedIndex !== it.trueIndex || it.confidence < 0.7).length;
    expect(tiles.length).toBe(Math.min(60, expected));
    await page.$eval('[data-testid="mistakes-gallery"]', (el) => el.scrollIntoView());
    await screenshot(page, 'mistakes-gallery');

    // Relabel in place: a digit on a focused tile writes a manual label; the count says to retrain.
    const worst = report!.items[0]!;
    const classes = (await studio.engine.call('library.classes', {})).sort((a, b) => a.position - b.position);
    const other = report!.classes[worst.trueIndex] === classes[0]!.name ? 2 : 1;
    await page.focus(`[data-testid="mistake-tile"][data-image="${worst.imageId}"]`);
    await page.keyboard.press(String(other));
    await page.waitForSelector('[data-testid="relabelled-count"]');
    expect(await page.textContent('[data-testid="relabelled-count"]')).toMatch(/^1 image relabelled/);
    expect(await studio.engine.call('library.image', { id: worst.imageId })).toMatchObject({
      classId: classes[other - 1]!.id,
      labelSource: 'manual',
    });
    // L jumps to the image in the Library, open in the preview.
    await page.focus(`[data-testid="mistake-tile"][data-image="${worst.imageId}"]`);
    await page.keyboard.press('l');
    await page.waitForSelector(`[data-image-id="${worst.imageId}"]`);
    expect(await page.getAttribute('.rail button[title="Library"]', 'aria-current')).not.toBeNull();
  });

  it('compares two runs (settings diff), runs k-fold and the data-health check from the Runs view', async () => {
    const second = await studio.engine.call('train.start', { mode: 'bottleneck', epochs: 2, seed: 9, hidden: 8 });
    expect((await studio.engine.jobs.wait(second.jobId)).status).toBe('succeeded');
    const page = await openPage(browser, studio.url);
    await page.click('.rail button[title="Runs"]');
    await page.waitForSelector(`[data-testid="compare-${second.runId}"]`);
    await page.check(`[data-testid="compare-${second.runId}"]`);
    await page.check(`[data-testid="compare-${runId}"]`);
    await page.waitForSelector('[data-testid="compare-runs"]');
    const differing = await page.$$eval('[data-testid="compare-settings"] tr.differs th', (ths) => ths.map((t) => t.textContent));
    expect(differing).toEqual(expect.arrayContaining(['epochs planned', 'seed', 'hidden']));
    expect(differing).not.toContain('mode');

    await page.fill('[data-testid="kfold-k"]', '3');
    await page.click('[data-testid="kfold-run"]');
    await page.waitForSelector('[data-testid="kfold-result"]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid="kfold-result"]')).toMatch(/Accuracy \d+\.\d% ± \d+\.\d%/);
    expect(await page.$$eval('[data-testid="kfold-panel"] tbody tr', (rows) => rows.length)).toBe(3);

    await page.click('[data-testid="health-check"]');
    await page.waitForSelector('[data-testid="health-result"]');
    expect(await page.textContent('[data-testid="health-result"]')).toMatch(/0 near-duplicate pairs across splits among 16 images/);
    await screenshot(page, 'compare-runs');
  }, 60_000);
});
