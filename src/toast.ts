/**
 * Toast text that is never lost: JupyterLab cuts a toast's message at 140 characters, often before
 * the part that says what to do, so a longer message is shortened by us and the whole of it is one
 * "Show details" click away.
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

/** JupyterLab's own limit (Notification.emit truncates longer messages). */
export const TOAST_MAX_LENGTH = 140;

/** The message and actions of a toast that shows `message` in full, directly or on demand. */
export function fullMessage(
  title: string,
  message: string,
  trans: TranslationBundle
): { message: string; actions: Notification.IAction[] } {
  if (message.length <= TOAST_MAX_LENGTH) {
    return { message, actions: [] };
  }
  const room = TOAST_MAX_LENGTH - 1;
  const cut = message.lastIndexOf(' ', room);
  const short = `${message.slice(0, cut > room / 2 ? cut : room)}…`;
  return {
    message: short,
    actions: [
      {
        label: trans.__('Show details'),
        displayType: 'link',
        callback: event => {
          // Clicking an action dismisses the toast by default; the details stay reachable.
          event.preventDefault();
          void showDialog({
            title,
            body: message,
            buttons: [Dialog.okButton({ label: trans.__('Close') })]
          });
        }
      }
    ]
  };
}

/**
 * Shows `message` as a toast of `type`, whole: a message longer than JupyterLab shows is shortened at a
 * word and "Show details" opens all of it. Every toast of the extension goes through here, so none is
 * cut before the part that says what to do. Returns the toast's id.
 */
export function notify(
  type: 'success' | 'info' | 'warning' | 'error',
  message: string,
  trans: TranslationBundle,
  options: { autoClose?: number | false } = {}
): string {
  const titles = {
    success: trans.__('Done'),
    info: trans.__('Note'),
    warning: trans.__('Warning'),
    error: trans.__('Error')
  };
  const whole = fullMessage(titles[type], message, trans);
  return Notification.emit(whole.message, type, {
    ...options,
    actions: whole.actions
  });
}
