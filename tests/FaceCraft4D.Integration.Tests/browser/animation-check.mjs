// Plays a video-driven clip in the avatar viewer in headless Chromium (playwright-core from infra/node).
// Usage: node animation-check.mjs <playwright-core dir> <chromium executable> <host base url> <run id> <clip name> <out dir>
// Writes results.json: the clips the page lists, the preview link, and the posed means at three frames of the clip.
import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';

const [playwrightDir, chromiumPath, baseUrl, runId, clipName, outDir] = process.argv.slice(2);
const { chromium } = await import(pathToFileURL(path.join(playwrightDir, 'index.mjs')).href);
fs.mkdirSync(outDir, { recursive: true });
const result = { consoleErrors: [], pageErrors: [], failedRequests: [] };
const save = () => fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(result, null, 2));
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
});
try {
  const page = await browser.newPage({ viewport: { width: 480, height: 600 } });
  page.on('console', (m) => { if (m.type() === 'error') result.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => result.pageErrors.push(e.message));
  page.on('response', (r) => { if (r.status() >= 400) result.failedRequests.push(`${r.url()} HTTP ${r.status()}`); });
  await page.goto(`${baseUrl}/avatars/${runId}`);
  await page.waitForFunction(() => ['ready', 'failed'].includes(window.fc4dViewer?.state), null, { timeout: 90000 });
  result.state = await page.evaluate(() => window.fc4dViewer.state);
  result.errors = await page.evaluate(() => window.fc4dViewer.errors);
  result.clips = await page.evaluate(() => window.fc4dViewer.clips);
  result.options = await page.$$eval('#clip option', (options) => options.map((o) => o.textContent));
  if (result.state === 'ready' && result.clips.includes(clipName)) {
    result.frames = {};
    await page.evaluate((name) => window.fc4dViewer.setFrame(name, 0), clipName);
    const playback = await page.evaluate(() => window.fc4dViewer.playback());
    result.playback = playback;
    result.previewHidden = await page.$eval('#clip-preview', (a) => a.hidden);
    result.previewHref = await page.$eval('#clip-preview', (a) => a.href);
    const last = playback.frames - 1;
    for (const f of [0, Math.floor(last / 2), last]) {
      await page.evaluate(([name, frame]) => window.fc4dViewer.setFrame(name, frame), [clipName, f]);
      const posed = await page.evaluate(() => window.fc4dViewer.posed());
      await page.evaluate(() => window.fc4dViewer.settle(20000));
      const png = await page.evaluate(() => window.fc4dViewer.capture());
      fs.writeFileSync(path.join(outDir, `frame-${f}.png`), Buffer.from(png.split(',')[1], 'base64'));
      result.frames[f] = { packed: posed.packed, png: png.length };
    }
    const preview = await page.request.get(result.previewHref);
    result.previewStatus = preview.status();
    result.previewType = preview.headers()['content-type'];
  }
} catch (e) {
  result.fatal = String(e?.stack ?? e);
} finally {
  save();
  await browser.close();
}
