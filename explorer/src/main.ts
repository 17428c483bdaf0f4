/**
 * The explorer page: reads the settings from the URL and the controls, evaluates the exact
 * dynamics with the library (model.ts), draws the views (plots.ts), keeps the URL in step
 * and runs gradient descent in a Web Worker (worker.ts) on request.
 *
 * @module
 */
import { LIMITS, TIME_POINTS, type ExplorerState, type TaskKind } from './defaults.js';
import {
  buildDynamics,
  buildTask,
  dynamicsKey,
  finalKernelDistance,
  lambdaGrid,
  lambdaSweep,
  LastValue,
  saddleNote,
  sweepKey,
  taskKey,
  timeGrid,
  trajectorySeries,
  type SweepPoint,
  type TrajectorySeries,
} from './model.js';
import { heatmap, kernelPlot, lossPlot, modesPlot, sweepPlot } from './plots.js';
import type { SimulationPoint, SimulateRequest, WorkerReply } from './protocol.js';
import { effectiveWidths, problemsOf, stateFromQuery, stateToQuery, type Problem, type ProblemField } from './state.js';
import type { ExactDynamics, Task } from '../../src/index.js';

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`explorer: the page has no element #${id}`);
  return element as T;
}

const controls = {
  lambda: byId<HTMLInputElement>('lambda'),
  lambdaSlider: byId<HTMLInputElement>('lambda-slider'),
  lambdaLog: byId<HTMLInputElement>('lambda-log'),
  scale: byId<HTMLInputElement>('scale'),
  scaleSlider: byId<HTMLInputElement>('scale-slider'),
  weightSeed: byId<HTMLInputElement>('weight-seed'),
  matchSign: byId<HTMLInputElement>('match-sign'),
  lossLog: byId<HTMLInputElement>('loss-log'),
  task: byId<HTMLSelectElement>('task'),
  taskSeed: byId<HTMLInputElement>('task-seed'),
  depth: byId<HTMLInputElement>('depth'),
  breakDegeneracy: byId<HTMLInputElement>('break-degeneracy'),
  inputDim: byId<HTMLInputElement>('input-dim'),
  hiddenDim: byId<HTMLInputElement>('hidden-dim'),
  outputDim: byId<HTMLInputElement>('output-dim'),
  horizon: byId<HTMLInputElement>('horizon'),
  cursor: byId<HTMLInputElement>('cursor'),
  learningRate: byId<HTMLInputElement>('learning-rate'),
  simulate: byId<HTMLButtonElement>('simulate'),
  cancel: byId<HTMLButtonElement>('cancel'),
};

const view = {
  views: byId('views'),
  loss: byId('loss-plot'),
  modes: byId('modes-plot'),
  kernel: byId('kernel-plot'),
  sweep: byId('sweep-plot'),
  heatmaps: byId('heatmaps'),
  heatmapTime: byId('heatmap-time'),
  kernelDistance: byId<HTMLOutputElement>('kernel-distance'),
  summaryWidths: byId('summary-widths'),
  summaryLambda: byId('summary-lambda'),
  summaryLoss: byId('summary-loss'),
  summaryHorizon: byId('summary-horizon'),
  staleNote: byId('stale-note'),
  saddleNote: byId('saddle-note'),
  linkNote: byId('link-note'),
  simLegend: byId('sim-legend'),
  widthError: byId('width-error'),
  inputError: byId('input-error'),
  taskNote: byId('task-note'),
  cursorValue: byId<HTMLOutputElement>('cursor-value'),
  updateTime: byId('update-time'),
  progress: byId<HTMLProgressElement>('sim-progress'),
  simStatus: byId('sim-status'),
};

const ignoredInLink: string[] = [];
let state: ExplorerState = stateFromQuery(location.search, ignoredInLink);
if (ignoredInLink.length > 0) {
  view.linkNote.hidden = false;
  view.linkNote.textContent = `The link's ${ignoredInLink.join(', ')} ${ignoredInLink.length > 1 ? 'were' : 'was'} out of range or malformed and replaced by the default.`;
}

