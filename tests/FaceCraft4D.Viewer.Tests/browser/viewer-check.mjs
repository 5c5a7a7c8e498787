// Drives the avatar viewer in headless Chromium (playwright-core from infra/node) and writes screenshots + results.json.
// Usage: node viewer-check.mjs <playwright-core dir> <chromium executable> <host base url> <run id> <out dir> [full|canonical]
// full (default): progress, views, autoplay, playback frames, the posed means of two frames, the orbit.
// canonical: an avatar without a usable animation (no animation/index.json: its 404 is not counted as a failure; or one
// the page must refuse): the avatar.ply pose only, the controls hidden.
import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';

const [playwrightDir, chromiumPath, baseUrl, runId, outDir, mode = 'full'] = process.argv.slice(2);
const expected404 = (url) => mode === 'canonical' && new URL(url).pathname.endsWith('/artifacts/animation/index.json');
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
  page.on('console', (m) => { if (m.type() === 'error' && !(m.location()?.url && expected404(m.location().url))) result.consoleErrors.push(m.text()); if (process.env.FC4D_VIEWER_DEBUG) console.log('console', m.type(), m.text()); });
  page.on('pageerror', (e) => result.pageErrors.push(e.message));
  page.on('requestfailed', (r) => !expected404(r.url()) && result.failedRequests.push(`${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400 && !expected404(r.url())) result.failedRequests.push(`${r.url()} HTTP ${r.status()}`); });

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
  result.clipOptions = await page.$$eval('#clip option', (options) => options.map((o) => o.value));
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

  if (mode === 'canonical') {
    // no animation: the controls stay hidden, nothing plays, and the renderer holds avatar.ply's centres
    await page.evaluate(() => window.fc4dViewer.setAutoRotate(false));
    result.animControlsHidden = await page.$eval('#anim-controls', (e) => e.hidden);
    result.animNoteHidden = await page.$eval('#anim-note', (e) => e.hidden);
    result.animNote = await page.textContent('#anim-note');
    result.errors = await page.evaluate(() => window.fc4dViewer.errors);
    result.playback = await page.evaluate(() => window.fc4dViewer.playback());
    await page.evaluate(() => window.fc4dViewer.setView(0, 0));
    await settle();
    await shoot('canonical-front');
    const posed = await page.evaluate(() => window.fc4dViewer.posed());
    result.posedMeans = posed.means;
    fs.writeFileSync(path.join(outDir, 'canonical.packed.f32'), Buffer.from(posed.packed, 'base64'));
  } else {
    // autoplay: the first clip plays by itself (frames advance with time), until paused
    result.autoplayStart = await page.evaluate(() => window.fc4dViewer.playback());
    await page.waitForFunction((f0) => window.fc4dViewer.playback().frame !== f0, result.autoplayStart.frame, { timeout: 10000 });
    result.autoplayLater = await page.evaluate(() => window.fc4dViewer.playback());
    await page.evaluate(() => window.fc4dViewer.pause());
    result.playButton = await page.textContent('#play');
    mark('autoplay');

    await page.evaluate(() => window.fc4dViewer.setAutoRotate(false));
    for (const [name, yaw, pitch] of [['view-front', 0, 0], ['view-left', 90, 0], ['view-back', 180, 0], ['view-right', 270, 0], ['view-above', 30, 35]]) {
      await page.evaluate(([y, p]) => window.fc4dViewer.setView(y, p), [yaw, pitch]);
      await settle();
      mark(`settled ${name}`);
      await shoot(name);
    }
    mark('views');

    // playback frames, seen from the front-right and closer: the jaw opens (0 -> 3) and closes (3 -> 6); showing a
    // frame again gives the same image; another clip (the demo's neck turn) shows a different pose
    await page.evaluate(() => window.fc4dViewer.setView(20, 0, 0.75));
    for (const [name, clip, f] of [['anim-0', 'jaw-open', 0], ['anim-3', 'jaw-open', 3], ['anim-6', 'jaw-open', 6],
      ['anim-3-again', 'jaw-open', 3], ['demo-5', 'demo', 5], ['anim-3-after-demo', 'jaw-open', 3]]) {
      await page.evaluate(([c, frame]) => window.fc4dViewer.setFrame(c, frame), [clip, f]);
      await settle();
      await shoot(name);
    }
    // what the page computed for two frames of different clips: the poser's means and the renderer's packed centres
    result.posed = [];
    for (const [clip, f] of [['jaw-open', 3], ['demo', 5]]) {
      await page.evaluate(([c, frame]) => window.fc4dViewer.setFrame(c, frame), [clip, f]);
      const posed = await page.evaluate(() => window.fc4dViewer.posed());
      if (posed.clip !== clip || posed.frame !== f) throw new Error(`posed() reports ${posed.clip} ${posed.frame}, expected ${clip} ${f}`);
      fs.writeFileSync(path.join(outDir, `posed-${clip}-${f}.means.f32`), Buffer.from(posed.means, 'base64'));
      fs.writeFileSync(path.join(outDir, `posed-${clip}-${f}.packed.f32`), Buffer.from(posed.packed, 'base64'));
      result.posed.push({ clip, frame: f });
    }
    mark('posed');
    result.poseMs = await page.evaluate(() => window.fc4dViewer.poseMs);
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
  }
  result.errors = await page.evaluate(() => window.fc4dViewer.errors);
  mark('done');
} catch (e) {
  result.fatal = String(e?.stack ?? e);
} finally {
  await browser.close();
  save();
}
