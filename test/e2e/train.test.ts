import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { e2eAvailable, launchBrowser, openPage, screenshot, startStudio, type Studio } from './helpers';

describe.skipIf(!e2eAvailable())('train view in chromium (browser mode)', () => {
  let studio: Studio;
  let browser: Browser;

  beforeAll(async () => {
    studio = await startStudio({ noProject: true });
    await studio.engine.call('project.openSample', {});
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('starts a bottleneck run on the sample project, the curves grow live, and it finishes', async () => {
    const page = await openPage(browser, studio.url);
    await page.click('.rail button[title="Train"]');
    await page.waitForSelector('[data-testid="train-advice"]');
    expect(await page.textContent('[data-testid="train-advice"]')).toMatch(/Recommended for this dataset: bottleneck/);
    await page.click('[data-testid="train-mode-bottleneck"]');
    await page.click('details.advanced summary');
    await page.fill('[data-testid="train-epochs"]', '6');
    await page.click('[data-testid="train-start"]');

    const points = () => page.getAttribute('[data-testid="train-chart-loss"]', 'data-points').then(Number);
    await expect.poll(points, { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(1);
    const seenWhileRunning = await points();
    await expect.poll(() => page.getAttribute('[data-testid="train-live"]', 'data-status'), { timeout: 90_000 }).toBe('succeeded');
    expect(await points()).toBe(6);
    expect(seenWhileRunning).toBeLessThanOrEqual(6);
    expect(await page.textContent('[data-testid="train-result"]')).toMatch(/validation accuracy \d+\.\d%/);
    expect(await page.$$eval('[data-testid="train-chart-acc"] canvas', (c) => c.length)).toBe(1);
    await expect.poll(() => page.$$eval('[data-testid="runs-row"][data-status="succeeded"]', (rows) => rows.length)).toBe(1);
    await screenshot(page, 'train');

    // The run's notes say which engine ran the backbone's forward passes.
    await page.click('.rail button[title="Runs"]');
    await page.waitForSelector('[data-testid="run-detail"]');
    await expect
      .poll(() => page.textContent('[data-testid="run-notes"]'), { timeout: 30_000 })
      .toMatch(/forward pass up to out_relu: onnxruntime \S+ on cpu/);

    await page.click('.rail button[title="Settings"]');
    await expect.poll(() => page.textContent('[data-testid="train-doctor-active"]'), { timeout: 30_000 }).toBe('wasm');
    await screenshot(page, 'settings-doctor');
  });
});