/** Fields whose text does not parse (the state keeps its last good value meanwhile). */
const fieldErrors = new Map<ProblemField, string>();

// ---------------------------------------------------------------- slider mappings

const LOG_SPAN = LIMITS.lambdaLogMax - LIMITS.lambdaLogMin;
/** One step of the log slider; its positions ±(step … span + step) are |λ| = 10^xmin … 10^xmax. */
const LOG_STEP = 0.01;

/** λ of a slider position: linear, or sign·10^(xmin + |s| − step) on the log slider (s = 0 is λ = 0). */
function lambdaOfSlider(value: number, logarithmic: boolean): number {
  if (!logarithmic) return value;
  if (value === 0) return 0;
  return Math.sign(value) * Number((10 ** (LIMITS.lambdaLogMin + Math.abs(value) - LOG_STEP)).toPrecision(4));
}

/** The slider position showing λ (clamped to the slider's range). */
function sliderOfLambda(lambda: number, logarithmic: boolean): number {
  if (!logarithmic) return Math.max(-LIMITS.lambdaLinear, Math.min(LIMITS.lambdaLinear, lambda));
  if (lambda === 0) return 0;
  const s = Math.min(LOG_SPAN + LOG_STEP, Math.max(LOG_STEP, Math.log10(Math.abs(lambda)) - LIMITS.lambdaLogMin + LOG_STEP));
  return Math.sign(lambda) * s;
}

function configureLambdaSlider(logarithmic: boolean): void {
  const slider = controls.lambdaSlider;
  if (logarithmic) {
    slider.min = String(-(LOG_SPAN + LOG_STEP));
    slider.max = String(LOG_SPAN + LOG_STEP);
    slider.step = String(LOG_STEP);
  } else {
    slider.min = String(-LIMITS.lambdaLinear);
    slider.max = String(LIMITS.lambdaLinear);
    slider.step = '0.1';
  }
}

function cursorIndex(s: ExplorerState): number {
  return Math.round((Math.min(s.cursor, s.horizon) / s.horizon) * (TIME_POINTS - 1));
}

const format = (x: number): string => (Number.isInteger(x) ? `${x}` : `${Number(x.toPrecision(4))}`);

// ---------------------------------------------------------------- controls ⇄ state

/** Writes the state into every control except `skip` (the one the user is typing in). */
function syncControls(skip?: Element): void {
  const set = (input: HTMLInputElement, value: number | string): void => {
    if (input !== skip) input.value = String(value);
  };
  configureLambdaSlider(state.lambdaLog);
  set(controls.lambda, state.lambda);
  set(controls.lambdaSlider, sliderOfLambda(state.lambda, state.lambdaLog));
  controls.lambdaSlider.setAttribute('aria-valuetext', `λ = ${state.lambda}`);
  controls.lambdaLog.checked = state.lambdaLog;
  set(controls.scale, state.scale);
  controls.scaleSlider.min = String(LIMITS.scaleLogMin);
  controls.scaleSlider.max = String(LIMITS.scaleLogMax);
  set(controls.scaleSlider, state.scale > 0 ? Math.log10(state.scale) : LIMITS.scaleLogMin);
  controls.scaleSlider.setAttribute('aria-valuetext', `scale = ${state.scale}`);
  set(controls.weightSeed, state.weightSeed);
  controls.matchSign.checked = state.matchSign;
  controls.lossLog.checked = state.lossLog;
  if (controls.task !== skip) controls.task.value = state.task;
  set(controls.taskSeed, state.taskSeed);
  set(controls.depth, state.depth);
  controls.breakDegeneracy.checked = state.breakDegeneracy;
  const hierarchical = state.task === 'hierarchical';
  const widths = effectiveWidths(state);
  set(controls.inputDim, widths.inputDim);
  set(controls.hiddenDim, widths.hiddenDim);
  set(controls.outputDim, widths.outputDim);
  controls.inputDim.disabled = hierarchical;
  controls.outputDim.disabled = hierarchical;
  for (const input of [controls.inputDim, controls.hiddenDim, controls.outputDim]) input.max = String(LIMITS.widthMax);
  byId('task-seed-row').hidden = hierarchical;
  byId('depth-row').hidden = !hierarchical;
  byId('break-row').hidden = !hierarchical;
  view.taskNote.textContent = hierarchical
    ? `2^D = ${2 ** state.depth} items at the leaves of a binary tree (one-hot inputs), one output feature per split plus the root: ` +
      `this task fixes Ni = No = 2^D = ${2 ** state.depth} (D from ${LIMITS.depthMin} to ${LIMITS.depthMax}), so those fields are locked.`
    : `Σyx has independent N(0, 1) entries, from P = Ni whitened samples (Σxx = I).`;
  set(controls.horizon, state.horizon);
  controls.cursor.max = String(TIME_POINTS - 1);
  set(controls.cursor, cursorIndex(state));
  view.cursorValue.value = format(state.cursor);
  controls.cursor.setAttribute('aria-valuetext', `t = ${format(state.cursor)} τ`);
  set(controls.learningRate, state.learningRate);
}

