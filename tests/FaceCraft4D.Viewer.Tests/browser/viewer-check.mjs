// Drives the avatar viewer in headless Chromium (playwright-core from infra/node) and writes screenshots + results.json.
// Usage: node viewer-check.mjs <playwright-core dir> <chromium executable> <host base url> <run id> <out dir>
import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';

const [playwrightDir, chromiumPath, baseUrl, runId, outDir] = process.argv.slice(2);
const { chromium } = await import(pathToFileURL(path.join(playwrightDir, 'index.mjs')).href);
fs.mkdirSync(outDir, { recursive: true });
const result = { consoleErrors: [], pageErrors: [], failedRequests: [], shots: [], timings: {} };
const t0 = Date.now();
const save = () => fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(result, null, 2));
const mark = (name) => { result.timings[name] = Date.now() - t0; console.log(`[${Date.now() - t0} ms] ${name}`); save(); };

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
});
try {
  const page = await browser.newPage({ viewport: { width: 600, height: 760 } });
  page.on('console', (m) => { if (m.type() === 'error') result.consoleErrors.push(m.text()); if (process.env.FC4D_VIEWER_DEBUG) console.log('console', m.type(), m.text()); });
  page.on('pageerror', (e) => result.pageErrors.push(e.message));
  page.on('requestfailed', (r) => result.failedRequests.push(`${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().includes('/animation/')) result.failedRequests.push(`${r.url()} HTTP ${r.status()}`); });

  await page.goto(`${baseUrl}/avatars/${runId}`);
  mark('loaded');
  await page.waitForFunction(() => window.fc4dViewer?.state === 'running' && window.fc4dViewer.stageRows > 0, null, { timeout: 30000 });
  mark('progressShown');
  result.progress = {
    status: await page.textContent('#status'),
    message: await page.textContent('#message'),
    rows: await page.$$eval('#stages tbody tr', (rows) => rows.map((r) => Array.from(r.cells, (c) => c.textContent))),
  };
  await page.screenshot({ path: path.join(outDir, 'progress.png') });

  await fetch(`${baseUrl}/test/complete`, { method: 'POST' });
  await page.waitForFunction(() => ['ready', 'failed'].includes(window.fc4dViewer?.state), null, { timeout: 60000 });
  mark('ready');
  result.state = await page.evaluate(() => window.fc4dViewer.state);
  result.splats = await page.evaluate(() => window.fc4dViewer.splats);
  result.clips = await page.evaluate(() => window.fc4dViewer.clips);
  result.status = await page.textContent('#status');
  if (result.state !== 'ready') throw new Error(`viewer did not become ready: ${JSON.stringify(await page.evaluate(() => window.fc4dViewer.errors))}`);

  // Spark regenerates and re-sorts the splats (in a worker) after a camera or avatar change: wait until it has
  const settle = async () => {
    const s = await page.evaluate(() => window.fc4dViewer.settle());
    result.settles = result.settles ?? [];
    result.settles.push(s);
  };
  // the canvas' own pixels (toDataURL of the preserved drawing buffer): a compositor screenshot of a software-GL
  // canvas takes ~10 s per shot on 2 cores
  const shoot = async (name) => {
    const url = await page.evaluate(() => window.fc4dViewer.capture());
    fs.writeFileSync(path.join(outDir, `${name}.png`), Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'));
    result.shots.push(name);
    mark(name);
  };

  await page.evaluate(() => window.fc4dViewer.setAutoRotate(false));
  for (const [name, yaw, pitch] of [['view-front', 0, 0], ['view-left', 90, 0], ['view-back', 180, 0], ['view-right', 270, 0], ['view-above', 30, 35]]) {
    await page.evaluate(([y, p]) => window.fc4dViewer.setView(y, p), [yaw, pitch]);
    await settle();
    mark(`settled ${name}`);
    await shoot(name);
  }
  mark('views');

  await page.evaluate(() => window.fc4dViewer.setView(20, 0, 0.75));
  for (const f of [0, 3, 6]) {
    await page.evaluate((frame) => window.fc4dViewer.setFrame('jaw-open', frame), f);
    await settle();
    await shoot(`anim-${f}`);
  }
  mark('animation');

  // the 360° orbit: auto-rotation moves the camera by itself (captured once it is switched off again and settled)
  await page.evaluate(() => window.fc4dViewer.setView(0, 0));
  await settle();
  await shoot('orbit-a');
  result.orbitStart = await page.evaluate(() => window.fc4dViewer.cameraYaw());
  await page.evaluate(() => window.fc4dViewer.setAutoRotate(true));
  await page.waitForTimeout(2000);
  await page.evaluate(() => window.fc4dViewer.setAutoRotate(false));
  result.orbitEnd = await page.evaluate(() => window.fc4dViewer.cameraYaw());
  await settle();
  await shoot('orbit-b');
  result.errors = await page.evaluate(() => window.fc4dViewer.errors);
  mark('done');
} catch (e) {
  result.fatal = String(e?.stack ?? e);
} finally {
  await browser.close();
  save();
}
