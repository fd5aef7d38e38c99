/**
 * The panel on a sweep (issue 18, item 5): how long, measured in the browser, from a click to the
 * rendered result, over several repetitions. Reported, not asserted: panel-bench.js prints the table
 * from the JSON this writes to ui-tests/.bench/panel-bench.json.
 *
 * Each timing starts at the click event (a capturing listener on the document, `performance.now()`)
 * and ends in the first animation frame whose DOM holds the whole result.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { panelSettings } from '../tests/registry';
import { benchCompare, benchRepeat, benchShape } from './panel-shape';

const MODEL = 'bench/m0';
const shape = benchShape();
const REPEAT = benchRepeat();
const COMPARE = Math.min(benchCompare(), shape.candidatesPerModel);
/** The panel's candidate list page (settings' default pageSize). */
const PANEL_PAGE = Math.min(25, shape.candidatesPerModel);

test.use({ mockSettings: panelSettings('bench') });
test.setTimeout(30 * 60 * 1000);

/** What must all be in the DOM for the result to count as rendered. */
interface IRendered {
  selector: string;
  /** At least this many matches (1). */
  count?: number;
  /** The first match's attribute must differ from this value (e.g. the top row after a sort). */
  firstDiffers?: { attribute: string; value: string | null };
}

/** Milliseconds from the click on `target` to the first frame where everything in `rendered` is there. */
async function timeClick(
  page: IJupyterLabPageFixture,
  target: ReturnType<IJupyterLabPageFixture['locator']>,
  rendered: IRendered[]
): Promise<number> {
  await target.waitFor();
  await page.evaluate(wanted => {
    const timing = { start: -1, end: -1 };
    (window as any).modelregBench = timing;
    const done = () =>
      wanted.every(w => {
        const found = document.querySelectorAll(w.selector);
        if (found.length < (w.count ?? 1)) {
          return false;
        }
        return (
          !w.firstDiffers ||
          found[0].getAttribute(w.firstDiffers.attribute) !==
            w.firstDiffers.value
        );
      });
    document.addEventListener(
      'click',
      () => {
        timing.start = performance.now();
        const frame = () => {
          if (done()) {
            timing.end = performance.now();
          } else {
            requestAnimationFrame(frame);
          }
        };
        requestAnimationFrame(frame);
      },
      { capture: true, once: true }
    );
  }, rendered);
  await target.click();
  await page.waitForFunction(
    () => (window as any).modelregBench.end >= 0,
    null,
    {
      timeout: 120000
    }
  );
  return page.evaluate(
    () =>
      (window as any).modelregBench.end - (window as any).modelregBench.start
  );
}

interface IMeasure {
  name: string;
  target_ms: number | null;
  samples_ms: number[];
}

function summary(m: IMeasure) {
  const sorted = [...m.samples_ms].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return {
    ...m,
    median_ms: median,
    max_ms: sorted[sorted.length - 1]
  };
}

const loadAverage = () =>
  os
    .loadavg()
    .map(n => n.toFixed(2))
    .join(' / ');

