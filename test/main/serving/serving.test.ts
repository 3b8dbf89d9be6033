import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy, imageBody, isMapFramePath, readBundleFile, sniffImageType } from '../../../src/main/serving/serving';

let dir: string;
const renderer = (): string => join(dir, 'renderer');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lds-serving-'));
  mkdirSync(join(renderer(), 'assets', 'sub'), { recursive: true });
  writeFileSync(join(renderer(), 'index.html'), '<!doctype html><title>studio</title>');
  writeFileSync(join(renderer(), 'assets', 'font.woff'), 'w');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  symlinkSync(join(dir, 'secret.txt'), join(renderer(), 'assets', 'link.txt'));
  symlinkSync(dir, join(renderer(), 'assets', 'up'));
  symlinkSync(join(renderer(), 'index.html'), join(renderer(), 'assets', 'inside.html'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('images', () => {
  it('names each format the engine renders by its bytes; a WAV in a RIFF wrapper is not WebP', async () => {
    const pixel = sharp({ create: { width: 2, height: 2, channels: 3, background: '#c33' } });
    expect(sniffImageType(await pixel.clone().jpeg().toBuffer())).toBe('image/jpeg');
    expect(sniffImageType(await pixel.clone().png().toBuffer())).toBe('image/png');
    expect(sniffImageType(await pixel.clone().webp().toBuffer())).toBe('image/webp');
    expect(sniffImageType(await pixel.clone().gif().toBuffer())).toBe('image/gif');
    expect(sniffImageType(Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'))).toBe('application/octet-stream');
    expect(sniffImageType(new Uint8Array(0))).toBe('application/octet-stream');
  });

  it("keeps the reader's own type and sniffs only when it gives none", async () => {
    const jpeg = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
      .jpeg()
      .toBuffer();
    expect(imageBody(jpeg).contentType).toBe('image/jpeg');
    expect(imageBody({ data: jpeg, contentType: 'image/webp' }).contentType).toBe('image/webp');
    expect(imageBody({ data: jpeg, mime: 'image/png' }).contentType).toBe('image/png');
    expect(imageBody(new Uint8Array(jpeg)).data.equals(jpeg)).toBe(true);
  });
});

describe('readBundleFile', () => {
  it('serves files of the bundle with their type, index.html for /', async () => {
    expect(await readBundleFile(renderer(), '/')).toMatchObject({ contentType: 'text/html; charset=utf-8' });
    expect((await readBundleFile(renderer(), '/assets/font.woff'))?.contentType).toBe('font/woff');
    expect((await readBundleFile(renderer(), '/assets/inside.html'))?.body.toString()).toContain('<title>studio</title>');
  });

  it('refuses traversal, NUL, bad encoding, folders and symlinks that lead out', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      encodeURIComponent(join(dir, 'secret.txt')),
      '/assets/link.txt',
      '/assets/up/secret.txt',
      '/assets',
      '/assets/sub/',
      '/%00index.html',
      '/%E0%A4%A',
      '/missing.js',
    ]) {
      expect(await readBundleFile(renderer(), path), path).toBeNull();
    }
  });
});

describe('contentSecurityPolicy', () => {
  it('is one strict policy; the desktop adds its image scheme, dev adds the hot-reload socket', () => {
    const plain = contentSecurityPolicy();
    expect(plain).toContain("default-src 'none'");
    expect(plain).not.toMatch(/script-src[^;]*unsafe/);
    expect(plain).toContain("img-src 'self' data: blob:;");
    expect(plain).toContain("connect-src 'self';");
    expect(contentSecurityPolicy({ imageScheme: 'lds-image' })).toContain("img-src 'self' data: blob: lds-image:;");
    expect(contentSecurityPolicy({ dev: true })).toContain("connect-src 'self' ws://localhost:* ws://127.0.0.1:*;");
  });

  it('lets only the map frame eval (regl), and only our own pages frame it', () => {
    const page = contentSecurityPolicy();
    const frame = contentSecurityPolicy({ mapFrame: true });
    expect(page).toContain("frame-src 'self'");
    expect(page).toContain("frame-ancestors 'none'");
    expect(frame).toContain("script-src 'self' 'unsafe-eval';");
    expect(frame).toContain("frame-ancestors 'self'");
    expect(frame).toContain("frame-src 'none'");
    expect(frame).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(isMapFramePath('/map-frame.html')).toBe(true);
    expect(isMapFramePath('lds-app://studio/map-frame.html')).toBe(true);
    expect(isMapFramePath('http://localhost:5173/map-frame.html?x=1')).toBe(true);
    for (const other of ['/', '/index.html', '/assets/map-frame.html', '/map-frame.html.js', 'lds-app://studio/sub/map-frame.html'])
      expect(isMapFramePath(other), other).toBe(false);
  });
});
