/**
 * In-page instrumentation for the editor benchmark: when the canvas is ready (nodes drawn and
 * a frame painted after them). Frame times are recorded by test/bench/frames.mjs.
 */
declare global {
  interface Window {
    benchReadyMs?: number;
  }
}

/** Marks the page ready once `selector` matches and one more frame has been painted. */
export const markReadyWhen = (selector: string): void => {
  const check = () => {
    if (document.querySelector(selector)) {
      requestAnimationFrame(() => setTimeout(() => (window.benchReadyMs = performance.now()), 0));
    } else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
};
