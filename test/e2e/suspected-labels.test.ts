import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { e2eAvailable, launchBrowser, openPage, screenshot, startStudio, type Studio } from './helpers';

// 12 cats and 12 dogs, all in train; 3 labels flipped each way for the queue to find.
describe.skipIf(!e2eAvailable())('the Suspected labels queue in the Library, in chromium', () => {
  let studio: Studio;
  let browser: Browser;

  beforeAll(async () => {
    studio = await startStudio({ images: 12, layout: 'classes' });
    const classes = await studio.engine.call('library.classes', {});
    const splits: { imageId: number; split: 'train' }[] = [];
    const flips: { imageId: number; classId: number }[] = [];
    for (const c of classes) {
      const other = classes.find((o) => o.id !== c.id)!;
      const images = await studio.engine.call('library.list', { classId: c.id });
      images.forEach((im, i) => {
        splits.push({ imageId: im.id, split: 'train' });
        if (i % 4 === 1) flips.push({ imageId: im.id, classId: other.id });
      });
    }
    await studio.engine.call('library.applySplits', { entries: splits });
    await studio.engine.call('library.applyLabels', { entries: flips });
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('finds suspects; Enter accepts, Ctrl+Z undoes, S keeps (remembered), a digit relabels', async () => {
    const page = await openPage(browser, studio.url);
    await page.click('[data-testid="suspected-open"]');
    await page.click('[data-testid="suspected-find"]');
    await page.waitForSelector('[data-testid="suspected-current"]', { timeout: 120_000 });
    const report = (await studio.engine.call('labelIssues.get', {}))!;
    const n = report.issues.length;
    expect(n).toBeGreaterThanOrEqual(2);
    expect(await page.getAttribute('[data-testid="suspected-labels"]', 'data-count')).toBe(String(n));
    await screenshot(page, 'suspected-labels');
    const classes = (await studio.engine.call('library.classes', {})).sort((a, b) => a.position - b.position);
    const byName = (name: string) => classes.find((c) => c.name === name)!;
    const current = async (): Promise<number> => Number(await page.getAttribute('[data-testid="suspected-current"]', 'data-image'));
    const count = (k: number) => page.waitForSelector(`[data-testid="suspected-labels"][data-count="${k}"]`);

    // Most likely first; Enter takes the suggestion as a manual label.
    const first = report.issues[0]!;
    expect(await current()).toBe(first.id);
    await page.focus('[data-testid="suspected-labels"]');
    await page.keyboard.press('Enter');
    await count(n - 1);
    expect(await studio.engine.call('library.image', { id: first.id })).toMatchObject({
      classId: byName(first.suggested).id,
      labelSource: 'manual',
    });

    // Ctrl+Z puts the label back and the image back at the front.
    await page.keyboard.press('Control+z');
    await count(n);
    expect((await studio.engine.call('library.image', { id: first.id })).classId).toBe(byName(first.given).id);
    expect(await current()).toBe(first.id);

    // S keeps the label: not suggested again, also after searching afresh.
    await page.keyboard.press('s');
    await count(n - 1);
    expect((await studio.engine.call('library.image', { id: first.id })).classId).toBe(byName(first.given).id);
    const after = (await studio.engine.call('labelIssues.get', {}))!;
    expect(after.issues.map((i) => i.id)).not.toContain(first.id);
    expect(after.kept).toBe(1);

    // A digit relabels to that class.
    const second = await current();
    const issue = report.issues.find((i) => i.id === second)!;
    await page.keyboard.press(String(classes.indexOf(byName(issue.suggested)) + 1));
    await count(n - 2);
    expect((await studio.engine.call('library.image', { id: second })).classId).toBe(byName(issue.suggested).id);

    // The Library's own keys stay quiet while the queue is open: nothing else changed.
    const status = await studio.engine.call('library.status', {});
    expect(status.images).toBe(24);

    // Reopened later, the queue remembers both decisions.
    await page.keyboard.press('Escape');
    await page.reload();
    await page.click('[data-testid="suspected-open"]');
    await count(n - 2);
    await screenshot(page, 'suspected-labels-after');
  }, 180_000);
});
