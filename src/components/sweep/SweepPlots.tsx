/** The sweep plots of a compare: parallel coordinates and a param-vs-metric scatter. */
import * as React from 'react';

import { ICompareResult } from '../../registryTypes';
import { usePanel } from '../context';
import { ParallelCoordinates } from './ParallelCoordinates';
import { ParamScatter } from './ParamScatter';
import { sweepAxes } from './sweepAxes';

export interface ISweepPlotsProps {
  result: ICompareResult;
  labels: string[];
}

/** Nothing to plot for one item, or without metrics; the scatter needs a param that varied. */
export function SweepPlots(props: ISweepPlotsProps): JSX.Element | null {
  const { trans } = usePanel();
  const axes = sweepAxes(props.result);
  const params = axes.filter(a => a.kind === 'param');
  const metrics = axes.filter(a => a.kind === 'metric');
  if (props.result.items.length < 2 || metrics.length === 0) {
    return null;
  }
  return (
    <>
      <h3>{trans.__('Sweep')}</h3>
      <div className="jp-modelreg-charts" data-testid="modelreg-sweep">
        {axes.length > 1 && (
          <ParallelCoordinates axes={axes} labels={props.labels} />
        )}
        {params.length > 0 && (
          <ParamScatter
            params={params}
            metrics={metrics}
            labels={props.labels}
          />
        )}
      </div>
    </>
  );
}
