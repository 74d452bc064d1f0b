import { html } from 'htm/preact';
import { useCallback, useErrorBoundary, useMemo, useState } from 'preact/hooks';
import { ApiClient, type ApiFailure } from '../api.js';
import { keyStore } from '../key-store.js';
import { KeyForm } from './key-form.js';
import { Library } from './library.js';

/** The key form until a key is entered (no API call before), then the library; a crash shows as a message, never a blank page. */
export function App() {
  const [key, setKey] = useState(keyStore.read);
  const [refused, setRefused] = useState<ApiFailure>();
  const [crash, recover] = useErrorBoundary();
  const client = useMemo(() => (key ? new ApiClient(key) : undefined), [key]);
  const enter = (entered: string) => {
    keyStore.write(entered);
    setRefused(undefined);
    setKey(entered);
  };
  const forget = useCallback((failure?: ApiFailure) => {
    keyStore.clear();
    setRefused(failure);
    setKey(undefined);
  }, []);

  if (crash) {
    return html`<main class="key-page">
      <div class="panel notice notice-error" role="alert">
        <h1 class="notice-message">The page hit an error: ${crash instanceof Error ? crash.message : String(crash)}</h1>
        <p class="notice-help">Go back to the library; if it happens again, reload the page.</p>
        <button type="button" class="button button-primary" onClick=${recover}>Back to the library</button>
      </div>
    </main>`;
  }
  if (!client) return html`<${KeyForm} onKey=${enter} failure=${refused} />`;
  return html`<${Library} client=${client} onForgetKey=${() => forget()} onUnauthorized=${forget} />`;
}
