import * as React from 'react';
import { screen, waitFor } from '@testing-library/react';

import { CompareView } from '../components/CompareView';
import { chartFrame, linePath } from '../components/MetricChart';
import { historyLines } from '../components/metricHistory';
import { renderInPanel } from './render';
import { testServers, useTestServer } from './servers';

describe('CompareView', () => {
  const servers = testServers();
  beforeEach(() => useTestServer());

  it('aligns params, highlights the best metric, draws histories and diffs files', async () => {
    const [first, second] = servers.candidates;
    renderInPanel(
      <CompareView model={servers.model} refs={[`c:${first}`, `c:${second}`]} />
    );

    const params = await screen.findByTestId(
      'modelreg-compare-params',
      {},
      { timeout: 10000 }
    );
    const depth = [...params.querySelectorAll('tr')].find(r =>
      r.textContent?.startsWith('max_depth')
    )!;
    expect(depth.getAttribute('data-differs')).toBe('true');
    expect(depth.className).toContain('jp-modelreg-differs');
    const lr = [...params.querySelectorAll('tr')].find(r =>
      r.textContent?.startsWith('lr')
    )!;
    expect(lr.getAttribute('data-differs')).toBe('false');

    const metrics = screen.getByTestId('modelreg-compare-metrics');
    const rows = [...metrics.querySelectorAll('tbody tr')];
    const auc = rows.find(r => r.textContent?.startsWith('auc'))!;
    const aucCells = [...auc.querySelectorAll('td')];
    expect(aucCells[1].getAttribute('data-best')).toBe('true'); // 0.9 beats 0.85
    const logloss = rows.find(r => r.textContent?.startsWith('logloss'))!;
    expect(
      [...logloss.querySelectorAll('td')][1].getAttribute('data-best')
    ).toBe('true'); // lower wins

    // Two items: one parallel-coordinates line each, and a dot each on the scatter.
    const parallel = screen.getByTestId('modelreg-parallel-coordinates');
    expect(
      new Set(
        [...parallel.querySelectorAll('polyline')].map(l =>
          l.getAttribute('data-item')
        )
      ).size
    ).toBe(2);
    const scatter = screen.getByTestId('modelreg-param-scatter');
    expect(scatter.querySelectorAll('circle')).toHaveLength(2);

    const chart = screen.getByTestId('modelreg-metric-chart');
    expect(chart.getAttribute('data-metric')).toBe('auc');
    expect(chart.querySelectorAll('path')).toHaveLength(2);

    const files = screen.getByTestId('modelreg-compare-files');
    const status = (path: string) =>
      [...files.querySelectorAll('tbody tr')]
        .find(r => r.querySelector('th')?.textContent === path)
        ?.getAttribute('data-status');
    expect(status('model.pkl')).toBe('changed');
    expect(status('plots/roc.txt')).toBe('same');
    expect(status('extra.txt')).toBe('added');
  });

  it('shows the registry error for an unknown ref', async () => {
    renderInPanel(
      <CompareView model={servers.model} refs={['c:99999', 'v:9.9.9']} />
    );
    await waitFor(
      () => expect(screen.getByTestId('modelreg-error')).toBeTruthy(),
      { timeout: 10000 }
    );
    expect(
      screen.getByTestId('modelreg-error').getAttribute('data-code')
    ).toMatch(/NOT_FOUND|VALIDATION_ERROR/);
  });
});

describe('chartFrame', () => {
  it('maps steps and values into the box, one path per line', () => {
    const lines = historyLines(
      [
        [
          { step: 0, value: 0, timestamp: 0 },
          { step: 10, value: 1, timestamp: 1 }
        ],
        []
      ],
      ['a', 'b']
    );
    const frame = chartFrame(lines, 144, 138);
    expect(frame.min).toBe(0);
    expect(frame.max).toBe(1);
    // left padding 44, right 10 → x from 44 to 134; top 8, bottom 30 → y from 108 to 8.
    expect(linePath(lines[0], frame)).toBe('M44.0,108.0 L134.0,8.0');
    expect(lines).toHaveLength(1);
  });
});
