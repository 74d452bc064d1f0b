import { html } from 'htm/preact';
import { useEffect, useId, useState } from 'preact/hooks';
import { type ApiClient, ApiFailure, type TagPolicy } from '../api.js';
import { draftOf, type PolicyDraft, policyFromDraft } from '../tag-policy.js';
import { ErrorNotice } from './error-notice.js';

const FIELDS: Array<{ field: keyof PolicyDraft; label: string; hint: string }> = [
  { field: 'exclude', label: 'Never suggest', hint: 'One label per line: dropped from every run, matched by any of its names.' },
  { field: 'include', label: 'Suggest only', hint: 'One label per line; empty keeps every label not excluded.' },
  { field: 'synonyms', label: 'Synonyms', hint: 'One per line, provider label = team tag (e.g. Kitten = Cat).' },
];

/**
 * The library's tag policy, edited as lines: exclude, include and synonyms (category filters are shown and
 * kept). Saved with the `updatedAt` read: when someone saved first (409), the newer policy replaces the
 * fields and the unsaved edit stays readable beside it.
 */
export function TagPolicyPanel({ client, failureOf }: { client: ApiClient; failureOf: (error: unknown) => ApiFailure }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [read, setRead] = useState<TagPolicy>();
  const [draft, setDraft] = useState<PolicyDraft>();
  const [failure, setFailure] = useState<ApiFailure>();
  const [unsaved, setUnsaved] = useState<PolicyDraft>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState('');

  const show = (policy: TagPolicy) => {
    setRead(policy);
    setDraft(draftOf(policy));
  };
  useEffect(() => {
    if (!open) return;
    let current = true;
    setFailure(undefined);
    client.getTagPolicy().then(
      (policy) => current && show(policy),
      (error: unknown) => current && setFailure(failureOf(error)),
    );
    return () => {
      current = false;
    };
  }, [client, open]);

  const save = async (event: Event) => {
    event.preventDefault();
    if (!read || !draft) return;
    setDone('');
    setFailure(undefined);
    setUnsaved(undefined);
    const checked = policyFromDraft(read, draft);
    if ('problem' in checked) return setFailure(new ApiFailure(400, checked.problem, 'Fix that line and save again; nothing was saved.'));
    setBusy(true);
    try {
      show(await client.putTagPolicy(checked.policy));
      setDone('Tag policy saved: runs from now on use it. Re-run tagging (or a reapplyPolicy job) to apply it to files tagged before.');
    } catch (error) {
      const refused = failureOf(error);
      if (refused.status === 409) {
        setUnsaved(draft);
        try {
          show(await client.getTagPolicy());
        } catch (reading) {
          setFailure(failureOf(reading));
          return;
        }
        setFailure(
          new ApiFailure(
            409,
            'Someone else saved the tag policy first: theirs is shown below.',
            'Your edit was not saved: apply it again to this version, then save.',
          ),
        );
      } else {
        setFailure(refused);
      }
    } finally {
      setBusy(false);
    }
  };

  const categories = read && [...read.excludeCategories.map((name) => `not ${name}`), ...read.includeCategories.map((name) => `only ${name}`)];
  return html`<section class="panel policy" aria-labelledby=${`${id}-heading`}>
    <div class="policy-head">
      <h2 id=${`${id}-heading`}>Tag policy</h2>
      <button type="button" class="button" aria-expanded=${open ? 'true' : 'false'} aria-controls=${`${id}-form`} onClick=${() => setOpen(!open)}>
        ${open ? 'Close' : 'Edit the tag policy'}
      </button>
    </div>
    <p class="hint">What every run keeps of the providers' labels, and under which names.</p>
    <div id=${`${id}-form`} hidden=${!open}>
      <${ErrorNotice} failure=${failure} onDismiss=${() => setFailure(undefined)}>
        ${
          unsaved &&
          html`<details class="policy-unsaved">
            <summary>Your unsaved edit</summary>
            ${FIELDS.map(({ field, label }) => html`<p key=${field}><strong>${label}:</strong> ${unsaved[field].split('\n').filter(Boolean).join(' · ') || '—'}</p>`)}
          </details>`
        }
      </${ErrorNotice}>
      ${
        draft &&
        html`<form class="policy-form" onSubmit=${save}>
          <div class="policy-fields">
            ${FIELDS.map(
              ({ field, label, hint }) => html`<div class="field field-grow" key=${field}>
                <label class="field-label" for=${`${id}-${field}`}>${label}</label>
                <textarea
                  id=${`${id}-${field}`}
                  class="input input-code policy-text"
                  rows="5"
                  aria-describedby=${`${id}-${field}-hint`}
                  value=${draft[field]}
                  onInput=${(event: Event) => setDraft({ ...draft, [field]: (event.currentTarget as HTMLTextAreaElement).value })}
                ></textarea>
                <p id=${`${id}-${field}-hint`} class="hint">${hint}</p>
              </div>`,
            )}
          </div>
          ${categories && categories.length > 0 && html`<p class="hint">Category filters (kept as they are): ${categories.join(', ')}</p>`}
          <div class="inline-fields">
            <button type="submit" class="button button-primary" disabled=${busy}>${busy ? 'Saving…' : 'Save the policy'}</button>
            <button type="button" class="button button-quiet" disabled=${busy} onClick=${() => read && setDraft(draftOf(read))}>Undo changes</button>
            ${read?.updatedAt && html`<span class="muted">Saved ${new Date(read.updatedAt).toLocaleString()}</span>`}
          </div>
        </form>`
      }
      ${open && !draft && !failure && html`<p class="muted">Loading…</p>`}
      <p class="done" role="status">${done}</p>
    </div>
  </section>`;
}
