/**
 * The e2e harness: a real engine and browser-mode server in this process, Debian's chromium driven
 * by playwright-core, real images in a temp workspace. It builds nothing: `npm test` runs
 * `electron-vite build` first (by hand: `npx electron-vite build`), and the server serves out/renderer.
 *
 *   const studio = await startStudio({ images: 12, layout: 'flat', classes: ['cat', 'dog'] });
 *   const browser = await launchBrowser();
 *   const page = await openPage(browser, studio.url);
 *   ... drive the page, check through studio.engine ...
 *   await screenshot(page, 'library');        // → test-results/screenshots/library.png
 *   await browser.close(); await studio.close();
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Engine } from '../../src/main/engine/engine';
import { startServer, type RunningServer } from '../../src/main/server';
import type { TrainRequest } from '../../src/shared/contract';

export const REPO_ROOT = resolve(__dirname, '../..');
export const RENDERER_DIR = join(REPO_ROOT, 'out', 'renderer');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'screenshots');
export const CATS_AND_DOGS = resolve(REPO_ROOT, '../shared/data/cats_and_dogs_filtered');
export const CHROMIUM = process.env.LDS_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Whether e2e can run here; describe.skipIf(!e2eAvailable()) keeps a missing browser from failing
 * unrelated work on a developer's machine. Under CI a missing browser or build must fail, not skip.
 */
export function e2eAvailable(): boolean {
  if (process.env.CI) return true;
  return existsSync(CHROMIUM) && existsSync(join(RENDERER_DIR, 'index.html'));
}

export interface SampleImagesOptions {
  /** Images per class (cats and dogs alternate so a prefix of the grid has both). */
  perClass?: number;
  /** 'classes': <dest>/cats, <dest>/dogs (labelled by folder); 'flat': all in <dest> (unlabelled). */
  layout?: 'classes' | 'flat';
}

/** Copies real JPEGs from ../shared/data/cats_and_dogs_filtered/train into dest; returns dest. */
export function copySampleImages(dest: string, { perClass = 6, layout = 'flat' }: SampleImagesOptions = {}): string {
  for (const cls of ['cats', 'dogs']) {
    const from = join(CATS_AND_DOGS, 'train', cls);
    const names = readdirSync(from)
      .filter((n) => n.endsWith('.jpg'))
      .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
      .slice(0, perClass);
    const to = layout === 'classes' ? join(dest, cls) : dest;
    mkdirSync(to, { recursive: true });
    for (const name of names) copyFileSync(join(from, name), join(to, name));
  }
  return dest;
}

export interface StudioOptions {
  /** Import this many cats and this many dogs into a new project; 0 leaves the project empty. */
  images?: number;
  layout?: SampleImagesOptions['layout'];
  /** Classes to create before the page opens (in this order: hotkeys 1, 2, …). */
  classes?: string[];
  /** Open no project: the page shows the first screen. */
  noProject?: boolean;
}

export interface Studio {
  engine: Engine;
  server: RunningServer;
  /** The URL with the access token, as `lds serve` prints it. */
  url: string;
  /** Temp root holding the workspace, the source images and the user-data folder. */
  root: string;
  workspace: string;
  sourceDir: string;
  close(): Promise<void>;
}

/** A real engine with a temp workspace (optionally with imported images) served in browser mode. */
export async function startStudio(options: StudioOptions = {}): Promise<Studio> {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new Error(`e2e needs the built renderer in ${RENDERER_DIR}: run \`npx electron-vite build\` first`);
  }
  const root = mkdtempSync(join(tmpdir(), 'lds-e2e-'));
  const workspace = join(root, 'workspace');
  const sourceDir = join(root, 'images');
  const engine = new Engine({ userDataDir: join(root, 'user'), resourcesDir: join(REPO_ROOT, 'resources'), version: '0.0.0-e2e' });
  let server: RunningServer;
  try {
    if (!options.noProject) {
      await engine.call('project.open', { dir: workspace, create: true });
      for (const name of options.classes ?? []) await engine.call('classes.add', { name });
      if (options.images) {
        copySampleImages(sourceDir, { perClass: options.images, layout: options.layout ?? 'flat' });
        const { jobId } = await engine.call('library.import', { paths: [sourceDir] });
        const job = await engine.jobs.wait(jobId);
        if (job.status !== 'succeeded') throw new Error(`import for e2e ${job.status}: ${job.error ?? ''}`);
      }
    }
    server = await startServer(engine, { rendererDir: RENDERER_DIR });
  } catch (error) {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  const running = server;
  return {
    engine,
    server: running,
    url: running.url,
    root,
    workspace,
    sourceDir,
    close: async () => {
      await running.close();
      await engine.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Puts the first `perClass` images of every class in validation and the rest in train (a fixed split). */
export async function splitFirstPerClass(studio: Studio, perClass: number): Promise<void> {
  const entries: { imageId: number; split: 'train' | 'validation' }[] = [];
  for (const c of await studio.engine.call('library.classes', {})) {
    const images = await studio.engine.call('library.list', { classId: c.id });
    images.forEach((im, i) => entries.push({ imageId: im.id, split: i < perClass ? 'validation' : 'train' }));
  }
  await studio.engine.call('library.applySplits', { entries });
}

/** Trains a run to the end through the engine; throws unless it succeeded. Returns the run's id. */
export async function trainRun(studio: Studio, request: TrainRequest): Promise<string> {
  const started = await studio.engine.call('train.start', request);
  const job = await studio.engine.jobs.wait(started.jobId);
  if (job.status !== 'succeeded') throw new Error(`training ${job.status}: ${job.error ?? ''}`);
  return started.runId;
}

/** Headless Debian chromium with a fresh profile (playwright makes a temp user-data-dir per launch). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface PageOptions {
  theme?: 'light' | 'dark';
  width?: number;
  height?: number;
}

/** Opens the studio at its tokened URL and waits until the app has connected and rendered. */
export async function openPage(
  browser: Browser,
  url: string,
  { theme = 'light', width = 1440, height = 900 }: PageOptions = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme: theme, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error('[page error]', error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') console.error('[page console]', message.text());
  });
  await page.goto(url);
  await page.waitForSelector('.rail');
  await page.waitForFunction(() => !document.querySelector('.loading'));
  return page;
}

/** Saves a PNG under test-results/screenshots/ (gitignored; CI keeps it as an artifact). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // Let lazy thumbnails land before the picture is taken.
  await page.waitForFunction(() => [...document.images].every((img) => img.complete), undefined, { timeout: 10_000 }).catch(() => {});
  await page.screenshot({ path });
  return path;
}

/** The same screen in both themes, for the tour (test-results/screenshots/<name>-light|dark.png); ends in light. */
export async function screenshotBothThemes(page: Page, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshot(page, `${name}-light`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}
