import { html } from 'htm/preact';
import type { ApiFailure } from '../api.js';

/** An API error as its message and help (`{message, help}`), announced to screen readers as it appears. */
export function ErrorNotice({ failure, onDismiss }: { failure: ApiFailure | undefined; onDismiss?: () => void }) {
  return html`<div class="notice-slot" role="alert">
    ${
      failure &&
      html`<div class="notice notice-error">
        <p class="notice-message">${failure.message}</p>
        ${failure.help && html`<p class="notice-help">${failure.help}</p>`}
        ${onDismiss && html`<button type="button" class="button button-quiet" onClick=${onDismiss}>Dismiss</button>`}
      </div>`
    }
  </div>`;
}
