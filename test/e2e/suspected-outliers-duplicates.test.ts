import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { e2eAvailable, launchBrowser, openPage, screenshot, startStudio, type Studio } from './helpers';

const DIAGRAM = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240">
  <rect width="320" height="240" fill="#ffffff"/>
  <rect x="30" y="140" width="40" height="80" fill="#1f77b4"/><rect x="90" y="90" width="40" height="130" fill="#ff7f0e"/>
  <rect x="150" y="40" width="40" height="180" fill="#2ca02c"/><rect x="210" y="120" width="40" height="100" fill="#d62728"/>
  <line x1="20" y1="220" x2="300" y2="220" stroke="#000" stroke-width="3"/>
  <text x="40" y="30" font-size="22" font-family="sans-serif">Quarterly sales</text>
</svg>`;

// 12 cats and 12 dogs, plus a drawn diagram filed under cats and a cropped, re-encoded copy of a cat filed under dogs.
describe.skipIf(!e2eAvailable())('the Outliers and Conflicting near-duplicates lists of the queue, in chromium', () => {
  let studio: Studio;
  let browser: Browser;
  let diagramId: number;
  let catId: number;
  let copyId: number;

  beforeAll(async () => {
    studio = await startStudio({ images: 12, layout: 'classes' });
    const extra = join(studio.root, 'extra');
    mkdirSync(join(extra, 'cats'), { recursive: true });
    mkdirSync(join(extra, 'dogs'), { recursive: true });
    await sharp(Buffer.from(DIAGRAM))
      .png()
      .toFile(join(extra, 'cats', 'diagram.png'));
    const original = join(studio.sourceDir, 'cats', 'cat.1.jpg');
    const { width, height } = await sharp(original).metadata();
    const [dx, dy] = [Math.round(width! * 0.03), Math.round(height! * 0.03)];
    await sharp(original)
      .extract({ left: dx, top: dy, width: width! - dx, height: height! - dy })
      .resize(Math.round(width! * 0.6))
      .jpeg({ quality: 70 })
      .toFile(join(extra, 'dogs', 'copy-of-cat.1.jpg'));
    const { jobId } = await studio.engine.call('library.import', { paths: [extra] });
    expect((await studio.engine.jobs.wait(jobId)).status).toBe('succeeded');
    const all = await studio.engine.call('library.list', {});
    await studio.engine.call('library.applySplits', { entries: all.map((im) => ({ imageId: im.id, split: 'train' as const })) });
    const idOf = async (path: string): Promise<number> => {
      for (const im of all) if ((await studio.engine.call('library.image', { id: im.id })).paths.includes(path)) return im.id;
      throw new Error(`not imported: ${path}`);
    };
    diagramId = await idOf(join(extra, 'cats', 'diagram.png'));
    copyId = await idOf(join(extra, 'dogs', 'copy-of-cat.1.jpg'));
    catId = await idOf(original);
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('lists the diagram as the first outlier and the copy with its original as a group; keys relabel, keep and undo', async () => {
    const page = await openPage(browser, studio.url);
    await page.click('[data-testid="suspected-open"]');
    await page.click('[data-testid="suspected-find"]');
    await page.waitForSelector('[data-testid="suspected-section-outliers"]', { timeout: 120_000 });
    const report = (await studio.engine.call('labelIssues.get', {}))!;
    expect(report.outliers[0]!.id).toBe(diagramId);
    expect(report.nearDuplicates.map((g) => g.members.map((m) => m.id))).toEqual([[catId, copyId]]);
    const classes = (await studio.engine.call('library.classes', {})).sort((a, b) => a.position - b.position);
    const key = (name: string): string => String(classes.findIndex((c) => c.name === name) + 1);
    const classOf = async (id: number): Promise<number | null> => (await studio.engine.call('library.image', { id })).classId;
    const byName = (name: string): number => classes.find((c) => c.name === name)!.id;
    const shows = (section: string, count: number) =>
      page.waitForSelector(`[data-testid="suspected-labels"][data-section="${section}"][data-count="${count}"]`);
    const current = async (): Promise<number> => Number(await page.getAttribute('[data-testid="suspected-current"]', 'data-image'));

    // Outliers: the diagram first; S keeps it, Ctrl+Z brings it back, a digit relabels it.
    const outliers = report.outliers.length;
    await page.click('[data-testid="suspected-section-outliers"]');
    await shows('outliers', outliers);
    expect(await current()).toBe(diagramId);
    expect(await page.textContent('[data-testid="suspected-current"]')).toContain('fits no class well');
    await screenshot(page, 'suspected-outliers');
    await page.focus('[data-testid="suspected-labels"]');
    await page.keyboard.press('s');
    await shows('outliers', outliers - 1);
    expect((await studio.engine.call('labelIssues.get', {}))!.outliers.map((o) => o.id)).not.toContain(diagramId);
    await page.keyboard.press('Control+z');
    await shows('outliers', outliers);
    expect(await current()).toBe(diagramId);
    await page.keyboard.press(key('dogs'));
    await shows('outliers', outliers - 1);
    expect(await classOf(diagramId)).toBe(byName('dogs'));
    await page.keyboard.press('Control+z');
    await shows('outliers', outliers);
    expect(await classOf(diagramId)).toBe(byName('cats'));

    // Conflicting near-duplicates: both members side by side with their labels.
    await page.click('[data-testid="suspected-section-duplicates"]');
    await shows('duplicates', 1);
    const members = await page.$$eval('[data-testid="duplicate-member"]', (els) =>
      els.map((el) => [Number(el.getAttribute('data-image')), el.querySelector('[data-testid="duplicate-label"]')?.textContent]),
    );
    expect(members).toEqual([
      [catId, 'cats'],
      [copyId, 'dogs'],
    ]);
    const boxes = await page.$$eval('[data-testid="duplicate-member"] img', (els) => els.map((el) => el.getBoundingClientRect().top));
    expect(boxes[0]).toBe(boxes[1]);
    await screenshot(page, 'suspected-near-duplicates');

    // A digit gives every member that class; Ctrl+Z puts both labels back; S keeps them as they are.
    await page.focus('[data-testid="suspected-labels"]');
    await page.keyboard.press(key('cats'));
    await shows('duplicates', 0);
    expect([await classOf(catId), await classOf(copyId)]).toEqual([byName('cats'), byName('cats')]);
    await page.keyboard.press('Control+z');
    await shows('duplicates', 1);
    expect([await classOf(catId), await classOf(copyId)]).toEqual([byName('cats'), byName('dogs')]);
    await page.keyboard.press('s');
    await shows('duplicates', 0);
    expect((await studio.engine.call('labelIssues.get', {}))!.nearDuplicates).toEqual([]);
    expect([await classOf(catId), await classOf(copyId)]).toEqual([byName('cats'), byName('dogs')]);

    // Reopened later, the decisions hold.
    await page.keyboard.press('Escape');
    await page.reload();
    await page.click('[data-testid="suspected-open"]');
    await page.click('[data-testid="suspected-section-duplicates"]');
    await shows('duplicates', 0);
  }, 180_000);
});
