// media.mjs BASE_URL MEDIA_PATH
// Plays a file gazette serves in Debian's Chromium (playwright-core), as
// an article's <audio> would: from a page of the site (so under its
// Content-Security-Policy), loads the metadata, seeks near the end (which
// makes the browser ask for a byte range in the middle) and plays to the
// end.  Prints one JSON object: what the element reported and every
// request the browser made for the file, with its Range and the answer.
import { chromium } from 'playwright-core';

const [base, path] = process.argv.slice(2);
const args = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--autoplay-policy=no-user-gesture-required',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args });
const result = { requests: [], errors: [], element: null };

try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => result.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') result.errors.push(m.text()); });
  page.on('response', async (r) => {
    if (!r.url().endsWith(path)) return;
    const h = await r.request().allHeaders();
    const a = r.headers();
    result.requests.push({ range: h.range ?? null, status: r.status(),
      content_range: a['content-range'] ?? null, accept_ranges: a['accept-ranges'] ?? null });
  });
  await page.goto(base + '/');
  result.element = await page.evaluate(async (src) => {
    const a = document.createElement('audio');
    a.muted = true;
    a.preload = 'metadata';
    document.body.append(a);
    const when = (event) => new Promise((resolve, reject) => {
      a.addEventListener(event, resolve, { once: true });
      a.addEventListener('error', () => reject(new Error('media error ' + (a.error && a.error.code))),
        { once: true });
    });
    a.src = src;
    await when('loadedmetadata');
    const duration = a.duration;
    a.currentTime = Math.max(0, duration - 1.5);
    await when('seeked');
    const from = a.currentTime;
    await a.play();
    await when('ended');
    return { duration, seeked_to: from, ended: a.ended, current_time: a.currentTime,
      error: a.error ? a.error.code : null };
  }, base + path);
} catch (e) {
  result.errors.push(String(e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
