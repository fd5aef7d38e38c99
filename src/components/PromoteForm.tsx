/**
 * The "Promote to version" dialog: the server's next patch/minor/major versions (`next_versions`),
 * a SemVer field for any other version, and notes. The server validates the version.
 */
import * as React from 'react';
import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

import { BumpPart, INextVersions } from '../registryTypes';

export interface IPromoteValue {
  version: string;
  /** The suggestion chosen, sent as `bump` so the server numbers the version; null once edited. */
  bump: BumpPart | null;
  notes: string;
  /** Also tag the trained commit in git (GTO's `<model name>@v<semver>`), from the notebook's kernel. */
  gitTag: boolean;
}

export interface IPromoteFormProps {
  trans: TranslationBundle;
  /** e.g. "#3 xgb-depth6". */
  candidateLabel: string;
  /** The versions list's `next_versions`. */
  suggestions: INextVersions;
  /** The group's required card sections still empty (translated, comma separated), or ''. */
  requiredMissing?: string;
  /** The model's name without its group, for the tag. */
  modelName?: string;
  /** The trained commit, when the candidate's provenance has one: tagging is offered then. */
  commit?: string | null;
  /** The model's versions: typing one of them is flagged at once. */
  existingVersions?: string[];
  /** What the form shows first (the last value, when it reopens after a problem). */
  initial?: IPromoteValue;
  onChange: (value: IPromoteValue) => void;
}

/** Why `value` cannot be promoted yet, or null. */
export function promoteProblem(
  value: IPromoteValue,
  existing: string[],
  __: (text: string, ...args: any[]) => string
): string | null {
  if (!value.version) {
    return __('Give the version a number, e.g. 1.0.0.');
  }
  if (existing.includes(value.version)) {
    return __(
      'Version %1 already exists: choose another number.',
      value.version
    );
  }
  return null;
}

/** SemVer pre-releases (1.2.0-rc.1) may ship with an incomplete card. */
function isPrerelease(version: string): boolean {
  return version.split('+')[0].includes('-');
}

/** The parts offered, in order; the first one the server gives is chosen to begin with. */
const BUMPS: BumpPart[] = ['patch', 'minor', 'major'];

function initialValue(suggestions: INextVersions): IPromoteValue {
  const bump = BUMPS.find(part => suggestions[part] !== null) ?? 'minor';
  return { version: suggestions[bump] ?? '', bump, notes: '', gitTag: false };
}

export function PromoteForm(props: IPromoteFormProps): JSX.Element {
  const { trans, suggestions } = props;
  const [value, setValue] = React.useState<IPromoteValue>(
    () => props.initial ?? initialValue(suggestions)
  );
  const taken =
    !!value.version && !!props.existingVersions?.includes(value.version);

  function update(change: Partial<IPromoteValue>): void {
    const next = { ...value, ...change };
    setValue(next);
    props.onChange(next);
  }

  const labels: Record<BumpPart, string> = {
    patch: trans.__('Patch'),
    minor: trans.__('Minor'),
    major: trans.__('Major')
  };
  return (
    <form
      className="jp-modelreg-form"
      data-testid="modelreg-promote-form"
      onSubmit={e => e.preventDefault()}
    >
      <p>
        {trans.__('Promote candidate %1 to a version.', props.candidateLabel)}
      </p>
      <div
        className="jp-modelreg-row"
        role="group"
        aria-label={trans.__('Suggested versions')}
      >
        {BUMPS.filter(bump => suggestions[bump] !== null).map(bump => (
          <button
            key={bump}
            type="button"
            className={`jp-mod-styled jp-modelreg-small${value.bump === bump ? ' jp-mod-active' : ''}`}
            data-testid={`modelreg-bump-${bump}`}
            onClick={() => update({ version: suggestions[bump]!, bump })}
          >
            {labels[bump]} {suggestions[bump]}
          </button>
        ))}
      </div>
      <label>
        {trans.__('Version (SemVer)')}
        <input
          className="jp-mod-styled"
          name="version"
          value={value.version}
          aria-invalid={taken}
          onChange={e => update({ version: e.target.value.trim(), bump: null })}
        />
      </label>
      {taken && (
        <div
          className="jp-modelreg-hint jp-modelreg-invalid"
          role="alert"
          data-testid="modelreg-version-exists"
        >
          {promoteProblem(value, props.existingVersions ?? [], (t, ...a) =>
            trans.__(t, ...a)
          )}
        </div>
      )}
      {props.requiredMissing && !isPrerelease(value.version) && (
        <div
          className="jp-modelreg-warning"
          role="alert"
          data-testid="modelreg-promote-card-missing"
        >
          {trans.__(
            'A release version needs these card sections first: %1. Fill them in the Overview, or promote a pre-release such as %2-rc.1.',
            props.requiredMissing,
            value.version.split(/[-+]/)[0]
          )}
        </div>
      )}
      {value.bump === null && (
        <div className="jp-modelreg-hint">
          {trans.__('SemVer: MAJOR.MINOR.PATCH, e.g. 1.2.0 or 2.0.0-rc.1.')}
        </div>
      )}
      <label>
        {trans.__('Release notes')}
        <textarea
          className="jp-mod-styled"
          name="notes"
          rows={5}
          value={value.notes}
          onChange={e => update({ notes: e.target.value })}
        />
      </label>
      {props.commit && (
        <label className="jp-modelreg-checkbox">
          <input
            type="checkbox"
            name="gitTag"
            data-testid="modelreg-promote-git-tag"
            checked={value.gitTag}
            onChange={e => update({ gitTag: e.target.checked })}
          />
          {trans.__(
            'Tag in git: %1 on commit %2 (runs git in the notebook’s kernel)',
            `${props.modelName ?? ''}@v${value.version}`,
            props.commit.slice(0, 12)
          )}
        </label>
      )}
      <p className="jp-modelreg-warning" role="note">
        {trans.__(
          'The version will be locked: its files, params and metrics can never change afterwards. Only the notes stay editable.'
        )}
      </p>
    </form>
  );
}

export class PromoteBody
  extends ReactWidget
  implements Dialog.IBodyWidget<IPromoteValue>
{
  constructor(private _props: Omit<IPromoteFormProps, 'onChange'>) {
    super();
    this._value = _props.initial ?? initialValue(_props.suggestions);
    this.addClass('jp-modelreg-dialog-body');
  }

  getValue(): IPromoteValue {
    return this._value;
  }

  render(): JSX.Element {
    return <PromoteForm {...this._props} onChange={v => (this._value = v)} />;
  }

  private _value: IPromoteValue;
}
