import { askConfirm } from './ask.svelte';

/** Which view the window shows; views switch through `go`. */
export const nav = $state({ view: 'home' });

/** Says why leaving the current view would lose something, or null when nothing would be lost. */
export type LeaveGuard = () => string | null;
// Registered checks, read only when leaving: nothing renders from them.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const guards = new Set<LeaveGuard>();

/** Registers a check run before the window leaves a view; returns the function that removes it. */
export const guardLeave = (guard: LeaveGuard): (() => void) => {
  guards.add(guard);
  return () => guards.delete(guard);
};

/** Shows the view with `id`, after asking when a view's guard says something would be lost. */
export const go = async (id: string): Promise<boolean> => {
  if (id === nav.view) return true;
  for (const guard of guards) {
    const reason = guard();
    if (!reason) continue;
    const leave = await askConfirm({
      title: 'Leave this view?',
      message: reason,
      confirm: 'Leave anyway',
      cancel: 'Stay',
      danger: true,
    });
    if (!leave) return false;
  }
  nav.view = id;
  return true;
};