/** Parses a number field; records a problem (and keeps the old value) if it does not parse. */
function readNumber(input: HTMLInputElement, field: ProblemField, what: string, integer: boolean): number | null {
  const text = input.value.trim();
  const x = text === '' ? NaN : Number(text);
  if (!Number.isFinite(x) || (integer && !Number.isInteger(x))) {
    const expected = integer ? 'a whole number' : 'a number';
    fieldErrors.set(field, text === '' ? `${what} is empty or not a number: type ${expected}.` : `${what} must be ${expected}; “${text}” is not.`);
    return null;
  }
  fieldErrors.delete(field);
  return x;
}

function change(patch: Partial<ExplorerState>, source?: Element): void {
  state = { ...state, ...patch };
  view.linkNote.hidden = true; // it was about the link the page opened with
  // (Not while the horizon is out of range, e.g. "0" on the way to "0.5": the cursor would be lost.)
  if (state.cursor > state.horizon && state.horizon >= LIMITS.horizonMin) state.cursor = state.horizon;
  syncControls(source);
  scheduleUpdate();
}

function onNumber(input: HTMLInputElement, field: ProblemField, what: string, integer: boolean, apply: (x: number) => Partial<ExplorerState>): void {
  input.addEventListener('input', () => {
    // A number field reads "" while it is empty or holds the start of a number ("-", "1e"):
    // wait for the next key, or for the commit below, before calling it an error.
    if (input.value.trim() === '') return;
    const x = readNumber(input, field, what, integer);
    if (x === null) {
      scheduleUpdate();
      return;
    }
    change(apply(x), input);
  });
  // On leaving the field (or Enter): an entry that is still not a number is an error; else
  // show the value in use.
  input.addEventListener('change', () => {
    if (readNumber(input, field, what, integer) === null) {
      scheduleUpdate();
      return;
    }
    if (!fieldErrors.has(field)) syncControls();
  });
}

