import { html } from 'htm/preact';
import { useId } from 'preact/hooks';
import { EXTENSION_NAMES, type ExtensionName } from '../../functions/core/extension-names.js';
import { type Availability, budgetSentence, isUnavailable } from '../extension-availability.js';
import { EXTENSION_LABELS, type ExtensionChoice } from '../extension-choice.js';
import { reasonSentence } from '../failure-reasons.js';

/**
 * Which auto-tagging extensions to run, with their minConfidence and maxTags: for uploads and re-runs. An
 * extension `GET /v1/status` calls unavailable is marked "not configured", its help shown on hover or
 * focus (and always its checkbox's description); an extension's last failure and its monthly budget
 * (spent of budget) show under it.
 */
export function ExtensionFields({
  choice,
  onChange,
  legend,
  availability,
}: {
  choice: ExtensionChoice;
  onChange: (choice: ExtensionChoice) => void;
  legend: string;
  availability: Availability;
}) {
  const id = useId();
  const toggle = (name: ExtensionName, on: boolean) =>
    onChange({ ...choice, names: EXTENSION_NAMES.filter((each) => (each === name ? on : choice.names.includes(each))) });
  const number = (field: 'minConfidence' | 'maxTags') => (event: Event) =>
    onChange({ ...choice, [field]: (event.currentTarget as HTMLInputElement).valueAsNumber });
  return html`<fieldset class="extension-fields">
    <legend>${legend}</legend>
    <div class="extension-names">
      ${EXTENSION_NAMES.map((name) => {
        const status = availability[name];
        const unavailable = isUnavailable(availability, name);
        const help = unavailable && status?.help;
        const last = status?.lastFailure;
        const budget = status?.budget;
        const described = [help && `${id}-${name}-help`, last && `${id}-${name}-last`, budget && `${id}-${name}-budget`].filter(Boolean).join(' ');
        return html`<div class="extension-choice" key=${name}>
          <div class="check">
            <input
              id=${`${id}-${name}`}
              type="checkbox"
              checked=${choice.names.includes(name)}
              aria-describedby=${described || undefined}
              onChange=${(event: Event) => toggle(name, (event.currentTarget as HTMLInputElement).checked)}
            />
            <label for=${`${id}-${name}`}>
              ${EXTENSION_LABELS[name].provider} <span class="muted">(${name})</span>
              ${unavailable && html` <span class="not-configured">not configured</span>`}
            </label>
          </div>
          ${help && html`<p id=${`${id}-${name}-help`} class="hint extension-help">${help}</p>`}
          ${
            last &&
            html`<p id=${`${id}-${name}-last`} class="hint extension-last-failure">
              Last failure, ${new Date(last.at).toLocaleString()}: <span class="reason" title=${last.reason}>${reasonSentence(last.reason)}</span>
            </p>`
          }
          ${
            budget &&
            html`<p id=${`${id}-${name}-budget`} class=${`hint extension-budget${budget.spentUsd >= budget.monthlyUsd ? ' spent' : ''}`}>
              Budget: ${budgetSentence(budget)}
            </p>`
          }
        </div>`;
      })}
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
