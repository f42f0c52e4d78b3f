import { beforeEach, describe, expect, it, vi } from 'vitest';

const KEY = 'fieldgraph.flows.layout';

/** The module as a new window loads it, with `stored` in localStorage. */
const load = async (stored?: string) => {
  localStorage.clear();
  if (stored !== undefined) localStorage.setItem(KEY, stored);
  vi.resetModules();
  return import('../../../../renderer/src/flows/prefs.svelte');
};

/** A splitter the test drags: pointer events by hand, no DOM. */
const splitter = () => {
  const listeners = new Map<string, (e: PointerEvent) => void>();
  return {
    setPointerCapture: () => {},
    addEventListener: (type: string, fn: (e: PointerEvent) => void) => listeners.set(type, fn),
    removeEventListener: (type: string) => listeners.delete(type),
    fire: (type: string, e: Partial<PointerEvent>) => listeners.get(type)?.(e as PointerEvent),
    listening: () => listeners.size,
  };
};

beforeEach(() => localStorage.clear());

describe('the Flows view’s panel layout', () => {
  it('opens with every panel shown at the default sizes', async () => {
    const { panels } = await load();
    expect({ ...panels }).toEqual({
      palette: true,
      inspector: true,
      problems: true,
      paletteWidth: 240,
      inspectorWidth: 300,
      problemsHeight: 150,
    });
  });

  it('opens the way it was left, sizes kept within their bounds', async () => {
    const { panels } = await load(
      JSON.stringify({ palette: false, paletteWidth: 9999, inspectorWidth: 10, problemsHeight: 200 }),
    );
    expect({ ...panels }).toEqual({
      palette: false,
      inspector: true,
      problems: true,
      paletteWidth: 480,
      inspectorWidth: 220,
      problemsHeight: 200,
    });
  });

  it('falls back to the defaults for a stored value that is damaged or of the wrong type', async () => {
    expect({ ...(await load('{not json')).panels }).toMatchObject({ palette: true, paletteWidth: 240 });
    expect({
      ...(await load('{"palette":"no","paletteWidth":"wide","problemsHeight":null}')).panels,
    }).toMatchObject({
      palette: true,
      paletteWidth: 240,
      problemsHeight: 150,
    });
  });

  it('remembers a panel hidden or shown', async () => {
    const prefs = await load();
    prefs.togglePanel('problems');
    expect(prefs.panels.problems).toBe(false);
    expect(JSON.parse(localStorage.getItem(KEY)!)).toMatchObject({ problems: false });
    expect((await load(localStorage.getItem(KEY)!)).panels.problems).toBe(false);
  });

  it('resizes a panel as its splitter is dragged, and remembers the size on release', async () => {
    const prefs = await load();
    const target = splitter();
    prefs.resizePanel(
      'inspectorWidth',
      -1,
    )({
      clientX: 500,
      clientY: 0,
      pointerId: 1,
      currentTarget: target,
    } as unknown as PointerEvent);
    target.fire('pointermove', { clientX: 440, clientY: 0 });
    expect(prefs.panels.inspectorWidth).toBe(360);
    expect(localStorage.getItem(KEY)).toBeNull();
    target.fire('pointerup', {});
    expect(JSON.parse(localStorage.getItem(KEY)!)).toMatchObject({ inspectorWidth: 360 });
    expect(target.listening()).toBe(0);
  });

  it('lets a panel be dragged only to a size it reopens at', async () => {
    const prefs = await load();
    for (const [which, sign, far] of [
      ['paletteWidth', 1, 5000],
      ['paletteWidth', 1, -5000],
      ['inspectorWidth', -1, -5000],
      ['inspectorWidth', -1, 5000],
      ['problemsHeight', 1, -5000],
      ['problemsHeight', 1, 5000],
    ] as const) {
      const target = splitter();
      prefs.resizePanel(
        which,
        sign,
      )({ clientX: 0, clientY: 0, pointerId: 1, currentTarget: target } as never);
      target.fire('pointermove', { clientX: far, clientY: far });
      target.fire('pointerup', {});
      const dragged = prefs.panels[which];
      const reopened = (await load(localStorage.getItem(KEY)!)).panels[which];
      expect(reopened, `${which} dragged to ${dragged}`).toBe(dragged);
    }
  });

  it('resizes the problems panel upwards as its splitter goes up', async () => {
    const prefs = await load();
    const target = splitter();
    prefs.resizePanel(
      'problemsHeight',
      1,
    )({
      clientX: 0,
      clientY: 700,
      pointerId: 1,
      currentTarget: target,
    } as unknown as PointerEvent);
    target.fire('pointermove', { clientX: 0, clientY: 650 });
    expect(prefs.panels.problemsHeight).toBe(200);
  });
});
