/** Renders a view inside the panel's context, the way ModelregPanel does. */
import * as React from 'react';
import { render, RenderResult } from '@testing-library/react';
import { CommandRegistry } from '@lumino/commands';
import {
  RenderMimeRegistry,
  standardRendererFactories
} from '@jupyterlab/rendermime';
import { nullTranslator } from '@jupyterlab/translation';
import { marked } from 'marked';

import { IPanelContext, PanelContext } from '../components/context';
import { PanelState } from '../panelState';

/** A rendermime registry with a real markdown parser, like JupyterLab's. */
export function testRendermime(): RenderMimeRegistry {
  return new RenderMimeRegistry({
    initialFactories: standardRendererFactories,
    markdownParser: {
      render: async (source: string) => marked.parse(source) as string
    }
  });
}

export function renderInPanel(
  ui: React.ReactElement,
  context: Partial<IPanelContext> = {}
): RenderResult & { context: IPanelContext } {
  const value: IPanelContext = {
    model: context.model ?? new PanelState(),
    commands: context.commands ?? new CommandRegistry(),
    trans: context.trans ?? nullTranslator.load('jupyterlab_modelreg'),
    rendermime:
      context.rendermime === undefined ? testRendermime() : context.rendermime
  };
  const result = render(
    <PanelContext.Provider value={value}>{ui}</PanelContext.Provider>
  );
  return { ...result, context: value };
}

/** Records the commands a view executes, with their arguments. */
export function recordingCommands(ids: string[]): {
  commands: CommandRegistry;
  calls: [string, any][];
} {
  const commands = new CommandRegistry();
  const calls: [string, any][] = [];
  for (const id of ids) {
    commands.addCommand(id, { execute: args => void calls.push([id, args]) });
  }
  return { commands, calls };
}
