/**
 * What a reload gives back: the model open in the panel with its section, and the compare tabs.
 * The panel's place is JupyterLab's state database; the compare tabs are the layout restorer's.
 */
import { ILayoutRestorer } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { IStateDB } from '@jupyterlab/statedb';

import { CommandIDs } from './commandIds';
import { CompareWidget } from './compareWidget';
import { PageWidget } from './pageWidget';
import { CardSection, PanelState } from './panelState';

const PANEL_KEY = 'jupyterlab-modelreg:panel';

/** The compare tabs open in the main area, as the layout restorer tracks them. */
export type CompareTabs = WidgetTracker<MainAreaWidget<CompareWidget>>;

export function compareTabs(): CompareTabs {
  return new WidgetTracker<MainAreaWidget<CompareWidget>>({
    namespace: 'jupyterlab-modelreg-compare'
  });
}

/** Reopens the compare tabs of the last session by running "Compare" again with their refs. */
export function restoreCompareTabs(
  restorer: ILayoutRestorer,
  tabs: CompareTabs
): void {
  void restorer.restore(tabs, {
    command: CommandIDs.compare,
    args: widget => ({
      model: widget.content.model,
      refs: [...widget.content.refs]
    }),
    name: widget => `${widget.content.model}:${widget.content.refs.join(',')}`
  });
}

/** The candidate pages and runs tables open in the main area, one tracker per reopening command. */
export interface IPageTabs {
  candidates: WidgetTracker<MainAreaWidget<PageWidget>>;
  runs: WidgetTracker<MainAreaWidget<PageWidget>>;
}

export function pageTabs(): IPageTabs {
  return {
    candidates: new WidgetTracker({
      namespace: 'jupyterlab-modelreg-candidate'
    }),
    runs: new WidgetTracker({ namespace: 'jupyterlab-modelreg-runs' })
  };
}

/** Reopens the candidate pages and runs tables of the last session with the commands that opened them. */
export function restorePageTabs(
  restorer: ILayoutRestorer,
  tabs: IPageTabs
): void {
  for (const [tracker, command] of [
    [tabs.candidates, CommandIDs.openCandidate],
    [tabs.runs, CommandIDs.openRuns]
  ] as const) {
    void restorer.restore(tracker, {
      command,
      args: widget => widget.content.reopen?.args ?? {},
      name: widget => JSON.stringify(widget.content.reopen?.args ?? {})
    });
  }
}

/** The part of the panel a reload brings back. */
export interface IPanelPlace {
  model: string | null;
  section: CardSection;
}

export function panelPlace(model: PanelState): IPanelPlace {
  return { model: model.selected, section: model.section };
}

/**
 * Reopens the model and section saved last time, then saves them whenever they change. Waits for
 * `ready` (the app restored), so the panel's first refresh does not race the reopening.
 */
export async function restorePanelPlace(
  state: IStateDB,
  model: PanelState,
  ready: Promise<unknown>
): Promise<void> {
  await ready;
  const saved = (await state.fetch(PANEL_KEY).catch(() => undefined)) as
    IPanelPlace | undefined;
  if (saved?.model && !model.selected) {
    await model.openModel(saved.model, { section: saved.section });
  }
  let last = JSON.stringify(panelPlace(model));
  model.changed.connect(() => {
    const place = panelPlace(model);
    const text = JSON.stringify(place);
    if (text !== last) {
      last = text;
      void state.save(PANEL_KEY, {
        model: place.model,
        section: place.section
      });
    }
  });
}
