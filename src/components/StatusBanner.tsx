/** Says when the registry is not configured, unreachable or reached anonymously, and how to fix it. */
import * as React from 'react';

import { usePanel } from './context';
import { ErrorMessage } from './States';

export function StatusBanner(): JSX.Element | null {
  const { model, trans } = usePanel();
  const { value: status, error } = model.status;
  if (error) {
    return <ErrorMessage error={error} onRetry={() => void model.refresh()} />;
  }
  if (!status) {
    return null;
  }
  if (!status.configured || !status.reachable) {
    return (
      <div
        className="jp-modelreg-banner jp-modelreg-banner-error"
        role="alert"
        data-testid="modelreg-status"
        data-state={status.configured ? 'unreachable' : 'not-configured'}
      >
        <strong>
          {status.configured
            ? trans.__('The model registry is not answering')
            : trans.__('The model registry is not configured')}
        </strong>
        <p>{status.message}</p>
        <button
          className="jp-mod-styled jp-modelreg-retry"
          onClick={() => void model.refresh()}
        >
          {trans.__('Retry')}
        </button>
      </div>
    );
  }
  return (
    <div
      className="jp-modelreg-banner"
      data-testid="modelreg-status"
      data-state={status.user ? 'connected' : 'anonymous'}
      title={status.message}
    >
      {status.user
        ? trans.__('%1 as %2', status.url ?? '', status.user)
        : status.message}
    </div>
  );
}
