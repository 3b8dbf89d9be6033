/**
 * The dataset map's scatter, alone in its frame: regl-scatterplot draws with WebGL (pan, zoom, lasso,
 * hover) and reports selection and hover to the Map view; keys pressed here go on to the view.
 */
import createScatterplot from 'regl-scatterplot';
import type { MapFrameApi, MapFrameHandlers } from '../lib/map-frame-api';

const canvas = document.querySelector('canvas') as HTMLCanvasElement;
let handlers: MapFrameHandlers | null = null;
let failure: string | null = null;
let plot: ReturnType<typeof createScatterplot> | null = null;
let drawing: Promise<void> = Promise.resolve();

try {
  plot = createScatterplot({
    canvas,
    width: 'auto',
    height: 'auto',
    pointSize: 6,
    pointSizeSelected: 2,
    pointOutlineWidth: 2,
    lassoInitiator: false,
    lassoMinDelay: 5,
    lassoMinDist: 2,
    deselectOnEscape: false,
    deselectOnDblClick: true,
    opacity: 0.9,
  });
} catch (error) {
  failure = error instanceof Error ? error.message : String(error);
  const message = document.createElement('p');
  message.textContent = `The map needs WebGL, which this window cannot start: ${failure}`;
  document.body.append(message);
}

if (plot) {
  const instance = plot;
  instance.subscribe('select', ({ points }) => handlers?.select([...points]));
  instance.subscribe('deselect', () => handlers?.select([]));
  instance.subscribe('pointOver', (index) => {
    const at = instance.getScreenPosition(index);
    handlers?.hover(at ? { index, x: at[0], y: at[1] } : null);
  });
  instance.subscribe('pointOut', () => handlers?.hover(null));
  new ResizeObserver(() => void instance.set({ width: 'auto', height: 'auto' })).observe(canvas);
}

// Focus lands here after a lasso: the view's keys (1–9, Ctrl+Z, Alt+digit…) must still work.
window.addEventListener('keydown', (event) => {
  const Parent = (window.parent as typeof window).KeyboardEvent;
  const copy = new Parent('keydown', {
    key: event.key,
    code: event.code,
    ctrlKey: event.ctrlKey,
    shiftKey: event.shiftKey,
    altKey: event.altKey,
    metaKey: event.metaKey,
    repeat: event.repeat,
    cancelable: true,
  });
  window.parent.dispatchEvent(copy);
  if (copy.defaultPrevented) event.preventDefault();
});

const api: MapFrameApi = {
  get failure() {
    return failure;
  },
  connect(next) {
    handlers = next;
  },
  draw(xs, ys, categories, palette, selected) {
    const instance = plot;
    if (!instance) return Promise.resolve();
    const points = { x: [...xs], y: [...ys], valueA: [...categories] };
    const colours = [...palette];
    const select = [...selected];
    // regl-scatterplot drops a draw that starts before the last one ended: queue them.
    const run = drawing.then(async () => {
      // A few dozen points read better large; thousands need small ones not to cover each other.
      const size = points.x.length > 5000 ? 3 : points.x.length > 1000 ? 4 : points.x.length > 200 ? 6 : 9;
      await instance.set({ pointColor: colours, colorBy: 'valueA', pointSize: size });
      await instance.draw(points, { zDataType: 'categorical', select, preventFilterReset: true });
    });
    drawing = run.catch(() => {});
    return run;
  },
  select(indices) {
    if (!plot) return;
    const have = [...plot.get('selectedPoints')].sort((a, b) => a - b);
    const want = [...indices].sort((a, b) => a - b);
    if (want.length === have.length && want.every((v, i) => v === have[i])) return;
    if (want.length) plot.select(want, { preventEvent: true });
    else plot.deselect({ preventEvent: true });
  },
  screenPosition(index) {
    return plot?.getScreenPosition(index);
  },
  configure({ lasso, background, lassoColour }) {
    void plot?.set({ mouseMode: lasso ? 'lasso' : 'panZoom', backgroundColor: background, lassoColor: lassoColour });
  },
};
window.ldsMapFrame = api;
window.dispatchEvent(new Event('lds-map-frame-ready'));
