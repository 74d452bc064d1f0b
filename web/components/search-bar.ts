import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { SearchReading } from '../search-box.js';
import { SORTS } from '../sorts.js';
import { openSearchHelp, SEARCH_HELP_ID, SearchHelp } from './search-help.js';

export interface SearchBarProps {
  /** What the box held when the search now shown ran, and how it was read. */
  text: string;
  reading: SearchReading;
  sort: string;
  onSearch: (text: string) => void;
  onSort: (sort: string) => void;
}

/** How the search shown was read: words as tags, or a query as written. */
function ReadingLine({ reading }: { reading: SearchReading }) {
  if (reading.kind === 'words') {
    return html`Searching tags: ${reading.words.map(
      (word, index) => html`${index > 0 && ' AND '}<strong key=${word}>${/\s/.test(word) ? `"${word}"` : word}</strong>`,
    )}${' '}<span class="muted">(user and AI tags, any case)</span>`;
  }
  if (reading.kind === 'query') return html`Searching with the query <code class="code">${reading.query}</code>`;
  return null;
}

/** The search box (words or a searchQuery, run on Enter), how it was read, its syntax help, and the sort. */
export function SearchBar({ text: searched, reading, sort, onSearch, onSort }: SearchBarProps) {
  const [text, setText] = useState(searched);
  // A tag chip sets the search from outside: the box shows what runs.
  useEffect(() => setText(searched), [searched]);
  const submit = (event: Event) => {
    event.preventDefault();
    onSearch(text.trim());
  };
  return html`<form class="search-bar" role="search" onSubmit=${submit}>
    <div class="field field-grow">
      <label class="field-label" for="search-query">Search files</label>
      <input
        id="search-query"
        class="input input-code"
        type="search"
        placeholder='cat dog, or tags IN ["cat", "dog"] AND createdAt > "7d"'
        aria-describedby="search-hint"
        spellcheck=${false}
        value=${text}
        onInput=${(event: Event) => setText((event.currentTarget as HTMLInputElement).value)}
      />
      <p id="search-hint" class="hint">
        Words find files tagged with all of them; text with an operator is a query (<a href=${`#${SEARCH_HELP_ID}`} onClick=${openSearchHelp}>search syntax</a>). Enter
        searches; an empty box lists every file.
      </p>
      <p class="search-reading" role="status"><${ReadingLine} reading=${reading} /></p>
      <${SearchHelp} />
    </div>
    <div class="search-actions">
      <button type="submit" class="button button-primary">Search</button>
      ${searched && html`<button type="button" class="button" onClick=${() => onSearch('')}>Clear</button>`}
    </div>
    <div class="field">
      <label class="field-label" for="sort">Sort</label>
      <select id="sort" class="input" value=${sort} onChange=${(event: Event) => onSort((event.currentTarget as HTMLSelectElement).value)}>
        ${SORTS.map((option) => html`<option key=${option.value} value=${option.value}>${option.label}</option>`)}
      </select>
    </div>
  </form>`;
}
