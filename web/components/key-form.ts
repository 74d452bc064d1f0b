import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { ApiFailure } from '../api.js';
import { ErrorNotice } from './error-notice.js';

/** Asks for the private key once per tab; nothing is sent before it is entered. */
export function KeyForm({ onKey, failure }: { onKey: (key: string) => void; failure: ApiFailure | undefined }) {
  const [key, setKey] = useState('');
  const submit = (event: Event) => {
    event.preventDefault();
    if (key.trim()) onKey(key.trim());
  };
  return html`<main class="key-page">
    <form class="panel key-form" onSubmit=${submit}>
      <h1 class="key-title"><img class="logo" src="/assets/favicon.svg" alt="" width="32" height="32" /> aitags media library</h1>
      <p>Enter the private API key to browse, search, upload and tag files.</p>
      <p class="hint">It stays in this browser tab only (session storage) and is sent to this server alone, as the HTTP Basic username.</p>
      <${ErrorNotice} failure=${failure} />
      <label class="field-label" for="private-key">Private key</label>
      <input
        id="private-key"
        class="input"
        type="password"
        autocomplete="off"
        spellcheck=${false}
        required
        value=${key}
        onInput=${(event: Event) => setKey((event.currentTarget as HTMLInputElement).value)}
      />
      <button type="submit" class="button button-primary">Open the library</button>
    </form>
  </main>`;
}
