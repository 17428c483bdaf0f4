/**
 * The interactive explorer (explorer/), tested in a real browser: Debian's Chromium driven
 * by playwright-core against the built static site, served by a small static server on
 * 127.0.0.1. Chromium is required: if /usr/bin/chromium is missing this test fails (CI
 * installs it with .ci/install-browser).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convergence, exactDynamics, kernelDistance, lambdaBalancedWeights, randomTask } from '../../src/index.js';
import { DEFAULTS, RANDOM_TASK_SAMPLES_PER_INPUT } from '../../explorer/src/defaults.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const EXPLORER = join(REPO, 'explorer');
const DIST = join(EXPLORER, 'dist');
const RESULTS = join(REPO, 'test-results');
const VIEWS = ['loss-plot', 'modes-plot', 'kernel-plot', 'sweep-plot', 'heatmaps'];

/** Newest modification time of the files under `path` (a file or a directory). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Builds explorer/dist with vite's JS API if it is missing or older than its sources. */
async function buildIfStale(): Promise<void> {
  const built = existsSync(join(DIST, 'index.html')) ? statSync(join(DIST, 'index.html')).mtimeMs : 0;
  const sources = Math.max(
    newest(join(EXPLORER, 'index.html')),
    newest(join(EXPLORER, 'vite.config.ts')),
    newest(join(EXPLORER, 'src')),
    newest(join(REPO, 'src')),
    newest(join(REPO, 'package-lock.json')),
  );
  if (built > sources) return;
  const { build } = await import('vite');
  await build({ configFile: join(EXPLORER, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** A static file server for explorer/dist on 127.0.0.1 and a free port. */
async function serve(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    const file = resolve(DIST, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    if (!file.startsWith(DIST + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    response.end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/` };
}

/** The exact dynamics the library computes in Node for the page's defaults at `lambda`. */
function expectedDynamics(lambda: number, matchSign = DEFAULTS.matchSign) {
  const { inputDim, hiddenDim, outputDim, scale, taskSeed, weightSeed } = DEFAULTS;
  const task = randomTask({ inputDim, outputDim, samples: RANDOM_TASK_SAMPLES_PER_INPUT * inputDim, seed: taskSeed });
  const match = matchSign ? { matchDeterminantSign: task.sigmaYX } : {};
  const { w1, w2 } = lambdaBalancedWeights({ inputDim, hiddenDim, outputDim, lambda, scale, seed: weightSeed, ...match });
  return exactDynamics({ w1, w2, sigmaYX: task.sigmaYX, tau: 1 });
}

/** The final kernel distance the library computes in Node for the page's defaults at `lambda`. */
function expectedKernelDistance(lambda: number, matchSign = DEFAULTS.matchSign): number {
  const dyn = expectedDynamics(lambda, matchSign);
  return kernelDistance(dyn.at(0), dyn.converged());
}

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

async function updateCount(page: Page): Promise<number> {
  return Number(await byTestId(page, 'update-time').getAttribute('data-updates'));
}

/** Runs `action` and waits until the page has finished the update it triggers. */
async function andUpdate(page: Page, action: () => Promise<unknown>): Promise<number> {
  const before = await updateCount(page);
  await action();
  await page.waitForFunction(`Number(document.querySelector('[data-testid="update-time"]').dataset.updates) > ${before}`);
  return Number(await byTestId(page, 'update-time').getAttribute('data-ms'));
}

async function kernelDistanceOnPage(page: Page): Promise<{ text: string; value: number }> {
  const output = byTestId(page, 'kernel-distance');
  return { text: (await output.textContent()) ?? '', value: Number(await output.getAttribute('data-value')) };
}

async function openPage(url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: ${error.message}`));
  await page.goto(url);
  await page.waitForFunction(`document.querySelector('[data-testid="kernel-distance"]')?.dataset.value !== undefined`);
  return page;
}

let context: BrowserContext;
let server: Server | undefined;
let baseUrl = '';
let userDataDir = '';
const consoleErrors: string[] = [];

describe('explorer in Chromium', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} does not exist: the explorer's browser test needs Debian's Chromium. ` +
          'Install it with `.ci/install-browser` (apt-get install chromium) and run the tests again.',
      );
    }
    await buildIfStale();
    ({ server, url: baseUrl } = await serve());
    userDataDir = mkdtempSync(join(tmpdir(), 'exact-dln-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 900 },
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    if (userDataDir !== '') rmSync(userDataDir, { recursive: true, force: true });
  });

  it('loads without console errors, draws every view and labels every control', async () => {
    const page = await openPage(baseUrl);
    for (const id of VIEWS) {
      expect(await byTestId(page, id).locator('svg').count(), `${id} contains an <svg>`).toBeGreaterThan(0);
    }
    expect(await byTestId(page, 'heatmaps').locator('svg[aria-label], svg').count()).toBeGreaterThanOrEqual(3);
    const unlabelled: unknown = await page.evaluate(
      `[...document.querySelectorAll('#controls input, #controls select')]
         .filter((e) => !e.id || !document.querySelector('label[for="' + e.id + '"]')).map((e) => e.id || e.outerHTML)`,
    );
    expect(unlabelled).toEqual([]);
    const initial = await kernelDistanceOnPage(page);
    expect(Math.abs(initial.value - expectedKernelDistance(DEFAULTS.lambda))).toBeLessThan(1e-9);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('typing λ = 5 shows the kernel distance the library computes in Node; an update is fast', async () => {
    expect(DEFAULTS.task).toBe('random'); // expectedKernelDistance rebuilds the random task
    const page = await openPage(baseUrl);
    const before = await kernelDistanceOnPage(page);
    const lambda = byTestId(page, 'lambda');
    await andUpdate(page, () => lambda.fill('5'));
    const after = await kernelDistanceOnPage(page);
    const expected = expectedKernelDistance(5);
    expect(after.value).not.toBe(before.value);
    expect(Math.abs(after.value - expected)).toBeLessThan(1e-9);
    expect(after.text).toBe(after.value.toPrecision(12));
    expect(new URL(page.url()).searchParams.get('lambda')).toBe('5');

    // The λ slider is keyboard-operable: one arrow step is 0.1.
    await andUpdate(page, async () => {
      await byTestId(page, 'lambda-slider').focus();
      await page.keyboard.press('ArrowRight');
    });
    expect(Number(await lambda.inputValue())).toBeCloseTo(5.1, 12);

    // Update time at the default size (8×8×8, 400 time points): λ changes (the λ sweep is
    // cached) and moves of the time cursor, measured in the page with performance.now().
    for (const value of ['1', '2', '3', '4']) await andUpdate(page, () => lambda.fill(value)); // warm-up (JIT)
    const lambdaTimes: number[] = [];
    for (const value of ['1.5', '2.5', '-1', '-2', '-3', '0.5', '3.5', '6', '-0.5', '7']) {
      lambdaTimes.push(await andUpdate(page, () => lambda.fill(value)));
    }
    const laps = (await byTestId(page, 'update-time').getAttribute('data-laps')) ?? '';
    const cursorTimes: number[] = [];
    await byTestId(page, 'cursor').focus();
    for (let k = 0; k < 5; k++) cursorTimes.push(await andUpdate(page, () => page.keyboard.press('ArrowRight')));
    const fullTime = await andUpdate(page, () => byTestId(page, 'scale').fill('0.02')); // the 41-λ sweep follows once the settings rest
    // The sweep for the new scale is drawn once the settings rest.
    expect(await byTestId(page, 'sweep-plot').getAttribute('class')).toContain('pending');
    await page.waitForFunction(`!document.querySelector('[data-testid="sweep-plot"]').classList.contains('pending')`, undefined, { timeout: 10_000 });
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(
      `explorer update time (ms), 8×8×8 with 400 time points: λ change median ${median(lambdaTimes).toFixed(1)}, ` +
        `min ${Math.min(...lambdaTimes).toFixed(1)} [${lambdaTimes.map((x) => x.toFixed(1)).join(', ')}] (last: ${laps}); ` +
        `time-cursor move median ${median(cursorTimes).toFixed(1)}; scale change ${fullTime.toFixed(1)} (its 41-λ sweep follows 250 ms later)`,
    );
    expect(median(lambdaTimes)).toBeLessThan(200);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('explains an impossible width/λ combination in place and greys the views', async () => {
    const page = await openPage(baseUrl);
    const error = byTestId(page, 'width-error');
    expect(await error.isHidden()).toBe(true);
    await andUpdate(page, () => byTestId(page, 'lambda').fill('5'));
    const valid = await kernelDistanceOnPage(page);
    await andUpdate(page, () => byTestId(page, 'hidden-dim').fill('10'));
    expect(await error.isVisible()).toBe(true);
    expect(await error.textContent()).toContain('λ > 0 needs Nh ≤ No');
    expect(await error.textContent()).toContain('W2ᵀW2 = λI + W1W1ᵀ has full rank Nh');
    expect(await page.locator('#views').getAttribute('class')).toContain('stale');
    expect((await kernelDistanceOnPage(page)).value).toBe(valid.value); // the last valid state stays
    expect(new URL(page.url()).searchParams.get('nh')).toBe('8'); // and so does the link: it always opens
    for (const id of VIEWS) expect(await byTestId(page, id).locator('svg').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(RESULTS, 'explorer-impossible.png') });

    await andUpdate(page, () => byTestId(page, 'lambda').fill('-2'));
    await andUpdate(page, () => byTestId(page, 'input-dim').fill('4'));
    expect(await error.textContent()).toContain('λ < 0 needs Nh ≤ Ni');

    await andUpdate(page, () => byTestId(page, 'hidden-dim').fill('4'));
    expect(await error.isHidden()).toBe(true);
    expect(await page.locator('#views').getAttribute('class')).not.toContain('stale');
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('keeps the state in the URL: a reloaded link restores every setting', async () => {
    const page = await openPage(baseUrl);
    await andUpdate(page, () => byTestId(page, 'task').selectOption('hierarchical'));
    expect(await byTestId(page, 'input-dim').inputValue()).toBe('8');
    expect(await byTestId(page, 'input-dim').isDisabled()).toBe(true);
    expect(await byTestId(page, 'task-note').textContent()).toContain('fixes Ni = No = 2^D');
    await andUpdate(page, () => byTestId(page, 'depth').fill('2'));
    expect(await byTestId(page, 'output-dim').inputValue()).toBe('4');
    await andUpdate(page, () => byTestId(page, 'hidden-dim').fill('3'));
    await andUpdate(page, () => byTestId(page, 'lambda-log').check());
    await andUpdate(page, () => byTestId(page, 'lambda').fill('-3.5'));
    await andUpdate(page, () => byTestId(page, 'scale').fill('0.05'));
    await andUpdate(page, () => byTestId(page, 'horizon').fill('12'));
    await andUpdate(page, () => byTestId(page, 'learning-rate').fill('0.02'));
    const fields = ['lambda', 'scale', 'task', 'depth', 'hidden-dim', 'input-dim', 'output-dim', 'horizon', 'learning-rate', 'cursor'];
    const read = async (p: Page) => ({
      values: await Promise.all(fields.map((id) => byTestId(p, id).inputValue())),
      log: await byTestId(p, 'lambda-log').isChecked(),
      breakDegeneracy: await byTestId(p, 'break-degeneracy').isChecked(),
      distance: await kernelDistanceOnPage(p),
    });
    const set = await read(page);
    expect(set.values.slice(0, 5)).toEqual(['-3.5', '0.05', 'hierarchical', '2', '3']);
    const link = page.url();
    expect(link).toContain('lambda=-3.5');
    await page.close();

    const reopened = await openPage(link);
    expect(await read(reopened)).toEqual(set);
    await reopened.reload();
    await reopened.waitForFunction(`document.querySelector('[data-testid="kernel-distance"]')?.dataset.value !== undefined`);
    expect(await read(reopened)).toEqual(set);
    expect(consoleErrors).toEqual([]);
    await reopened.close();
  }, 60_000);

  it('simulates gradient descent in a Web Worker with progress and overlays it; screenshot', async () => {
    const page = await openPage(`${baseUrl}?lambda=0&t=3`);
    await andUpdate(page, () => byTestId(page, 'learning-rate').fill('0.002'));
    await byTestId(page, 'simulate').click();
    const status = byTestId(page, 'sim-status');
    // The page stays responsive while the worker runs: the cursor still moves.
    await andUpdate(page, async () => {
      await byTestId(page, 'cursor').focus();
      await page.keyboard.press('ArrowLeft');
    });
    await page.waitForFunction(`document.querySelector('[data-testid="sim-status"]').dataset.state === 'done'`, undefined, { timeout: 30_000 });
    expect(Number(await status.getAttribute('data-progress-messages'))).toBeGreaterThan(10);
    expect(Number(await byTestId(page, 'sim-progress').getAttribute('value'))).toBe(1);
    await page.waitForFunction(`document.querySelectorAll('[data-testid="loss-plot"] circle').length > 50`);
    expect(await byTestId(page, 'kernel-plot').locator('circle').count()).toBeGreaterThan(50);
    expect(await byTestId(page, 'modes-plot').locator('circle').count()).toBeGreaterThan(50 * DEFAULTS.inputDim);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'explorer.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);
  it('flags a start that stops on a saddle (the default seed without matching det Σyx’s sign), and not the default view', async () => {
    const page = await openPage(baseUrl);
    const note = byTestId(page, 'saddle-note');
    expect(await note.isHidden()).toBe(true);
    expect(convergence(expectedDynamics(0)).reachesMinimum).toBe(true);
    // The same seed without the sign matched: the library says the flow never learns mode 8.
    const stuck = convergence(expectedDynamics(0, false));
    expect(stuck.reachesMinimum).toBe(false);
    await andUpdate(page, () => byTestId(page, 'match-sign').uncheck());
    expect(new URL(page.url()).searchParams.get('match')).toBe('0');
    expect(await note.isVisible()).toBe(true);
    expect(await note.textContent()).toContain(`Mode ${stuck.unlearnedModes.map((a) => a + 1).join(', ')} is never learned`);
    expect(Math.abs((await kernelDistanceOnPage(page)).value - expectedKernelDistance(0, false))).toBeLessThan(1e-9);
    // Any λ ≠ 0 escapes the saddle.
    await andUpdate(page, () => byTestId(page, 'lambda').fill('0.01'));
    expect(await note.isHidden()).toBe(true);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('a 1×1×1 network draws every view (its λ = 0 sweep point decays to the saddle at 0); out-of-range link values are named', async () => {
    const page = await openPage(`${baseUrl}?ni=1&nh=1&no=1&lambda=1&scale=1e200&T=5000`);
    expect((await page.locator('#views').getAttribute('class')) ?? '').not.toContain('stale');
    for (const id of VIEWS) expect(await byTestId(page, id).locator('svg').count()).toBeGreaterThan(0);
    const link = byTestId(page, 'link-note');
    expect(await link.isVisible()).toBe(true);
    expect(await link.textContent()).toContain('scale=1e200');
    expect(await link.textContent()).toContain('T=5000');
    expect(Number(await byTestId(page, 'scale').inputValue())).toBe(DEFAULTS.scale);
    // The note is about the link the page opened with: the first change removes it.
    await andUpdate(page, () => byTestId(page, 'lambda').fill('2'));
    expect(await link.isHidden()).toBe(true);
    // A link with impossible settings from the start: nothing was ever valid to show.
    const bad = await context.newPage();
    await bad.goto(`${baseUrl}?lambda=2&nh=10`);
    await bad.waitForFunction(`Number(document.querySelector('[data-testid="update-time"]').dataset.updates) > 0`);
    expect(await byTestId(bad, 'stale-note').textContent()).toBe('nothing to draw until these settings are fixed');
    await bad.close();
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('the log λ slider reaches |λ| = 0.01 in one step from 0; the loss axis can be logarithmic', async () => {
    const page = await openPage(`${baseUrl}?loglambda=1&lambda=0`);
    await andUpdate(page, async () => {
      await byTestId(page, 'lambda-slider').focus();
      await page.keyboard.press('ArrowRight');
    });
    expect(Number(await byTestId(page, 'lambda').inputValue())).toBe(0.01);
    await andUpdate(page, () => byTestId(page, 'loss-log').check());
    expect(new URL(page.url()).searchParams.get('logloss')).toBe('1');
    expect(await byTestId(page, 'loss-plot').textContent()).toContain('(log)');
    // A bottleneck's loss on the log axis is drawn above its minimum (its own floor).
    await andUpdate(page, () => byTestId(page, 'hidden-dim').fill('3'));
    expect(await byTestId(page, 'loss-plot').textContent()).toContain('loss above its minimum (log)');
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('gradient descent with too large an η: the status warns that the loss rose', async () => {
    const page = await openPage(`${baseUrl}?eta=0.3`);
    await byTestId(page, 'simulate').click();
    await page.waitForFunction(`document.querySelector('[data-testid="sim-status"]').dataset.state === 'done'`, undefined, { timeout: 30_000 });
    const status = byTestId(page, 'sim-status');
    expect(await status.getAttribute('data-warning')).toBe('loss-rose');
    expect(await status.textContent()).toContain('η is too large for stable gradient descent');
    // Changing a setting leaves no claim about dots that are gone.
    await andUpdate(page, () => byTestId(page, 'lambda').fill('1'));
    expect(await status.textContent()).toContain('The settings changed since the last simulation');
    // Back at the simulated settings, its dots and its status return.
    await andUpdate(page, () => byTestId(page, 'lambda').fill('0'));
    expect(await status.getAttribute('data-state')).toBe('done');
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('no false alarm once converged (η = 0.1 to 300τ: rounding jitter near 1e-31), and a two-step oscillation is caught (η = 0.22)', async () => {
    const simulate = async (query: string): Promise<string | null> => {
      const page = await openPage(`${baseUrl}?${query}`);
      await byTestId(page, 'simulate').click();
      await page.waitForFunction(`document.querySelector('[data-testid="sim-status"]').dataset.state === 'done'`, undefined, { timeout: 30_000 });
      const warning = await byTestId(page, 'sim-status').getAttribute('data-warning');
      await page.close();
      return warning;
    };
    expect(await simulate('eta=0.1&T=300')).toBe('');
    expect(await simulate('eta=0.22&T=100')).toBe('loss-rose');
    expect(consoleErrors).toEqual([]);
  }, 90_000);
});
