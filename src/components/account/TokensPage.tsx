/**
 * The "API tokens" page (a main-area tab): your own tokens, listed, created and revoked through the
 * Jupyter proxy, which passes these routes only for its own registry user.
 */
import * as React from 'react';

import { account, IApiToken, INewToken } from '../../accountApi';
import { registry, toModelregError } from '../../api';
import { ModelregError } from '../../errors';
import { confirmAction } from '../actions/FormDialog';
import { usePanel } from '../context';
import { ErrorMessage, Loading } from '../States';
import { useAsync } from '../useAsync';
import { NewTokenForm } from './NewTokenForm';
import { NewTokenSecret } from './NewTokenSecret';
import { TokenTable } from './TokenTable';

export function TokensPage(): JSX.Element {
  const { trans } = usePanel();
  const status = useAsync(() => registry.status(), []);
  const username = status.value?.user ?? null;
  const tokens = useAsync(
    () =>
      username
        ? account.listTokens(username)
        : Promise.resolve({ items: [], next_cursor: null }),
    [username]
  );
  const [created, setCreated] = React.useState<{
    name: string;
    secret: string;
  } | null>(null);
  const [failure, setFailure] = React.useState<ModelregError | null>(null);

  async function create(token: INewToken): Promise<void> {
    setFailure(null);
    try {
      const answer = await account.createToken(username!, token);
      setCreated({ name: answer.name, secret: answer.token });
      tokens.reload();
    } catch (error) {
      setFailure(toModelregError(error));
    }
  }

  async function revoke(token: IApiToken): Promise<void> {
    const ok = await confirmAction(
      trans,
      trans.__('Revoke token "%1"?', token.name),
      trans.__(
        'Everything that uses the token "%1" (scopes: %2) is refused by the registry from now on. This cannot be undone.',
        token.name,
        token.scopes.join(', ')
      ),
      trans.__('Revoke')
    );
    if (!ok) {
      return;
    }
    setFailure(null);
    try {
      await account.revokeToken(username!, token.id);
      tokens.reload();
    } catch (error) {
      setFailure(toModelregError(error));
    }
  }

  if (status.loading) {
    return <Loading label={trans.__('Loading your account…')} />;
  }
  if (status.error) {
    return <ErrorMessage error={status.error} onRetry={status.reload} />;
  }
  const disabledReason = username
    ? null
    : status.value?.message ||
      trans.__(
        'Connected anonymously: set MODELREG_TOKEN or run `modelreg login`, then reload.'
      );
  return (
    <div className="jp-modelreg-account" data-testid="modelreg-tokens-page">
      <h1>{trans.__('API tokens')}</h1>
      <p className="jp-modelreg-account-intro">
        {username
          ? trans.__(
              'Tokens of %1 at %2, for scripts, CI and the modelreg client. Tokens made here have the read or write scope; admin tokens are made with the modelreg CLI.',
              username,
              status.value?.url ?? ''
            )
          : disabledReason}
      </p>
      {created && (
        <NewTokenSecret
          name={created.name}
          secret={created.secret}
          onDone={() => setCreated(null)}
        />
      )}
      {failure && <ErrorMessage error={failure} />}
      <h2>{trans.__('New token')}</h2>
      <NewTokenForm
        disabledReason={disabledReason}
        onCreate={token => create(token)}
      />
      <h2>{trans.__('Your tokens')}</h2>
      {tokens.error ? (
        <ErrorMessage error={tokens.error} onRetry={tokens.reload} />
      ) : tokens.loading && !tokens.value ? (
        <Loading label={trans.__('Loading tokens…')} />
      ) : (
        <TokenTable
          tokens={tokens.value?.items ?? []}
          onRevoke={token => void revoke(token)}
        />
      )}
    </div>
  );
}
