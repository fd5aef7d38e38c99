/** A new token's secret, shown once: the registry stores only its hash. */
import * as React from 'react';
import { Clipboard } from '@jupyterlab/apputils';

import { usePanel } from '../context';

export interface INewTokenSecretProps {
  name: string;
  secret: string;
  /** Hides the secret for good. */
  onDone: () => void;
}

export function NewTokenSecret(props: INewTokenSecretProps): JSX.Element {
  const { trans } = usePanel();
  const [copied, setCopied] = React.useState(false);

  function copy(): void {
    Clipboard.copyToSystem(props.secret);
    setCopied(true);
  }

  return (
    <div
      className="jp-modelreg-token-secret"
      role="status"
      data-testid="modelreg-token-secret"
    >
      <p>
        <strong>
          {trans.__(
            'Copy the secret of "%1" now: you will not see it again.',
            props.name
          )}
        </strong>
      </p>
      <code data-testid="modelreg-token-secret-value">{props.secret}</code>
      <div className="jp-modelreg-token-secret-actions">
        <button
          className="jp-mod-styled jp-mod-accept"
          data-testid="modelreg-copy-secret"
          onClick={copy}
        >
          {copied ? trans.__('Copied') : trans.__('Copy')}
        </button>
        <button
          className="jp-mod-styled"
          data-testid="modelreg-secret-done"
          onClick={props.onDone}
        >
          {trans.__('Done')}
        </button>
      </div>
    </div>
  );
}
