/** Loads something when its inputs change, for the parts of the card loaded on demand. */
import * as React from 'react';

import { toModelregError } from '../api';
import { ModelregError } from '../errors';

export interface IAsyncState<T> {
  value: T | null;
  loading: boolean;
  error: ModelregError | null;
  reload: () => void;
}

export function useAsync<T>(
  load: () => Promise<T>,
  deps: React.DependencyList
): IAsyncState<T> {
  const [state, setState] = React.useState<Omit<IAsyncState<T>, 'reload'>>({
    value: null,
    loading: true,
    error: null
  });
  const [tick, setTick] = React.useState(0);
  React.useEffect(() => {
    let live = true;
    setState(s => ({ ...s, loading: true, error: null }));
    load().then(
      value => live && setState({ value, loading: false, error: null }),
      error =>
        live &&
        setState({ value: null, loading: false, error: toModelregError(error) })
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = React.useCallback(() => setTick(t => t + 1), []);
  return { ...state, reload };
}
