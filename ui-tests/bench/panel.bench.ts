/**
 * The panel on a sweep (issue 18, item 5): how long, measured in the browser, from a click to the
 * rendered result, over several repetitions. Reported, not asserted: panel-bench.js prints the table
 * from the JSON this writes to ui-tests/.bench/panel-bench.json.
 *
 * Each timing starts at the click event (a capturing listener on the document, `performance.now()`)
 * and ends in the first animation frame whose DOM holds the whole result. Round 0 is the first after
 * the registry started (its code not yet optimised, its caches empty) and is reported apart; the
 * median and max are of the REPEAT rounds after it.
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

/** One timing: the click to the rendered result, and the registry requests made meanwhile. */
interface ISample {
  ms: number;
  /** Path (after /modelreg/api/v1/), start and end, in ms from the click. */
  requests: [string, number, number][];
}

/** From the click on `target` to the first animation frame where everything in `rendered` is there. */
async function timeClick(
  page: IJupyterLabPageFixture,
  target: ReturnType<IJupyterLabPageFixture['locator']>,
  rendered: IRendered[]
): Promise<ISample> {
  await target.waitFor();
  await page.evaluate(wanted => {
    const timing = { start: -1, end: -1 };
    (window as any).modelregBench = timing;
    performance.setResourceTimingBufferSize(10000);
    performance.clearResourceTimings();
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
    { timeout: 120000 }
  );
  return page.evaluate(() => {
    const { start, end } = (window as any).modelregBench;
    const api = '/modelreg/api/v1/';
    const requests = (
      performance.getEntriesByType('resource') as PerformanceResourceTiming[]
    )
      .filter(
        e =>
          e.name.includes(api) && e.startTime >= start && e.responseEnd <= end
      )
      .map(
        e =>
          [
            e.name.slice(e.name.indexOf(api) + api.length),
            Math.round(e.startTime - start),
            Math.round(e.responseEnd - start)
          ] as [string, number, number]
      );
    return { ms: end - start, requests };
  });
}

interface IMeasure {
  name: string;
  target_ms: number | null;
  /** The first round after the registry started (its code and caches cold), kept apart. */
  first_ms: number | null;
  first_requests: ISample['requests'];
  /** The rounds after it. */
  samples_ms: number[];
  /** Per sample: when the last registry response that the result waited for arrived (ms from the click). */
  last_response_ms: number[];
  requests: ISample['requests'][];
}

function measure(name: string, target_ms: number | null = null): IMeasure {
  return {
    name,
    target_ms,
    first_ms: null,
    first_requests: [],
    samples_ms: [],
    last_response_ms: [],
    requests: []
  };
}

/** Round 0 is the first after the registry started; the summary is of the rounds after it. */
function record(m: IMeasure, sample: ISample, round: number): ISample {
  if (round === 0) {
    m.first_ms = sample.ms;
    m.first_requests = sample.requests;
    return sample;
  }
  m.samples_ms.push(sample.ms);
  m.last_response_ms.push(Math.max(0, ...sample.requests.map(r => r[2])));
  m.requests.push(sample.requests);
  return sample;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summary(m: IMeasure) {
  return {
    ...m,
    median_ms: median(m.samples_ms),
    max_ms: Math.max(...m.samples_ms),
    median_last_response_ms: median(m.last_response_ms)
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

  const open = measure('open the model (click -> card)');
  const list = measure(
    `Candidates tab (click -> ${PANEL_PAGE} candidates listed)`
  );
  const runs = measure('Open runs table (click -> first page of rows)');
  const total = measure(
    'model to runs table: the three clicks above, summed',
    1000
  );
  const sort = measure(
    'sort the runs table by a metric (click -> new first row)'
  );
  for (let round = 0; round <= REPEAT; round++) {
    await page.activity.closeAll();
    const back = panel.getByRole('button', { name: 'Back to models' });
    if (await back.isVisible()) {
      await back.click();
    }
    const opened = record(
      open,
      await timeClick(page, row, [
        { selector: `${card} [data-testid="modelreg-overview"]` }
      ]),
      round
    );
    const listed = record(
      list,
      await timeClick(
        page,
        panel.locator('[data-testid="modelreg-tab-candidates"]'),
        [
          {
            selector: `${card} [data-testid="modelreg-candidate"]`,
            count: PANEL_PAGE
          }
        ]
      ),
      round
    );
    const shown = record(
      runs,
      await timeClick(
        page,
        panel.locator('[data-testid="modelreg-open-runs"]'),
        [{ selector: runRows }]
      ),
      round
    );
    record(
      total,
      {
        ms: opened.ms + listed.ms + shown.ms,
        requests: []
      },
      round
    );
    await expect(page.locator(runRows).first()).toBeVisible();
    const top = await page.locator(runRows).first().getAttribute('data-iid');
    const metric = page
      .locator(
        '[data-testid="modelreg-runs-tab"] thead th[data-column^="metrics."]'
      )
      .first()
      .getByRole('button');
    record(
      sort,
      await timeClick(page, metric, [
        {
          selector: runRows,
          firstDiffers: { attribute: 'data-iid', value: top }
        }
      ]),
      round
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
  const compare = measure(
    `compare of ${COMPARE} candidates (click -> tables and sweep plot)`,
    1000
  );
  for (let round = 0; round <= REPEAT; round++) {
    await page.activity.closeAll();
    record(
      compare,
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
      ),
      round
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
