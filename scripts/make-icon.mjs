#!/usr/bin/env node
/**
 * Draws the app icon (our own artwork, no third-party material): a rounded tile with a 3x3 grid of
 * image thumbnails, three of them tagged in class colours, one holding a small "mountain" picture.
 * Writes resources/icon.svg (the source) and resources/icon.png (1024 px; electron-builder derives
 * .icns and .ico from it).
 *
 *   node scripts/make-icon.mjs
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIZE = 1024;

function iconSvg() {
  const tile = 200;
  const gap = 36;
  const start = (SIZE - 3 * tile - 2 * gap) / 2;
  const tags = { 0: '#f59e0b', 4: '#10b981', 8: '#ef4444', 5: '#f59e0b' };
  const cells = [];
  for (let i = 0; i < 9; i++) {
    const x = start + (i % 3) * (tile + gap);
    const y = start + Math.floor(i / 3) * (tile + gap);
    const tag = tags[i];
    cells.push(`<rect x="${x}" y="${y}" width="${tile}" height="${tile}" rx="28" fill="#e8edf7" fill-opacity="${tag ? 1 : 0.55}"/>`);
    if (tag)
      cells.push(
        `<rect x="${x + 6}" y="${y + 6}" width="${tile - 12}" height="${tile - 12}" rx="24" fill="none" stroke="${tag}" stroke-width="12"/>`,
      );
    if (i === 4) {
      // A tiny landscape in the centre tile: the "image" in image dataset.
      cells.push(`<circle cx="${x + 140}" cy="${y + 62}" r="22" fill="#f59e0b"/>`);
      cells.push(
        `<path d="M ${x + 24} ${y + 170} L ${x + 82} ${y + 92} L ${x + 118} ${y + 136} L ${x + 140} ${y + 112} L ${x + 178} ${y + 170} Z" fill="#3b5bdb"/>`,
      );
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#3b5bdb"/>
      <stop offset="1" stop-color="#1e2a78"/>
    </linearGradient>
  </defs>
  <rect x="32" y="32" width="${SIZE - 64}" height="${SIZE - 64}" rx="200" fill="url(#bg)"/>
  ${cells.join('\n  ')}
</svg>
`;
}

const svg = iconSvg();
writeFileSync(join(root, 'resources', 'icon.svg'), svg);
await sharp(Buffer.from(svg))
  .png({ compressionLevel: 9 })
  .toFile(join(root, 'resources', 'icon.png'));
console.log('wrote resources/icon.svg and resources/icon.png');
