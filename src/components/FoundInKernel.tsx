/**
 * The part of the "Log as candidate" dialog that shows what the kernel holds: trained models (most
 * recently fitted first), metrics and figures, each with a checkbox.
 */
import * as React from 'react';
import { TranslationBundle } from '@jupyterlab/translation';

import { formatMetric } from '../format';
import { IFoundModel, IKernelInspection } from '../kernelEvents';

/** The names ticked in each list. */
export interface IFoundSelection {
  models: string[];
  metrics: string[];
  figures: string[];
}

/** Everything found is ticked at first: models, metrics and figures. */
export function defaultSelection(
  found: IKernelInspection | null
): IFoundSelection {
  return {
    models: found?.models.map(m => m.variable) ?? [],
    metrics: found?.metrics.map(m => m.name) ?? [],
    figures: found?.figures.map(f => f.name) ?? []
  };
}

/** The code a user can run instead, shown when nothing was found. */
export const LOG_FROM_CODE =
  'modelreg.jupyter.log_notebook("group/name", models=["clf"], metrics=["accuracy"])';

export interface IFoundInKernelProps {
  trans: TranslationBundle;
  /** What the kernel reported; null when it could not be asked (see `note`). */
  found: IKernelInspection | null;
  /** Why the kernel was not inspected (e.g. it is busy); shown instead of the lists. */
  note?: string | null;
  selection: IFoundSelection;
  onChange: (selection: IFoundSelection) => void;
}

function shortClass(name: string): string {
  return name.split('.').pop() ?? name;
}

export function FoundInKernel(props: IFoundInKernelProps): JSX.Element {
  const { trans, found, selection } = props;

  function toggle(
    list: keyof IFoundSelection,
    name: string,
    on: boolean
  ): void {
    const current = selection[list].filter(n => n !== name);
    props.onChange({ ...selection, [list]: on ? [...current, name] : current });
  }

  if (!found) {
    return (
      <div
        className="jp-modelreg-hint"
        data-testid="modelreg-found-unavailable"
      >
        {props.note ?? trans.__('The kernel could not be asked what it holds.')}{' '}
        {trans.__('Every model, metric and figure it holds will be logged.')}
      </div>
    );
  }
  const nothing =
    found.models.length === 0 &&
    found.metrics.length === 0 &&
    found.figures.length === 0;
  if (nothing) {
    return (
      <div className="jp-modelreg-hint" data-testid="modelreg-nothing-found">
        {trans.__(
          'No trained models, metrics or figures found in the kernel. Run the cells that train your model and compute its metrics, then log again; or log from code:'
        )}
        <pre className="jp-modelreg-code">
          {'import modelreg.jupyter\n' + LOG_FROM_CODE}
        </pre>
      </div>
    );
  }
  return (
    <>
      <fieldset
        className="jp-modelreg-fieldset"
        data-testid="modelreg-found-models"
      >
        <legend>{trans.__('Models found in the kernel')}</legend>
        {found.models.length === 0 && (
          <div className="jp-modelreg-hint">
            {trans.__(
              'No trained model found. Models are saved with their library (scikit-learn, XGBoost, LightGBM, PyTorch, Keras, statsmodels); name any other object from code: %1',
              LOG_FROM_CODE
            )}
          </div>
        )}
        {found.models.map(m => (
          <ModelChoice
            key={m.variable}
            trans={trans}
            found={m}
            checked={selection.models.includes(m.variable)}
            onChange={on => toggle('models', m.variable, on)}
          />
        ))}
      </fieldset>
      {found.metrics.length > 0 && (
        <fieldset
          className="jp-modelreg-fieldset"
          data-testid="modelreg-found-metrics"
        >
          <legend>{trans.__('Metrics')}</legend>
          {found.metrics.map(m => (
            <label key={m.name} className="jp-modelreg-check">
              <input
                type="checkbox"
                name={`metric:${m.name}`}
                checked={selection.metrics.includes(m.name)}
                onChange={e => toggle('metrics', m.name, e.target.checked)}
              />
              <code>{m.name}</code> = {formatMetric(m.value)}
            </label>
          ))}
        </fieldset>
      )}
      {found.figures.length > 0 && (
        <fieldset
          className="jp-modelreg-fieldset"
          data-testid="modelreg-found-figures"
        >
          <legend>{trans.__('Figures (saved as PNG)')}</legend>
          {found.figures.map(f => (
            <label key={f.name} className="jp-modelreg-check">
              <input
                type="checkbox"
                name={`figure:${f.name}`}
                checked={selection.figures.includes(f.name)}
                onChange={e => toggle('figures', f.name, e.target.checked)}
              />
              <code>{f.name}</code>
              {f.title ? ` — ${f.title}` : ''}
            </label>
          ))}
        </fieldset>
      )}
    </>
  );
}

interface IModelChoiceProps {
  trans: TranslationBundle;
  found: IFoundModel;
  checked: boolean;
  onChange: (checked: boolean) => void;
}

function ModelChoice(props: IModelChoiceProps): JSX.Element {
  const { trans, found: m } = props;
  const params = Object.keys(m.params ?? {}).length;
  return (
    <label
      className="jp-modelreg-check"
      data-testid="modelreg-found-model"
      title={m.class}
    >
      <input
        type="checkbox"
        name={`model:${m.variable}`}
        checked={props.checked}
        onChange={e => props.onChange(e.target.checked)}
      />
      <code>{m.variable}</code> {shortClass(m.class)}{' '}
      <span className="jp-modelreg-muted">
        {[
          `${m.library} ${m.library_version}`.trim(),
          trans._n('%1 param', '%1 params', params),
          m.cell ? trans.__('cell [%1]', m.cell) : ''
        ]
          .filter(Boolean)
          .join(' · ')}
      </span>
    </label>
  );
}
