import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { e2eAvailable, launchBrowser, openPage, screenshot, splitFirstPerClass, startStudio, trainRun, type Studio } from './helpers';

/** "x0,x1;y0,y1" from a chart's data-range. */
async function ranges(page: Page, testid: string): Promise<{ x: number[]; y: number[] } | null> {
  const raw = await page.getAttribute(`[data-testid="${testid}"]`, 'data-range');
  if (!raw) return null;
  const [x, y] = raw.split(';').map((part) => part.split(',').map(Number));
  return { x: x!, y: y! };
}

// Issue 16 items 6 and 16, and "Check for leaks and imbalance" of 17: two finished runs and a
// cancelled one on 8 cats and 8 dogs (3 of each in validation), then one more started from the UI.
describe.skipIf(!e2eAvailable())('train and runs polish in chromium (browser mode)', () => {
  let studio: Studio;
  let browser: Browser;
  const finished: string[] = [];
  let cancelled = '';

  beforeAll(async () => {
    studio = await startStudio({ images: 8, layout: 'classes' });
    await splitFirstPerClass(studio, 3);
    for (const learningRate of [0.001, 0.003]) {
      finished.push(await trainRun(studio, { mode: 'bottleneck', epochs: 4, seed: 3, learningRate }));
    }
    const doomed = await studio.engine.call('train.start', { mode: 'bottleneck', epochs: 50, seed: 4 });
    await studio.engine.call('jobs.cancel', { id: doomed.jobId });
    await studio.engine.jobs.wait(doomed.jobId);
    cancelled = doomed.runId;
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('"Start training" keeps one readable style on hover in both themes', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const page = await openPage(browser, studio.url, { theme });
      await page.click('.rail button[title="Train"]');
      const start = page.locator('[data-testid="train-start"]');
      await start.waitFor();
      await expect.poll(() => start.isEnabled()).toBe(true);
      await start.hover();
      const look = await start.evaluate((el) => {
        const root = getComputedStyle(document.documentElement);
        const style = getComputedStyle(el);
        const probe = document.createElement('span');
        document.body.append(probe);
        const resolve = (v: string) => ((probe.style.color = v), getComputedStyle(probe).color);
        const out = {
          bg: style.backgroundColor,
          fg: style.color,
          accent: resolve(root.getPropertyValue('--accent')),
          onAccent: resolve(root.getPropertyValue('--on-accent')),
          classes: el.className,
        };
        probe.remove();
        return out;
      });
      expect(look.bg).toBe(look.accent);
      expect(look.fg).toBe(look.onAccent);
      expect(look.classes).not.toMatch(/\bbutton\b/);
      await screenshot(page, `train-start-hover-${theme}`);
      await page.context().close();
    }
  });

  it('charts: axes before the first epoch, accuracy scaled to the data', async () => {
    const page = await openPage(browser, studio.url);
    await page.click('.rail button[title="Train"]');
    await page.click('[data-testid="train-mode-bottleneck"]');
    await page.click('details summary');
    await page.fill('[data-testid="train-epochs"]', '5');
    await page.click('[data-testid="train-start"]');
    await page.waitForSelector('[data-testid="train-chart-loss"][data-points="0"][data-range]');
    // Before any epoch: both charts already have scales (so axes): epochs 1–5, values 0–1.
    for (const chart of ['train-chart-loss', 'train-chart-acc']) {
      const r = (await ranges(page, chart))!;
      expect(r).toEqual({ x: [1, 5], y: [0, 1] });
    }
    await screenshot(page, 'train-before-first-epoch-light');
    await expect.poll(() => page.getAttribute('[data-testid="train-live"]', 'data-status'), { timeout: 180_000 }).toBe('succeeded');
    const runs = await studio.engine.call('runs.list', {});
    const run = runs.find((r) => !finished.includes(r.id) && r.id !== cancelled)!;
    finished.push(run.id);
    const accs = run.epochs.flatMap((e) => [e.acc, e.valAcc]).filter((v): v is number => v !== null);
    const acc = (await ranges(page, 'train-chart-acc'))!;
    // Scaled to the data with a little room, inside 0–1 — not pinned to 0–1 unless the data span it.
    expect(acc.y[0]).toBeLessThanOrEqual(Math.min(...accs));
    expect(acc.y[1]).toBeGreaterThanOrEqual(Math.max(...accs));
    expect(acc.y[0]).toBeGreaterThanOrEqual(Math.max(0, Math.min(...accs) - 0.2));
    expect(acc.y[1]).toBeLessThanOrEqual(Math.min(1, Math.max(...accs) + 0.2));
    await screenshot(page, 'train-finished-light');
    await page.context().close();
  }, 240_000);

  it('Compare hides failed and cancelled runs until asked, shows the real backend, words for keys, and each run once in the legend', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const page = await openPage(browser, studio.url, { theme });
      await page.click('.rail button[title="Runs"]');
      await page.waitForSelector('[data-testid="compare-picker"]');
      expect(await page.$(`[data-testid="compare-${cancelled}"]`)).toBeNull();
      await page.click('[data-testid="compare-show-unfinished"]');
      await page.waitForSelector(`[data-testid="compare-${cancelled}"]`);
      await page.click('[data-testid="compare-show-unfinished"]');
      await page.waitForSelector(`[data-testid="compare-${cancelled}"]`, { state: 'detached' });
      await page.check(`[data-testid="compare-${finished[0]}"]`);
      await page.check(`[data-testid="compare-${finished[1]}"]`);
      await page.waitForSelector('[data-testid="compare-settings"]');
      const table = (await page.textContent('[data-testid="compare-settings"]')) ?? '';
      expect(table).toMatch(/learning rate/);
      expect(table).toMatch(/mode asked for/);
      expect(table).not.toMatch(/learningRate|requestedMode/);
      // The backend row is what the run trained on (the Runs table's value), not the request's null.
      const backendRow = await page.$$eval('[data-testid="compare-settings"] tr', (rows) =>
        rows.map((r) => [...r.children].map((c) => c.textContent?.trim() ?? '')).find((cells) => cells[0] === 'backend'),
      );
      const runs = await studio.engine.call('runs.list', {});
      const actual = runs.find((r) => r.id === finished[0])!.backend;
      expect(actual).toBeTruthy();
      expect(backendRow?.[1]).toBe(actual);
      // One legend entry per run (plus the key to the line styles), each with a short id.
      const legend = await page.$$eval('[data-testid="compare-legend"] li', (items) => items.map((i) => i.textContent?.trim() ?? ''));
      expect(legend).toHaveLength(3);
      for (const id of finished.slice(0, 2)) expect(legend.filter((l) => l.includes(id.split('-').at(-1)!))).toHaveLength(1);
      expect(legend.join()).not.toContain(finished[0]);
      await page.locator('[data-testid="compare-runs"]').scrollIntoViewIfNeeded();
      await screenshot(page, `runs-compare-${theme}`);
      await page.context().close();
    }
  });

  it('ROC has axis labels, and the health check reports balance as well as leaks', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const page = await openPage(browser, studio.url, { theme });
      await page.click('.rail button[title="Runs"]');
      await page.waitForSelector('[data-testid="run-detail"]');
      if (!(await page.$('[data-testid="eval-roc"]'))) await page.click('[data-testid="eval-run"]');
      await page.waitForSelector('[data-testid="eval-roc"]', { timeout: 120_000 });
      expect(await page.textContent('[data-testid="roc-x-label"]')).toBe('false positive rate');
      expect(await page.textContent('[data-testid="roc-y-label"]')).toBe('true positive rate');
      await page.locator('[data-testid="eval-roc"]').scrollIntoViewIfNeeded();
      await screenshot(page, `runs-roc-${theme}`);

      await page.click('[data-testid="health-check"]');
      await page.waitForSelector('[data-testid="health-result"]', { timeout: 60_000 });
      // 5 cats and 5 dogs in train: balanced, and said so.
      expect(await page.textContent('[data-testid="health-balance"]')).toMatch(
        /Balance: fine — the largest class has 1\.0× the training images of the smallest/,
      );
      await page.locator('[data-testid="data-health"]').scrollIntoViewIfNeeded();
      await screenshot(page, `runs-health-${theme}`);
      await page.context().close();
    }
  }, 240_000);
});
