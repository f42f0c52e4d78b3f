/**
 * In-page instrumentation for the editor benchmark: when the canvas is ready (nodes drawn and
 * a frame painted after them) and a requestAnimationFrame loop recording frame times on demand.
 */
declare global {
  interface Window {
    benchReadyMs?: number;
    benchFrames: number[];
    benchRecord: (on: boolean) => void;
  }
}

window.benchFrames = [];
let recording = false;
let last = 0;
const loop = (t: number) => {
  if (recording && last > 0) window.benchFrames.push(t - last);
  last = t;
  requestAnimationFrame(loop);
};
requestAnimationFrame(loop);
window.benchRecord = (on) => {
  recording = on;
  last = 0;
  if (on) window.benchFrames = [];
};

/** Marks the page ready once `selector` matches and one more frame has been painted. */
export const markReadyWhen = (selector: string): void => {
  const check = () => {
    if (document.querySelector(selector)) {
      requestAnimationFrame(() => setTimeout(() => (window.benchReadyMs = performance.now()), 0));
    } else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
};
