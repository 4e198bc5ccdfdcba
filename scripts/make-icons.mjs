// Renders public/icons/icon.svg to the PWA's PNG icons with headless Chromium (playwright-core).
// Run: node scripts/make-icons.mjs   (CHROMIUM_PATH overrides /usr/bin/chromium)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const dir = fileURLToPath(new URL('../public/icons/', import.meta.url));
const svg = readFileSync(`${dir}icon.svg`, 'utf8');
const mark = svg.match(/<g id="mark"[\s\S]*?<\/g>/)?.[0];
if (!mark) throw new Error('icon.svg has no <g id="mark">');

// Maskable: full-bleed tile, mark scaled into the safe zone (a centred circle of radius 40%).
const maskable = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">
  <rect width="512" height="512" fill="#1f4e79"/>
  <g transform="translate(256 256) scale(0.78) translate(-256 -256)">${mark}</g>
</svg>`;

const outputs = [
  { file: 'icon-192.png', size: 192, source: svg },
  { file: 'icon-512.png', size: 512, source: svg },
  { file: 'icon-maskable-512.png', size: 512, source: maskable },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  for (const { file, size, source } of outputs) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const sized = source.replace(/width="512" height="512"/, `width="${size}" height="${size}"`);
    await page.setContent(`<!doctype html><body style="margin:0;background:transparent">${sized}</body>`);
    writeFileSync(`${dir}${file}`, await page.screenshot({ omitBackground: true, type: 'png' }));
    await page.close();
    console.log(`wrote public/icons/${file} (${size}x${size})`);
  }
} finally {
  await browser.close();
}
