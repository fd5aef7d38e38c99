/** One model's candidates as the runs table reads them: the server filters, sorts and pages. */
import * as React from 'react';

import { registry, toModelregError } from '../../api';
import { ModelregError } from '../../errors';
import { ICandidate, ICandidateQuery, IPage } from '../../registryTypes';

/** Rows fetched per request: a screenful several times over, well under the server's 500. */
export const RUNS_PAGE = 200;

/**
 * Rows of the first request: two screenfuls, a quarter of the bytes of a full page (20 metrics make
 * a candidate ~2 KB), so the table shows sooner; the next pages are fetched once it is drawn.
 */
export const FIRST_RUNS_PAGE = 50;

/** The table's order until the user sorts: newest first. */
const DEFAULT_ORDER = 'iid DESC';

/**
 * The first page the table shows when opened without a filter or sort. Whoever opens the table may
 * ask for it at once and pass it as `initial.firstPage`, rather than wait for the tab to be drawn.
 */
export function firstRunsPage(fullName: string): Promise<IPage<ICandidate>> {
  const page = registry.listCandidates(fullName, {
    order_by: DEFAULT_ORDER,
    cursor: null,
    limit: FIRST_RUNS_PAGE
  });
  // Its failure is reported by the table that awaits it, not as an unhandled rejection first.
  page.catch(() => undefined);
  return page;
}

export interface IRuns {
  items: ICandidate[];
  /** More pages exist on the server. */
  hasMore: boolean;
  loading: boolean;
  error: ModelregError | null;
  query: ICandidateQuery;
  /** The server's `order_by`, e.g. `metrics.auc DESC`. */
  order: string;
  setQuery: (query: ICandidateQuery) => void;
  setOrder: (order: string) => void;
  more: () => void;
  reload: () => void;
}

interface IRunsState {
  items: ICandidate[];
  cursor: string | null;
  loading: boolean;
  error: ModelregError | null;
}

export function useRuns(
  fullName: string,
  initial: {
    query?: ICandidateQuery;
    order?: string;
    generation?: number;
    /** `firstRunsPage(fullName)`, already asked; used for the first load only. */
    firstPage?: Promise<IPage<ICandidate>>;
  } = {}
): IRuns {
  const [query, setQuery] = React.useState<ICandidateQuery>(
    initial.query ?? {}
  );
  const [order, setOrder] = React.useState(initial.order ?? DEFAULT_ORDER);
  const [tick, setTick] = React.useState(0);
  const [state, setState] = React.useState<IRunsState>({
    items: [],
    cursor: null,
    loading: true,
    error: null
  });
  // Answers to an older query or order are dropped: only the latest request may land.
  const request = React.useRef(0);
  const prefetched = React.useRef(
    initial.query || initial.order ? null : (initial.firstPage ?? null)
  );

  const load = React.useCallback(
    async (cursor: string | null) => {
      const mine = ++request.current;
      setState(s => ({ ...s, loading: true }));
      const early = cursor === null ? prefetched.current : null;
      prefetched.current = null;
      try {
        const page = await (early ??
          registry.listCandidates(fullName, {
            ...query,
            order_by: order,
            cursor,
            limit: cursor ? RUNS_PAGE : FIRST_RUNS_PAGE
          }));
        if (mine !== request.current) {
          return;
        }
        setState(s => ({
          items: cursor ? [...s.items, ...page.items] : page.items,
          cursor: page.next_cursor ?? null,
          loading: false,
          error: null
        }));
      } catch (error) {
        if (mine === request.current) {
          // A refused filter or sort keeps the rows shown, with the reason.
          setState(s => ({
            ...s,
            loading: false,
            error: toModelregError(error)
          }));
        }
      }
    },
    [fullName, query, order]
  );

  React.useEffect(() => {
    void load(null);
  }, [load, tick, initial.generation]);

  return {
    items: state.items,
    hasMore: !!state.cursor,
    loading: state.loading,
    error: state.error,
    query,
    order,
    setQuery,
    setOrder,
    more: () => {
      if (state.cursor && !state.loading) {
        void load(state.cursor);
      }
    },
    reload: () => setTick(t => t + 1)
  };
}
