/** The card's line diff and the version page's "what changed", on plain data. */
import { lineDiff } from '../components/card/lineDiff';
import { versionChanges } from '../components/version/versionDiff';

describe('lineDiff', () => {
  it('marks kept, removed and added lines in reading order', () => {
    const diff = lineDiff('a\nb\nc', 'a\nc\nd');
    expect(diff).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'removed', text: 'b' },
      { kind: 'same', text: 'c' },
      { kind: 'added', text: 'd' }
    ]);
  });

  it('treats an empty side as no lines', () => {
    expect(lineDiff('', 'x')).toEqual([{ kind: 'added', text: 'x' }]);
    expect(lineDiff('x', '')).toEqual([{ kind: 'removed', text: 'x' }]);
    expect(lineDiff('', '')).toEqual([]);
  });

  it('keeps the longest common run when a line moves', () => {
    const diff = lineDiff('1\n2\n3\n4', '2\n3\n4\n1');
    expect(diff.filter(l => l.kind === 'same').map(l => l.text)).toEqual([
      '2',
      '3',
      '4'
    ]);
    expect(diff.filter(l => l.kind !== 'same')).toEqual([
      { kind: 'removed', text: '1' },
      { kind: 'added', text: '1' }
    ]);
  });
});

describe('versionChanges', () => {
  const file = (path: string, sha256: string) => ({ path, sha256, size: 1 });
  const metric = (value: number) => ({ value, step: 0, timestamp: 0 });

  it('lists changed params and metrics and files by digest, not what stayed', () => {
    const changes = versionChanges(
      {
        params: { depth: '4', eta: '0.1', old: 'x' },
        metrics: { auc: metric(0.8), logloss: metric(0.4) },
        files: [
          file('model.bin', 'aa'),
          file('README', 'rr'),
          file('gone.txt', 'gg')
        ]
      },
      {
        params: { depth: '6', eta: '0.1', added: 'y' },
        metrics: { auc: metric(0.91), logloss: metric(0.4) },
        files: [
          file('model.bin', 'bb'),
          file('README', 'rr'),
          file('new.txt', 'nn')
        ]
      }
    );
    expect(changes.params).toEqual([
      { key: 'added', before: null, after: 'y' },
      { key: 'depth', before: '4', after: '6' },
      { key: 'old', before: 'x', after: null }
    ]);
    expect(changes.metrics).toEqual([{ key: 'auc', before: 0.8, after: 0.91 }]);
    expect(changes.files.map(f => [f.key, f.status])).toEqual([
      ['gone.txt', 'removed'],
      ['model.bin', 'changed'],
      ['new.txt', 'added']
    ]);
    expect(changes.unchangedFiles).toBe(1);
  });

  it('finds nothing between identical versions', () => {
    const same = {
      params: { a: '1' },
      metrics: { m: metric(1) },
      files: [file('f', 'x')]
    };
    expect(versionChanges(same, same)).toEqual({
      params: [],
      metrics: [],
      files: [],
      unchangedFiles: 1
    });
  });
});
