import { html } from 'htm/preact';

export const SEARCH_HELP_ID = 'search-help';

/** Opens the syntax help and moves focus to it: a query error links here. */
export function openSearchHelp(event: Event) {
  event.preventDefault();
  const help = document.getElementById(SEARCH_HELP_ID);
  if (!(help instanceof HTMLDetailsElement)) return;
  help.open = true;
  help.querySelector('summary')?.focus();
}

/**
 * The search language in short, in the page (its full reference, docs/search-query.md, is in the
 * repository, which the page cannot link to over the network).
 */
export function SearchHelp() {
  return html`<details id=${SEARCH_HELP_ID} class="search-help">
    <summary>Search syntax</summary>
    <p>
      Words find the files that have every one of them as a tag, user or AI, in any case: <code>cat dog</code>. Quote a tag with spaces:
      <code>"red dress"</code>.
    </p>
    <p>
      Text with <code>=</code>, <code>:</code>, <code>${'<'}</code>, <code>></code>, brackets, parentheses or a keyword in capitals
      (<code>AND</code>, <code>OR</code>, <code>NOT</code>, <code>IN</code>, <code>HAS</code>, <code>EXISTS</code>) is a query, sent as
      written. A term is a field, an operator and a value; strings take double quotes.
    </p>
    <dl class="search-fields">
      <dt><code>tags</code>, <code>AITags</code>, <code>"AITags.aws-auto-tagging"</code></dt>
      <dd><code>= "cat"</code>, <code>IN ["cat", "dog"]</code>, <code>NOT IN [...]</code></dd>
      <dt><code>name</code></dt>
      <dd><code>= "a.jpg"</code>, <code>: "beach"</code> (begins with), <code>HAS "red dress"</code></dd>
      <dt><code>path</code></dt>
      <dd><code>= "/shoots/"</code> (that folder), <code>: "/shoots/"</code> (and below)</dd>
      <dt><code>createdAt</code>, <code>updatedAt</code></dt>
      <dd><code>> "7d"</code> (last 7 days), <code>${'<'} "2024-05-01"</code></dd>
      <dt><code>size</code>, <code>width</code>, <code>height</code></dt>
      <dd><code>${'<'} "1mb"</code>, <code>>= 1920</code></dd>
      <dt><code>format</code>, <code>private</code>, <code>"customMetadata.key"</code></dt>
      <dd><code>IN ["jpg", "png"]</code>, <code>= true</code>, <code>EXISTS</code></dd>
    </dl>
    <p><code>tags IN ["summer", "beach"] AND (createdAt > "7d" OR size ${'<'} "1mb")</code></p>
    <p class="hint">
      The whole language: docs/search-query.md in the aitags repository (README, "Find files by their tags").
    </p>
  </details>`;
}
