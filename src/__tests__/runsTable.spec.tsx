/**
 * The runs table: which columns it suggests, how it groups, and, against the real registry, that
 * the server sorts and filters it, the column choice is remembered per model, groups collapse,
 * only the rows in view are drawn and a first page asked before the table was drawn is the one shown.
 */
import * as React from 'react';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within
} from '@testing-library/react';

import { RunsTable } from '../components/runs/RunsTable';
import {
  FIRST_RUNS_PAGE,
  firstRunsPage,
  RUNS_PAGE
} from '../components/runs/useRuns';
import {
  columnsNamedIn,
  defaultColumns,
  groupByExperiment,
  orderBy,
  parseOrder
} from '../components/runs/runColumns';
import { registry } from '../api';
import { PanelState } from '../panelState';
import { ICandidate } from '../registryTypes';
import { renderInPanel } from './render';
import { freshModel, registryCall, useTestServer } from './servers';

const run = (iid: number, experiment: string | null) =>
  ({ iid, experiment, metrics: {}, params: {} }) as unknown as ICandidate;

describe('runs table columns', () => {
  it('reads the metric and param keys an expression or sort names', () => {
    expect(
      columnsNamedIn("metrics.roc_auc > 0.95 and params.depth = '6'")
    ).toEqual(['metrics.roc_auc', 'params.depth']);
    expect(columnsNamedIn('metrics.`val loss` ASC')).toEqual([
      'metrics.val loss'
    ]);
    expect(columnsNamedIn('status = "failed"')).toEqual([]);
  });

  it('suggests the sorted/filtered metrics, else those the card evaluation names, else the first few', () => {
    const available = [
      'metrics.accuracy',
      'metrics.f1',
      'metrics.loss',
      'metrics.val_auc',
      'metrics.zeta',
      'params.depth'
    ] as const;
    expect(
      defaultColumns({
        available: [...available],
        order: 'metrics.val_auc DESC',
        filter: 'metrics.f1 > 0.5'
      })
    ).toEqual(['metrics.val_auc', 'metrics.f1']);
    expect(
      defaultColumns({
        available: [...available],
        evaluation: '| metric | value |\n| val_auc | 0.97 |'
      })
    ).toEqual(['metrics.val_auc']);
    expect(
      defaultColumns({ available: [...available], goals: ['loss'] })
    ).toEqual(['metrics.loss']);
    expect(defaultColumns({ available: [...available] })).toEqual([
      'metrics.accuracy',
      'metrics.f1',
      'metrics.loss',
      'metrics.val_auc'
    ]);
  });

  it('groups by experiment in the order of the sort and drops collapsed rows', () => {
    const rows = [run(5, 'b'), run(4, 'a'), run(3, 'b'), run(2, null)];
    expect(
      groupByExperiment(rows, new Set()).map(l =>
        l.kind === 'group' ? `${l.experiment}:${l.count}` : l.candidate.iid
      )
    ).toEqual(['b:2', 5, 3, 'a:1', 4, 'null:1', 2]);
    expect(
      groupByExperiment(rows, new Set(['b'])).map(l =>
        l.kind === 'group' ? `${l.experiment}` : l.candidate.iid
      )
    ).toEqual(['b', 'a', 4, 'null', 2]);
  });

  it('writes the order the server reads, quoting odd keys, and reads it back', () => {
    expect(orderBy('metrics.auc', 'desc')).toBe('metrics.auc DESC');
    expect(orderBy('metrics.val loss', 'asc')).toBe('metrics.`val loss` ASC');
    expect(orderBy('created_at', 'asc')).toBe('created_at ASC');
    expect(parseOrder('metrics.`val loss` ASC')).toEqual({
      column: 'metrics.val loss',
      dir: 'asc'
    });
    expect(parseOrder(undefined)).toEqual({ column: 'iid', dir: 'desc' });
  });
});

/** `count` candidates: experiment a (odd) or b (even), auc rising with iid, depth 3 or 6, lr. */
async function sweep(count: number): Promise<string> {
  const fullName = await freshModel('runs');
  for (let start = 1; start <= count; start += 25) {
    const batch = [];
    for (let i = start; i < Math.min(start + 25, count + 1); i++) {
      batch.push(i);
    }
    // In order, so iid i has auc i / 1000.
    for (const i of batch) {
      await registryCall('POST', `models/${fullName}/candidates`, {
        name: `run-${i}`,
        experiment: i % 2 ? 'a' : 'b',
        metrics: [
          { key: 'auc', value: i / 1000 },
          { key: 'loss', value: 1 - i / 1000 }
        ],
        params: { depth: i % 3 ? '3' : '6', lr: '0.01' }
      });
    }
  }
  return fullName;
}

const shownIids = () =>
  screen
    .queryAllByTestId('modelreg-run')
    .map(r => Number(r.getAttribute('data-iid')));

const headers = () =>
  screen
    .getByTestId('modelreg-runs-table')
    .querySelectorAll('thead th[data-column]');

