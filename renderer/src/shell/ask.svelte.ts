/**
 * Questions the app asks in its own dialog (the desktop shell has no `window.prompt`, and a
 * browser's own confirm cannot say which button destroys what). One question at a time; each
 * call resolves when the person answers or closes the dialog (null / false).
 */

/** A question for a line of text. */
export interface TextQuestion {
  readonly kind: 'text';
  readonly title: string;
  readonly label: string;
  readonly value: string;
  /** Says what is wrong with an answer, or null when it is fine. */
  readonly check?: (value: string) => string | null;
  readonly confirm: string;
}

/** A yes/no question about an action; `danger` marks one that destroys or discards something. */
export interface ConfirmQuestion {
  readonly kind: 'confirm';
  readonly title: string;
  readonly message: string;
  readonly confirm: string;
  readonly cancel: string;
  readonly danger: boolean;
  /** What closing the dialog (Escape, backdrop) answers; false unless the safe answer is yes. */
  readonly dismissMeans: boolean;
}

type Pending =
  | { question: TextQuestion; answer: (value: string | null) => void }
  | { question: ConfirmQuestion; answer: (value: boolean) => void };

/** The question on screen, if any (AskHost draws it). */
export const asking = $state<{ current: Pending | null }>({ current: null });
const queue: Pending[] = [];

const show = (pending: Pending) => {
  if (asking.current) queue.push(pending);
  else asking.current = pending;
};

/** Closes the current question and shows the next one. */
export const settle = (): void => {
  asking.current = queue.shift() ?? null;
};

/** Asks for a line of text; null when the person cancels. */
export const askText = (
  options: Omit<TextQuestion, 'kind' | 'confirm'> & { confirm?: string },
): Promise<string | null> =>
  new Promise((resolve) => show({ question: { kind: 'text', confirm: 'OK', ...options }, answer: resolve }));

/** Asks whether to go on with an action; false when the person cancels. */
export const askConfirm = (
  options: Omit<ConfirmQuestion, 'kind' | 'cancel' | 'danger' | 'dismissMeans'> & {
    cancel?: string;
    danger?: boolean;
    dismissMeans?: boolean;
  },
): Promise<boolean> =>
  new Promise((resolve) =>
    show({
      question: { kind: 'confirm', cancel: 'Cancel', danger: false, dismissMeans: false, ...options },
      answer: resolve,
    }),
  );
