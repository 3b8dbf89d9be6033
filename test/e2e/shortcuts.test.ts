import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { e2eAvailable, launchBrowser, openPage, startStudio, type Studio } from './helpers';

describe.skipIf(!e2eAvailable())('keyboard across places in chromium (browser mode)', () => {
  let studio: Studio;
  let browser: Browser;

  beforeAll(async () => {
    studio = await startStudio({ images: 2, layout: 'classes' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.close();
  });

  it('Alt+digit changes place, ? lists that place’s shortcuts, R re-seeds the augment preview', async () => {
    const page = await openPage(browser, studio.url);
    const current = () => page.getAttribute('.rail [aria-current="page"]', 'title');

    await page.keyboard.press('Alt+3');
    await expect.poll(current).toBe('Train');
    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid="help"][data-place="Train"]');
    expect(await page.textContent('[data-testid="help"]')).toMatch(/Start training/);
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="help"]', { state: 'detached' });

    await page.keyboard.press('Alt+4');
    await expect.poll(current).toBe('Runs');
    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid="help"][data-place="Runs"]');
    expect(await page.textContent('[data-testid="help"]')).toMatch(/Review queue/);
    await page.keyboard.press('Escape');

    await page.keyboard.press('Alt+2');
    await expect.poll(current).toBe('Augment');
    const seed = () => page.textContent('[data-testid="augment-reseed"] + .muted');
    const before = await seed();
    await page.keyboard.press('r');
    await expect.poll(seed).not.toBe(before);

    await page.keyboard.press('Alt+1');
    await expect.poll(current).toBe('Library');
    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid="help"][data-place="Library"]');
    expect(await page.textContent('[data-testid="help"]')).toMatch(/Everywhere/);
  });
});
