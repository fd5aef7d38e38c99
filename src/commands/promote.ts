/** "Promote to version": pick the version, confirm the lock, create the locked version. */
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';

import { registry, toModelregError } from '../api';
import { cardApi } from '../cardApi';
import { sectionList } from '../components/card/sectionTitles';
import { promoteInKernel } from '../kernelPromote';
import {
  IPromoteValue,
  PromoteBody,
  promoteProblem
} from '../components/PromoteForm';
import { CommandIDs } from '../commandIds';
import { IVersion } from '../registryTypes';
import { notify } from '../toast';
import { ICommandDeps } from './deps';

export function addPromoteCommand(deps: ICommandDeps): void {
  const { app, trans } = deps;
  app.commands.addCommand(CommandIDs.promote, {
    label: trans.__('Promote Candidate to Version…'),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          model: { type: 'string', description: 'group/name' },
          candidate: { type: 'number', description: 'candidate iid' }
        },
        required: ['model', 'candidate']
      }
    },
    execute: args =>
      promote(deps, String(args.model ?? ''), Number(args.candidate))
  });
}

async function promote(
  deps: ICommandDeps,
  model: string,
  iid: number
): Promise<IVersion | null> {
  const { trans } = deps;
  try {
    const [candidate, versions, card] = await Promise.all([
      registry.getCandidate(model, iid),
      registry.listVersions(model),
      cardApi.getCard(model)
    ]);
    const existingVersions = versions.items.map(v => v.version);
    let initial: IPromoteValue | undefined;
    let chosen: IPromoteValue | null = null;
    // A refused number reopens the form with what was typed (release notes included).
    while (!chosen) {
      const form = await showDialog({
        title: trans.__('Promote to version'),
        body: new PromoteBody({
          trans,
          candidateLabel: `#${iid} ${candidate.name}`,
          suggestions: versions.next_versions,
          // Said before the user tries: the server refuses a release without these.
          requiredMissing: sectionList(
            trans,
            card.completeness.required_missing
          ),
          modelName: model.split('/')[1],
          commit: gitCommit(candidate.provenance),
          existingVersions,
          initial
        }),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.okButton({ label: trans.__('Continue') })
        ],
        focusNodeSelector: 'input[name="version"]'
      });
      if (!form.button.accept || !form.value) {
        return null;
      }
      const problem = promoteProblem(
        form.value,
        existingVersions,
        trans.__.bind(trans)
      );
      if (problem) {
        await showDialog({
          title: trans.__('Check the version'),
          body: problem,
          buttons: [Dialog.okButton({ label: trans.__('Back to the form') })]
        });
        initial = form.value;
      } else {
        chosen = form.value;
      }
    }
    const { version, bump, notes, gitTag } = chosen;
    // A chosen suggestion is sent as `bump`, so the server numbers the version it suggested.
    const number = bump ? { bump } : { version };
    const confirm = await showDialog({
      title: trans.__('Lock version %1?', version),
      body: trans.__(
        'Candidate #%1 becomes version %2 of %3. The version will be locked: its files, params and metrics cannot be changed or deleted afterwards.',
        iid,
        version,
        model
      ),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.warnButton({ label: trans.__('Promote and lock') })
      ]
    });
    if (!confirm.button.accept) {
      return null;
    }
    const created = gitTag
      ? await promoteInKernel(
          deps.notebooks?.currentWidget?.sessionContext.session?.kernel,
          { model, candidate: iid, ...number, notes },
          trans
        )
      : await registry.promote(model, { candidate: iid, ...number, notes });
    notify(
      'success',
      created.git_tag
        ? trans.__(
            '%1 %2 is released and locked; tagged %3 in git.',
            model,
            created.version,
            created.git_tag
          )
        : trans.__('%1 %2 is released and locked.', model, created.version),
      trans,
      {
        autoClose: 8000
      }
    );
    if (deps.model.selected === model) {
      await deps.model.openModel(model, { section: 'versions' });
    }
    return created;
  } catch (e) {
    const error = toModelregError(e);
    await showErrorMessage(
      trans.__('Promotion failed'),
      `${error.message} (${error.code})`
    );
    return null;
  }
}

/** The commit the candidate was trained on, from its provenance (git, else CI). */
function gitCommit(provenance: unknown): string | null {
  const p = (provenance ?? {}) as {
    git?: { commit?: string };
    ci?: { commit?: string };
  };
  return p.git?.commit || p.ci?.commit || null;
}
