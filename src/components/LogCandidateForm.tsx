/**
 * The "Log as candidate" dialog: model, name, what the kernel holds (models, metrics, figures),
 * files to attach, snapshot and environment.
 */
import * as React from 'react';
import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

import { IKernelInspection } from '../kernelEvents';
import { modelNameProblem } from '../modelName';
import { FoundInKernel, IFoundSelection } from './FoundInKernel';
import { FilePicker, IFolderEntry } from './candidate/FilePicker';
import { GroupChoice } from './candidate/GroupChoice';

/** What the user chose. Files are relative to the notebook's folder. */
export interface ILogCandidateValue extends IFoundSelection {
  model: string;
  name: string;
  experiment: string;
  files: string[];
  attachNotebook: boolean;
  attachEnvironment: boolean;
}

type Translate = (text: string, ...args: any[]) => string;

function groupProblem(
  group: string,
  groups: string[] | null,
  __: Translate
): string | null {
  return groups && !groups.includes(group)
    ? __(
        'You cannot log to the group "%1": it does not exist, or you are not a developer in it.',
        group
      )
    : null;
}

/**
 * Why the dialog cannot log `value` yet, or null. `groups` are those the user can log to; null when
 * the registry could not say (then the registry decides).
 */
export function logFormProblem(
  value: ILogCandidateValue,
  groups: string[] | null,
  __: Translate
): string | null {
  const nameProblem = modelNameProblem(value.model, __);
  if (nameProblem) {
    return nameProblem;
  }
  const refused = groupProblem(value.model.split('/')[0], groups, __);
  if (refused) {
    return refused;
  }
  if (!value.name.trim()) {
    return __('Give the candidate a name.');
  }
  const outside = value.files.find(
    f => f.startsWith('..') || f.startsWith('/')
  );
  if (outside) {
    return __(
      '%1 is outside the notebook folder; the kernel attaches files relative to it.',
      outside
    );
  }
  return null;
}

export interface ILogCandidateFormProps {
  trans: TranslationBundle;
  initial: ILogCandidateValue;
  /** Known models to pick from (`group/name`). */
  knownModels: string[];
  /** Lists a folder relative to the notebook's for the picker in the form. Absent: typing only. */
  listFolder?: (folder: string) => Promise<IFolderEntry[]>;
  /**
   * What is selected in the visible file browser when the dialog opened (relative to the notebook);
   * empty or absent: the "Add selected" button is not shown.
   */
  browserSelection?: string[];
  /** What the kernel holds; null when it could not be asked (then `kernelNote` says why). */
  found?: IKernelInspection | null;
  kernelNote?: string | null;
  /** The groups the user can log to (developer+); null or absent when the registry could not say. */
  writableGroups?: string[] | null;
  /** Creates a group (the user becomes its owner); absent: not offered. */
  createGroup?: (name: string) => Promise<void>;
  /** Why the registry cannot take a candidate right now (it is not answering), said at once. */
  registryProblem?: string | null;
  onChange: (value: ILogCandidateValue) => void;
}

