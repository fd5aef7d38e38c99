/** The user's API tokens: name, created, last used, expiry and scopes (never the secret), each revocable. */
import * as React from 'react';

import { IApiToken } from '../../accountApi';
import { formatDate } from '../../format';
import { usePanel } from '../context';

export interface ITokenTableProps {
  tokens: IApiToken[];
  /** Asks for confirmation, then revokes; the table is reloaded by the page. */
  onRevoke: (token: IApiToken) => void;
}

export function TokenTable(props: ITokenTableProps): JSX.Element {
  const { trans } = usePanel();
  if (props.tokens.length === 0) {
    return (
      <p className="jp-modelreg-empty" data-testid="modelreg-no-tokens">
        {trans.__('You have no API tokens.')}
      </p>
    );
  }
  return (
    <table className="jp-modelreg-token-table">
      <thead>
        <tr>
          <th>{trans.__('Name')}</th>
          <th>{trans.__('Created')}</th>
          <th>{trans.__('Last used')}</th>
          <th>{trans.__('Expires')}</th>
          <th>{trans.__('Scopes')}</th>
          <th>
            <span className="jp-modelreg-sr-only">{trans.__('Actions')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.tokens.map(token => (
          <tr
            key={token.id}
            data-testid="modelreg-token-row"
            data-token-name={token.name}
          >
            <td>
              {/* One line: a long name ends in … and the tooltip gives it whole. */}
              <span
                className="jp-modelreg-token-name"
                data-testid="modelreg-token-name"
                title={token.name}
              >
                {token.name}
              </span>
            </td>
            <td>{formatDate(token.created_at)}</td>
            <td>{formatDate(token.last_used_at) || trans.__('never')}</td>
            <td>{formatDate(token.expires_at) || trans.__('never')}</td>
            <td>{token.scopes.join(', ')}</td>
            <td>
              <button
                className="jp-mod-styled jp-mod-warn"
                data-testid="modelreg-revoke-token"
                aria-label={trans.__('Revoke %1', token.name)}
                onClick={() => props.onRevoke(token)}
              >
                {trans.__('Revoke')}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
