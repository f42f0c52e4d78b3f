import { beforeEach, describe, expect, it } from 'vitest';
import { asking, settle } from '../../../../renderer/src/shell/ask.svelte';
import { go, guardLeave, nav } from '../../../../renderer/src/shell/nav.svelte';

/** Answers the question on screen as the dialog does, and closes it. */
const answer = (value: boolean | string | null) => {
  const pending = asking.current!;
  (pending.answer as (v: typeof value) => void)(value);
  settle();
};

beforeEach(() => {
  while (asking.current) settle();
  nav.view = 'home';
});

describe('going to another view', () => {
  it('goes straight there when nothing would be lost', async () => {
    expect(await go('devices')).toBe(true);
    expect(nav.view).toBe('devices');
    expect(asking.current).toBeNull();
  });

  it('asks first when a view would lose something, and stays when told to', async () => {
    const stop = guardLeave(() => 'The Wi-Fi password typed here is not saved.');
    const leaving = go('deploy');
    await Promise.resolve();
    expect(asking.current?.question).toMatchObject({
      title: 'Leave this view?',
      message: 'The Wi-Fi password typed here is not saved.',
      confirm: 'Leave anyway',
      cancel: 'Stay',
      danger: true,
    });
    answer(false);
    expect(await leaving).toBe(false);
    expect(nav.view).toBe('home');

    const again = go('deploy');
    await Promise.resolve();
    answer(true);
    expect(await again).toBe(true);
    expect(nav.view).toBe('deploy');
    stop();
  });

  it('asks nothing once the guard is removed, or when the view is already shown', async () => {
    const stop = guardLeave(() => 'Unsaved.');
    expect(await go('home')).toBe(true);
    stop();
    expect(await go('library')).toBe(true);
    expect(asking.current).toBeNull();
  });
});