export function LogCandidateForm(props: ILogCandidateFormProps): JSX.Element {
  const { trans } = props;
  const [value, setValue] = React.useState(props.initial);
  const [typedPath, setTypedPath] = React.useState('');
  const [picking, setPicking] = React.useState(false);
  const [groups, setGroups] = React.useState(props.writableGroups ?? null);
  const pathInput = React.useRef<HTMLInputElement>(null);
  const addTypedOnEnter = React.useRef<() => void>(() => undefined);
  addTypedOnEnter.current = onAddTyped;

  // JupyterLab's Dialog accepts on Enter in a capture listener on its node, before the input
  // sees the key; a capture listener on the document runs first, so Enter adds the path.
  React.useEffect(() => {
    function onKeydown(event: KeyboardEvent): void {
      if (
        event.key === 'Enter' &&
        !event.isComposing &&
        event.target === pathInput.current
      ) {
        event.preventDefault();
        event.stopPropagation();
        addTypedOnEnter.current();
      }
    }
    document.addEventListener('keydown', onKeydown, true);
    return () => document.removeEventListener('keydown', onKeydown, true);
  }, []);

  function update(
    change: Partial<ILogCandidateValue>,
    typed = typedPath
  ): void {
    const next = { ...value, ...change };
    setValue(next);
    report(next, typed);
  }

  /** A path still in the text box counts as chosen, so accepting the dialog keeps it. */
  function report(next: ILogCandidateValue, typed: string): void {
    const pending = typed.trim();
    const files =
      pending && !next.files.includes(pending)
        ? [...next.files, pending]
        : next.files;
    props.onChange({ ...next, files });
  }

  function addFiles(paths: string[]): void {
    const files = [...value.files];
    for (const path of paths.map(p => p.trim()).filter(Boolean)) {
      if (!files.includes(path)) {
        files.push(path);
      }
    }
    update({ files }, '');
  }

  function onTyped(text: string): void {
    setTypedPath(text);
    report(value, text);
  }

  function onAddTyped(): void {
    const typed = typedPath;
    if (!typed.trim()) {
      return;
    }
    setTypedPath('');
    addFiles([typed]);
  }

  async function createGroup(name: string): Promise<void> {
    await props.createGroup!(name);
    setGroups([...(groups ?? []), name]);
  }

  const __ = trans.__.bind(trans);
  const nameProblem = value.model ? modelNameProblem(value.model, __) : null;
  const group = value.model.split('/')[0];
  const unknownGroup =
    nameProblem || !value.model ? null : groupProblem(group, groups, __);
  return (
    <form
      className="jp-modelreg-form"
      data-testid="modelreg-log-form"
      onSubmit={e => e.preventDefault()}
    >
      {props.registryProblem && (
        <div
          className="jp-modelreg-warning"
          role="alert"
          data-testid="modelreg-log-registry-problem"
        >
          {props.registryProblem}
        </div>
      )}
      <label>
        {trans.__('Model (group/name; a new name creates the model)')}
        <input
          className="jp-mod-styled"
          name="model"
          list="jp-modelreg-known-models"
          value={value.model}
          placeholder="group/name"
          aria-invalid={!!(nameProblem || unknownGroup)}
          onChange={e => update({ model: e.target.value.trim() })}
          autoFocus
        />
        <datalist id="jp-modelreg-known-models">
          {props.knownModels.map(m => (
            <option key={m} value={m} />
          ))}
          {(groups ?? []).map(g => (
            <option key={`${g}/`} value={`${g}/`} />
          ))}
        </datalist>
      </label>
      {nameProblem && (
        <div
          className="jp-modelreg-hint jp-modelreg-invalid"
          data-testid="modelreg-model-problem"
        >
          {nameProblem}
        </div>
      )}
      {unknownGroup && (
        <GroupChoice
          trans={trans}
          group={group}
          message={unknownGroup}
          groups={groups ?? []}
          onUse={g =>
            update({ model: `${g}/${value.model.split('/')[1] ?? ''}` })
          }
          onCreate={props.createGroup ? createGroup : undefined}
        />
      )}
      <label>
        {trans.__('Candidate name')}
        <input
          className="jp-mod-styled"
          name="name"
          value={value.name}
          onChange={e => update({ name: e.target.value })}
        />
      </label>
      <label>
        {trans.__('Experiment (optional)')}
        <input
          className="jp-mod-styled"
          name="experiment"
          value={value.experiment}
          onChange={e => update({ experiment: e.target.value })}
        />
      </label>
      <FoundInKernel
        trans={trans}
        found={props.found ?? null}
        note={props.kernelNote}
        selection={value}
        onChange={selection => update(selection)}
      />
      <fieldset className="jp-modelreg-fieldset">
        <legend>
          {trans.__('Files to attach (relative to the notebook)')}
        </legend>
        {value.files.length === 0 && (
          <div className="jp-modelreg-hint">{trans.__('No files chosen.')}</div>
        )}
        <ul
          className="jp-modelreg-chosen-files"
          data-testid="modelreg-chosen-files"
        >
          {value.files.map(f => (
            <li key={f}>
              <code>{f}</code>
              <button
                type="button"
                className="jp-modelreg-icon-button"
                aria-label={trans.__('Remove %1', f)}
                onClick={() =>
                  update({ files: value.files.filter(x => x !== f) })
                }
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        {picking && props.listFolder ? (
          <FilePicker
            trans={trans}
            listFolder={props.listFolder}
            chosen={value.files}
            onAdd={addFiles}
            onClose={() => setPicking(false)}
          />
        ) : (
          <div className="jp-modelreg-row">
            {props.listFolder && (
              <button
                type="button"
                className="jp-mod-styled"
                data-testid="modelreg-browse-files"
                onClick={() => setPicking(true)}
              >
                {trans.__('Choose files…')}
              </button>
            )}
            {!!props.browserSelection?.length && (
              <button
                type="button"
                className="jp-mod-styled"
                data-testid="modelreg-add-browser-selection"
                title={props.browserSelection.join('\n')}
                onClick={() => addFiles(props.browserSelection!)}
              >
                {trans._n(
                  'Add the %1 item selected in the file browser',
                  'Add the %1 items selected in the file browser',
                  props.browserSelection.length
                )}
              </button>
            )}
          </div>
        )}
        <div className="jp-modelreg-row">
          <input
            className="jp-mod-styled"
            name="file"
            ref={pathInput}
            placeholder={trans.__('or type a path, e.g. model.pkl or plots/')}
            aria-label={trans.__('File path to attach')}
            value={typedPath}
            onChange={e => onTyped(e.target.value)}
          />
          <button
            type="button"
            className="jp-mod-styled"
            data-testid="modelreg-add-file"
            disabled={!typedPath.trim()}
            onClick={onAddTyped}
          >
            {trans.__('Add')}
          </button>
        </div>
      </fieldset>
      <label className="jp-modelreg-check">
        <input
          type="checkbox"
          name="attachNotebook"
          checked={value.attachNotebook}
          onChange={e => update({ attachNotebook: e.target.checked })}
        />
        {trans.__('Attach a snapshot of the notebook')}
      </label>
      <label className="jp-modelreg-check">
        <input
          type="checkbox"
          name="attachEnvironment"
          checked={value.attachEnvironment}
          onChange={e => update({ attachEnvironment: e.target.checked })}
        />
        {trans.__('Record the environment (Python, platform, packages)')}
      </label>
    </form>
  );
}

/** The dialog body widget; `getValue()` returns the last state of the form. */
export class LogCandidateBody
  extends ReactWidget
  implements Dialog.IBodyWidget<ILogCandidateValue>
{
  constructor(private _props: Omit<ILogCandidateFormProps, 'onChange'>) {
    super();
    this._value = _props.initial;
    this.addClass('jp-modelreg-dialog-body');
  }

  getValue(): ILogCandidateValue {
    return this._value;
  }

  render(): JSX.Element {
    return (
      <LogCandidateForm {...this._props} onChange={v => (this._value = v)} />
    );
  }

  private _value: ILogCandidateValue;
}