onNumber(controls.lambda, 'lambda', 'λ', false, (lambda) => ({ lambda }));
controls.lambdaSlider.addEventListener('input', () => {
  fieldErrors.delete('lambda');
  change({ lambda: lambdaOfSlider(Number(controls.lambdaSlider.value), state.lambdaLog) }, controls.lambdaSlider);
});
controls.lambdaLog.addEventListener('change', () => change({ lambdaLog: controls.lambdaLog.checked }));
onNumber(controls.scale, 'scale', 'The initial scale', false, (scale) => ({ scale }));
controls.scaleSlider.addEventListener('input', () => {
  fieldErrors.delete('scale');
  change({ scale: Number((10 ** Number(controls.scaleSlider.value)).toPrecision(3)) }, controls.scaleSlider);
});
onNumber(controls.weightSeed, 'seed', 'The weight seed', true, (weightSeed) => ({ weightSeed }));
onNumber(controls.taskSeed, 'seed', 'The task seed', true, (taskSeed) => ({ taskSeed }));
controls.task.addEventListener('change', () => change({ task: controls.task.value as TaskKind }, controls.task));
controls.matchSign.addEventListener('change', () => change({ matchSign: controls.matchSign.checked }));
controls.lossLog.addEventListener('change', () => change({ lossLog: controls.lossLog.checked }));
onNumber(controls.depth, 'widths', 'The depth', true, (depth) =>
  depth >= LIMITS.depthMin && depth <= LIMITS.depthMax ? { depth } : {},
);
controls.depth.addEventListener('input', () => {
  const depth = Number(controls.depth.value);
  if (Number.isInteger(depth) && (depth < LIMITS.depthMin || depth > LIMITS.depthMax)) {
    fieldErrors.set('widths', `The depth D must be ${LIMITS.depthMin}, 3 or ${LIMITS.depthMax} (2^D items).`);
    scheduleUpdate();
  }
});
controls.breakDegeneracy.addEventListener('change', () => change({ breakDegeneracy: controls.breakDegeneracy.checked }));
onNumber(controls.inputDim, 'widths', 'Ni', true, (inputDim) => ({ inputDim }));
onNumber(controls.hiddenDim, 'widths', 'Nh', true, (hiddenDim) => ({ hiddenDim }));
onNumber(controls.outputDim, 'widths', 'No', true, (outputDim) => ({ outputDim }));
onNumber(controls.horizon, 'horizon', 'The horizon', false, (horizon) => {
  const ratio = state.horizon > 0 ? state.cursor / state.horizon : 0;
  return horizon >= LIMITS.horizonMin && horizon <= LIMITS.horizonMax ? { horizon, cursor: ratio * horizon } : { horizon };
});
controls.cursor.addEventListener('input', () => {
  const k = Number(controls.cursor.value);
  change({ cursor: (state.horizon * k) / (TIME_POINTS - 1) }, controls.cursor);
});
onNumber(controls.learningRate, 'learningRate', 'η', false, (learningRate) => ({ learningRate }));
byId<HTMLFormElement>('controls').addEventListener('submit', (event) => event.preventDefault());

// ---------------------------------------------------------------- evaluation and drawing

const taskCache = new LastValue<Task>();
const dynamicsCache = new LastValue<ExactDynamics>();
const seriesCache = new LastValue<TrajectorySeries>();
const finalCache = new LastValue<number>();
const saddleCache = new LastValue<string | null>();
const sweepCache = new LastValue<SweepPoint[]>();
/** The sweep on screen, while a new one waits for the settings to rest (see `sweepFor`). */
let shownSweep: { key: string; points: SweepPoint[] } | null = null;
let sweepTimer: number | undefined;
/** A new λ sweep (41 exact dynamics) waits until the settings have not changed for this long. */
const SWEEP_DELAY_MS = 250;
/** How long the last deferred sweep took (shown in the footer). */
let sweepMs: number | undefined;
/** What each view currently shows, so unchanged views are not redrawn. */
const drawn = { time: '', sweep: '', heatmaps: '' };
let updates = 0;
let pending = false;

function scheduleUpdate(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    update();
  });
}

/** Height of the line plots, px. */
const PLOT_HEIGHT = 210;

function plotWidth(containerWidth: number): number {
  return Math.max(240, Math.floor(containerWidth || 300));
}

function showProblems(problems: Problem[]): void {
  const widths = problems.filter((p) => p.field === 'widths').map((p) => p.message);
  const others = problems.filter((p) => p.field !== 'widths').map((p) => p.message);
  view.widthError.hidden = widths.length === 0;
  view.widthError.textContent = widths.join(' ');
  view.inputError.hidden = others.length === 0;
  view.inputError.textContent = others.join(' ');
  const fields = new Set(problems.map((p) => p.field));
  const mark = (input: HTMLInputElement, field: ProblemField): void => input.setAttribute('aria-invalid', String(fields.has(field)));
  mark(controls.lambda, 'lambda');
  mark(controls.scale, 'scale');
  mark(controls.horizon, 'horizon');
  mark(controls.learningRate, 'learningRate');
  for (const input of [controls.inputDim, controls.hiddenDim, controls.outputDim, controls.depth]) mark(input, 'widths');
  mark(controls.weightSeed, 'seed');
  mark(controls.taskSeed, 'seed');
  const stale = problems.length > 0;
  view.views.classList.toggle('stale', stale);
  view.views.setAttribute('aria-disabled', String(stale));
  view.staleNote.hidden = !stale;
  view.staleNote.textContent = drawn.time === '' ? 'nothing to draw until these settings are fixed' : 'showing the last valid settings';
  controls.simulate.disabled = stale;
}

