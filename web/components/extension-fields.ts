import { html } from 'htm/preact';
import { useId } from 'preact/hooks';
import { EXTENSION_NAMES, type ExtensionName } from '../../functions/core/extension-names.js';
import { EXTENSION_LABELS, type ExtensionChoice } from '../extension-choice.js';

/** Which auto-tagging extensions to run, with their minConfidence and maxTags: for uploads and re-runs. */
export function ExtensionFields({
  choice,
  onChange,
  legend,
}: {
  choice: ExtensionChoice;
  onChange: (choice: ExtensionChoice) => void;
  legend: string;
}) {
  const id = useId();
  const toggle = (name: ExtensionName, on: boolean) =>
    onChange({ ...choice, names: EXTENSION_NAMES.filter((each) => (each === name ? on : choice.names.includes(each))) });
  const number = (field: 'minConfidence' | 'maxTags') => (event: Event) =>
    onChange({ ...choice, [field]: (event.currentTarget as HTMLInputElement).valueAsNumber });
  return html`<fieldset class="extension-fields">
    <legend>${legend}</legend>
    <div class="extension-names">
      ${EXTENSION_NAMES.map(
        (name) => html`<div class="check" key=${name}>
          <input
            id=${`${id}-${name}`}
            type="checkbox"
            checked=${choice.names.includes(name)}
            onChange=${(event: Event) => toggle(name, (event.currentTarget as HTMLInputElement).checked)}
          />
          <label for=${`${id}-${name}`}>${EXTENSION_LABELS[name].provider} <span class="muted">(${name})</span></label>
        </div>`,
      )}
    </div>
    <div class="extension-limits">
      <div class="field">
        <label class="field-label" for=${`${id}-min`}>Min. confidence (%)</label>
        <input id=${`${id}-min`} class="input input-number" type="number" min="0" max="100" step="1" value=${choice.minConfidence} onInput=${number('minConfidence')} />
      </div>
      <div class="field">
        <label class="field-label" for=${`${id}-max`}>Max. tags each</label>
        <input id=${`${id}-max`} class="input input-number" type="number" min="0" max="30" step="1" value=${choice.maxTags} onInput=${number('maxTags')} />
      </div>
    </div>
  </fieldset>`;
}
