/** Creating a token: a name, when it expires, and read-only or read-and-write access. */
import * as React from 'react';

import { INewToken } from '../../accountApi';
import { usePanel } from '../context';

/** Expiry choices in days; 0 never expires. */
const EXPIRY_DAYS = [7, 30, 90, 365, 0];

export interface INewTokenFormProps {
  /** Why creating is not possible now (shown, with the button disabled), or null. */
  disabledReason: string | null;
  /** Creates the token; resolves once the page has the answer. */
  onCreate: (token: INewToken) => Promise<void>;
}

export function NewTokenForm(props: INewTokenFormProps): JSX.Element {
  const { trans } = usePanel();
  const [name, setName] = React.useState('');
  const [days, setDays] = React.useState(90);
  const [access, setAccess] = React.useState<'read' | 'write'>('read');
  const [busy, setBusy] = React.useState(false);
  const nameMissing = name.trim() === '';
  const reason =
    props.disabledReason ??
    (nameMissing ? trans.__('Give the token a name first.') : null);

  async function submit(event: React.FormEvent): Promise<void> {
    event.preventDefault();
    if (reason || busy) {
      return;
    }
    setBusy(true);
    try {
      await props.onCreate({
        name: name.trim(),
        expires_at: days
          ? new Date(Date.now() + days * 86400000).toISOString()
          : null,
        scopes: access === 'write' ? ['read', 'write'] : ['read']
      });
      setName('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="jp-modelreg-token-form"
      onSubmit={event => void submit(event)}
    >
      <label>
        {trans.__('Name')}
        <input
          className="jp-mod-styled"
          data-testid="modelreg-new-token-name"
          value={name}
          maxLength={100}
          placeholder={trans.__('e.g. ci')}
          disabled={!!props.disabledReason}
          onChange={event => setName(event.target.value)}
        />
      </label>
      <Choice
        label={trans.__('Expires')}
        testId="modelreg-new-token-expiry"
        value={String(days)}
        disabled={!!props.disabledReason}
        options={EXPIRY_DAYS.map(d => [
          String(d),
          d ? trans._n('in %1 day', 'in %1 days', d) : trans.__('never')
        ])}
        onChange={value => setDays(Number(value))}
      />
      <Choice
        label={trans.__('Access')}
        testId="modelreg-new-token-access"
        value={access}
        disabled={!!props.disabledReason}
        options={[
          ['read', trans.__('read only')],
          ['write', trans.__('read and write')]
        ]}
        onChange={value => setAccess(value as 'read' | 'write')}
      />
      <button
        type="submit"
        className="jp-mod-styled jp-mod-accept"
        data-testid="modelreg-create-token"
        disabled={!!reason || busy}
        title={reason ?? trans.__('Create the token')}
      >
        {trans.__('Create token')}
      </button>
      {props.disabledReason && (
        <p className="jp-modelreg-disabled-reason">{props.disabledReason}</p>
      )}
    </form>
  );
}

interface IChoiceProps {
  label: string;
  testId: string;
  value: string;
  disabled: boolean;
  /** [value, label] pairs. */
  options: [string, string][];
  onChange: (value: string) => void;
}

/** A labelled select of the form. */
function Choice(props: IChoiceProps): JSX.Element {
  return (
    <label>
      {props.label}
      <select
        className="jp-mod-styled"
        data-testid={props.testId}
        value={props.value}
        disabled={props.disabled}
        onChange={event => props.onChange(event.target.value)}
      >
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}
