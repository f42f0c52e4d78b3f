// Frame sampling shared by the UI benchmarks (bench:live, bench:console, bench:editor): a
// requestAnimationFrame loop in the page records the time between frames while a phase runs,
// and a long-animation-frame observer notes what filled the long ones (script, style and
// layout, paint), so a slow figure comes with its reason in the log.

/** Starts recording frames in `page`; a recording still running is stopped first. */
export const startFrames = (page) =>
  page.evaluate(() => {
    const w = window;
    if (w.__benchFrames) w.__benchFrames.on = false;
    const state = { on: true, frames: [], long: [] };
    w.__benchFrames = state;
    let last = 0;
    const tick = (now) => {
      if (!state.on) return;
      if (last > 0) state.frames.push({ end: now, ms: now - last });
      last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    if (PerformanceObserver.supportedEntryTypes?.includes('long-animation-frame')) {
      const observer = new PerformanceObserver((list) => {
        if (!state.on) return observer.disconnect();
        for (const e of list.getEntries()) {
          state.long.push({
            duration: Math.round(e.duration),
            script: Math.round(e.scripts.reduce((sum, s) => sum + s.duration, 0)),
            layout: e.styleAndLayoutStart ? Math.round(e.startTime + e.duration - e.styleAndLayoutStart) : 0,
            render: e.renderStart ? Math.round(e.startTime + e.duration - e.renderStart) : 0,
            invokers: [...new Set(e.scripts.map((s) => s.invoker))].slice(0, 3),
          });
        }
      });
      observer.observe({ type: 'long-animation-frame', buffered: false });
    }
  });

/**
 * Stops the recording and returns `{ frames, long }`: `frames` the times between frames in ms
 * (with `withEnd`, `{ end, ms }` per frame, `end` on the page's performance.now() clock) and
 * `long` the long animation frames seen while recording.
 */
export const stopFrames = (page, { withEnd = false } = {}) =>
  page.evaluate((withEnd) => {
    const state = window.__benchFrames;
    if (!state) return { frames: [], long: [] };
    state.on = false;
    return { frames: withEnd ? state.frames : state.frames.map((f) => f.ms), long: state.long };
  }, withEnd);

/** The times between frames (ms) while `during()` runs; see stopFrames for `withEnd`. */
export const framesDuring = async (page, during, options) => {
  await startFrames(page);
  await during();
  return (await stopFrames(page, options)).frames;
};

/** One line summing long animation frames by what filled them. */
export const describeLong = (long) => {
  const sum = (key) => long.reduce((total, e) => total + e[key], 0);
  return `long frames: ${long.length}, script ${sum('script')} ms, style+layout ${sum('layout')} ms, render ${sum('render')} ms in all`;
};

/** The `q` quantile (nearest rank) of the numbers in `values`, or null when there are none. */
export const quantile = (values, q) => {
  const s = values.filter((v) => typeof v === 'number' && !Number.isNaN(v)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
};

/** The median of the numbers in `values`, or null. */
export const median = (values) => quantile(values, 0.5);

/** `v` to one decimal (null stays null). */
export const round = (v) => (v === null || v === undefined ? null : Math.round(v * 10) / 10);
