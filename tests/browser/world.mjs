// world.mjs BASE_URL OUT_DIR RTL_PATH|- IMAGES_PATH|- PATH...
// Pages in other languages and with responsive images, in Debian's
// Chromium (playwright-core): axe-core on each PATH in light and dark, how
// the right-to-left article is laid out, which copy of each image a phone
// and a desktop download, screenshots.  Prints one JSON object.
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const [base, out, rtlPath, imagesPath, ...paths] = process.argv.slice(2);
const args = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args });
const result = { axe: {}, rtl: {}, images: {}, screenshots: [], errors: [] };

// Where an element is, and its computed direction and alignment.
const box = (page, selector) => page.evaluate((sel) => {
  const e = document.querySelector(sel);
  if (!e) return null;
  const r = e.getBoundingClientRect();
  const s = getComputedStyle(e);
  return { left: r.left, right: r.right, width: r.width, direction: s.direction,
    textAlign: s.textAlign, viewport: document.documentElement.clientWidth };
}, selector);

try {
  // axe-core (WCAG 2.1 A and AA, best practices) on every page, light and dark.
  for (const path of paths) {
    for (const scheme of ['light', 'dark']) {
      const ctx = await browser.newContext({ colorScheme: scheme });
      const p = await ctx.newPage();
      p.on('pageerror', (e) => result.errors.push(String(e)));
      // The page itself answering 404 (a path that is not there) is what is being
      // checked, not an error; anything else that fails to load is one.
      p.on('console', (m) => {
        if (m.type() !== 'error') return;
        const self = m.location().url === base + path && /status of 404/.test(m.text());
        if (!self) result.errors.push(path + ': ' + m.text());
      });
      await p.goto(base + path);
      const r = await new AxeBuilder({ page: p })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
      result.axe[`${path} ${scheme}`] = r.violations.map((v) => ({ id: v.id, impact: v.impact,
        nodes: v.nodes.length, help: v.help, target: v.nodes[0] && v.nodes[0].target }));
      await ctx.close();
    }
  }

  // The right-to-left article, on a phone and a desktop, light and dark.
  for (const [name, width] of rtlPath === '-' ? [] : [['phone', 375], ['desktop', 1280]]) {
    for (const scheme of ['light', 'dark']) {
      const ctx = await browser.newContext({ viewport: { width, height: 800 }, colorScheme: scheme });
      const p = await ctx.newPage();
      await p.goto(base + rtlPath);
      const file = `${out}/rtl-${name}-${width}-${scheme}.png`;
      await p.screenshot({ path: file, fullPage: true });
      result.screenshots.push(file);
      result.rtl[`${name}-${scheme}`] = {
        html: await p.evaluate(() => [document.documentElement.lang, document.documentElement.dir]),
        body: await box(p, 'body'),
        h1: await box(p, 'main h1'),
        paragraph: await box(p, 'main .body p'),
        list: await p.evaluate(() => {
          const li = document.querySelector('main .body li');
          return li ? getComputedStyle(li.parentElement).paddingInlineStart + ' ' +
            getComputedStyle(li.parentElement).paddingRight : null;
        }),
        quote: await p.evaluate(() => {
          const q = document.querySelector('main .body blockquote');
          return q ? getComputedStyle(q).borderRightWidth + ' ' + getComputedStyle(q).borderLeftWidth : null;
        }),
        pre: await box(p, 'main .body pre'),
        header: await box(p, 'header.site-header'),
        overflow: await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
        dark: await p.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches),
      };
      await ctx.close();
    }
  }

  // Which copy of each image a browser downloads: a phone (Lighthouse's Moto
  // G Power: 412 CSS pixels at 1.75) and a desktop at 2.
  for (const [name, viewport, scale] of imagesPath === '-' ? [] : [
    ['phone', { width: 412, height: 823 }, 1.75], ['desktop', { width: 1350, height: 940 }, 2]]) {
    const ctx = await browser.newContext({ viewport, deviceScaleFactor: scale, isMobile: name === 'phone' });
    const p = await ctx.newPage();
    const got = [];
    p.on('response', async (r) => {
      if (r.request().resourceType() === 'image') {
        got.push({ url: r.url().replace(base, ''), type: r.headers()['content-type'],
          bytes: Number(r.headers()['content-length'] || 0) });
      }
    });
    await p.goto(base + imagesPath);
    // Down the page, so that the lazy ones load too.
    for (let y = 0; y < 30; y++) {
      await p.mouse.wheel(0, 800);
      await p.waitForTimeout(50);
    }
    await p.waitForLoadState('networkidle');
    const shown = await p.evaluate(() => [...document.querySelectorAll('main img')].map((i) => ({
      current: i.currentSrc.replace(location.origin, ''), shown: i.getBoundingClientRect().width,
      natural: i.naturalWidth, complete: i.complete })));
    result.images[name] = { downloaded: got, shown };
    const file = `${out}/images-${name}.png`;
    await p.screenshot({ path: file, fullPage: false });
    result.screenshots.push(file);
    await ctx.close();
  }
} catch (e) {
  result.errors.push('world.mjs: ' + (e.stack || e));
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result));
