import * as React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { nullTranslator } from '@jupyterlab/translation';

import {
  ILogCandidateValue,
  LogCandidateForm
} from '../components/LogCandidateForm';
import { IPromoteValue, PromoteForm } from '../components/PromoteForm';
import { cellsSummary } from '../components/ExecutedCells';
import { defaultSelection } from '../components/FoundInKernel';
import { IKernelInspection } from '../kernelEvents';
import { IExecutedCells } from '../registryTypes';

const trans = nullTranslator.load('jupyterlab_modelreg');

describe('LogCandidateForm', () => {
  const initial: ILogCandidateValue = {
    model: '',
    name: 'train',
    experiment: '',
    files: [],
    attachNotebook: true,
    attachEnvironment: true,
    models: [],
    metrics: [],
    figures: []
  };

  it('collects model, name, files and the two switches', async () => {
    const values: ILogCandidateValue[] = [];
    render(
      <LogCandidateForm
        trans={trans}
        initial={initial}
        knownModels={['acme/churn']}
        listFolder={async folder =>
          folder === ''
            ? [
                { name: 'plots', path: 'plots/', directory: true },
                { name: 'model.pkl', path: 'model.pkl', directory: false }
              ]
            : [{ name: 'roc.png', path: 'plots/roc.png', directory: false }]
        }
        browserSelection={['model.pkl', 'data/x.csv']}
        onChange={v => values.push(v)}
      />
    );
    const modelInput = screen.getByLabelText(/Model \(group\/name/);
    fireEvent.change(modelInput, { target: { value: 'acme' } });
    expect(
      screen.getByText('Write the model as group/name, e.g. acme/churn.')
    ).toBeTruthy();
    fireEvent.change(modelInput, { target: { value: 'acme/churn' } });
    expect(
      screen.queryByText('Write the model as group/name, e.g. acme/churn.')
    ).toBeNull();

    // The picker is part of the form (a second dialog would wait behind this one).
    fireEvent.click(screen.getByTestId('modelreg-browse-files'));
    fireEvent.click(await screen.findByLabelText('Attach model.pkl'));
    fireEvent.click(screen.getByText('plots/'));
    fireEvent.click(await screen.findByLabelText('Attach plots/roc.png'));
    fireEvent.click(screen.getByTestId('modelreg-file-picker-add'));
    await screen.findByText('plots/roc.png', { selector: 'code' });
    expect(
      (screen.getByLabelText('Attach plots/roc.png') as HTMLInputElement)
        .disabled
    ).toBe(true);
    fireEvent.click(screen.getByText('Done'));
    fireEvent.click(
      screen.getByText('Add the 2 items selected in the file browser')
    );
    fireEvent.change(screen.getByLabelText('File path to attach'), {
      target: { value: 'extra/' }
    });
    fireEvent.click(
      screen.getByLabelText(
        'Record the environment (Python, platform, packages)'
      )
    );

    // A path still in the box counts, so pressing Enter in the dialog does not lose it.
    expect(values[values.length - 1]).toEqual({
      model: 'acme/churn',
      name: 'train',
      experiment: '',
      files: ['model.pkl', 'plots/roc.png', 'data/x.csv', 'extra/'],
      attachNotebook: true,
      attachEnvironment: false,
      models: [],
      metrics: [],
      figures: []
    });

    fireEvent.click(screen.getByTestId('modelreg-add-file'));
    fireEvent.click(screen.getByRole('button', { name: 'Remove model.pkl' }));
    expect(values[values.length - 1].files).toEqual([
      'plots/roc.png',
      'data/x.csv',
      'extra/'
    ]);
  });
});

describe('LogCandidateForm with what the kernel holds', () => {
  const initial: ILogCandidateValue = {
    model: 'acme/churn',
    name: 'train',
    experiment: '',
    files: [],
    attachNotebook: true,
    attachEnvironment: true,
    models: [],
    metrics: [],
    figures: []
  };
  const found: IKernelInspection = {
    models: [
      {
        variable: 'clf',
        flavor: 'sklearn',
        class: 'sklearn.ensemble._forest.RandomForestClassifier',
        library: 'scikit-learn',
        library_version: '1.9.1',
        params: { n_estimators: 20, max_depth: 4 },
        size_estimate: 1000,
        cell: 5
      },
      {
        variable: 'old',
        flavor: 'sklearn',
        class: 'sklearn.linear_model.LogisticRegression',
        library: 'scikit-learn',
        library_version: '1.9.1',
        params: {},
        size_estimate: 10,
        cell: 2
      }
    ],
    metrics: [{ name: 'accuracy', value: 0.9736, variable: 'accuracy' }],
    figures: [{ name: 'fig', axes: 1, title: 'ROC' }],
    datasets: []
  };

  it('lists the models in the order found, metrics and figures, all ticked; unticking drops one', () => {
    const values: ILogCandidateValue[] = [];
    render(
      <LogCandidateForm
        trans={trans}
        initial={{ ...initial, ...defaultSelection(found) }}
        knownModels={[]}
        found={found}
        onChange={v => values.push(v)}
      />
    );
    const models = screen.getAllByTestId('modelreg-found-model');
    expect(models.map(m => m.textContent)).toEqual([
      'clf RandomForestClassifier scikit-learn 1.9.1 · 2 params · cell [5]',
      'old LogisticRegression scikit-learn 1.9.1 · 0 params · cell [2]'
    ]);
    expect(screen.getByTestId('modelreg-found-metrics').textContent).toContain(
      'accuracy = 0.9736'
    );
    expect(screen.getByTestId('modelreg-found-figures').textContent).toContain(
      'fig — ROC'
    );
    fireEvent.click(screen.getByRole('checkbox', { name: /^old/ }));
    expect(values[values.length - 1]).toMatchObject({
      models: ['clf'],
      metrics: ['accuracy'],
      figures: ['fig']
    });
  });

  it('says when nothing was found and how to log from code', () => {
    render(
      <LogCandidateForm
        trans={trans}
        initial={initial}
        knownModels={[]}
        found={{ models: [], metrics: [], figures: [], datasets: [] }}
        onChange={() => undefined}
      />
    );
    const text = screen.getByTestId('modelreg-nothing-found').textContent;
    expect(text).toContain(
      'No trained models, metrics or figures found in the kernel'
    );
    expect(text).toContain(
      'modelreg.jupyter.log_notebook("group/name", models=["clf"]'
    );
  });
});

describe('cellsSummary', () => {
  it('reads like "cells 1, 2, 5, 3 ran; cell 3 edited since"', () => {
    const cells: IExecutedCells = {
      executed: [],
      order: [1, 2, 5, 3],
      out_of_order: true,
      edited_since_run: [3],
      not_run: [],
      not_in_notebook: [],
      notebook_differs: true
    };
    expect(cellsSummary(cells, trans)).toBe(
      'cells 1, 2, 5, 3 ran (out of order); cell 3 edited since'
    );
    expect(
      cellsSummary(
        { ...cells, order: [1], out_of_order: false, edited_since_run: [] },
        trans
      )
    ).toBe('cell 1 ran');
  });
});

describe('PromoteForm', () => {
  it("offers the server's next versions, sends the chosen one as bump and warns about the lock", () => {
    const values: IPromoteValue[] = [];
    render(
      <PromoteForm
        trans={trans}
        candidateLabel="#3 xgb"
        suggestions={{ patch: '1.2.1', minor: '1.3.0', major: '2.0.0' }}
        onChange={v => values.push(v)}
      />
    );
    const version = screen.getByLabelText(
      'Version (SemVer)'
    ) as HTMLInputElement;
    expect(version.value).toBe('1.2.1');
    fireEvent.click(screen.getByTestId('modelreg-bump-minor'));
    expect(version.value).toBe('1.3.0');
    expect(values[values.length - 1]).toMatchObject({
      version: '1.3.0',
      bump: 'minor'
    });
    // A typed version is sent as it is (the server validates it), no longer as a bump.
    fireEvent.change(version, { target: { value: '2.0.0-rc.1' } });
    fireEvent.change(screen.getByLabelText('Release notes'), {
      target: { value: 'Better AUC' }
    });
    expect(values[values.length - 1]).toEqual({
      version: '2.0.0-rc.1',
      bump: null,
      notes: 'Better AUC',
      gitTag: false
    });
    expect(screen.getByRole('note').textContent).toContain('will be locked');
    // No commit in the candidate's provenance: nothing to tag, no checkbox.
    expect(screen.queryByTestId('modelreg-promote-git-tag')).toBeNull();
  });

  it('before a first release offers 0.1.0 first and no patch', () => {
    const values: IPromoteValue[] = [];
    render(
      <PromoteForm
        trans={trans}
        candidateLabel="#1 first"
        suggestions={{ patch: null, minor: '0.1.0', major: '1.0.0' }}
        onChange={v => values.push(v)}
      />
    );
    const version = screen.getByLabelText(
      'Version (SemVer)'
    ) as HTMLInputElement;
    expect(version.value).toBe('0.1.0');
    expect(screen.queryByTestId('modelreg-bump-patch')).toBeNull();
    fireEvent.click(screen.getByTestId('modelreg-bump-major'));
    expect(values[values.length - 1]).toMatchObject({
      version: '1.0.0',
      bump: 'major'
    });
  });

  it('offers "Tag in git" with the GTO tag name when the candidate has a commit', () => {
    const values: IPromoteValue[] = [];
    render(
      <PromoteForm
        trans={trans}
        candidateLabel="#3 xgb"
        suggestions={{ patch: '1.2.1', minor: '1.3.0', major: '2.0.0' }}
        modelName="churn"
        commit="0123456789abcdef0123"
        onChange={v => values.push(v)}
      />
    );
    const box = screen.getByTestId('modelreg-promote-git-tag');
    expect(box.parentElement?.textContent).toContain('churn@v1.2.1');
    expect(box.parentElement?.textContent).toContain('0123456789ab');
    fireEvent.click(box);
    expect(values[values.length - 1]).toMatchObject({
      version: '1.2.1',
      gitTag: true
    });
  });
});

describe('the Log dialog', () => {
  it('adds a typed path on Enter instead of accepting the dialog', async () => {
    const { Dialog } = await import('@jupyterlab/apputils');
    const { LogCandidateBody } = await import('../components/LogCandidateForm');
    const body = new LogCandidateBody({
      trans,
      initial: {
        model: 'acme/churn',
        name: 'train',
        experiment: '',
        files: [],
        attachNotebook: true,
        attachEnvironment: true,
        models: [],
        metrics: [],
        figures: []
      },
      knownModels: []
    });
    const dialog = new Dialog({
      title: 'Log as candidate',
      body,
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Log' })]
    });
    let settled = false;
    const result = dialog.launch().then(r => {
      settled = true;
      return r;
    });
    const input = (await screen.findByLabelText(
      'File path to attach'
    )) as HTMLInputElement;
    input.focus();
    fireEvent.change(input, { target: { value: 'model.pkl' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await new Promise(resolve => setTimeout(resolve, 0));

    expect(settled).toBe(false);
    expect(input.value).toBe('');
    expect(screen.getByTestId('modelreg-chosen-files').textContent).toContain(
      'model.pkl'
    );

    dialog.resolve(1);
    expect((await result).value?.files).toEqual(['model.pkl']);
  });
});
