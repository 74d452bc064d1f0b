import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import type { ApiFailure } from '../api.js';

/** An API error as its message and help (`{message, help}`), and what the page adds, announced as it appears. */
export function ErrorNotice({
  failure,
  onDismiss,
  children,
}: {
  failure: ApiFailure | undefined;
  onDismiss?: () => void;
  children?: ComponentChildren;
}) {
  return html`<div class="notice-slot" role="alert">
    ${
      failure &&
      html`<div class="notice notice-error">
        <p class="notice-message">${failure.message}</p>
        ${failure.help && html`<p class="notice-help">${failure.help}</p>`}
        ${children}
        ${onDismiss && html`<button type="button" class="button button-quiet" onClick=${onDismiss}>Dismiss</button>`}
      </div>`
    }
  </div>`;
}
