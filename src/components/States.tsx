/** Loading, empty and error states, the same everywhere. */
import * as React from 'react';

import { ModelregError } from '../errors';
import { usePanel } from './context';

export interface ILoadingProps {
  /** What is loading, e.g. "Loading models…". */
  label: string;
}

export function Loading(props: ILoadingProps): JSX.Element {
  return (
    <div
      className="jp-modelreg-loading"
      role="status"
      aria-live="polite"
      data-testid="modelreg-loading"
    >
      <span className="jp-modelreg-spinner" aria-hidden="true" />
      {props.label}
    </div>
  );
}

export interface IEmptyProps {
  /** The message, e.g. "No candidates yet." */
  children: React.ReactNode;
}

export function Empty(props: IEmptyProps): JSX.Element {
  return (
    <div className="jp-modelreg-empty" data-testid="modelreg-empty">
      {props.children}
    </div>
  );
}

export interface IErrorMessageProps {
  error: ModelregError | Error;
  /** Offered as a "Retry" button when given. */
  onRetry?: () => void;
}

/** Shows the server's message and code, so the user knows what to do. */
export function ErrorMessage(props: IErrorMessageProps): JSX.Element {
  const { trans } = usePanel();
  const code =
    props.error instanceof ModelregError ? props.error.code : 'ERROR';
  return (
    <div
      className="jp-modelreg-error"
      role="alert"
      data-testid="modelreg-error"
      data-code={code}
    >
      <div className="jp-modelreg-error-message">{props.error.message}</div>
      <div className="jp-modelreg-error-code">{code}</div>
      {props.onRetry && (
        <button
          className="jp-mod-styled jp-modelreg-retry"
          onClick={props.onRetry}
        >
          {trans.__('Retry')}
        </button>
      )}
    </div>
  );
}

export interface IStaleProps {
  /** What is shown as last loaded, e.g. "this list is as it was at 10:02". */
  children: React.ReactNode;
}

/** Marks what stays in view during an outage; the status banner says what is wrong and what to do. */
export function Stale(props: IStaleProps): JSX.Element {
  return (
    <div
      className="jp-modelreg-hint jp-modelreg-stale"
      data-testid="modelreg-stale"
    >
      {props.children}
    </div>
  );
}
