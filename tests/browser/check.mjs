// check.mjs BASE_URL OUT_DIR TAG WORD [CODE_PATH [EXTRA_PAGES]]
// Drives Debian's Chromium with playwright-core through a reader's visit
// of a running gazette, runs axe-core on the pages that matter in the light
// and the dark colour scheme, looks at them as a printer would, takes
// screenshots, and prints what it found as one JSON object.
// EXTRA_PAGES: a JSON object {name: path} of more pages for axe and print.
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const [base, out, tag, word, codePath, extraPages] = process.argv.slice(2);
const args = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args });
const result = { flow: {}, axe: {}, screenshots: [], errors: [] };

try {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => result.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') result.errors.push(m.text()); });

  // A reader arrives, opens the first article, reads its title and reading time.
  await page.goto(base + '/');
  result.flow.front_title = await page.title();
  const first = page.locator('main article.teaser h2 a').first();
  result.flow.first_teaser = (await first.textContent()).trim();
  await Promise.all([page.waitForNavigation(), first.click()]);
  result.flow.article_url = page.url();
  result.flow.article_h1 = (await page.locator('main h1').first().textContent()).trim();
  result.flow.article_meta = (await page.locator('main .meta').first().textContent()).trim();

  // Searches with the box in the header.
  await page.fill('#site-q', word);
  await Promise.all([page.waitForNavigation(), page.press('#site-q', 'Enter')]);
  result.flow.search_url = page.url();
  result.flow.search_count = (await page.locator('main .count').first().textContent()).trim();
  result.flow.search_marks = await page.locator('main mark').count();

  // Pages through a tag.
  await page.goto(base + '/tags/' + tag);
  result.flow.tag_h1 = (await page.locator('main h1').textContent()).trim();
  result.flow.tag_first = await page.locator('main article.teaser h2 a').allTextContents();
  await Promise.all([page.waitForNavigation(), page.locator('a[rel=next]').first().click()]);
  result.flow.tag_page2_url = page.url();
  result.flow.tag_page2 = await page.locator('main article.teaser h2 a').allTextContents();

  // Screenshots: a phone and a desktop, light and dark.
  for (const [name, width] of [['phone', 375], ['desktop', 1280]]) {
    for (const scheme of ['light', 'dark']) {
      const ctx = await browser.newContext({ viewport: { width, height: 800 }, colorScheme: scheme });
      const p = await ctx.newPage();
      for (const [what, url] of [['front', base + '/'], ['article', result.flow.article_url]]) {
        await p.goto(url);
        const file = `${out}/${what}-${name}-${width}-${scheme}.png`;
        await p.screenshot({ path: file, fullPage: true });
        result.screenshots.push(file);
        if (what === 'front') {
          // Nothing sticks out sideways at this width.
          result.flow[`overflow_${width}_${scheme}`] =
            await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        }
      }
      await ctx.close();
    }
  }

  // An article of highlighted code, light and dark: screenshots, and what
  // a keyboard user meets (Tab reaches the scrolling code block).
  if (codePath) {
    for (const scheme of ['light', 'dark']) {
      const ctx = await browser.newContext({ viewport: { width: 375, height: 800 }, colorScheme: scheme });
      const p = await ctx.newPage();
      await p.goto(base + codePath);
      const file = `${out}/code-phone-375-${scheme}.png`;
      await p.screenshot({ path: file, fullPage: true });
      result.screenshots.push(file);
      result.flow[`code_spans_${scheme}`] = await p.locator('pre.code span.k').count();
      let label = null;
      for (let k = 0; k < 40 && label === null; k++) {
        await p.keyboard.press('Tab');
        label = await p.evaluate(() => document.activeElement.tagName === 'PRE'
          ? document.activeElement.getAttribute('aria-label') : null);
      }
      result.flow[`code_focus_${scheme}`] = label;
      await ctx.close();
    }
  }

  // axe-core (WCAG 2.1 A and AA) on the pages a reader meets, light and dark.
  const pages = {
    front: base + '/', article: result.flow.article_url, tag: base + '/tags/' + tag,
    search: base + '/search?q=' + encodeURIComponent(word), not_found: base + '/no-such-page',
  };
  if (codePath) pages.code = base + codePath;
  for (const [name, path] of Object.entries(JSON.parse(extraPages || '{}'))) pages[name] = base + path;
  for (const [name, url] of Object.entries(pages)) {
    for (const scheme of ['light', 'dark']) {
      const ctx = await browser.newContext({ colorScheme: scheme });
      const p = await ctx.newPage();
      await p.goto(url);
      const r = await new AxeBuilder({ page: p })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
      result.axe[`${name}_${scheme}`] = r.violations.map((v) => ({ id: v.id, impact: v.impact,
        nodes: v.nodes.length, help: v.help, target: v.nodes[0] && v.nodes[0].target }));
      await ctx.close();
    }
  }

  // On paper: every link of the content says where it leads (its href after
  // it, from the print style sheet), and the navigation is left out.
  result.print = {};
  for (const [name, url] of Object.entries(pages)) {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await p.goto(url);
    await p.emulateMedia({ media: 'print' });
    result.print[name] = await p.evaluate(() => {
      const links = [...document.querySelectorAll('main a[href]')]
        .filter((a) => !a.getAttribute('href').startsWith('#') && a.offsetParent !== null);
      const shown = links.filter((a) => getComputedStyle(a, '::after').content
        .includes(a.getAttribute('href')));
      const nav = document.querySelector('.site-header nav');
      return { links: links.length, with_url: shown.length,
        nav_hidden: !nav || getComputedStyle(nav).display === 'none',
        missing: links.filter((a) => !shown.includes(a)).slice(0, 3).map((a) => a.outerHTML) };
    });
    if (name === 'article' || name === 'archive') {
      const file = `${out}/print-${name}.pdf`;
      await p.pdf({ path: file, format: 'A4' });
      result.screenshots.push(file);
    }
    await ctx.close();
  }
} catch (e) {
  result.errors.push('check.mjs: ' + (e.stack || e));
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result));