let simulation: { key: string; points: SimulationPoint[]; eta: number; steps: number } | null = null;
/** The status text of the last finished simulation (shown again when its settings return). */
let doneStatus = '';
const simulationKey = (s: ExplorerState): string => `${dynamicsKey(s)}|${s.horizon}|${s.learningRate}`;

/** Recomputes what changed and redraws the views that changed; records the time taken. */
function update(): void {
  const started = performance.now();
  laps.length = 0;
  lastLap = started;
  if (running !== null && running.key !== simulationKey(state)) cancelSimulation('Settings changed: the simulation was cancelled.');
  const problems: Problem[] = [...[...fieldErrors].map(([field, message]) => ({ field, message })), ...problemsOf(state)];
  showProblems(problems);
  // The address bar holds the last settings that can be shown, so a copied link always opens.
  if (problems.length === 0) history.replaceState(null, '', `${location.pathname}?${stateToQuery(state)}`);
  if (problems.length > 0) {
    finish(started);
    return;
  }
  const s = state;
  // Read every layout width before changing the DOM: a read after a change forces a reflow.
  const widths = { time: view.loss.clientWidth, sweep: view.sweep.clientWidth, heatmaps: view.heatmaps.clientWidth };
  try {
    const task = taskCache.get(taskKey(s), () => buildTask(s));
    const dynKey = dynamicsKey(s);
    const dyn = dynamicsCache.get(dynKey, () => buildDynamics(s, task));
    const series = seriesCache.get(`${dynKey}|${s.horizon}`, () => trajectorySeries(dyn, timeGrid(s.horizon)));
    const finalDistance = finalCache.get(dynKey, () => finalKernelDistance(dyn));
    const { points: sweep, pending: sweepPending } = sweepFor(s, task);
    const saddle = saddleCache.get(dynKey, () => saddleNote(dyn));
    const sim = simulation !== null && simulation.key === simulationKey(s) ? simulation : null;
    if (simulation !== null && sim === null && view.simStatus.dataset.state === 'done') {
      setSimulationStatus('idle', 'The settings changed since the last simulation: press Simulate to overlay gradient descent for these.');
    } else if (sim !== null && view.simStatus.dataset.state === 'idle' && doneStatus !== '') {
      setSimulationStatus('done', doneStatus); // back at the simulated settings: its dots are shown again
    }
    lap('compute');

    const timeKey = `${dynKey}|${s.horizon}|${s.cursor}|${s.lossLog}|${sim === null ? '' : sim.key}|${widths.time}`;
    if (drawn.time !== timeKey) {
      const frame = { width: plotWidth(widths.time), height: PLOT_HEIGHT };
      const points = sim === null ? null : sim.points;
      view.loss.replaceChildren(lossPlot(series, s.cursor, points, frame, s.lossLog));
      view.modes.replaceChildren(modesPlot(series, s.cursor, points, frame));
      view.kernel.replaceChildren(kernelPlot(series, finalDistance, s.cursor, points, frame));
      view.simLegend.hidden = sim === null;
      view.simLegend.textContent = sim === null ? '' : `○ dots: gradient descent, η = ${sim.eta} (${sim.steps.toLocaleString('en')} steps); lines: exact flow`;
      drawn.time = timeKey;
      lap('time views');
    }
    const sweepViewKey = `${sweepKey(s)}|${sweepPending}|${s.lambda}|${widths.sweep}`;
    if (drawn.sweep !== sweepViewKey) {
      view.sweep.replaceChildren(sweepPlot(sweep, s.lambda, finalDistance, s.lambdaLog, { width: plotWidth(widths.sweep), height: PLOT_HEIGHT }));
      view.sweep.classList.toggle('pending', sweepPending);
      view.sweep.title = sweepPending ? 'Recomputing the sweep for the new settings…' : '';
      drawn.sweep = sweepViewKey;
      lap('sweep view');
    }
    const heatKey = `${dynKey}|${s.cursor}|${widths.heatmaps}`;
    if (drawn.heatmaps !== heatKey) {
      const snap = dyn.at(s.cursor);
      const width = Math.floor((widths.heatmaps - 36) / 3);
      view.heatmaps.replaceChildren(
        titled('W1ᵀW1 (input side)', heatmap(snap.w1tw1.to2DArray(), 'input i', 'input j', width)),
        titled('W2W2ᵀ (output side)', heatmap(snap.w2w2t.to2DArray(), 'output i', 'output j', width)),
        titled('W2W1 (network function)', heatmap(snap.w2w1.to2DArray(), 'output', 'input', width)),
      );
      view.heatmapTime.textContent = format(s.cursor);
      drawn.heatmaps = heatKey;
      lap('heatmaps');
    }

    const { inputDim, hiddenDim, outputDim } = effectiveWidths(s);
    view.summaryWidths.textContent = `${inputDim}×${hiddenDim}×${outputDim} (Ni×Nh×No)`;
    // λ measured from the weights, tr(W2ᵀW2 − W1W1ᵀ)/Nh: equal to the setting up to rounding.
    view.summaryLambda.textContent = `${Math.abs(dyn.lambda) < 1e-9 ? 0 : Number(dyn.lambda.toPrecision(8))}`;
    view.summaryLoss.textContent = series.loss[series.loss.length - 1].toPrecision(4);
    view.summaryHorizon.textContent = format(s.horizon);
    view.kernelDistance.value = finalDistance.toPrecision(12);
    view.kernelDistance.dataset.value = String(finalDistance);
    view.saddleNote.hidden = saddle === null;
    view.saddleNote.textContent = saddle ?? '';
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    showProblems([{ field: 'lambda', message: `The library could not evaluate these settings: ${message}` }]);
  }
  finish(started);
}

