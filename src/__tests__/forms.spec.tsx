import * as React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { nullTranslator } from '@jupyterlab/translation';

import {
  ILogCandidateValue,
  LogCandidateForm
} from '../components/LogCandidateForm';
import { IPromoteValue, PromoteForm } from '../components/PromoteForm';

const trans = nullTranslator.load('jupyterlab_modelreg');

describe('LogCandidateForm', () => {
  const initial: ILogCandidateValue = {
    model: '',
    name: 'train',
    experiment: '',
    files: [],
    attachNotebook: true,
    attachEnvironment: true
  };

  it('collects model, name, files and the two switches', async () => {
    const values: ILogCandidateValue[] = [];
    render(
      <LogCandidateForm
        trans={trans}
        initial={initial}
        knownModels={['acme/churn']}
        browseFiles={async () => ['model.pkl', 'plots/roc.png']}
        selectedFiles={() => ['model.pkl', 'data/x.csv']}
        onChange={v => values.push(v)}
      />
    );
    const modelInput = screen.getByLabelText(/Model \(group\/name/);
    fireEvent.change(modelInput, { target: { value: 'acme' } });
    expect(screen.getByText('Use group/name, e.g. acme/churn.')).toBeTruthy();
    fireEvent.change(modelInput, { target: { value: 'acme/churn' } });
    expect(screen.queryByText('Use group/name, e.g. acme/churn.')).toBeNull();

    fireEvent.click(screen.getByTestId('modelreg-browse-files'));
    await screen.findByText('plots/roc.png');
    fireEvent.click(screen.getByText('Add selected in file browser'));
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
      attachEnvironment: false
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

describe('PromoteForm', () => {
  it('suggests the next versions, validates SemVer and warns about the lock', () => {
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
    fireEvent.change(version, { target: { value: '1.3' } });
    expect(screen.getByText(/Use MAJOR.MINOR.PATCH/)).toBeTruthy();
    fireEvent.change(version, { target: { value: '2.0.0-rc.1' } });
    fireEvent.change(screen.getByLabelText('Release notes'), {
      target: { value: 'Better AUC' }
    });
    expect(values[values.length - 1]).toEqual({
      version: '2.0.0-rc.1',
      notes: 'Better AUC'
    });
    expect(screen.getByRole('note').textContent).toContain('will be locked');
  });
});
