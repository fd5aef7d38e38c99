/**
 * "Open candidate", "Open runs table" and "Open the notebook snapshot": a candidate's page and a
 * model's runs table as main-area tabs (one per candidate or model, reused), and a candidate's
 * notebook snapshot opened as a notebook.
 */
import * as React from 'react';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';

import { artifactPath, modelPath, registry, requestAPI } from '../api';
import { CommandIDs } from '../commandIds';
import { CandidatePage } from '../components/candidate/CandidatePage';
import { RunsTable } from '../components/runs/RunsTable';
import { firstRunsPage } from '../components/runs/useRuns';
import { PageWidget } from '../pageWidget';
import { ICommandDeps } from './deps';

const modelArg = { type: 'string', description: 'group/name' };
const candidateArg = { type: 'number', description: 'the candidate number' };

export function addCandidateCommands(deps: ICommandDeps): void {
  const { app, trans } = deps;
  const open = new Map<string, MainAreaWidget<PageWidget>>();
  const context = () => ({
    model: deps.model,
    commands: app.commands,
    trans,
    rendermime: deps.rendermime
  });
  const isOpen = (key: string) => {
    const widget = open.get(key);
    return !!widget && !widget.isDisposed;
  };
  const show = (
    key: string,
    title: { label: string; caption: string },
    testId: string,
    page: () => JSX.Element,
    reopen: { command: string; args: { [key: string]: string | number } }
  ) => {
    let widget = open.get(key);
    if (!widget || widget.isDisposed) {
      const content = new PageWidget(page, context(), testId, reopen);
      widget = new MainAreaWidget({ content });
      widget.id = `jp-modelreg-page-${open.size}-${Date.now()}`;
      widget.title.label = title.label;
      widget.title.caption = title.caption;
      widget.title.closable = true;
      widget.addClass(testId.replace('modelreg-', 'jp-modelreg-'));
      open.set(key, widget);
      app.shell.add(widget, 'main');
      const tabs = deps.pageTabs;
      void (
        reopen.command === CommandIDs.openRuns ? tabs?.runs : tabs?.candidates
      )?.add(widget);
    }
    app.shell.activateById(widget.id);
    return widget;
  };
  /** The model named in the args, else the one open in the panel. */
  const modelOf = (args: { model?: unknown }) =>
    String(args.model ?? deps.model.selected ?? '');

  app.commands.addCommand(CommandIDs.openCandidate, {
    label: args =>
      args.candidate
        ? trans.__('Open Candidate #%1', String(args.candidate))
        : trans.__('Open Candidate'),
    describedBy: {
      args: {
        type: 'object',
        properties: { model: modelArg, candidate: candidateArg },
        required: ['model', 'candidate']
      }
    },
    execute: args => {
      const model = modelOf(args);
      const iid = Number(args.candidate);
      return show(
        `c:${model}#${iid}`,
        {
          label: trans.__('%1 #%2', model, iid),
          caption: trans.__('Candidate #%1 of %2', iid, model)
        },
        'modelreg-candidate-tab',
        () => React.createElement(CandidatePage, { fullName: model, iid }),
        { command: CommandIDs.openCandidate, args: { model, candidate: iid } }
      );
    }
  });

  app.commands.addCommand(CommandIDs.openRuns, {
    label: trans.__('Open Runs Table'),
    caption: trans.__("The open model's candidates as a table"),
    describedBy: {
      args: { type: 'object', properties: { model: modelArg } }
    },
    isEnabled: args => !!modelOf(args),
    execute: async args => {
      const fullName = modelOf(args);
      const key = `r:${fullName}`;
      // The rows are what the user waits for: asked at once, while the model and the tab come, and
      // only for a new tab (an open one keeps its rows). The panel's open card already has the model.
      const firstPage = isOpen(key) ? undefined : firstRunsPage(fullName);
      // Building the tab holds the main thread for tens of ms (more on a loaded machine): let the
      // request leave first (two turns of the event loop: axios sends it from a promise callback).
      for (let turn = 0; turn < 2; turn++) {
        await new Promise(resolve => setTimeout(resolve, 0));
      }
      const card = deps.model.card.value;
      const info =
        card?.model.full_name === fullName
          ? card.model
          : await registry.getModel(fullName);
      return show(
        key,
        {
          label: trans.__('%1 runs', fullName),
          caption: trans.__('Candidates of %1', fullName)
        },
        'modelreg-runs-tab',
        () => React.createElement(RunsTable, { fullName, info, firstPage }),
        { command: CommandIDs.openRuns, args: { model: fullName } }
      );
    }
  });

  app.commands.addCommand(CommandIDs.openSnapshot, {
    label: trans.__('Open the Notebook Snapshot in JupyterLab'),
    describedBy: {
      args: {
        type: 'object',
        properties: { model: modelArg, candidate: candidateArg },
        required: ['model', 'candidate']
      }
    },
    execute: async args => {
      const fullName = modelOf(args);
      const iid = Number(args.candidate);
      const candidate = await registry.getCandidate(fullName, iid);
      const snapshot = candidate.provenance?.notebook?.snapshot;
      if (!snapshot) {
        throw new Error(
          trans.__('Candidate #%1 has no notebook snapshot.', iid)
        );
      }
      const content = await requestAPI<Record<string, unknown>>(
        `${modelPath(fullName)}/candidates/${iid}/artifacts/${artifactPath(snapshot)}`
      );
      // A copy beside the user's notebooks, named after the run, so it opens like any notebook
      // and the user's own file is never overwritten.
      const stem = PathExt.basename(snapshot, '.ipynb');
      const path = `${stem} (${fullName.replace('/', '-')} candidate ${iid}).ipynb`;
      const contents = app.serviceManager.contents;
      const exists = await contents.get(path, { content: false }).then(
        () => true,
        () => false
      );
      if (!exists) {
        await contents.save(path, {
          type: 'notebook',
          format: 'json',
          content
        });
      }
      return app.commands.execute('docmanager:open', { path });
    }
  });
}
