/** Translated titles and hints of the card's sections. */
import { TranslationBundle } from '@jupyterlab/translation';

import { CardSectionKey } from '../../cardApi';

export function sectionTitle(
  trans: TranslationBundle,
  key: CardSectionKey
): string {
  switch (key) {
    case 'intended_use':
      return trans.__('Intended use');
    case 'out_of_scope':
      return trans.__('Out of scope');
    case 'versioning':
      return trans.__('Versioning');
    case 'training_data':
      return trans.__('Training data');
    case 'evaluation':
      return trans.__('Evaluation');
    case 'deployment':
      return trans.__('Deployment');
    case 'inference':
      return trans.__('Inference');
    case 'retraining':
      return trans.__('Retraining');
    case 'monitoring':
      return trans.__('Monitoring');
    case 'risks':
      return trans.__('Risks');
    case 'owners':
      return trans.__('Owners');
    default:
      // A section this version of the extension does not know yet: its key, readable.
      return key.replace(/_/g, ' ');
  }
}

/** What a good section answers, shown as the editor's placeholder. */
export function sectionHint(
  trans: TranslationBundle,
  key: CardSectionKey
): string {
  switch (key) {
    case 'intended_use':
      return trans.__('What is the model for, and who uses it?');
    case 'out_of_scope':
      return trans.__('Uses the model is not meant or tested for.');
    case 'versioning':
      return trans.__('What makes a major, a minor and a patch version.');
    case 'training_data':
      return trans.__('Which data, which period, how it was prepared.');
    case 'evaluation':
      return trans.__('Metrics, test data, results.');
    case 'deployment':
      return trans.__('Where it runs and how it gets there.');
    case 'inference':
      return trans.__(
        'Batch or online, hardware, latency budget, input and output schema.'
      );
    case 'retraining':
      return trans.__('Trigger, cadence, owner.');
    case 'monitoring':
      return trans.__('What is watched, thresholds, dashboards.');
    case 'risks':
      return trans.__('Known limitations, biases and failure modes.');
    case 'owners':
      return trans.__('Who to ask, who is on call.');
    default:
      return '';
  }
}

/** "intended_use, risks" as translated titles. */
export function sectionList(
  trans: TranslationBundle,
  keys: CardSectionKey[]
): string {
  return keys.map(k => sectionTitle(trans, k)).join(', ');
}