test('the panel on a sweep: open the model, its runs table, compare', async ({
  page
}) => {
  const loadBefore = loadAverage();
  const panelTab = page.sidebar.openTab('jp-modelreg-panel');
  await panelTab;
  const panel = page.locator('[data-testid="modelreg-panel"]');
  const row = panel.locator(
    `[data-testid="modelreg-model-row"][data-model="${MODEL}"]`
  );
  await expect(row).toBeVisible({ timeout: 60000 });
  const card = `[data-testid="modelreg-card"][data-model="${MODEL}"]`;
  const runRows =
    '[data-testid="modelreg-runs-tab"] [data-testid="modelreg-run"]';

  const open: IMeasure = {
    name: 'open the model (click -> card)',
    target_ms: null,
    samples_ms: []
  };
  const list: IMeasure = {
    name: `Candidates tab (click -> ${PANEL_PAGE} candidates listed)`,
    target_ms: null,
    samples_ms: []
  };
  const runs: IMeasure = {
    name: 'Open runs table (click -> first page of rows)',
    target_ms: null,
    samples_ms: []
  };
  const total: IMeasure = {
    name: 'model to runs table: the three clicks above, summed',
    target_ms: 1000,
    samples_ms: []
  };
  const sort: IMeasure = {
    name: 'sort the runs table by a metric (click -> new first row)',
    target_ms: null,
    samples_ms: []
  };
  for (let i = 0; i < REPEAT; i++) {
    await page.activity.closeAll();
    const back = panel.getByRole('button', { name: 'Back to models' });
    if (await back.isVisible()) {
      await back.click();
    }
    open.samples_ms.push(
      await timeClick(page, row, [
        { selector: `${card} [data-testid="modelreg-overview"]` }
      ])
    );
    list.samples_ms.push(
      await timeClick(
        page,
        panel.locator('[data-testid="modelreg-tab-candidates"]'),
        [
          {
            selector: `${card} [data-testid="modelreg-candidate"]`,
            count: PANEL_PAGE
          }
        ]
      )
    );
    runs.samples_ms.push(
      await timeClick(
        page,
        panel.locator('[data-testid="modelreg-open-runs"]'),
        [{ selector: runRows }]
      )
    );
    total.samples_ms.push(
      open.samples_ms[i] + list.samples_ms[i] + runs.samples_ms[i]
    );
    await expect(page.locator(runRows).first()).toBeVisible();
    const top = await page.locator(runRows).first().getAttribute('data-iid');
    const metric = page
      .locator(
        '[data-testid="modelreg-runs-tab"] thead th[data-column^="metrics."]'
      )
      .first()
      .getByRole('button');
    sort.samples_ms.push(
      await timeClick(page, metric, [
        {
          selector: runRows,
          firstDiffers: { attribute: 'data-iid', value: top }
        }
      ])
    );
  }

  // Tick the first COMPARE candidates of the panel's list, loading pages as needed (not timed).
  await page.activity.closeAll();
  const boxes = panel.locator(
    `${card} [data-testid="modelreg-candidate"] input[type="checkbox"]`
  );
  while ((await boxes.count()) < COMPARE) {
    const before = await boxes.count();
    await panel.getByRole('button', { name: 'Load more candidates' }).click();
    await expect.poll(() => boxes.count()).toBeGreaterThan(before);
  }
  for (let i = 0; i < COMPARE; i++) {
    await boxes.nth(i).check();
  }
  const compareView = '[data-testid="modelreg-compare"]';
  const compare: IMeasure = {
    name: `compare of ${COMPARE} candidates (click -> tables and sweep plot)`,
    target_ms: 1000,
    samples_ms: []
  };
  for (let i = 0; i < REPEAT; i++) {
    await page.activity.closeAll();
    compare.samples_ms.push(
      await timeClick(
        page,
        panel.locator('[data-testid="modelreg-compare-button"]'),
        [
          // The key column and one column per candidate.
          {
            selector: `${compareView} [data-testid="modelreg-compare-params"] thead th`,
            count: COMPARE + 1
          },
          {
            selector: `${compareView} [data-testid="modelreg-compare-metrics"] tbody tr`,
            count: shape.metricsPerCandidate
          },
          {
            selector: `${compareView} [data-testid="modelreg-parallel-coordinates"] polyline`,
            count: COMPARE
          }
        ]
      )
    );
  }
  await page.activity.closeAll();

  const result = {
    when: new Date().toISOString(),
    shape,
    repeat: REPEAT,
    model: MODEL,
    host: {
      cpus: os.cpus().length,
      load_before: loadBefore,
      load_after: loadAverage()
    },
    results: [open, list, runs, total, sort, compare].map(summary)
  };
  const out =
    process.env.MODELREG_BENCH_OUT ||
    path.join(__dirname, '..', '.bench', 'panel-bench.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2));
});
