/**
 * The registry's rule for group and model names, checked in the forms before anything is sent. The
 * rule itself comes from the server's schema (src/generated/names.ts, written by `make api-types`).
 */
import { NAME_MAX_LENGTH, NAME_PATTERN } from './generated/names';

const NAME = new RegExp(NAME_PATTERN);

type Translate = (text: string, ...args: any[]) => string;

/** What is wrong with one name (a group's or a model's), in the user's words; null when it is valid. */
export function nameProblem(
  name: string,
  what: string,
  __: Translate
): string | null {
  if (NAME.test(name)) {
    return null;
  }
  if (!name) {
    return __('The %1 name is empty.', what);
  }
  if (name.length > NAME_MAX_LENGTH) {
    return __(
      'The %1 name is %2 characters long; the registry takes at most %3.',
      what,
      name.length,
      NAME_MAX_LENGTH
    );
  }
  const refused = [...new Set(name.replace(/[A-Za-z0-9._-]/g, ''))];
  if (refused.length) {
    const shown = refused.map(c => (c === ' ' ? __('space') : `"${c}"`));
    return __(
      'The %1 name "%2" contains %3: use only letters, digits, ".", "_" and "-".',
      what,
      name,
      shown.join(', ')
    );
  }
  return __(
    'The %1 name "%2" must start with a letter or a digit.',
    what,
    name
  );
}

/** What is wrong with `group/name`; null when both parts are valid names. */
export function modelNameProblem(
  fullName: string,
  __: Translate
): string | null {
  const parts = fullName.split('/');
  if (parts.length !== 2) {
    return __('Write the model as group/name, e.g. acme/churn.');
  }
  return (
    nameProblem(parts[0], __('group'), __) ??
    nameProblem(parts[1], __('model'), __)
  );
}