/**
 * The λ sweep for the settings: from the cache if computed; computed now on the first
 * update; otherwise the sweep on screen stays (drawn as pending) and the new one is computed
 * once the settings have rested for SWEEP_DELAY_MS — 41 exact dynamics per change would make
 * dragging the scale slider stutter (≈ 0.35 s per step at 24×24×24).
 */
function sweepFor(s: ExplorerState, task: Task): { points: SweepPoint[]; pending: boolean } {
  const key = sweepKey(s);
  const make = (): SweepPoint[] => lambdaSweep(s, task, lambdaGrid(s.lambdaLog));
  const cached = sweepCache.peek(key);
  if (cached !== undefined || shownSweep === null) {
    const points = cached ?? sweepCache.get(key, make);
    shownSweep = { key, points };
    return { points, pending: false };
  }
  window.clearTimeout(sweepTimer);
  sweepTimer = window.setTimeout(() => {
    if (sweepKey(state) !== key) return; // superseded: a later update schedules its own
    const started = performance.now();
    sweepCache.get(key, make);
    sweepMs = performance.now() - started;
    scheduleUpdate();
  }, SWEEP_DELAY_MS);
  return { points: shownSweep.points, pending: true };
}

function titled(title: string, plot: Element): HTMLElement {
  const box = document.createElement('div');
  box.className = 'heatmap';
  const heading = document.createElement('h3');
  heading.textContent = title;
  box.append(heading, plot);
  return box;
}

/** Where the time of the current update went (for the footer and the browser test). */
const laps: string[] = [];
let lastLap = 0;
function lap(label: string): void {
  const now = performance.now();
  laps.push(`${label} ${(now - lastLap).toFixed(1)}`);
  lastLap = now;
}

