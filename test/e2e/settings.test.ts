import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { e2eAvailable, launchBrowser, openPage, REPO_ROOT, screenshot, startStudio, type Studio } from './helpers';

const TM = resolve(REPO_ROOT, '../shared/data/models/tm_mobilenet_v2_0.35_224');

describe.skipIf(!e2eAvailable())('settings view in chromium (browser mode)', () => {
  let studio: Studio;
  let browser: Browser;

  beforeAll(async () => {
    studio = await startStudio({ images: 4, layout: 'classes' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('adds a backbone by path and lists it; a bad path says why; clears the thumbnail cache after asking once', async () => {
    const page = await openPage(browser, studio.url);
    // Thumbnails are made as the grid shows them: wait for some, so the cache has something to clear.
    const thumbs = join(studio.workspace, 'thumbs');
    await expect.poll(() => (existsSync(thumbs) ? readdirSync(thumbs).length : 0), { timeout: 30_000 }).toBeGreaterThan(0);

    await page.click('.rail button[title="Settings"]');
    await page.waitForSelector('[data-testid="settings-backbones"] [data-testid="backbone-row"]');
    expect(await page.$$eval('[data-testid="backbone-row"]', (rows) => rows.map((r) => r.getAttribute('data-id')))).toEqual([
      'mobilenet_v2_0.35_224',
    ]);

    const bad = join(studio.root, 'not-weights.h5');
    writeFileSync(bad, 'hello');
    await page.fill('[data-testid="backbone-path"]', bad);
    await page.click('[data-testid="backbone-add"]');
    await expect.poll(() => page.textContent('[data-testid="backbone-add-error"]'), { timeout: 20_000 }).toContain(bad);

    await page.fill('[data-testid="backbone-path"]', TM);
    await page.click('[data-testid="backbone-add"]');
    await page.waitForSelector('[data-testid="backbone-row"][data-id="tm_mobilenet_v2_0.35_224"]', { timeout: 30_000 });
    const row = await page.textContent('[data-testid="backbone-row"][data-id="tm_mobilenet_v2_0.35_224"]');
    expect(row).toMatch(/224 px/);
    expect(row).toMatch(/[0-9a-f]{12}/);

    // The feature layer is listed with its default before adding.
    await page.fill('[data-testid="backbone-path"]', resolve(REPO_ROOT, '../shared/data/models/mobilenet_v1_0.75_224'));
    await page.click('[data-testid="settings-backbones"] details summary');
    await page.click('[data-testid="backbone-list-layers"]');
    await expect.poll(() => page.inputValue('[data-testid="backbone-feature-layer"]'), { timeout: 20_000 }).toBe('conv_pw_13_relu');

    const size = () => page.textContent('[data-testid="cache-thumbnails-size"]');
    expect(await size()).not.toBe('0 B');
    await page.click('[data-testid="cache-thumbnails-clear"]');
    await page.waitForSelector('[data-testid="cache-thumbnails-confirm"]');
    await expect.poll(() => page.textContent('[data-testid="train-doctor-active"]'), { timeout: 30_000 }).toBe('wasm');
    await screenshot(page, 'settings');
    await page.click('[data-testid="cache-thumbnails-confirm"]');
    await expect.poll(size).toBe('0 B');
    expect(readdirSync(thumbs)).toEqual([]);
    expect(await page.textContent('[data-testid="train-doctor-detail"]')).toMatch(/threads? of \d+ cores · SIMD/);
  });

  it('shows the forward engine and its provider, and the device choice applies and persists', async () => {
    const page = await openPage(browser, studio.url);
    await page.click('.rail button[title="Settings"]');
    await expect.poll(() => page.textContent('[data-testid="forward-doctor-active"]'), { timeout: 60_000 }).toBe('onnxruntime · cpu');
    expect(await page.textContent('[data-testid="forward-doctor-reason"]')).toMatch(/mobilenet_v2_0\.35_224: onnxruntime .* on cpu/);
    expect(await page.inputValue('[data-testid="forward-device"]')).toBe('auto');
    await page.selectOption('[data-testid="forward-device"]', 'cpu');
    await expect.poll(() => page.textContent('[data-testid="forward-doctor-reason"]'), { timeout: 60_000 }).toContain('forced to cpu');
    await page.reload();
    await page.click('.rail button[title="Settings"]');
    await expect.poll(() => page.inputValue('[data-testid="forward-device"]'), { timeout: 60_000 }).toBe('cpu');
    await page.selectOption('[data-testid="forward-device"]', 'auto');
    await expect.poll(() => page.textContent('[data-testid="forward-doctor-reason"]'), { timeout: 60_000 }).not.toContain('forced');
  });
});
