import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { solidJpeg } from '../../fixtures/images';
import { EngineError } from '../../../src/main/engine/errors';
import { handleAppRequest, handleImageRequest, parseImageUrl } from '../../../src/main/desktop/protocols';
import { contentSecurityPolicy, type ReadImage } from '../../../src/main/serving/serving';

const ORIGIN = 'lds-app://studio';
let dir: string;
let jpeg: Buffer;

/** Behaves like the project service: id 7 exists, everything else is not_found. */
const readImage = vi.fn<ReadImage>(async (id, size) => {
  if (id !== 7) throw new EngineError('not_found', `no image with id ${id}`);
  return size === 'thumb' ? { data: jpeg, contentType: 'image/webp' } : jpeg;
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lds-protocol-'));
  jpeg = await solidJpeg(8, 8, [200, 30, 30]);
  const renderer = join(dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>studio</title>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  symlinkSync(join(dir, 'secret.txt'), join(renderer, 'assets', 'link.txt'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lds-image://', () => {
  it('accepts exactly thumb/<id> and full/<id> with a positive integer id', () => {
    expect(parseImageUrl('lds-image://thumb/7')).toEqual({ id: 7, size: 'thumb' });
    expect(parseImageUrl('lds-image://full/123456')).toEqual({ id: 123456, size: 'full' });
    expect(parseImageUrl('lds-image://thumb/7?v=2')).toEqual({ id: 7, size: 'thumb' });
    for (const bad of [
      'lds-image://thumb/0',
      'lds-image://thumb/-1',
      'lds-image://thumb/1.5',
      'lds-image://thumb/07',
      'lds-image://thumb/1e3',
      'lds-image://thumb/99999999999999999',
      'lds-image://medium/7',
      'lds-image://thumb/7/extra',
      'lds-image://thumb/',
      'lds-image://thumb',
      'lds-image:///etc/passwd',
      'lds-image://thumb/../../etc/passwd',
      'lds-image://thumb/..%2F..%2Fetc%2Fpasswd',
      'lds-image://thumb/%2e%2e/secret',
      'lds-image://thumb//etc/passwd',
      'lds-image://full/C:%5CWindows%5Cwin.ini',
      'lds-image://user:pw@thumb/7',
      'lds-image://thumb:99/7',
      'file:///etc/passwd',
      'not a url',
    ]) {
      expect(parseImageUrl(bad), bad).toBeNull();
    }
  });

  it('answers 404 to traversal, absolute paths and unknown ids, without naming files', async () => {
    readImage.mockClear();
    for (const url of [
      'lds-image://thumb/../../etc/passwd',
      'lds-image:///etc/passwd',
      'lds-image://full//etc/passwd',
      'lds-image://full/%2Fetc%2Fpasswd',
    ]) {
      const response = await handleImageRequest(url, readImage, ORIGIN);
      expect(response.status, url).toBe(404);
    }
    expect(readImage).not.toHaveBeenCalled();
    const unknown = await handleImageRequest('lds-image://thumb/8', readImage, ORIGIN);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('not found');
    const noProject = await handleImageRequest(
      'lds-image://thumb/9',
      async () => {
        throw new EngineError('no_project', 'No project is open');
      },
      ORIGIN,
    );
    expect(noProject.status).toBe(404);
  });

  it('serves a known id with its content type', async () => {
    const full = await handleImageRequest('lds-image://full/7', readImage, ORIGIN);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('image/jpeg');
    expect(full.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await full.arrayBuffer()).equals(jpeg)).toBe(true);
    const thumb = await handleImageRequest('lds-image://thumb/7', readImage, ORIGIN);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect(thumb.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });

  it('turns an unexpected reader failure into a 500, not a crash', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await handleImageRequest(
      'lds-image://full/7',
      async () => {
        throw new Error('disk on fire');
      },
      ORIGIN,
    );
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('disk on fire');
    spy.mockRestore();
  });
});

describe('lds-app:// (the built renderer)', () => {
  const csp = contentSecurityPolicy({ imageScheme: 'lds-image' });

  it('serves the renderer files with the CSP header', async () => {
    const index = await handleAppRequest('lds-app://studio/index.html', join(dir, 'renderer'), csp);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(index.headers.get('content-security-policy')).toBe(csp);
    expect(await index.text()).toContain('<title>studio</title>');
    const root = await handleAppRequest('lds-app://studio/', join(dir, 'renderer'), csp);
    expect(root.status).toBe(200);
    const script = await handleAppRequest('lds-app://studio/assets/app.js', join(dir, 'renderer'), csp);
    expect(script.headers.get('content-type')).toContain('text/javascript');
  });

  it('refuses anything outside the renderer folder', async () => {
    for (const url of [
      'lds-app://studio/../secret.txt',
      'lds-app://studio/%2e%2e/secret.txt',
      'lds-app://studio/assets/..%2F..%2Fsecret.txt',
      `lds-app://studio/${encodeURIComponent(join(dir, 'secret.txt'))}`,
      'lds-app://studio/assets/link.txt',
      'lds-app://studio/missing.js',
      'lds-app://elsewhere/index.html',
      'lds-app://studio/%00index.html',
      'lds-app://studio/%E0%A4%A',
    ]) {
      const response = await handleAppRequest(url, join(dir, 'renderer'), csp);
      expect(response.status, url).toBe(404);
      expect(await response.text()).not.toContain('do not serve');
    }
  });

  it('has a strict content security policy', () => {
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("img-src 'self' data: blob: lds-image:");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
