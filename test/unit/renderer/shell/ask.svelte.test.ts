import { beforeEach, describe, expect, it } from 'vitest';
import { askConfirm, askText, asking, settle } from '../../../../renderer/src/shell/ask.svelte';

/** Answers the question on screen as the dialog does, and closes it. */
const answer = (value: boolean | string | null) => {
  const pending = asking.current!;
  (pending.answer as (v: typeof value) => void)(value);
  settle();
};

beforeEach(() => {
  while (asking.current) settle();
});

describe('questions', () => {
  it('are shown one at a time, in the order asked', async () => {
    const first = askConfirm({
      title: 'Discard the drawing?',
      message: 'It is in no project.',
      confirm: 'Discard',
    });
    const second = askText({ title: 'Rename flow', label: 'Name', value: 'Flow 1' });
    expect(asking.current?.question).toEqual({
      kind: 'confirm',
      title: 'Discard the drawing?',
      message: 'It is in no project.',
      confirm: 'Discard',
      cancel: 'Cancel',
      danger: false,
      dismissMeans: false,
    });
    answer(true);
    expect(await first).toBe(true);
    expect(asking.current?.question).toMatchObject({ kind: 'text', value: 'Flow 1', confirm: 'OK' });
    answer('Hall lights');
    expect(await second).toBe('Hall lights');
    expect(asking.current).toBeNull();
  });

  it('answer a text question closed without an answer with null', async () => {
    const name = askText({ title: 'Group label', label: 'Label', value: '' });
    answer(null);
    expect(await name).toBeNull();
  });
});
