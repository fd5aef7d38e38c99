/**
 * The Log and Promote dialogs say what is wrong as the user types, before anything is sent, and never
 * lose what was typed (issue 19, "Errors that help").
 */
import * as React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { nullTranslator } from '@jupyterlab/translation';

import { registry } from '../api';
import {
  ILogCandidateValue,
  LogCandidateForm,
  logFormProblem
} from '../components/LogCandidateForm';
import { PromoteForm, promoteProblem } from '../components/PromoteForm';
import { NAME_MAX_LENGTH } from '../generated/names';
import { modelNameProblem } from '../modelName';
import { registryCall, useTestServer } from './servers';

const trans = nullTranslator.load('jupyterlab_modelreg');
const __ = trans.__.bind(trans);

const initial: ILogCandidateValue = {
  model: '',
  name: 'train',
  experiment: 'sweep',
  files: ['model.pkl'],
  attachNotebook: true,
  attachEnvironment: true,
  models: [],
  metrics: [],
  figures: []
};

function modelInput(): HTMLInputElement {
  return screen.getByPlaceholderText('group/name') as HTMLInputElement;
}

describe('model names', () => {
  it('names the problem: the length, the characters refused, the missing group', () => {
    const long = 'x'.repeat(104);
    expect(modelNameProblem(`demo/${long}`, __)).toBe(
      `The model name is 104 characters long; the registry takes at most ${NAME_MAX_LENGTH}.`
    );
    expect(modelNameProblem('demo/Cancer Clf!', __)).toBe(
      'The model name "Cancer Clf!" contains space, "!": use only letters, digits, ".", "_" and "-".'
    );
    expect(modelNameProblem('churn', __)).toBe(
      'Write the model as group/name, e.g. acme/churn.'
    );
    expect(modelNameProblem('my group/churn', __)).toContain(
      'The group name "my group"'
    );
    expect(modelNameProblem('_x/churn', __)).toContain(
      'must start with a letter or a digit'
    );
    expect(modelNameProblem('acme/churn-v2.1_b', __)).toBeNull();
    // The same rule as the server's: the longest name it takes passes.
    expect(
      modelNameProblem(`acme/${'x'.repeat(NAME_MAX_LENGTH)}`, __)
    ).toBeNull();
  });

  it('the Log dialog shows the problem as the name is typed', () => {
    render(
      <LogCandidateForm
        trans={trans}
        initial={initial}
        knownModels={[]}
        onChange={() => undefined}
      />
    );
    fireEvent.change(modelInput(), { target: { value: 'demo/Cancer Clf!' } });
    expect(screen.getByTestId('modelreg-model-problem').textContent).toContain(
      'contains space, "!"'
    );
    expect(modelInput().getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(modelInput(), { target: { value: 'demo/cancer-clf' } });
    expect(screen.queryByTestId('modelreg-model-problem')).toBeNull();
  });
});

describe('an unknown group in the Log dialog', () => {
  beforeEach(() => useTestServer());

  it('offers the groups the user can log to, keeping what was typed', () => {
    const values: ILogCandidateValue[] = [];
    render(
      <LogCandidateForm
        trans={trans}
        initial={initial}
        knownModels={[]}
        writableGroups={['acme', 'team']}
        onChange={v => values.push(v)}
      />
    );
    fireEvent.change(modelInput(), { target: { value: 'nope/churn' } });
    const warning = screen.getByTestId('modelreg-unknown-group');
    expect(warning.textContent).toContain('cannot log to the group "nope"');
    expect(
      logFormProblem(values[values.length - 1], ['acme', 'team'], __)
    ).toContain('"nope"');
    fireEvent.click(screen.getByRole('button', { name: 'Use team' }));
    expect(modelInput().value).toBe('team/churn');
    expect(screen.queryByTestId('modelreg-unknown-group')).toBeNull();
    expect(values[values.length - 1]).toMatchObject({
      model: 'team/churn',
      name: 'train',
      experiment: 'sweep',
      files: ['model.pkl']
    });
    expect(
      logFormProblem(values[values.length - 1], ['acme', 'team'], __)
    ).toBeNull();
  });

  it('creates the typed group in the registry without closing the form', async () => {
    const group = `made${Date.now().toString(36)}`;
    render(
      <LogCandidateForm
        trans={trans}
        initial={{ ...initial, model: `${group}/churn` }}
        knownModels={[]}
        writableGroups={[]}
        createGroup={async name => {
          await registry.createGroup(name);
        }}
        onChange={() => undefined}
      />
    );
    fireEvent.click(screen.getByTestId('modelreg-create-group'));
    await waitFor(
      () =>
        expect(
          screen.queryByTestId('modelreg-unknown-group')?.textContent ?? null
        ).toBeNull(),
      { timeout: 30000 }
    );
    expect(modelInput().value).toBe(`${group}/churn`);
    const created = await registryCall('GET', `groups/${group}`);
    expect(created.name).toBe(group);
  });

  it('says at once when the registry is not answering', () => {
    render(
      <LogCandidateForm
        trans={trans}
        initial={initial}
        knownModels={[]}
        registryProblem="The model registry at http://127.0.0.1:1 is not answering."
        onChange={() => undefined}
      />
    );
    expect(
      screen.getByTestId('modelreg-log-registry-problem').textContent
    ).toContain('not answering');
  });
});

describe('a version that exists in the Promote dialog', () => {
  it('is flagged as it is typed, and the release notes stay', () => {
    const existing = ['1.0.0', '1.1.0'];
    const values: any[] = [];
    render(
      <PromoteForm
        trans={trans}
        candidateLabel="#3 xgb"
        suggestions={{ patch: '1.1.1', minor: '1.2.0', major: '2.0.0' }}
        existingVersions={existing}
        onChange={v => values.push(v)}
      />
    );
    fireEvent.change(screen.getByLabelText('Release notes'), {
      target: { value: 'Better AUC' }
    });
    const version = screen.getByLabelText('Version (SemVer)');
    fireEvent.change(version, { target: { value: '1.1.0' } });
    expect(screen.getByTestId('modelreg-version-exists').textContent).toBe(
      'Version 1.1.0 already exists: choose another number.'
    );
    expect(version.getAttribute('aria-invalid')).toBe('true');
    expect(promoteProblem(values[values.length - 1], existing, __)).toContain(
      'already exists'
    );
    fireEvent.change(version, { target: { value: '1.1.5' } });
    expect(screen.queryByTestId('modelreg-version-exists')).toBeNull();
    expect(values[values.length - 1]).toMatchObject({
      version: '1.1.5',
      notes: 'Better AUC'
    });
  });

  it('reopens with what was typed', () => {
    render(
      <PromoteForm
        trans={trans}
        candidateLabel="#3 xgb"
        suggestions={{ patch: '1.1.1', minor: '1.2.0', major: '2.0.0' }}
        existingVersions={['1.1.0']}
        initial={{
          version: '1.1.0',
          bump: null,
          notes: 'Kept notes',
          gitTag: false
        }}
        onChange={() => undefined}
      />
    );
    expect(
      (screen.getByLabelText('Release notes') as HTMLTextAreaElement).value
    ).toBe('Kept notes');
    expect(screen.getByTestId('modelreg-version-exists')).toBeTruthy();
  });
});