function finish(started: number): void {
  const ms = performance.now() - started;
  updates += 1;
  view.updateTime.textContent =
    `Last update took ${ms.toFixed(1)} ms (computed and drawn in this page${laps.length > 0 ? `: ${laps.join(', ')} ms` : ''})` +
    (sweepMs === undefined ? '.' : `; the last λ sweep, computed once the settings rested, ${sweepMs.toFixed(0)} ms.`);
  view.updateTime.dataset.ms = String(ms);
  view.updateTime.dataset.laps = laps.join('; ');
  view.updateTime.dataset.updates = String(updates);
}

// ---------------------------------------------------------------- gradient descent in a worker

let worker: Worker | null = null;
let running: { id: number; key: string } | null = null;
let requests = 0;
let progressMessages = 0;

function setSimulationStatus(kind: 'idle' | 'running' | 'done' | 'error' | 'cancelled', text: string): void {
  view.simStatus.textContent = text;
  view.simStatus.dataset.state = kind;
  view.simStatus.dataset.progressMessages = String(progressMessages);
  controls.cancel.disabled = kind !== 'running';
}

function workerInstance(): Worker {
  if (worker !== null) return worker;
  const created = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  created.addEventListener('message', (event: MessageEvent<WorkerReply>) => onWorkerReply(event.data));
  created.addEventListener('error', (event) => {
    running = null;
    setSimulationStatus('error', `The simulation worker failed: ${event.message || 'could not start'}.`);
  });
  worker = created;
  return created;
}

function onWorkerReply(reply: WorkerReply): void {
  if (running === null || reply.id !== running.id) return; // a superseded request
  if (reply.type === 'progress') {
    progressMessages += 1;
    view.progress.value = reply.done / reply.total;
    setSimulationStatus('running', `Simulating: step ${reply.done.toLocaleString('en')} of ${reply.total.toLocaleString('en')}…`);
  } else if (reply.type === 'result') {
    simulation = { key: running.key, points: reply.points, eta: reply.learningRate, steps: reply.steps };
    running = null;
    view.progress.value = 1;
    const rose = reply.lossRose;
    doneStatus =
      `Done: ${reply.steps.toLocaleString('en')} steps of η = ${reply.learningRate} in ${reply.elapsedMs.toFixed(0)} ms; ` +
      `the dots are gradient descent, the lines the exact flow.` +
      (rose === undefined
        ? ''
        : ` Warning: the training loss rose from ${rose.from.toPrecision(3)} to ${rose.to.toPrecision(3)} (at t = ${Number(rose.t.toPrecision(4))}): ` +
          `η is too large for stable gradient descent here, so the dots do not follow the flow. Lower η.`);
    setSimulationStatus('done', doneStatus);
    view.simStatus.dataset.warning = rose === undefined ? '' : 'loss-rose';
    drawn.time = '';
    scheduleUpdate();
  } else {
    running = null;
    view.progress.value = 0;
    setSimulationStatus('error', `Simulation failed: ${reply.message}`);
  }
}

function startSimulation(): void {
  if (running !== null) cancelSimulation();
  const id = ++requests;
  running = { id, key: simulationKey(state) };
  progressMessages = 0;
  view.progress.value = 0;
  setSimulationStatus('running', 'Simulating…');
  const request: SimulateRequest = { type: 'simulate', id, state: { ...state } };
  workerInstance().postMessage(request);
}

function cancelSimulation(text = 'Cancelled.'): void {
  if (running === null) return;
  worker?.terminate();
  worker = null;
  running = null;
  view.progress.value = 0;
  setSimulationStatus('cancelled', text);
}

controls.simulate.addEventListener('click', startSimulation);
controls.cancel.addEventListener('click', () => cancelSimulation());
view.simStatus.dataset.state = 'idle';

// ---------------------------------------------------------------- start

let resizeTimer: number | undefined;
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(scheduleUpdate, 100);
});
syncControls();
update();