describe('RunsTable against the registry', () => {
  beforeEach(() => useTestServer());

  it('sorts and filters on the server, remembers columns per model, collapses groups', async () => {
    const fullName = await sweep(12);
    const info = await registry.getModel(fullName);
    const model = new PanelState();
    renderInPanel(<RunsTable fullName={fullName} info={info} />, { model });
    await waitFor(() => expect(shownIids()).toHaveLength(12));
    // Newest first, grouped: b's even iids, then a's odd ones.
    expect(shownIids()).toEqual([12, 10, 8, 6, 4, 2, 11, 9, 7, 5, 3, 1]);
    expect([...headers()].map(h => h.getAttribute('data-column'))).toEqual([
      'iid',
      'name',
      'status',
      'experiment',
      'created_at',
      'metrics.auc',
      'metrics.loss'
    ]);

    fireEvent.click(within(headers()[5] as HTMLElement).getByRole('button'));
    await waitFor(() =>
      expect(headers()[5].getAttribute('aria-sort')).toBe('descending')
    );
    await waitFor(() => expect(shownIids()[0]).toBe(12));
    fireEvent.click(within(headers()[5] as HTMLElement).getByRole('button'));
    await waitFor(() => expect(shownIids()[0]).toBe(1));
    expect(headers()[5].getAttribute('aria-sort')).toBe('ascending');

    // Sorted by name (as text): run-1, run-10, run-11, run-12 lead group a/b in that order.
    fireEvent.click(within(headers()[1] as HTMLElement).getByRole('button'));
    await waitFor(() => expect(shownIids().slice(0, 3)).toEqual([1, 11, 3]));

    fireEvent.change(screen.getByTestId('modelreg-candidate-filter'), {
      target: { value: 'metrics.auc > 0.009' }
    });
    fireEvent.submit(screen.getByRole('search'));
    await waitFor(() =>
      expect([...shownIids()].sort((a, b) => a - b)).toEqual([10, 11, 12])
    );
    // The filtered metric is what the suggested columns show.
    expect([...headers()].map(h => h.getAttribute('data-column'))).toContain(
      'metrics.auc'
    );

    fireEvent.change(screen.getByTestId('modelreg-candidate-filter'), {
      target: { value: 'metrics.auc >' }
    });
    fireEvent.submit(screen.getByRole('search'));
    await screen.findByRole('alert');
    expect(shownIids()).toHaveLength(3);

    // Choose a param column: remembered for this model.
    fireEvent.click(screen.getByText(/Columns \(/));
    fireEvent.click(screen.getByLabelText('params.depth'));
    expect(model.runColumns.get(fullName)).toEqual([
      'metrics.auc',
      'params.depth'
    ]);
    await waitFor(() =>
      expect(
        screen
          .getAllByTestId('modelreg-run')[0]
          .querySelector('[data-column="params.depth"]')?.textContent
      ).toMatch(/^[36]$/)
    );

    const groups = screen.getAllByTestId('modelreg-run-group');
    const first = within(groups[0]).getByRole('button');
    expect(first.getAttribute('aria-expanded')).toBe('true');
    const before = shownIids().length;
    fireEvent.click(first);
    expect(first.getAttribute('aria-expanded')).toBe('false');
    expect(shownIids().length).toBeLessThan(before);
  });

  it('shows the first page asked before it was drawn; a sort asks the server again', async () => {
    const fullName = await sweep(3);
    const info = await registry.getModel(fullName);
    const firstPage = firstRunsPage(fullName);
    await firstPage;
    // Logged after that page was answered: only a new request can show it.
    await registryCall('POST', `models/${fullName}/candidates`, {
      name: 'late'
    });
    renderInPanel(
      <RunsTable fullName={fullName} info={info} firstPage={firstPage} />,
      { model: new PanelState() }
    );
    await waitFor(() => expect(shownIids()).toHaveLength(3));
    expect([...shownIids()].sort()).toEqual([1, 2, 3]);

    fireEvent.click(within(headers()[1] as HTMLElement).getByRole('button'));
    await waitFor(() => expect(shownIids()).toHaveLength(4));
  });

  it('draws only the rows in view and fetches the next page as the user scrolls', async () => {
    // The small first page fills the view, so the next one follows at once; the third needs a scroll.
    const loaded = FIRST_RUNS_PAGE + RUNS_PAGE;
    const count = loaded + 30;
    const fullName = await sweep(count);
    const info = await registry.getModel(fullName);
    renderInPanel(<RunsTable fullName={fullName} info={info} />, {
      model: new PanelState()
    });
    await waitFor(() =>
      expect(screen.getByTestId('modelreg-runs-table').textContent).toContain(
        `${loaded} candidates loaded`
      )
    );
    // 600 px of 30 px rows and 20 overscan: far fewer rows than loaded.
    expect(shownIids().length).toBeLessThan(60);
    const scroller = screen.getByTestId('modelreg-runs-scroll');
    await act(async () => {
      scroller.scrollTop = 30 * (loaded + 2);
      fireEvent.scroll(scroller);
    });
    await waitFor(() =>
      expect(screen.getByTestId('modelreg-runs-table').textContent).toContain(
        `${count} candidates`
      )
    );
    expect(shownIids()).toContain(1);
    expect(shownIids().length).toBeLessThan(80);
  }, 240000);
});
