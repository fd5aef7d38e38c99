import {
  formatBytes,
  formatMetric,
  formatShortDate,
  openableNotebookPath,
  shortDigest
} from '../format';
import { buildTree } from '../components/FilesSection';

describe('format', () => {
  it('formats sizes', () => {
    expect(formatBytes(12)).toBe('12 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
  });

  it('shows a table date as its time when it is today, else as its date', () => {
    const now = new Date(2026, 11, 3, 14, 30);
    const earlier = new Date(2026, 11, 3, 11, 26).toISOString();
    const lastWeek = new Date(2026, 10, 26, 9, 7).toISOString();
    const today = formatShortDate(earlier, now);
    expect(today).toBe(
      new Date(earlier).toLocaleString(undefined, { timeStyle: 'short' })
    );
    expect(today).not.toBe(
      new Date(earlier).toLocaleString(undefined, { dateStyle: 'short' })
    );
    expect(formatShortDate(lastWeek, now)).toBe(
      new Date(lastWeek).toLocaleString(undefined, { dateStyle: 'short' })
    );
    expect(formatShortDate(lastWeek, now)).not.toContain(':07');
    expect(formatShortDate('', now)).toBe('');
    expect(formatShortDate('not a date', now)).toBe('not a date');
  });

  it('opens recorded notebook paths only inside the server root', () => {
    expect(openableNotebookPath('work/train.ipynb', '/home/me')).toBe(
      'work/train.ipynb'
    );
    expect(openableNotebookPath('/home/me/work/train.ipynb', '/home/me/')).toBe(
      'work/train.ipynb'
    );
    expect(
      openableNotebookPath('/home/other/train.ipynb', '/home/me')
    ).toBeNull();
    expect(
      openableNotebookPath('/home/meow/train.ipynb', '/home/me')
    ).toBeNull();
    expect(openableNotebookPath('/tmp/train.ipynb', '')).toBeNull();
  });

  it('formats metrics', () => {
    expect(formatMetric(0.912345)).toBe('0.9123');
    expect(formatMetric(3)).toBe('3');
    expect(formatMetric(null)).toBe('–');
  });

  it('shortens digests', () => {
    expect(shortDigest('a'.repeat(64))).toBe('a'.repeat(12));
  });
});

describe('buildTree', () => {
  it('nests files by folder', () => {
    const tree = buildTree([
      { path: 'model.pkl', sha256: '1', size: 1 },
      { path: 'plots/roc.png', sha256: '2', size: 2 },
      { path: 'plots/deep/pr.png', sha256: '3', size: 3 }
    ]);
    expect(tree.files.map(f => f.path)).toEqual(['model.pkl']);
    const plots = tree.folders.get('plots')!;
    expect(plots.files.map(f => f.path)).toEqual(['plots/roc.png']);
    expect(plots.folders.get('deep')!.files.map(f => f.path)).toEqual([
      'plots/deep/pr.png'
    ]);
  });
});
