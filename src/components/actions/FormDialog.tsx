/** Small forms inside JupyterLab dialogs: fields in, values out; the caller decides what to do. */
import * as React from 'react';
import { Dialog, ReactWidget, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

export interface IFormField {
  name: string;
  label: string;
  value?: string;
  /** Offered choices: a <select> when `strict`, else suggestions of a text input. */
  options?: string[];
  strict?: boolean;
  placeholder?: string;
  required?: boolean;
  multiline?: boolean;
}

export type FormValues = Record<string, string>;

interface IFormProps {
  intro?: string;
  fields: IFormField[];
  onChange: (values: FormValues) => void;
}

function Form(props: IFormProps): JSX.Element {
  const [values, setValues] = React.useState<FormValues>(
    Object.fromEntries(props.fields.map(f => [f.name, f.value ?? '']))
  );
  function update(name: string, value: string): void {
    const next = { ...values, [name]: value };
    setValues(next);
    props.onChange(next);
  }
  return (
    <form className="jp-modelreg-form" onSubmit={e => e.preventDefault()}>
      {props.intro && <p>{props.intro}</p>}
      {props.fields.map(f => {
        const common = {
          className: 'jp-mod-styled',
          name: f.name,
          value: values[f.name],
          required: f.required,
          placeholder: f.placeholder,
          'aria-required': f.required
        };
        const listId =
          f.options && !f.strict ? `jp-modelreg-options-${f.name}` : undefined;
        return (
          <label key={f.name}>
            {f.label}
            {f.strict && f.options ? (
              <select
                {...common}
                onChange={e => update(f.name, e.target.value)}
              >
                {f.options.map(o => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            ) : f.multiline ? (
              <textarea
                {...common}
                rows={3}
                onChange={e => update(f.name, e.target.value)}
              />
            ) : (
              <input
                {...common}
                list={listId}
                onChange={e => update(f.name, e.target.value)}
              />
            )}
            {listId && (
              <datalist id={listId}>
                {f.options!.map(o => (
                  <option key={o} value={o} />
                ))}
              </datalist>
            )}
          </label>
        );
      })}
    </form>
  );
}

class FormBody extends ReactWidget implements Dialog.IBodyWidget<FormValues> {
  constructor(private _props: Omit<IFormProps, 'onChange'>) {
    super();
    this._values = Object.fromEntries(
      _props.fields.map(f => [f.name, f.value ?? ''])
    );
    this.addClass('jp-modelreg-dialog-body');
  }

  getValue(): FormValues {
    return this._values;
  }

  render(): JSX.Element {
    return <Form {...this._props} onChange={v => (this._values = v)} />;
  }

  private _values: FormValues;
}

/**
 * Asks for the fields; resolves to their values, or null when cancelled. Required fields left
 * empty ask again, so the server never sees an empty required value from the panel.
 */
export async function askForm(
  trans: TranslationBundle,
  options: {
    title: string;
    intro?: string;
    fields: IFormField[];
    okLabel: string;
    warn?: boolean;
  }
): Promise<FormValues | null> {
  let fields = options.fields;
  for (;;) {
    const result = await showDialog({
      title: options.title,
      body: new FormBody({ intro: options.intro, fields }),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        options.warn
          ? Dialog.warnButton({ label: options.okLabel })
          : Dialog.okButton({ label: options.okLabel })
      ],
      focusNodeSelector: 'input, select, textarea'
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    const values = result.value;
    const missing = fields.filter(f => f.required && !values[f.name]?.trim());
    if (!missing.length) {
      return values;
    }
    fields = fields.map(f => ({ ...f, value: values[f.name] }));
  }
}

/** A yes/no question whose text names exactly what will happen. */
export async function confirmAction(
  trans: TranslationBundle,
  title: string,
  body: string,
  okLabel: string
): Promise<boolean> {
  const result = await showDialog({
    title,
    body,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label: okLabel })
    ]
  });
  return result.button.accept;
}
