import { pullSnippet } from '../pullCode';

describe('pullSnippet', () => {
  it('pulls the exact version', () => {
    const code = pullSnippet({ model: 'acme/churn', ref: '1.2.0' });
    expect(code).toContain('path = modelreg.pull("acme/churn@1.2.0")');
    expect(code).not.toContain('load');
  });

  it('adds a joblib loader for scikit-learn, opening the model file of the version', () => {
    const code = pullSnippet({
      model: 'acme/churn',
      ref: 'production',
      framework: 'scikit-learn',
      files: ['notebook/train.ipynb', 'model.joblib']
    });
    expect(code).toContain('import joblib');
    expect(code).toContain('modelreg.pull("acme/churn@production")');
    expect(code).toContain('model = joblib.load(Path(path) / "model.joblib")');
  });

  it.each([
    ['pytorch', ['net.pt'], 'torch.load(Path(path) / "net.pt"'],
    [
      'onnx',
      ['m.onnx'],
      'onnxruntime.InferenceSession(str(Path(path) / "m.onnx"))'
    ],
    ['pickle', ['m.pkl'], 'pickle.load(f)']
  ])('knows %s', (framework, files, expected) => {
    expect(
      pullSnippet({ model: 'a/b', ref: '1.0.0', framework, files })
    ).toContain(expected);
  });

  it('quotes names so they cannot break out of the string', () => {
    const code = pullSnippet({ model: 'a/b"); import os; ("', ref: '1.0.0' });
    expect(code).toContain('modelreg.pull("a/b\\"); import os; (\\"@1.0.0")');
  });
});

describe('pullSnippet without a framework on the card', () => {
  it('picks the loader from the model file extension', () => {
    const code = pullSnippet({
      model: 'a/b',
      ref: '1.0.0',
      files: ['notebook/t.ipynb', 'model.joblib']
    });
    expect(code).toContain('model = joblib.load(Path(path) / "model.joblib")');
  });

  it('adds no loader when no file is recognised', () => {
    expect(
      pullSnippet({ model: 'a/b', ref: '1.0.0', files: ['weights.bin'] })
    ).not.toContain('load(');
  });

  it('trusts an unknown framework over file extensions', () => {
    expect(
      pullSnippet({
        model: 'a/b',
        ref: '1.0.0',
        framework: 'xgboost',
        files: ['m.pkl']
      })
    ).not.toContain('load(');
  });
});

describe('pullSnippet for models logged with their descriptor', () => {
  it('loads the model, pinned to the version an alias resolved to, the alias as a comment', () => {
    const code = pullSnippet({
      model: 'acme/churn',
      ref: 'production',
      version: '1.2.0',
      files: [
        'models/clf/modelreg.json',
        'models/clf/model.skops',
        'notebook/t.ipynb'
      ]
    });
    expect(code).toBe(
      'import modelreg\n\nmodel = modelreg.load("acme/churn@1.2.0")  # acme/churn@production'
    );
  });

  it('has no comment for an exact version, and one line per model when there are several', () => {
    expect(
      pullSnippet({
        model: 'a/b',
        ref: '1.0.0',
        version: '1.0.0',
        files: ['models/m/modelreg.json']
      })
    ).toBe('import modelreg\n\nmodel = modelreg.load("a/b@1.0.0")');
    const two = pullSnippet({
      model: 'a/b',
      ref: '1.0.0',
      files: ['models/clf/modelreg.json', 'models/2nd-net/modelreg.json']
    });
    expect(two).toContain('clf = modelreg.load("a/b@1.0.0", variable="clf")');
    expect(two).toContain(
      '_2nd_net = modelreg.load("a/b@1.0.0", variable="2nd-net")'
    );
  });

  it('pins file pulls too', () => {
    expect(
      pullSnippet({
        model: 'a/b',
        ref: 'latest',
        version: '2.0.0',
        files: ['w.bin']
      })
    ).toContain('path = modelreg.pull("a/b@2.0.0")  # a/b@latest');
  });
});
